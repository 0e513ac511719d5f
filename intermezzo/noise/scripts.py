"""Per-language script facts the noise families share: script, alphabet, grapheme clusters, words."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from itertools import compress

import numpy as np
import regex

from intermezzo.errors import UserError, unknown
from intermezzo.noise.draws import hits, uniforms

# The 50 languages of XTREME-R, by the script their benchmark text is written in.
SCRIPTS: dict[str, str] = {
    **dict.fromkeys("af az de en es et eu fi fr ht hu id it jv lt ms nl pl pt qu ro sw tl tr vi wo yo".split(),
                    "latin"),
    **dict.fromkeys("ar fa ur".split(), "arabic"),
    **dict.fromkeys("bg kk ru uk".split(), "cyrillic"),
    **dict.fromkeys("hi mr".split(), "devanagari"),
    "el": "greek", "he": "hebrew", "bn": "bengali", "gu": "gujarati", "pa": "gurmukhi", "ta": "tamil",
    "te": "telugu", "ml": "malayalam", "th": "thai", "ka": "georgian", "ko": "hangul", "ja": "japanese",
    "zh": "han", "my": "myanmar",
}
LANGS: tuple[str, ...] = tuple(sorted(SCRIPTS))

CASED_SCRIPTS = frozenset({"latin", "cyrillic", "greek"})
# Scripts written without spaces between words: word-level families and space noise make no sense there.
UNSPACED_SCRIPTS = frozenset({"thai", "japanese", "han", "myanmar"})

# Letters beyond a-z that each Latin-script language's typists produce (its own alphabet).
_LATIN_EXTRA = {
    "af": "êëéèôûîïáóúý", "az": "çəğıöşü", "de": "äöüß", "es": "áéíñóúü", "et": "äöõšüž",
    "eu": "ñ", "fi": "äöå", "fr": "àâæçéèêëîïôœùûüÿ", "ht": "èò", "hu": "áéíóöőúüű", "it": "àèéìòù",
    "lt": "ąčęėįšųūž", "nl": "éëï", "pl": "ąćęłńóśźż", "pt": "áâãàçéêíóôõú", "qu": "ñ", "ro": "ăâîșț",
    "tr": "çğıöşü", "vi": "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ",
    "wo": "àéëñóŋ", "yo": "áàéèẹíìóòọṣúù",
}
_CYRILLIC = {
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "uk": "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
    "bg": "абвгдежзийклмнопрстуфхцчшщъьюя",
    "kk": "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя",
}
_ARABIC = {
    "ar": "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئىة",
    "fa": "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیءآأؤئ",
    "ur": "ابپتٹثجچحخدڈذرڑزژسشصضطظعغفقکگلمنںوہھیےءآ",
}


def _block(first: int, last: int, categories: tuple[str, ...] = ("Lo", "Ll")) -> str:
    return "".join(chr(c) for c in range(first, last + 1)
                   if unicodedata.category(chr(c)) in categories and unicodedata.name(chr(c), ""))


# Blocks whose independent letters (no vowel signs, no marks) form each script's alphabet.
_BLOCKS = {
    "greek": ("αβγδεζηθικλμνξοπρστυφχψω", None), "hebrew": ((0x05D0, 0x05EA), None),
    # Abugidas: consonants only, so a typo that keeps the old vowel sign still reads as a syllable.
    "devanagari": ((0x0915, 0x0939), None), "bengali": ((0x0995, 0x09B9), None),
    "gujarati": ((0x0A95, 0x0AB9), None), "gurmukhi": ((0x0A15, 0x0A39), None),
    "tamil": ((0x0B95, 0x0BB9), None), "telugu": ((0x0C15, 0x0C39), None),
    "malayalam": ((0x0D15, 0x0D39), None), "thai": ((0x0E01, 0x0E2E), None),
    "georgian": ((0x10D0, 0x10F0), None), "myanmar": ((0x1000, 0x1021), None),
    "hangul": ((0xAC00, 0xD7A3), None), "han": ((0x4E00, 0x9FFF), None),
    "japanese": ((0x3041, 0x3096), (0x30A1, 0x30FA)),
}


@lru_cache(maxsize=None)
def alphabet(lang: str) -> str:
    """The letters substitutions and insertions draw from: the language's own script, base letters only."""
    script = script_of(lang)
    if script == "latin":
        return "abcdefghijklmnopqrstuvwxyz" + _LATIN_EXTRA.get(lang, "")
    if script == "cyrillic":
        return _CYRILLIC[lang]
    if script == "arabic":
        return _ARABIC[lang]
    first, second = _BLOCKS[script]
    if isinstance(first, str):
        return first
    letters = _block(*first)
    if second:  # Japanese text mixes kana and common kanji
        letters += _block(*second) + _block(0x4E00, 0x4FFF)
    return letters


def script_of(lang: str) -> str:
    """The script of an XTREME-R language, or a UserError listing the known ones."""
    try:
        return SCRIPTS[lang]
    except KeyError:
        raise UserError(f"noise: {unknown('language', lang, SCRIPTS)}; the noise suite knows the "
                        "50 XTREME-R languages (intermezzo noise --list)") from None


