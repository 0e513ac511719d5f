"""The `keyboard` family: neighbouring-key typos from each language's own layout (layouts/*.json)."""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from pathlib import Path

from intermezzo.errors import UserError
from intermezzo.noise.scripts import ClusterBatch, is_mark, script_of

LAYOUT_DIR = Path(__file__).parent / "layouts"
# Row starts in key widths: number row from the backtick key, then Q, A and Z rows (ANSI stagger).
DEFAULT_OFFSETS = (0.0, 1.5, 1.75, 2.25)

LAYOUTS: dict[str, str] = {
    **dict.fromkeys("af en eu ht id jv ms nl pl qu sw tl wo yo".split(), "qwerty"),
    "de": "qwertz_de", "fr": "azerty_fr", "es": "qwerty_es", "it": "qwerty_it", "pt": "qwerty_pt",
    "hu": "qwertz_hu", "fi": "qwerty_fi", "et": "qwerty_et", "lt": "qwerty_lt", "ro": "qwerty_ro",
    "tr": "qwerty_tr", "az": "qwerty_az", "vi": "qwerty_vi",
    "ru": "jcuken_ru", "uk": "jcuken_uk", "bg": "bds_bg", "kk": "jcuken_kk",
    "el": "greek", "ar": "arabic_101", "fa": "persian", "ur": "urdu_phonetic", "he": "hebrew",
    "hi": "inscript_deva", "mr": "inscript_deva", "bn": "inscript_beng", "pa": "inscript_guru",
    "gu": "inscript_gujr", "ta": "inscript_taml", "te": "inscript_telu", "ml": "inscript_mlym",
    "th": "kedmanee", "ka": "georgian", "ko": "dubeolsik",
}
INSERT_SHARE = 0.2  # of keyboard hits: an extra neighbouring key pressed too, the rest replace the key


def _grid_neighbours(rows: list[str], offsets) -> dict[str, set[str]]:
    keys = [(ch, offsets[r] + c, r) for r, row in enumerate(rows) for c, ch in enumerate(row) if ch != " "]
    near: dict[str, set[str]] = {}
    for ch, x, y in keys:
        for other, x2, y2 in keys:
            dx, dy = abs(x - x2), abs(y - y2)
            if other != ch and ((dy == 0 and dx == 1) or (dy == 1 and dx < 1)):
                near.setdefault(ch, set()).add(other)
        near.setdefault(ch, set())
    return near


class Layout:
    """A keyboard layout: which key characters neighbour which, plus memoised typo candidates per cluster."""

    def __init__(self, name: str, rows: list[str], shift_rows: list[str] | None = None, offsets=None):
        self.name = name
        offsets = offsets or DEFAULT_OFFSETS
        self.near = _grid_neighbours(rows, offsets)
        if shift_rows:
            for ch, others in _grid_neighbours(shift_rows, offsets).items():
                self.near.setdefault(ch, set()).update(others)
            # Shift held or missed on the same key is a typo too, in layouts without letter case.
            for row, srow in zip(rows, shift_rows):
                for a, b in zip(row, srow):
                    if a != " " and b != " ":
                        self.near[a].add(b)
                        self.near[b].add(a)
        self._subs: dict[str, tuple[str, ...]] = {}
        self._ins: dict[str, tuple[str, ...]] = {}

    def _same_class(self, ch: str) -> list[str]:
        return sorted(n for n in self.near.get(ch, ()) if is_mark(n) == is_mark(ch))

    def substitutions(self, cluster: str) -> tuple[str, ...]:
        """Clusters a mistyped `cluster` may become: one of its keys replaced by a neighbour of its class."""
        if cluster not in self._subs:
            out: list[str] = []
            lower = cluster.lower()
            for j, ch in enumerate(lower):
                for n in self._same_class(ch):
                    out.append(_case_like(lower[:j] + n + lower[j + 1:], cluster))
            if not out:  # a precomposed letter the layout lacks (e.g. é on QWERTY): its base key was hit
                base = unicodedata.normalize("NFD", lower)[0]
                out = [_case_like(n, cluster) for n in self._same_class(base) if not is_mark(n)]
            self._subs[cluster] = tuple(dict.fromkeys(out))
        return self._subs[cluster]

    def insertions(self, cluster: str) -> tuple[str, ...]:
        """Base letters a finger may also press next to `cluster` (never a mark, which could be orphaned)."""
        if cluster not in self._ins:
            first = unicodedata.normalize("NFD", cluster.lower())[0]
            self._ins[cluster] = tuple(sorted(_case_like(n, cluster) for n in self.near.get(first, ())
                                              if not is_mark(n)))
        return self._ins[cluster]


