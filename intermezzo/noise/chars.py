"""The char_* families: insert, delete, substitute and swap grapheme clusters within words."""

from __future__ import annotations

import unicodedata

import numpy as np

from intermezzo.noise.scripts import alphabet, grapheme_clusters, hits, nfc, script_of

# Scripts whose clusters are a consonant plus vowel signs: a typo changes the consonant, the vowel sign stays.
ABUGIDAS = frozenset({"devanagari", "bengali", "gujarati", "gurmukhi", "tamil", "telugu", "malayalam", "thai",
                      "myanmar"})


def _is_letter(cluster: str) -> bool:
    return cluster.isalpha() or unicodedata.category(cluster[0])[0] == "L"


def _letter_hits(text: str, level: float, rng: np.random.Generator):
    """The text's clusters, and (position, draw) for the letter clusters hit at rate `level`."""
    clusters = grapheme_clusters(nfc(text))
    where, picks = hits(len(clusters), level, rng)
    return clusters, [(i, p) for i, p in zip(where, picks) if clusters[i].isalpha() or _is_letter(clusters[i])]


def char_substitute(text: str, lang: str, level: float, rng: np.random.Generator) -> str:
    """Replace about `level` of the letters by another letter of the language's alphabet."""
    abugida = script_of(lang) in ABUGIDAS
    if level <= 0 or not text:
        return text
    letters = alphabet(lang)
    clusters, hit = _letter_hits(text, level, rng)
    for i, pick in hit:
        c = clusters[i]
        k = int(pick * len(letters))
        new = letters[(k + 1) % len(letters)] if letters[k] == c[0].lower() else letters[k]  # a real change
        new = new.upper() if c[0].isupper() else new
        # An abugida keeps its vowel signs on the new consonant; elsewhere the whole cluster goes.
        clusters[i] = new + c[1:] if abugida else new
    return nfc("".join(clusters))


def char_insert(text: str, lang: str, level: float, rng: np.random.Generator) -> str:
    """After about `level` of the letters, insert a letter of the language's alphabet."""
    script_of(lang)
    if level <= 0 or not text:
        return text
    letters = alphabet(lang)
    clusters, hit = _letter_hits(text, level, rng)
    for i, pick in hit:
        new = letters[int(pick * len(letters))]
        clusters[i] += new.upper() if clusters[i].isupper() else new
    return nfc("".join(clusters))


def _other_letter_in_word(clusters: list[str], i: int) -> bool:
    """True when the word holding cluster i still has a letter besides it (deleted clusters are '')."""
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(clusters) and not clusters[j].isspace():
            if clusters[j] and _is_letter(clusters[j]):
                return True
            j += step
    return False


def char_delete(text: str, lang: str, level: float, rng: np.random.Generator) -> str:
    """Delete about `level` of the letters, always leaving each word at least one letter."""
    script_of(lang)
    if level <= 0 or not text:
        return text
    clusters, hit = _letter_hits(text, level, rng)
    for i, _ in hit:
        if _other_letter_in_word(clusters, i):
            clusters[i] = ""
    return nfc("".join(clusters))


def char_swap(text: str, lang: str, level: float, rng: np.random.Generator) -> str:
    """Swap about `level` of the letters with the next letter of the same word."""
    script_of(lang)
    if level <= 0 or not text:
        return text
    clusters, hit = _letter_hits(text, level, rng)
    last = -2
    for i, _ in hit:
        j = i + 1
        # A cluster just swapped stays put, so the rate stays near `level` and swaps don't chain.
        if i <= last + 1 or j >= len(clusters) or not _is_letter(clusters[j]):
            continue
        clusters[i], clusters[j] = clusters[j], clusters[i]
        last = j
    return nfc("".join(clusters))
