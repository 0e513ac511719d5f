"""The observed character error rate grows with the level, for every family, over many seeded samples."""

from __future__ import annotations

import numpy as np
import pytest
from noise_samples import cer, edit_distance, sample_text

from intermezzo.noise import FAMILIES

LEVELS = (0.05, 0.2, 0.5, 0.9)
CASES = [
    ("keyboard", "en"), ("keyboard", "hi"), ("keyboard", "ko"), ("keyboard", "th"), ("keyboard", "ru"),
    ("char_insert", "ar"), ("char_delete", "bn"), ("char_substitute", "zh"), ("char_swap", "de"),
    ("char_swap", "ta"), ("diacritics", "vi"), ("diacritics", "he"), ("case", "el"), ("punctuation", "fr"),
    ("whitespace", "uk"),
]


def mean_cer(family: str, lang: str, level: float, samples: int = 12) -> float:
    rates = []
    for seed in range(samples):
        text = sample_text(lang, 12, seed)
        rates.append(cer(text, FAMILIES[family](text, lang, level, np.random.default_rng(1000 + seed))))
    return float(np.mean(rates))


@pytest.mark.parametrize("family,lang", CASES)
def test_error_rate_grows_with_level(family, lang):
    rates = [mean_cer(family, lang, level) for level in LEVELS]
    assert rates[0] > 0, f"{family} on {lang} did nothing at level {LEVELS[0]}"
    assert all(a < b for a, b in zip(rates, rates[1:])), f"{family} on {lang}: CER {rates} not increasing"


def test_char_families_hit_about_level_of_the_letters():
    # Substitution at level p changes about p of the letters (a little less: the odd draw repeats a letter).
    text = sample_text("en", 40, 7)
    letters = sum(ch.isalpha() for ch in text)
    for level in (0.1, 0.3):
        changed = np.mean([edit_distance(text, FAMILIES["char_substitute"](text, "en", level, np.random.default_rng(s)))
                           for s in range(10)])
        assert 0.6 * level * letters < changed < 1.4 * level * letters


def test_edit_distance_helper():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3
    assert edit_distance("flaw", "lawn") == 2
