"""Span precision/recall/F1 exactly as seqeval 1.2 computes them by default (what XTREME's scorer calls).

seqeval's default mode is conlleval-compatible and has quirks that official XTREME numbers depend on:
- Sentences are flattened with an "O" appended after each one, so spans never cross sentences.
- A tag's first character is its chunk marker and the rest (after an optional "-") its type. Un-prefixed
  tags therefore parse oddly: UD-POS "NOUN" is marker "N", type "OUN"; "SCONJ" is marker "S" (a
  single-token chunk), type "CONJ". Runs of the same un-prefixed tag merge into one span.
- "I-X" after "O" (or after another type) starts a span, as in conlleval.
- Micro average over types; a zero denominator gives 0.

`legacy=True` parses types as seqeval <= 0.0.12 did (`tag.split("-")[-1]`: "NOUN" is type "NOUN", "O" is
type "O"). XTREME's own evaluate_test.py reference numbers (2020) come from that version; the two differ on
un-prefixed tags only (UD-POS), e.g. 1.2 gives CCONJ and SCONJ the same type "CONJ".
"""

from __future__ import annotations

from collections import defaultdict


def _split(tag: str, legacy: bool) -> tuple[str, str]:
    if not tag:
        raise ValueError("empty tag; every token needs a tag")
    if legacy:
        return tag[0], tag.split("-")[-1]
    # `or "_"` mirrors seqeval 1.x: a bare marker ("O", "B") has the placeholder type "_".
    return tag[0], tag[1:].split("-", maxsplit=1)[-1] or "_"


def _ends(prev_tag: str, tag: str, prev_type: str, type_: str) -> bool:
    if prev_tag in ("E", "S"):
        return True
    if prev_tag in ("B", "I") and tag in ("B", "S", "O"):
        return True
    return prev_tag not in ("O", ".") and prev_type != type_


def _starts(prev_tag: str, tag: str, prev_type: str, type_: str) -> bool:
    if tag in ("B", "S"):
        return True
    if prev_tag in ("E", "S", "O") and tag in ("E", "I"):
        # seqeval lists exactly these six: E->E, E->I, S->E, S->I, O->E, O->I.
        return True
    return tag not in ("O", ".") and prev_type != type_


def get_entities(sentences: list[list[str]], legacy: bool = False) -> list[tuple[str, int, int]]:
    """(type, start, end) spans, inclusive, over the flattened sentences (seqeval's offsets)."""
    seq = [tag for sentence in sentences for tag in [*sentence, "O"]]
    prev_tag, prev_type, begin, chunks = "O", "", 0, []
    for i, chunk in enumerate([*seq, "O"]):
        tag, type_ = _split(chunk, legacy)
        if _ends(prev_tag, tag, prev_type, type_):
            chunks.append((prev_type, begin, i - 1))
        if _starts(prev_tag, tag, prev_type, type_):
            begin = i
        prev_tag, prev_type = tag, type_
    return chunks


def _check(references: list[list[str]], predictions: list[list[str]]) -> None:
    if not references or not all(isinstance(s, list) for s in [*references, *predictions]):
        raise ValueError("seqeval needs a non-empty list of tag lists on each side")
    if [len(s) for s in references] != [len(s) for s in predictions]:
        raise ValueError("predicted and gold sentences differ in number or length")


def counts(predictions: list[list[str]], references: list[list[str]], legacy: bool = False
           ) -> tuple[int, int, int]:
    """(true positives, predicted spans, gold spans) summed over types, as seqeval's micro average."""
    _check(references, predictions)
    gold, pred = defaultdict(set), defaultdict(set)
    for type_, start, end in get_entities(references, legacy):
        gold[type_].add((start, end))
    for type_, start, end in get_entities(predictions, legacy):
        pred[type_].add((start, end))
    types = set(gold) | set(pred)
    tp = sum(len(gold[t] & pred[t]) for t in types)
    return tp, sum(len(pred[t]) for t in types), sum(len(gold[t]) for t in types)


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    """Precision, recall, F1 in 0-1 with seqeval's zero-division rule (0) and its order of operations."""
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    denom = precision + recall
    f1 = (1 + 1) * precision * recall / (denom if denom else 1)
    return precision, recall, f1
