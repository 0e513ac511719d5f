"""Hand-checked examples per family and script."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest

from intermezzo.errors import UserError
from intermezzo.noise import FAMILIES
from intermezzo.noise.keyboard import LAYOUTS, _hangul_typos, load_layout
from intermezzo.noise.scripts import LANGS, alphabet, grapheme_clusters


def rng(seed=0):
    return np.random.default_rng(seed)


@pytest.mark.parametrize("lang,text,expected", [
    ("vi", "Tiếng Việt rất đẹp", "Tieng Viet rat dep"),
    ("de", "Straße über Äpfel", "Strasse uber Apfel"),
    ("pl", "Łódź żółć", "Lodz zolc"),
    ("fr", "Ça déjà où", "Ca deja ou"),
    ("tr", "ılık İstanbul", "ilik Istanbul"),
    ("el", "Καλημέρα, είναι πρωτεΐνη", "Καλημερα, ειναι πρωτεινη"),
    ("ru", "Ёлка йод", "Елка иод"),
    ("uk", "Їжак ґанок", "Іжак ганок"),
    ("kk", "Қазақ тілі", "Казак тили"),
    ("ar", "مُحَمَّدٌ أحمد إلى آخر", "محمد أحمد إلى آخر"),  # harakat go, hamza/madda letters stay
    ("he", "שָׁלוֹם", "שלום"),
    ("hi", "ज़िंदगी हिन्दी किताब", "जिंदगी हिन्दी किताब"),  # only the nukta goes; vowel signs stay
    ("yo", "Yorùbá ọjọ́", "Yoruba ojo"),
])
def test_diacritics_full_strip(lang, text, expected):
    assert FAMILIES["diacritics"](text, lang, 1.0, rng()) == expected


def test_diacritics_keeps_indic_vowel_signs_and_refuses_tamil():
    text = "हिन्दी में कुछ शब्द"
    assert FAMILIES["diacritics"](text, "hi", 1.0, rng()) == text
    with pytest.raises(UserError, match="diacritics"):
        FAMILIES["diacritics"]("தமிழ்", "ta", 1.0, rng())


def test_qwerty_neighbours_come_from_the_grid():
    assert set(load_layout("qwerty").near["g"]) == set("ftyhbv")
    assert set(load_layout("azerty_fr").near["a"]) >= {"z", "q"}
    assert {"t", "u", "g", "h"} <= set(load_layout("qwertz_de").near["z"])
    assert "ı" in load_layout("qwerty_tr").near["u"]  # Turkish Q: dotless i sits where QWERTY has i
    assert "ш" in load_layout("jcuken_ru").near["г"]


def test_every_layout_loads_and_every_language_with_one_has_letters():
    for lang, name in LAYOUTS.items():
        layout = load_layout(name)
        letters = "ㄱㄴㄷㅏㅓㅗㅜㅡㅣㅂㅈ" if lang == "ko" else alphabet(lang)  # Korean keys are jamo
        assert sum(1 for ch in letters if ch in layout.near) >= 10, (lang, name)


def test_keyboard_replaces_with_neighbours_only():
    out = FAMILIES["keyboard"]("g" * 200, "en", 1.0, rng(1))
    assert set(out) <= set("gftyhbv") and set(out) - {"g"}
    assert len(out) > 200  # some hits are an extra key pressed next to the intended one


def test_keyboard_keeps_case_and_handles_precomposed_letters():
    out = FAMILIES["keyboard"]("ÉÉÉÉÉÉÉÉ", "en", 1.0, rng(2))
    assert out.isupper()
    # é is not a QWERTY key: a hit mistypes its base key e, or keeps É and adds a neighbour after it.
    assert out.count("É") <= len(out) - 8 and out.count("É") < 8
    assert set(out) <= set("ÉWSDR")


def test_korean_keyboard_typos_recompose_to_valid_syllables():
    text = "한국어 키보드 입력 테스트"
    for seed in range(10):
        out = FAMILIES["keyboard"](text, "ko", 0.5, rng(seed))
        assert len(out) == len(text)
        for a, b in zip(text, out):
            assert a == b or ("\uac00" <= b <= "\ud7a3" and unicodedata.name(b).startswith("HANGUL SYLLABLE"))
    # 한 = ㅎ+ㅏ+ㄴ: ㅎ neighbours ㅅ ㄹ ㅗ ㅠ ... on 2-set; consonant typos stay consonants.
    assert "산" in _hangul_typos("한", "dubeolsik") and "란" in _hangul_typos("한", "dubeolsik")
    assert "헌" in _hangul_typos("한", "dubeolsik")  # ㅏ (k) -> ㅓ (j)


def test_keyboard_refuses_languages_without_a_layout():
    with pytest.raises(UserError, match="keyboard layout"):
        FAMILIES["keyboard"]("中文", "zh", 0.5, rng())


def test_char_delete_never_empties_a_word():
    text = "a bb ccc हि क्ष สวัส 한국"
    for lang in ("en",):
        out = FAMILIES["char_delete"](text, lang, 1.0, rng())
        assert len(out.split()) == len(text.split())
        assert [len(grapheme_clusters(w)) for w in out.split()] == [1] * len(text.split())


def test_char_substitute_draws_from_the_language_alphabet():
    out = FAMILIES["char_substitute"]("привет мир как дела", "ru", 1.0, rng())
    assert out != "привет мир как дела"
    assert set(out.replace(" ", "")) <= set(alphabet("ru"))
    hi = FAMILIES["char_substitute"]("किताब पढ़ी", "hi", 1.0, rng())
    bases = [c[0] for w in hi.split() for c in grapheme_clusters(w)]
    assert all(b in alphabet("hi") for b in bases)
    assert "ि" in hi and "ी" in hi  # vowel signs kept on the new consonants


def test_char_swap_swaps_clusters_not_code_points():
    out = FAMILIES["char_swap"]("किताब", "hi", 1.0, rng())
    assert sorted(grapheme_clusters(out)) == sorted(grapheme_clusters("किताब")) and out != "किताब"


def test_case_flips_words_and_is_refused_without_case():
    out = FAMILIES["case"]("hello world again", "en", 1.0, rng())
    assert out.lower() == "hello world again" and out != "hello world again"
    with pytest.raises(UserError, match="case"):
        FAMILIES["case"]("हिन्दी", "hi", 0.5, rng())


def test_whitespace_merges_and_splits_but_not_in_thai():
    out = FAMILIES["whitespace"]("one two three four five six", "en", 1.0, rng())
    assert out.replace(" ", "") == "onetwothreefourfivesix" and out != "one two three four five six"
    with pytest.raises(UserError, match="whitespace"):
        FAMILIES["whitespace"]("สวัสดี", "th", 0.5, rng())


def test_punctuation_drops_or_doubles():
    out = FAMILIES["punctuation"]("Hi, you! Yes? No.", "en", 1.0, rng())
    assert out.replace(",", "").replace("!", "").replace("?", "").replace(".", "") == "Hi you Yes No"
    assert out != "Hi, you! Yes? No."


def test_translit_romanises_or_explains_how_to_install(monkeypatch):
    from intermezzo.noise import lexical

    lexical._romaniser.cache_clear()
    monkeypatch.setitem(__import__("sys").modules, "anyascii", None)
    monkeypatch.setitem(__import__("sys").modules, "uroman", None)
    with pytest.raises(UserError, match=r"intermezzo\[translit\]"):
        FAMILIES["translit"]("Привет", "ru", 1.0, rng())
    lexical._romaniser.cache_clear()
    monkeypatch.undo()
    pytest.importorskip("anyascii")
    assert FAMILIES["translit"]("Привет мир", "ru", 1.0, rng()) == "Privet mir"
    with pytest.raises(UserError, match="already Latin"):
        FAMILIES["translit"]("hello", "en", 1.0, rng())
    lexical._romaniser.cache_clear()


def test_codeswitch_and_misspell_use_the_word_lists(tmp_path):
    lexicon = tmp_path / "de-en.txt"
    lexicon.write_text("Haus house\nhund dog\n", encoding="utf-8")
    out = FAMILIES["codeswitch"]("Das Haus und der Hund", "de", 1.0, rng(), path=str(lexicon))
    assert out == "Das House und der Dog"
    errors = tmp_path / "errors.txt"
    errors.write_text("teh the\nrecieve receive\n", encoding="utf-8")
    assert FAMILIES["misspell"]("The cat will receive", "en", 1.0, rng(), path=str(errors)) == "Teh cat will recieve"
    with pytest.raises(UserError, match="needs a word list"):
        FAMILIES["misspell"]("the", "en", 1.0, rng())
    with pytest.raises(UserError, match="not found"):
        FAMILIES["codeswitch"]("the", "en", 1.0, rng(), path=str(tmp_path / "missing.txt"))
    (tmp_path / "bad.txt").write_text("one two three\n", encoding="utf-8")
    with pytest.raises(UserError, match="bad.txt:1"):
        FAMILIES["codeswitch"]("one", "en", 1.0, rng(), path=str(tmp_path / "bad.txt"))


def test_unknown_language_is_refused_with_a_hint():
    with pytest.raises(UserError, match="unknown language 'xx'"):
        FAMILIES["char_swap"]("abc", "xx", 0.5, rng())
    assert len(LANGS) == 50
