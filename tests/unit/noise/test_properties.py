"""Property tests of every family on random text of every script: seeded, identity at 0, NFC, no orphans."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from noise_samples import HAS_TRANSLIT, PROPERTY_LANGS, families_for, sample_text, text_strategy

from intermezzo.errors import UserError
from intermezzo.noise import FAMILIES, LANGS, apply_noise, parse_noise, supported
from intermezzo.noise.registry import NEEDS_PATH

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(family, text, lang, level, seed):
    return FAMILIES[family](text, lang, level, np.random.default_rng(seed))


@pytest.mark.parametrize("lang", PROPERTY_LANGS)
def test_families_on_random_text(lang):
    @SETTINGS
    @given(text=text_strategy(lang), level=st.floats(0.05, 1.0), seed=st.integers(0, 2**32 - 1))
    def check(text, level, seed):
        for family in families_for(lang):
            out = run(family, text, lang, level, seed)
            assert out == run(family, text, lang, level, seed), f"{family} is not deterministic per seed"
            assert run(family, text, lang, 0.0, seed) == text, f"{family} at level 0 changed the text"
            assert unicodedata.is_normalized("NFC", out), f"{family} output is not NFC: {out!r}"
            for word in out.split():
                assert not unicodedata.category(word[0]).startswith("M"), f"{family} orphaned a mark: {word!r}"
            if family.startswith("char_") or family in ("keyboard", "diacritics", "case"):
                # Word-internal families keep the word count: nothing emptied, nothing split.
                assert len(out.split()) == len(text.split()), f"{family} changed the words: {text!r} -> {out!r}"
    check()


@pytest.mark.parametrize("lang", ["en", "hi", "th", "ko"])
def test_composed_spec_is_seeded_and_order_matters(lang):
    spec = ",".join(f"{f}:0.3" for f in families_for(lang) if f != "translit")
    steps = parse_noise(spec)
    text = {"en": "The quick brown fox, again!", "hi": "हिन्दी भाषा की किताब।", "th": "สวัสดีครับ ผม",
            "ko": "한국어 키보드 입력"}[lang]
    a = apply_noise(text, lang, steps, np.random.default_rng(3))
    assert a == apply_noise(text, lang, steps, np.random.default_rng(3))
    assert a != text
    outs = {apply_noise(text, lang, steps, np.random.default_rng(s)) for s in range(8)}
    assert len(outs) > 1, "different seeds should give different noise"


def test_supported_matches_what_families_accept():
    for lang in PROPERTY_LANGS:
        for family in FAMILIES:
            if family in NEEDS_PATH or (family == "translit" and not HAS_TRANSLIT):
                continue
            try:
                run(family, "abc", lang, 0.5, 0)
                accepted = True
            except UserError:
                accepted = False
            assert accepted == supported(lang, family), (lang, family)


def test_same_seed_same_noise_across_processes():
    # Set iteration order changes with PYTHONHASHSEED; the noise must not.
    script = ("import json, numpy as np\n"
              "from intermezzo.noise import FAMILIES, noise_examples\n"
              "texts = {'en': 'typing quickly on a keyboard', 'hi': 'हिन्दी में लिखना', 'ko': '한국어 키보드 입력',"
              " 'th': 'สวัสดีครับ', 'ru': 'быстро печатать'}\n"
              "out = [FAMILIES[f](t, l, 0.5, np.random.default_rng(1)) for l, t in texts.items()"
              " for f in ('keyboard', 'char_substitute', 'char_insert')]\n"
              "out.append(noise_examples([{'id': 'x', 'text': 'hello there'}], 'classification', 'en',"
              " 'keyboard:0.5', 3))\n"
              "print(json.dumps(out, ensure_ascii=False))\n")
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(h)}).stdout for h in (1, 2)]
    assert runs[0] == runs[1] and len(runs[0]) > 100


@pytest.mark.parametrize("lang", LANGS)
def test_every_language_gets_its_families(lang):
    text = sample_text(lang, 10, seed=len(lang))
    families = families_for(lang)
    assert {"char_insert", "char_delete", "char_substitute", "char_swap", "punctuation"} <= set(families)
    for family in families:
        out = run(family, text, lang, 0.3, 11)
        assert out == run(family, text, lang, 0.3, 11) and unicodedata.is_normalized("NFC", out)
        assert not any(unicodedata.category(w[0]).startswith("M") for w in out.split()), (family, out)
    assert run("char_substitute", text, lang, 0.5, 1) != text