_CLUSTER = regex.compile(r"\X")
# Code points that join a neighbour into one cluster; text without any is one cluster per code point.
_JOINERS = regex.compile(r"[\r\p{GCB=Extend}\p{GCB=ZWJ}\p{GCB=SpacingMark}\p{GCB=Prepend}\p{GCB=L}\p{GCB=V}"
                         r"\p{GCB=T}\p{GCB=Regional_Indicator}]")
WORD = regex.compile(r"\w+")


def grapheme_clusters(text: str) -> list[str]:
    """User-perceived characters: a base with all its combining marks, vowel signs and conjuncts."""
    # Segmenting is the costliest step of the char families; most text needs none of it.
    if (text.isascii() and "\r" not in text) or not _JOINERS.search(text):
        return list(text)
    return _CLUSTER.findall(text)


class ClusterBatch:
    """Every text's grapheme clusters (or code points) laid end to end with one separator unit between texts,
    so that one list() and one join + split serve the whole batch. `counts` is each text's number of units
    (what the families draw for); `hits` maps draws to unit positions, skipping the separators."""

    SEP = "\x00"

    def __init__(self, texts: list[str], code_points: bool = False):
        texts = [nfc(t) for t in texts]
        joined = self.SEP.join(texts) if len(texts) != 1 else texts[0]
        # Simple text (ASCII, or nothing that joins clusters) is one unit per code point: one list() for all.
        self.ascii = joined.isascii() and "\r" not in joined
        if code_points or self.ascii or not _JOINERS.search(joined):
            self.units, self.counts = list(joined), [len(t) for t in texts]
        else:
            per_text = [grapheme_clusters(t) for t in texts]
            self.units = [u for cl in per_text for u in (*cl, self.SEP)][:-1]
            self.counts = [len(cl) for cl in per_text]
        # A text holding the separator itself cannot be split back on it: texts() then cuts by position.
        self.joined, self.safe = joined, joined.count(self.SEP) == len(texts) - 1
        self.ends = np.cumsum(self.counts) if len(texts) > 1 else None

    def hits(self, level: float, rng, letters: bool = False) -> tuple[list[int], list[float]]:
        """Unit positions hit at rate `level` (only letter units when `letters`), and a pick in [0, 1) each."""
        u = uniforms(rng, self.counts)
        where = (u < level).nonzero()[0]
        # Given a hit, u / level is again uniform on [0, 1): one draw is both the coin and the choice.
        picks = u[where] / level
        if len(self.counts) > 1:
            where = where + np.searchsorted(self.ends, where, side="right")  # one separator per earlier text
        if letters and self.ascii and len(where) > 64:  # a batch: test letters in numpy, on the ASCII bytes
            code = np.frombuffer(self.joined.encode("ascii"), dtype=np.uint8)[where] | 0x20  # lower-cased
            keep = (code >= 97) & (code <= 122)
            return where[keep].tolist(), picks[keep].tolist()
        where, picks = where.tolist(), picks.tolist()
        if not letters:
            return where, picks
        units = self.units
        # An ASCII unit that is not alphabetic is never a letter: skip the Unicode lookup there.
        flags = [units[i].isalpha() for i in where] if self.ascii else \
            [units[i].isalpha() or is_letter(units[i]) for i in where]
        return list(compress(where, flags)), list(compress(picks, flags))

    def bounds(self, where: list[int]) -> tuple[list[int], list[int]]:
        """For each unit position, the first and one-past-last unit positions of its text."""
        if len(self.counts) == 1:
            return [0] * len(where), [self.counts[0]] * len(where)
        counts = np.asarray(self.counts)
        ends = self.ends + np.arange(len(counts))  # text k ends after its units and the k separators before it
        owner = np.searchsorted(ends, where, side="right")
        return (ends[owner] - counts[owner]).tolist(), ends[owner].tolist()

    def texts(self) -> list[str]:
        """The (edited) texts, NFC-normalised."""
        if len(self.counts) == 1:
            return [nfc("".join(self.units))]
        if self.safe:
            return [nfc(t) for t in "".join(self.units).split(self.SEP)]
        out, start = [], 0
        for n in self.counts:
            out.append(nfc("".join(self.units[start:start + n])))
            start += n + 1
        return out


def is_letter(cluster: str) -> bool:
    """True for a letter cluster (alphabetic, or starting with a letter code point)."""
    return cluster.isalpha() or unicodedata.category(cluster[0])[0] == "L"


def is_mark(ch: str) -> bool:
    """True for combining marks (including Indic and Thai vowel signs), which must follow a base."""
    return unicodedata.category(ch).startswith("M")


def nfc(text: str) -> str:
    """NFC-normalise; every family returns NFC text."""
    return unicodedata.normalize("NFC", text)


def match_case(word: str, template: str) -> str:
    """`word` with the capitalisation pattern of `template` (lower, Title or UPPER)."""
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def replace_words(texts: list[str], level: float, rng, replace) -> list[str]:
    """Per text, replace about `level` of the words for which `replace(word, pick)` returns a string."""
    texts = [nfc(t) for t in texts]
    words = [list(WORD.finditer(t)) for t in texts]
    out = []
    for text, found, hit in zip(texts, words, hits([len(w) for w in words], level, rng)):
        parts, end = [], 0
        for i, pick in hit:
            m = found[i]
            new = replace(m.group(), pick)
            if new:
                parts += [text[end:m.start()], new]
                end = m.end()
        out.append(nfc("".join([*parts, text[end:]])) if parts else text)
    return out