def _case_like(text: str, template: str) -> str:
    return text.upper() if template[:1].isupper() else text


@lru_cache(maxsize=None)
def load_layout(name: str) -> Layout:
    """The layout named `name` from the package's layouts folder."""
    path = LAYOUT_DIR / f"{name}.json"
    if not path.is_file():
        raise UserError(f"noise: no keyboard layout file {path}; reinstall intermezzo")
    data = json.loads(path.read_text(encoding="utf-8"))
    return Layout(name, data["rows"], data.get("shift_rows"), data.get("offsets"))


def layout_for(lang: str) -> Layout:
    """The keyboard layout typists of `lang` use, or a UserError when the suite has none."""
    if lang not in LAYOUTS:
        script_of(lang)  # an unknown language gets that error first
        raise UserError(f"noise: no keyboard layout for language '{lang}' (typed through an IME); "
                        "drop `keyboard` for it or use the char_* families")
    return load_layout(LAYOUTS[lang])


def keyboard_batch(texts: list[str], lang: str, level: float, rng) -> list[str]:
    """Replace letters by neighbouring keys of the language's layout (or add one), about `level` per letter."""
    layout = layout_for(lang)
    if level <= 0:
        return list(texts)
    if lang == "ko":
        return _hangul_keyboard(texts, layout, level, rng)
    batch = ClusterBatch(texts)
    units, subs, ins = batch.units, layout._subs, layout._ins
    where, picks = batch.hits(level, rng)
    for i, pick in zip(where, picks):
        c = units[i]
        if pick < INSERT_SHARE:  # one draw decides both what happens and which key
            pick /= INSERT_SHARE
            options = ins.get(c)
            options = layout.insertions(c) if options is None else options
            if options:
                units[i] = c + options[int(pick * len(options))]
                continue
        else:
            pick = (pick - INSERT_SHARE) / (1 - INSERT_SHARE)
        options = subs.get(c)
        options = layout.substitutions(c) if options is None else options
        if options:
            units[i] = options[int(pick * len(options))]
    return batch.texts()


# Hangul: a syllable is (initial, vowel, final); each slot is typed as one or two jamo keys on the 2-set layout.
_L = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_V = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_T = ["", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"]
_COMPOUND = {"ㅘ": "ㅗㅏ", "ㅙ": "ㅗㅐ", "ㅚ": "ㅗㅣ", "ㅝ": "ㅜㅓ", "ㅞ": "ㅜㅔ", "ㅟ": "ㅜㅣ", "ㅢ": "ㅡㅣ",
             "ㄳ": "ㄱㅅ", "ㄵ": "ㄴㅈ", "ㄶ": "ㄴㅎ", "ㄺ": "ㄹㄱ", "ㄻ": "ㄹㅁ", "ㄼ": "ㄹㅂ", "ㄽ": "ㄹㅅ",
             "ㄾ": "ㄹㅌ", "ㄿ": "ㄹㅍ", "ㅀ": "ㄹㅎ", "ㅄ": "ㅂㅅ"}
_JOIN = {keys: jamo for jamo, keys in _COMPOUND.items()}


def _slot_jamo(keys: str) -> str | None:
    return keys if len(keys) == 1 else _JOIN.get(keys)


@lru_cache(maxsize=4096)
def _hangul_typos(syllable: str, layout_name: str) -> tuple[str, ...]:
    """Every valid syllable reached by hitting a neighbouring key for one of `syllable`'s jamo keys."""
    layout = load_layout(layout_name)
    index = ord(syllable) - 0xAC00
    slots = [_L[index // 588], _V[index // 28 % 21], _T[index % 28]]
    tables = (_L, _V, _T)
    out = []
    for s, jamo in enumerate(slots):
        keys = _COMPOUND.get(jamo, jamo)
        for k, key in enumerate(keys):
            for n in layout.near.get(key, ()):
                new = _slot_jamo(keys[:k] + n + keys[k + 1:])
                if new and new in tables[s] and new != jamo:
                    li, vi, ti = (new if t == s else slots[t] for t in range(3))
                    out.append(chr(0xAC00 + _L.index(li) * 588 + _V.index(vi) * 28 + _T.index(ti)))
    return tuple(sorted(set(out)))


def _hangul_keyboard(texts: list[str], layout: Layout, level: float, rng) -> list[str]:
    batch = ClusterBatch(texts, code_points=True)  # syllables are single code points
    chars = batch.units
    where, picks = batch.hits(level, rng)
    for i, pick in zip(where, picks):
        if "\uac00" <= chars[i] <= "\ud7a3":
            options = _hangul_typos(chars[i], layout.name)
            if options:
                chars[i] = options[int(pick * len(options))]
    return batch.texts()
