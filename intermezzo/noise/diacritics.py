"""The `diacritics` family: what typists drop, by explicit per-script maps; vowel signs and letters stay."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from intermezzo.errors import UserError
from intermezzo.noise.scripts import ClusterBatch, nfc, script_of

# Latin letters whose stroke or ligature NFD cannot strip.
LATIN_LETTERS = {"ß": "ss", "ẞ": "SS", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O",
                 "ı": "i", "ə": "e", "Ə": "E", "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T"}
# Cyrillic typists fall back to the plain letter (Kazakh ones to the Russian letter on every keyboard).
CYRILLIC_LETTERS = {
    "ru": {"ё": "е", "й": "и"},
    "bg": {"й": "и", "ѝ": "и"},
    "uk": {"ї": "і", "й": "и", "ґ": "г"},
    "kk": {"ё": "е", "й": "и", "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х",
           "і": "и"},
}
GREEK_MARKS = frozenset("\u0301\u0308")  # tonos and dialytika; the letters themselves stay
# Harakat only: fathatan..sukun and the dagger alef. Hamza and madda are part of letters (أ, آ) and stay.
ARABIC_MARKS = frozenset(chr(c) for c in [*range(0x064B, 0x0653), 0x0670])
HEBREW_MARKS = frozenset(chr(c) for c in range(0x0591, 0x05C8) if unicodedata.category(chr(c)) == "Mn")
# Indic: only the nukta (ज़ -> ज); vowel signs, virama and anusvara are spelling, not diacritics.
NUKTAS = {"devanagari": "\u093c", "bengali": "\u09bc", "gurmukhi": "\u0a3c", "gujarati": "\u0abc"}
SUPPORTED_SCRIPTS = frozenset({"latin", "greek", "cyrillic", "arabic", "hebrew", *NUKTAS})


def _drop_marks(cluster: str, marks) -> str:
    """NFD, remove the given combining marks (all Mn when `marks` is None), back to NFC."""
    decomposed = unicodedata.normalize("NFD", cluster)
    kept = "".join(ch for ch in decomposed
                   if not (unicodedata.category(ch) == "Mn" if marks is None else ch in marks))
    return nfc(kept) if kept else cluster


def _with_upper(table: dict[str, str]) -> dict[str, str]:
    return {**table, **{k.upper(): v.upper() for k, v in table.items()}}


@lru_cache(maxsize=None)
def _stripper(lang: str):
    script = script_of(lang)
    if script == "latin":
        return lambda c: LATIN_LETTERS.get(c) or _drop_marks(c, None)
    if script == "greek":
        return lambda c: _drop_marks(c, GREEK_MARKS)
    if script == "cyrillic":
        table = _with_upper(CYRILLIC_LETTERS[lang])
        return lambda c: "".join(table.get(ch, ch) for ch in c)
    if script in ("arabic", "hebrew"):
        marks = ARABIC_MARKS if script == "arabic" else HEBREW_MARKS
        # No NFD here: decomposing would split letters like أ into alef + hamza mark.
        return lambda c: "".join(ch for ch in c if ch not in marks) or c
    if script in NUKTAS:
        return lambda c: _drop_marks(c, {NUKTAS[script]})
    raise UserError(f"noise: diacritics has no map for language '{lang}' ({script} script); "
                    "drop `diacritics` for it (intermezzo noise --list shows what applies)")


def diacritics_batch(texts: list[str], lang: str, level: float, rng) -> list[str]:
    """Drop the diacritics of about `level` of the letters that carry any (1.0 strips them all)."""
    strip = _stripper(lang)
    if level <= 0:
        return list(texts)
    batch = ClusterBatch(texts)
    units = batch.units
    for i in batch.hits(level, rng)[0]:
        if not units[i].isascii():
            units[i] = strip(units[i])
    return batch.texts()
