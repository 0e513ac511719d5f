"""Answer-string EM and F1 as the official SQuAD v1.1 and MLQA scripts compute them (XTREME's third_party)."""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter

_ASCII_PUNCT = frozenset(string.punctuation)
_SQUAD_ARTICLES = re.compile(r"\b(a|an|the)\b")

# MLQA's article lists, keyed by answer language, exactly as evaluate_mlqa.py has them.
# Arabic: the official pattern replaces every "ال" (the definite prefix) by a space, even inside words;
# its first alternative can never match (a "^" after characters), which we keep to stay identical.
_MLQA_ARTICLES = {
    "en": re.compile(r"\b(a|an|the)\b"),
    "es": re.compile(r"\b(un|una|unos|unas|el|la|los|las)\b"),
    "vi": re.compile(r"\b(của|là|cái|chiếc|những)\b"),
    "de": re.compile(r"\b(ein|eine|einen|einem|eines|einer|der|die|das|den|dem|des)\b"),
    "ar": re.compile(r"\sال^|ال"),
    "hi": None,  # Hindi has no formal articles
    "zh": None,  # Chinese has no formal articles
}
MLQA_LANGS = tuple(_MLQA_ARTICLES)
_WHITESPACE_LANGS = ("en", "es", "hi", "vi", "de", "ar")
_CJK = re.compile(r"[\u4e00-\u9fa5]")


def squad_normalize(text: str) -> str:
    """SQuAD v1.1: lower-case, drop ASCII punctuation, drop a/an/the, collapse whitespace."""
    text = "".join(ch for ch in text.lower() if ch not in _ASCII_PUNCT)
    return " ".join(_SQUAD_ARTICLES.sub(" ", text).split())


def _is_mlqa_punct(ch: str) -> bool:
    # MLQA's PUNCT set is every Unicode P* character plus string.punctuation (which adds ASCII symbols
    # such as $ + < = > ^ ` |); testing the category per character gives the same set without building it.
    return ch in _ASCII_PUNCT or unicodedata.category(ch).startswith("P")


def mixed_segmentation(text: str) -> list[str]:
    """MLQA's zh tokens: each CJK character and each punctuation mark alone, other runs split on spaces."""
    tokens, run = [], ""
    for ch in text:
        if _CJK.search(ch) or _is_mlqa_punct(ch):
            if run:
                tokens.extend(run.split())
                run = ""
            tokens.append(ch)
        else:
            run += ch
    if run:
        tokens.extend(run.split())
    return tokens


def mlqa_normalize(text: str, lang: str) -> str:
    """MLQA: lower-case, drop Unicode punctuation, drop the language's articles, re-tokenise and join."""
    if lang not in _MLQA_ARTICLES:
        raise ValueError(f"MLQA defines no normalisation for language '{lang}' (it has {', '.join(MLQA_LANGS)})")
    text = "".join(ch for ch in text.lower() if not _is_mlqa_punct(ch))
    articles = _MLQA_ARTICLES[lang]
    if articles is not None:
        text = articles.sub(" ", text)
    tokens = text.split() if lang in _WHITESPACE_LANGS else mixed_segmentation(text)
    return " ".join(t for t in tokens if t.strip() != "")


def _f1(prediction_tokens: list[str], gold_tokens: list[str]) -> float:
    common = Counter(prediction_tokens) & Counter(gold_tokens)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision = 1.0 * same / len(prediction_tokens)
    recall = 1.0 * same / len(gold_tokens)
    return (2 * precision * recall) / (precision + recall)


def answer_em_f1(prediction: str | None, golds: list[str], lang: str | None = None) -> tuple[float, float]:
    """(EM, F1) in 0-1, the max over gold answers; MLQA rules when `lang` is given, SQuAD v1.1 otherwise.

    `prediction=None` is an unanswered question (0, 0), as the official scripts count it. A SQuAD 2.0
    no-answer question has no gold answers, written [] or [""]: as the official SQuAD 2.0 script
    (evaluate-v2.0.py: gold [""], and compute_f1 returns 1 when both token lists are empty) an answer that
    normalises to nothing scores EM 1 and F1 1, any other answer 0 and 0.
    """
    if prediction is None:
        return 0.0, 0.0
    norm = squad_normalize if lang is None else (lambda s: mlqa_normalize(s, lang))
    pred = norm(prediction)
    # Literally empty golds only: a v1.1 gold that merely normalises to nothing ("The") keeps v1.1's F1 rule.
    if all(g == "" for g in golds):
        abstained = float(pred.split() == [])
        return abstained, abstained
    em = max(float(pred == norm(g)) for g in golds)
    f1 = max(_f1(pred.split(), norm(g).split()) for g in golds)
    return em, f1
