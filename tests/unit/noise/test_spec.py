"""Noise specs, suites, the support matrix and the on-disk cache."""

from __future__ import annotations

import pytest

from intermezzo.errors import UserError
from intermezzo.noise import FAMILIES, LANGS, SUITES, format_noise, parse_noise, suite_specs, support_matrix
from support.noise_cache import cache_key, cached_noise_examples


def test_parse_noise_shapes_and_paths():
    steps = parse_noise("keyboard:0.1, diacritics:1.0,codeswitch:0.3@/tmp/lex.txt")
    assert steps == [("keyboard", 0.1), ("diacritics", 1.0), ("codeswitch", 0.3)]
    family, level = steps[0]
    assert (family, level) == ("keyboard", 0.1) and steps[2].path == "/tmp/lex.txt" and steps[0].path is None
    assert format_noise(steps) == "keyboard:0.1,diacritics:1,codeswitch:0.3@/tmp/lex.txt"
    assert parse_noise("") == [] and parse_noise("clean") == [] and format_noise([]) == "clean"


@pytest.mark.parametrize("spec,message", [
    ("keybord:0.1", "did you mean keyboard"),
    ("keyboard", "needs a level"),
    ("keyboard:1.5", "needs a level"),
    ("keyboard:abc", "needs a level"),
    ("case:0.1@/x", "takes no '@file'"),
    ("default", "is a suite of"),
])
def test_parse_noise_errors(spec, message):
    with pytest.raises(UserError, match=message):
        parse_noise(spec)


def test_suites_parse_and_filter_per_language():
    for specs in SUITES.values():
        for spec in specs:
            assert parse_noise(spec)
    hi = suite_specs("default", "hi")
    assert "keyboard:0.1" in hi and not any(s.startswith("case") for s in hi)
    assert not any(s.startswith("keyboard") for s in suite_specs("default", "zh"))
    with pytest.raises(UserError, match="unknown noise suite"):
        suite_specs("defualt")


def test_matrix_covers_every_xtreme_r_language():
    rows = support_matrix()
    assert [r[0] for r in rows] == list(LANGS) and len(rows) == 50
    index = list(FAMILIES)
    for lang, script, row in rows:
        assert row[index.index("char_swap")] and row[index.index("punctuation")]
        assert row[index.index("translit")] == (script != "latin")
    keyboards = {lang for lang, _, row in rows if row[index.index("keyboard")]}
    assert {"en", "de", "fr", "tr", "vi", "ru", "uk", "bg", "kk", "el", "ar", "fa", "ur", "he", "hi", "mr",
            "bn", "ta", "te", "th", "ka", "ko"} <= keyboards


def test_cache_reuses_and_separates_variants(tmp_path):
    exs = [{"id": "1", "text": "hello world", "label": "a"}]
    first = cached_noise_examples(exs, "classification", "en", "keyboard:0.3", 1, tmp_path)
    files = list(tmp_path.glob("*.jsonl"))
    assert len(files) == 1
    files[0].write_text('{"id": "1", "text": "from cache", "label": "a"}\n', encoding="utf-8")
    assert cached_noise_examples(exs, "classification", "en", "keyboard:0.3", 1, tmp_path)[0]["text"] == "from cache"
    assert first[0]["text"] != "from cache"
    keys = {cache_key(exs, "classification", "en", "keyboard:0.3", 1), cache_key(exs, "classification", "en",
            "keyboard:0.3", 2), cache_key(exs, "classification", "en", "keyboard:0.2", 1),
            cache_key([{**exs[0], "text": "hello"}], "classification", "en", "keyboard:0.3", 1)}
    assert len(keys) == 4
