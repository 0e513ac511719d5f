"""SQuAD and MLQA answer normalisation, EM and F1, worked by hand from the official scripts."""

import pytest

from intermezzo.metrics.qa import answer_em_f1, mixed_segmentation, mlqa_normalize, squad_normalize
from intermezzo.metrics.scorers import mlqa, squad


def test_squad_normalisation():
    assert squad_normalize("The  Cat's, hat!") == "cats hat"
    assert squad_normalize("An apple") == "apple"
    # only ASCII punctuation goes: guillemets stay
    assert squad_normalize("«Paris»") == "«paris»"


def test_squad_f1_and_em():
    # "cat sat" vs "cat sat down": 2 common, P=1, R=2/3 -> F1=0.8
    assert answer_em_f1("the cat sat", ["a cat sat down"]) == pytest.approx((0.0, 0.8))
    assert answer_em_f1("cat sat", ["dog", "The cat sat."]) == (1.0, 1.0)
    assert squad(["the cat sat", None], [["a cat sat down"], ["x"]]) == pytest.approx(
        {"exact_match": 0.0, "f1": 40.0})


def test_squad_v2_no_answer():
    assert answer_em_f1("", []) == (1.0, 1.0)
    assert answer_em_f1("the", []) == (1.0, 1.0)  # normalises to empty
    assert answer_em_f1("Paris", []) == (0.0, 0.0)


def test_mlqa_articles_per_language():
    assert mlqa_normalize("El gato", "es") == "gato"
    assert mlqa_normalize("El gato", "en") == "el gato"
    assert mlqa_normalize("der Hund", "de") == "hund"
    assert mlqa_normalize("những con mèo", "vi") == "con mèo"
    assert mlqa_normalize("the house", "hi") == "the house"
    # Arabic: every "ال" becomes a space, even inside a word
    assert mlqa_normalize("البيت الكبير", "ar") == "بيت كبير"
    assert mlqa_normalize("«Paris»", "es") == "paris"  # Unicode punctuation goes


def test_mlqa_mixed_segmentation_for_zh():
    assert mixed_segmentation("iphone手机，ok") == ["iphone", "手", "机", "，", "ok"]
    assert mlqa_normalize("北京大学。", "zh") == "北 京 大 学"
    # character tokens: "北京" vs "北京大学": P=1, R=1/2 -> F1 2/3; whitespace rules would give 0
    assert mlqa(["北京"], [["北京大学"]], "zh") == pytest.approx({"exact_match": 0.0, "f1": 200 / 3})
    assert squad(["北京"], [["北京大学"]])["f1"] == 0.0


def test_mlqa_unknown_language():
    with pytest.raises(ValueError, match="fr"):
        mlqa_normalize("le chat", "fr")


def test_squad_v2_correct_abstention_scores_em_and_f1_one():
    # how the QA type hands over a no-answer question: gold [""] (evaluate-v2.0.py's own stand-in)
    assert answer_em_f1("", [""]) == (1.0, 1.0)
    assert squad([""], [[""]]) == {"exact_match": 100.0, "f1": 100.0}
    assert answer_em_f1("Paris", [""]) == (0.0, 0.0)
    # a v1.1 gold that only normalises to nothing keeps v1.1's F1 (0 when no token is shared)
    assert answer_em_f1("a", ["The"]) == (1.0, 0.0)
