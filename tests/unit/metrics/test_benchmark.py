"""score_folders: the official JSON layout, group and overall averages, partial folders, and bad input."""

import json

import pytest

from intermezzo.errors import UserError
from intermezzo.metrics import GROUPS, score_folders, task_langs, write_labels, write_predictions


def test_xtreme_full_submission_averages_like_the_official_scorer(tmp_path, submission):
    pred, gold = submission(tmp_path, "xtreme")
    write_predictions("pawsx", "de", ["1", "1"], pred)  # one of two right: 50 for de
    result = score_folders(pred, gold, "xtreme")
    pawsx = (6 * 100 + 50) / 7
    assert result["pawsx"]["accuracy"]["de"] == 50.0
    assert result["pawsx"]["avg_accuracy"] == pytest.approx(pawsx)
    assert result["classification"] == pytest.approx((pawsx + 100) / 2)
    assert result["all_task"] == pytest.approx((8 * 100 + pawsx) / 9)
    assert result["qa"] == 100.0 and result["tagging"] == 100.0
    # group scores first, then tasks in the official order; per-language keys in official order
    assert list(result)[:5] == ["all_task", *GROUPS["xtreme"]]
    assert list(result)[5:] == list(task_langs("xtreme"))
    assert list(result["panx"]) == ["f1", "precision", "recall", "avg_f1", "avg_precision", "avg_recall",
                                    "avg_metric"]
    assert list(result["panx"]["f1"]) == list(task_langs("xtreme")["panx"])
    assert "missing_tasks" not in result


def test_xtreme_r_scores_lareqa_and_qa_uses_em_f1_mean(tmp_path, submission):
    pred, gold = submission(tmp_path, "xtreme-r")
    write_predictions("xquad", "en", {"q1": "Paris is"}, pred)  # EM 0, F1 2/3 for en
    write_predictions("lareqa", "ar", {"q1": ["c2", "c1"]}, pred)  # AP 1/2
    result = score_folders(pred, gold, "xtreme-r")
    n_xquad, n_lareqa = len(task_langs("xtreme-r")["xquad"]), len(task_langs("xtreme-r")["lareqa"])
    em, f1 = (n_xquad - 1) * 100 / n_xquad, ((n_xquad - 1) * 100 + 200 / 3) / n_xquad
    assert result["xquad"]["avg_metric"] == pytest.approx((em + f1) / 2)
    lareqa = ((n_lareqa - 1) * 100 + 50) / n_lareqa
    assert result["lareqa"]["avg_metric"] == pytest.approx(lareqa)
    assert result["retrieval"] == 100.0  # official groups: tatoeba and mewslix only
    assert result["qa"] == pytest.approx(((em + f1) / 2 + 200) / 3)
    assert result["all_task"] == pytest.approx((8 * 100 + (em + f1) / 2 + lareqa) / 10)
    assert result["multi_choice"] == 100.0


def test_partial_folders_name_what_is_missing(tmp_path, submission):
    pred, gold = submission(tmp_path, "xtreme", skip={("xnli", "de"), "tydiqa"})
    write_predictions("tydiqa", "en", {"q1": "Paris"}, pred)
    write_predictions("mewslix", "en", {"q1": ["c1"]}, pred)  # not an XTREME task
    notes = []
    result = score_folders(pred, gold, "xtreme", notes=notes)
    assert result["xnli"]["missing_langs"] == ["de"]
    assert result["missing_tasks"] == ["xnli", "tydiqa"]
    assert result["unmatched_tasks"] == {"tydiqa": "predictions only"}
    assert "all_task" not in result and "classification" not in result and "qa" not in result
    assert result["tagging"] == 100.0
    assert any("mewslix is not part of xtreme" in n for n in notes)


def test_unanswered_questions_score_zero_with_a_note(tmp_path):
    ex = [{"id": i, "context": "", "question": "", "answers": {"text": ["a"], "answer_start": [0]}}
          for i in ("q1", "q2")]
    write_labels("mlqa", "en", ex, tmp_path / "l")
    write_predictions("mlqa", "en", {"q1": "a", "q9": "b"}, tmp_path / "p")
    notes = []
    result = score_folders(tmp_path / "p", tmp_path / "l", "xtreme", notes=notes)
    assert result["mlqa"]["exact_match"]["en"] == 50.0
    assert any("1 of 2 questions unanswered" in n for n in notes)


def _pair(tmp_path, task, lang, pred, gold):
    write_predictions(task, lang, pred, tmp_path / "p")
    write_labels(task, lang, gold, tmp_path / "l")
    return tmp_path / "p", tmp_path / "l"


def test_line_count_mismatch(tmp_path):
    p, g = _pair(tmp_path, "xnli", "de", ["a", "b"], ["a", "b", "c"])
    with pytest.raises(UserError, match=r"xnli/test-de\.tsv: 2 lines but .*has 3"):
        score_folders(p, g, "xtreme")


def test_tag_count_mismatch_names_the_line(tmp_path):
    p, g = _pair(tmp_path, "udpos", "en", [["NOUN"], ["DET", "NOUN"]], [["NOUN"], ["DET", "NOUN", "VERB"]])
    with pytest.raises(UserError, match=r"test-en\.tsv:3: sentence 2 has 2 tags but the labels have 3"):
        score_folders(p, g, "xtreme")


def test_missing_label_file(tmp_path):
    p, g = _pair(tmp_path, "xnli", "de", ["a"], ["a"])
    write_predictions("xnli", "fr", ["a"], p)
    with pytest.raises(UserError, match=r"/l/xnli/test-fr\.tsv: file not found"):
        score_folders(p, g, "xtreme")


def test_unknown_task_and_language_suggest_close_names(tmp_path):
    p, g = _pair(tmp_path, "xnli", "de", ["a"], ["a"])
    (p / "pan-x").mkdir()
    with pytest.raises(UserError, match="did you mean panx"):
        score_folders(p, g, "xtreme")
    (p / "pan-x").rmdir()
    (p / "xnli" / "test-dee.tsv").write_text("a\n")
    with pytest.raises(UserError, match="did you mean de"):
        score_folders(p, g, "xtreme")


def test_xcopa_label_types_must_match(tmp_path):
    p, g = _pair(tmp_path, "xcopa", "et", [1], [1])
    (p / "xcopa" / "test-et.jsonl").write_text(json.dumps({"label": "1"}) + "\n")
    with pytest.raises(UserError, match=r"test-et\.jsonl:1: label '1' is a str"):
        score_folders(p, g, "xtreme-r")


def test_unknown_benchmark_and_missing_folder(tmp_path):
    with pytest.raises(UserError, match="did you mean xtreme"):
        score_folders(tmp_path, tmp_path, "xtreme-s")
    with pytest.raises(UserError, match="folder not found"):
        score_folders(tmp_path / "nope", tmp_path, "xtreme")


def test_legacy_seqeval_changes_only_upos(tmp_path):
    p, g = _pair(tmp_path, "udpos", "en", [["DET", "NOUN", "SCONJ", "NOUN"]], [["DET", "NOUN", "CCONJ", "NOUN"]])
    assert score_folders(p, g, "xtreme")["udpos"]["f1"]["en"] == pytest.approx(100.0)
    assert score_folders(p, g, "xtreme", seqeval_legacy=True)["udpos"]["f1"]["en"] == pytest.approx(75.0)
