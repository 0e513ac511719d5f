"""The batch contract: a batch call gives each text exactly what the one-text call gives it.

With one numpy Generator, a family's batch call equals the loop of one-text calls on that generator (and
leaves it in the same state); with per-text streams, text i's result depends on its own stream only, so it
is the same alone, in any batch and in any order. noise_batch and noise_examples build on the second.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from noise_samples import PROPERTY_LANGS, families_for, sample_text, text_strategy

from intermezzo.noise import BATCH, FAMILIES, Streams, apply_noise, named_streams, noise_batch, noise_examples, spawn
from intermezzo.noise.registry import parse_noise

SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("lang", PROPERTY_LANGS)
def test_batch_equals_the_per_text_loop(lang):
    @SETTINGS
    @given(texts=st.lists(text_strategy(lang), max_size=6), level=st.floats(0.05, 1.0),
           seed=st.integers(0, 2**32 - 1))
    def check(texts, level, seed):
        for family in families_for(lang):
            one, many = np.random.default_rng(seed), np.random.default_rng(seed)
            loop = [FAMILIES[family](t, lang, level, one) for t in texts]
            assert BATCH[family](texts, lang, level, many) == loop, family
            assert one.random() == many.random(), f"{family}: the batch drew a different number of uniforms"

            streams = spawn(np.random.default_rng(seed), len(texts))
            alone = [FAMILIES[family](t, lang, level, streams.child(i)) for i, t in enumerate(texts)]
            assert BATCH[family](texts, lang, level, streams) == alone, family
            order = list(reversed(range(len(texts))))  # neighbours do not matter, nor does the order
            keys = Streams(streams.keys[order])
            assert BATCH[family]([texts[i] for i in order], lang, level, keys) == [alone[i] for i in order]
    check()


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_a_large_batch_matches_the_loop_too(lang):
    # Hundreds of hits take the vectorised letter test on ASCII text; Hindi exercises clusters with marks.
    rng = np.random.default_rng(0)
    ascii_words = ["river", "Station", "the", "of", "MORNING", "village", "42", "don't", "people,"]
    texts = [sample_text(lang, 12, seed) for seed in range(100)] + ["", "x", "\x00 a\x00b"] + \
        [" ".join(rng.choice(ascii_words, 15)) for _ in range(100)]
    for family in families_for(lang):
        for batch in (texts, texts[100:]):  # the second is all ASCII
            one, many = np.random.default_rng(11), np.random.default_rng(11)
            assert BATCH[family](batch, lang, 0.3, many) == [FAMILIES[family](t, lang, 0.3, one) for t in batch]


@pytest.mark.parametrize("lang", ["en", "hi", "ko", "th", "ar"])
def test_noise_batch_gives_each_text_its_own_child_stream(lang):
    spec = ",".join(f"{f}:0.3" for f in families_for(lang) if f != "translit")
    steps = parse_noise(spec)

    @SETTINGS
    @given(texts=st.lists(text_strategy(lang), min_size=1, max_size=5), seed=st.integers(0, 2**32 - 1))
    def check(texts, seed):
        batch = noise_batch(texts, lang, steps, np.random.default_rng(seed))
        children = spawn(np.random.default_rng(seed), len(texts))
        assert batch == [apply_noise(t, lang, steps, children.child(i)) for i, t in enumerate(texts)]
    check()


def test_streams_are_counters_and_look_uniform():
    a, b = named_streams(7, ["x", "y"]), named_streams(7, ["x", "y"])
    first = a.draw([3, 5])
    assert np.array_equal(np.concatenate([first[:3], a.draw([2, 0])[:2]]), b.draw([5, 5])[:5])  # x continues
    u = named_streams(1, [str(i) for i in range(200)]).draw([500] * 200)
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.01
    assert np.histogram(u, bins=10, range=(0, 1))[0].min() > 9000  # 100,000 draws, ~10,000 per bin
    assert not np.array_equal(named_streams(1, ["x"]).draw([4]), named_streams(2, ["x"]).draw([4]))
    with pytest.raises(ValueError, match="one stream per text"):
        a.draw([1])


def test_noise_examples_alone_equals_batched():
    examples = [{"id": str(i), "premise": f"the river station {i} was closed", "hypothesis": "it is open",
                 "label": "contradiction"} for i in range(30)]
    spec = "keyboard:0.2,char_swap:0.1,case:0.2"
    batched = noise_examples(examples, "classification", "en", spec, 9)
    assert batched == [noise_examples([ex], "classification", "en", spec, 9)[0] for ex in examples]
    assert noise_examples(examples[10:20], "classification", "en", spec, 9) == batched[10:20]
    tokens = [{"id": f"s{i}", "tokens": ["Das", "Haus", "am", "Fluss", str(i)], "tags": ["O"] * 5} for i in range(9)]
    batched = noise_examples(tokens, "tagging", "de", "keyboard:0.3", 2)
    assert batched == [noise_examples([ex], "tagging", "de", "keyboard:0.3", 2)[0] for ex in tokens]
