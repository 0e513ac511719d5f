"""Surface families: `case`, `whitespace` and `punctuation`."""

from __future__ import annotations

import unicodedata

import numpy as np
import regex

from intermezzo.errors import UserError
from intermezzo.noise.scripts import (CASED_SCRIPTS, UNSPACED_SCRIPTS, WORD, grapheme_clusters, nfc, replace_words,
                                      script_of)

_SPACE_RUN = regex.compile(r"(?<=\S)[ \t]+(?=\S)")


def _require(lang: str, family: str, allowed: bool, why: str) -> None:
    if not allowed:
        raise UserError(f"noise: {family} does not apply to language '{lang}' ({why}); drop it for that language")


def case(text: str, lang: str, level: float, rng: np.random.Generator) -> str:
    """Flip about `level` of the words to another of lower, UPPER or Title case."""
    _require(lang, "case", script_of(lang) in CASED_SCRIPTS, "its script has no letter case")
    if level <= 0 or not text:
        return text

    def flip(w: str, pick: float) -> str | None:
        options = [v for v in dict.fromkeys((w.lower(), w.upper(), w[:1].upper() + w[1:].lower())) if v != w]
        return options[int(pick * len(options))] if options else None

    return replace_words(text, level, rng, flip)


def whitespace(text: str, lang: str, level: float, rng: np.random.Generator) -> str:
    """Drop about `level` of the spaces (merging words) and split about `level`/2 of the words in two."""
    _require(lang, "whitespace", script_of(lang) not in UNSPACED_SCRIPTS, "it is written without spaces")
    if level <= 0 or not text:
        return text
    text = nfc(text)
    spaces = list(_SPACE_RUN.finditer(text))
    words = list(WORD.finditer(text))
    drop = rng.random(len(spaces)) < level
    split = rng.random(len(words)) < level / 2
    cuts = rng.random(len(words))
    edits: list[tuple[int, int, str]] = [(m.start(), m.end(), "") for m, d in zip(spaces, drop) if d]
    for m, s, cut in zip(words, split, cuts):
        clusters = grapheme_clusters(m.group())
        if s and len(clusters) > 1:
            k = 1 + int(cut * (len(clusters) - 1))  # a cut between clusters, never inside one
            at = m.start() + len("".join(clusters[:k]))
            edits.append((at, at, " "))
    out, end = [], 0
    for start, stop, new in sorted(edits):
        out += [text[end:start], new]
        end = stop
    out.append(text[end:])
    return nfc("".join(out))


def punctuation(text: str, lang: str, level: float, rng: np.random.Generator) -> str:
    """Drop or double about `level` of the punctuation marks."""
    script_of(lang)
    if level <= 0 or not text:
        return text
    chars = list(nfc(text))
    marks = [i for i, ch in enumerate(chars) if unicodedata.category(ch).startswith("P")]
    hits = rng.random(len(marks)) < level
    doubles = rng.random(len(marks)) < 0.5
    for i, hit, double in zip(marks, hits, doubles):
        if hit:
            chars[i] = chars[i] * 2 if double else ""
    return nfc("".join(chars))
