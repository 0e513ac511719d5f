"""Shared test helpers for the noise suite: random text per script and a character error rate."""

from __future__ import annotations

import importlib.util
import unicodedata

import numpy as np
from hypothesis import strategies as st

from intermezzo.noise import FAMILIES, supported
from intermezzo.noise.registry import NEEDS_PATH
from intermezzo.noise.scripts import SCRIPTS, alphabet

HAS_TRANSLIT = importlib.util.find_spec("anyascii") is not None or importlib.util.find_spec("uroman") is not None

# Marks a script's clusters may carry, so generated text exercises combining marks and vowel signs.
MARKS = {
    "latin": ["\u0301", "\u0308", "\u0302", "\u0323"], "greek": ["\u0301", "\u0308"],
    "cyrillic": ["\u0308", "\u0306"], "arabic": ["\u064e", "\u064f", "\u0650", "\u0651", "\u0652"],
    "hebrew": ["\u05b0", "\u05b4", "\u05b7", "\u05b8", "\u05bc"],
    "devanagari": list("ािीुूेैोौं्") + ["\u093c"], "bengali": list("ািীুূেৈোৌং"),
    "tamil": list("ாிீுூெேைொோௌ்"), "thai": list("ัิีึืุู่้"), "gujarati": list("ાિીુૂેૈો"),
}
# One language per script (two for Latin and Cyrillic), covering every script the suite knows.
PROPERTY_LANGS = ["en", "de", "vi", "tr", "ru", "uk", "el", "ar", "fa", "he", "hi", "bn", "ta", "te", "ml", "gu",
                  "pa", "th", "ka", "ko", "zh", "ja", "my"]
assert {SCRIPTS[lang] for lang in PROPERTY_LANGS} == set(SCRIPTS.values())


def families_for(lang: str) -> list[str]:
    """The families property tests run on `lang`: those that apply and need no user file."""
    return [f for f in FAMILIES if supported(lang, f) and f not in NEEDS_PATH and (f != "translit" or HAS_TRANSLIT)]


def cluster_strategy(lang: str):
    """One user-perceived character: a letter of the language, maybe followed by one of its script's marks."""
    letters = alphabet(lang)
    if len(letters) > 400:  # Han / Hangul: a fixed sample keeps shrinking fast
        letters = letters[::max(1, len(letters) // 300)]
    marks = MARKS.get(SCRIPTS[lang], [])
    base = st.sampled_from(letters)
    if SCRIPTS[lang] in ("latin", "cyrillic", "greek"):
        base = st.builds(lambda ch, up: ch.upper() if up else ch, base, st.booleans())
    if not marks:
        return base
    return st.builds(lambda b, m: b + (m or ""), base, st.one_of(st.none(), st.sampled_from(marks)))


def text_strategy(lang: str, max_words: int = 8):
    """A sentence of the language's script: words of 1-6 clusters, spaces, some punctuation."""
    word = st.builds("".join, st.lists(cluster_strategy(lang), min_size=1, max_size=6))
    token = st.builds(lambda w, p: w + p, word, st.sampled_from(["", "", "", ",", ".", "!", "?"]))
    return st.builds(" ".join, st.lists(token, min_size=1, max_size=max_words))


def sample_text(lang: str, n_words: int, seed: int) -> str:
    """A reproducible sentence of the language's letters (and marks), for statistical tests."""
    rng = np.random.default_rng(seed)
    letters, marks = alphabet(lang), MARKS.get(SCRIPTS[lang], [])
    words = []
    for _ in range(n_words):
        clusters = []
        for _ in range(int(rng.integers(2, 7))):
            c = letters[int(rng.integers(len(letters)))]
            if marks and rng.random() < 0.4:
                c += marks[int(rng.integers(len(marks)))]
            clusters.append(c)
        words.append("".join(clusters) + ("," if rng.random() < 0.2 else ""))
    return unicodedata.normalize("NFC", " ".join(words) + ".")


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance in code points (numpy row by row)."""
    if not a or not b:
        return max(len(a), len(b))
    bb = np.array([ord(c) for c in b])
    idx = np.arange(len(b) + 1)
    prev = idx.copy()
    for i, ch in enumerate(a, 1):
        sub = prev[:-1] + (bb != ord(ch))
        cur = np.empty_like(prev)
        cur[0] = i
        cur[1:] = np.minimum(prev[1:] + 1, sub)
        cur = np.minimum.accumulate(cur - idx) + idx  # insertions chain along the row
        prev = cur
    return int(prev[-1])


def cer(clean: str, noisy: str) -> float:
    """Character error rate of `noisy` against `clean` (both NFC)."""
    return edit_distance(clean, noisy) / max(1, len(clean))
