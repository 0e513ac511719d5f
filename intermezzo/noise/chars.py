"""The char_* families: insert, delete, substitute and swap grapheme clusters within words."""

from __future__ import annotations

from intermezzo.noise.scripts import ClusterBatch, alphabet, is_letter, script_of

# Scripts whose clusters are a consonant plus vowel signs: a typo changes the consonant, the vowel sign stays.
ABUGIDAS = frozenset({"devanagari", "bengali", "gujarati", "gurmukhi", "tamil", "telugu", "malayalam", "thai",
                      "myanmar"})


def _edit_letters(texts: list[str], level: float, rng, edit, bounded: bool = False) -> list[str]:
    """Hit the letter clusters of all texts at rate `level` (one draw per batch) and let
    `edit(units, where, picks[, starts, ends])` change them; starts/ends bound each hit's text in `units`."""
    batch = ClusterBatch(texts)
    where, picks = batch.hits(level, rng, letters=True)
    if where:
        edit(batch.units, where, picks, *batch.bounds(where)) if bounded else edit(batch.units, where, picks)
    return batch.texts()


def char_substitute_batch(texts: list[str], lang: str, level: float, rng) -> list[str]:
    """Replace about `level` of the letters by another letter of the language's alphabet."""
    abugida = script_of(lang) in ABUGIDAS
    if level <= 0:
        return list(texts)
    letters = alphabet(lang)

    def edit(units, where, picks):
        for i, pick in zip(where, picks):
            c, k = units[i], int(pick * len(letters))
            new = letters[(k + 1) % len(letters)] if letters[k] == c[0].lower() else letters[k]  # a real change
            new = new.upper() if c[0].isupper() else new
            # An abugida keeps its vowel signs on the new consonant; elsewhere the whole cluster goes.
            units[i] = new + c[1:] if abugida else new
    return _edit_letters(texts, level, rng, edit)


def char_insert_batch(texts: list[str], lang: str, level: float, rng) -> list[str]:
    """After about `level` of the letters, insert a letter of the language's alphabet."""
    script_of(lang)
    if level <= 0:
        return list(texts)
    letters = alphabet(lang)

    def edit(units, where, picks):
        for i, pick in zip(where, picks):
            c, k = units[i], int(pick * len(letters))
            units[i] = c + (letters[k].upper() if c.isupper() else letters[k])
    return _edit_letters(texts, level, rng, edit)


def _other_letter_in_word(units: list[str], i: int, start: int, end: int) -> bool:
    """True when the word holding unit i (of the text in start..end) still has a letter besides it
    (deleted clusters are '')."""
    for step in (-1, 1):
        j = i + step
        while start <= j < end and not units[j].isspace():
            if units[j] and is_letter(units[j]):
                return True
            j += step
    return False


def char_delete_batch(texts: list[str], lang: str, level: float, rng) -> list[str]:
    """Delete about `level` of the letters, always leaving each word at least one letter."""
    script_of(lang)
    if level <= 0:
        return list(texts)

    def edit(units, where, picks, starts, ends):
        for i, start, end in zip(where, starts, ends):
            if _other_letter_in_word(units, i, start, end):
                units[i] = ""
    return _edit_letters(texts, level, rng, edit, bounded=True)


def char_swap_batch(texts: list[str], lang: str, level: float, rng) -> list[str]:
    """Swap about `level` of the letters with the next letter of the same word."""
    script_of(lang)
    if level <= 0:
        return list(texts)

    def edit(units, where, picks, starts, ends):
        last = -2
        for i, start, end in zip(where, starts, ends):
            j = i + 1
            # A cluster just swapped (in this text) stays put, so the rate stays near `level` and swaps don't chain.
            if start <= last and i <= last + 1 or j >= end or not is_letter(units[j]):
                continue
            units[i], units[j] = units[j], units[i]
            last = j
    return _edit_letters(texts, level, rng, edit, bounded=True)
