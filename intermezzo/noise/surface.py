"""Surface families: `case`, `whitespace` and `punctuation`."""

from __future__ import annotations

import unicodedata

import regex

from intermezzo.errors import UserError
from intermezzo.noise.draws import hits
from intermezzo.noise.scripts import (CASED_SCRIPTS, UNSPACED_SCRIPTS, WORD, grapheme_clusters, nfc, replace_words,
                                      script_of)

_SPACE_RUN = regex.compile(r"(?<=\S)[ \t]+(?=\S)")


def _require(lang: str, family: str, allowed: bool, why: str) -> None:
    if not allowed:
        raise UserError(f"noise: {family} does not apply to language '{lang}' ({why}); drop it for that language")


def case_batch(texts: list[str], lang: str, level: float, rng) -> list[str]:
    """Flip about `level` of the words to another of lower, UPPER or Title case."""
    _require(lang, "case", script_of(lang) in CASED_SCRIPTS, "its script has no letter case")
    if level <= 0:
        return list(texts)

    def flip(w: str, pick: float) -> str | None:
        options = [v for v in dict.fromkeys((w.lower(), w.upper(), w[:1].upper() + w[1:].lower())) if v != w]
        return options[int(pick * len(options))] if options else None

    return replace_words(texts, level, rng, flip)


def whitespace_batch(texts: list[str], lang: str, level: float, rng) -> list[str]:
    """Drop about `level` of the spaces (merging words) and split about `level`/2 of the words in two."""
    _require(lang, "whitespace", script_of(lang) not in UNSPACED_SCRIPTS, "it is written without spaces")
    if level <= 0:
        return list(texts)
    texts = [nfc(t) for t in texts]
    spaces = [list(_SPACE_RUN.finditer(t)) for t in texts]
    words = [list(WORD.finditer(t)) for t in texts]
    out = []
    # One draw per space, then one per word: a word hit with pick < 0.5 (u < level/2) is split at 2*pick.
    counts = [len(s) + len(w) for s, w in zip(spaces, words)]
    for text, sp, ws, hit in zip(texts, spaces, words, hits(counts, level, rng)):
        edits: list[tuple[int, int, str]] = []
        for k, pick in hit:
            if k < len(sp):
                edits.append((sp[k].start(), sp[k].end(), ""))
                continue
            m = ws[k - len(sp)]
            clusters = grapheme_clusters(m.group())
            if pick < 0.5 and len(clusters) > 1:
                cut = 1 + int(2 * pick * (len(clusters) - 1))  # between clusters, never inside one
                at = m.start() + len("".join(clusters[:cut]))
                edits.append((at, at, " "))
        parts, end = [], 0
        for start, stop, new in sorted(edits):
            parts += [text[end:start], new]
            end = stop
        out.append(nfc("".join([*parts, text[end:]])) if edits else text)
    return out


def punctuation_batch(texts: list[str], lang: str, level: float, rng) -> list[str]:
    """Drop or double about `level` of the punctuation marks."""
    script_of(lang)
    if level <= 0:
        return list(texts)
    texts = [nfc(t) for t in texts]
    marks = [[i for i, ch in enumerate(t) if unicodedata.category(ch)[0] == "P"] for t in texts]
    out = []
    for text, where, hit in zip(texts, marks, hits([len(m) for m in marks], level, rng)):
        if not hit:
            out.append(text)
            continue
        chars = list(text)
        for k, pick in hit:
            i = where[k]
            chars[i] = chars[i] * 2 if pick < 0.5 else ""  # doubled or dropped, even odds
        out.append(nfc("".join(chars)))
    return out
