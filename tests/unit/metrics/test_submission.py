"""Submission layout: files round-trip in the official formats; malformed files name file and line."""

import json

import pytest

from intermezzo.errors import UserError
from intermezzo.metrics import file_path, read_labels, read_predictions, write_labels, write_predictions
from intermezzo.metrics.submission import read_tags


def test_paths_follow_the_official_layout(tmp_path):
    assert file_path(tmp_path, "xnli", "de") == tmp_path / "xnli" / "test-de.tsv"
    assert file_path(tmp_path, "xcopa", "et") == tmp_path / "xcopa" / "test-et.jsonl"
    assert file_path(tmp_path, "mlqa", "zh") == tmp_path / "mlqa" / "test-zh.json"
    assert file_path(tmp_path, "mewslix", "en") == tmp_path / "mewslix" / "test-en.json"


@pytest.mark.parametrize("task, value", [
    ("xnli", ["entailment", "neutral"]),
    ("tatoeba", ["12", "7"]),
    ("xcopa", [0, 1, 1]),
    ("panx", [["B-PER", "I-PER", "O"], ["O"], ["B-LOC"]]),
    ("bucc2018", [("de-1", "en-4"), ("de-2", "en-9")]),
    ("xquad", {"q1": "Paris", "q2": "im 10. Jahrhundert"}),
    ("lareqa", {"q1": ["c3", "c1"], "q2": []}),
])
def test_predictions_round_trip(tmp_path, task, value):
    write_predictions(task, "de", value, tmp_path)
    assert read_predictions(task, "de", tmp_path) == value


def test_file_contents_are_the_official_formats(tmp_path):
    write_predictions("udpos", "en", [["PRON", "VERB"], ["NOUN"]], tmp_path)
    assert (tmp_path / "udpos" / "test-en.tsv").read_text() == "PRON\nVERB\n\nNOUN\n\n"
    write_predictions("xcopa", "et", [1, 0], tmp_path)
    assert (tmp_path / "xcopa" / "test-et.jsonl").read_text() == '{"label": 1}\n{"label": 0}\n'
    write_predictions("bucc2018", "fr", [("fr-1", "en-2")], tmp_path)
    assert (tmp_path / "bucc2018" / "test-fr.tsv").read_text() == "fr-1\ten-2\n"


def test_qa_labels_are_squad_json(tmp_path):
    ex = {"id": "q1", "context": "Paris is big.", "question": "Where?",
          "answers": {"text": ["Paris", "Paris is"], "answer_start": [0, 0]}}
    path = write_labels("xquad", "en", [ex], tmp_path)
    doc = json.loads(path.read_text())
    assert doc["data"][0]["paragraphs"][0]["qas"][0]["answers"][1]["text"] == "Paris is"
    assert read_labels("xquad", "en", tmp_path) == [("q1", ["Paris", "Paris is"])]
    # the official reader also takes a bare list of articles
    path.write_text(json.dumps(doc["data"]))
    assert read_labels("xquad", "en", tmp_path) == [("q1", ["Paris", "Paris is"])]


def test_tag_reader_follows_the_official_blank_line_rules(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("B-PER\n\n\nO \nB-LOC\n\n\n\n")
    sentences, starts = read_tags(path)
    # two blank lines make an empty sentence; trailing empty ones are dropped
    assert sentences == [["B-PER"], [], ["O", "B-LOC"]]
    assert starts == [1, 3, 4]
    path.write_text("Paris\tB-LOC\n")
    with pytest.raises(UserError, match=r"t\.tsv:1: found a tab"):
        read_tags(path)


def test_malformed_files_name_file_and_line(tmp_path):
    (tmp_path / "xcopa").mkdir()
    (tmp_path / "xcopa" / "test-et.jsonl").write_text('{"label": 1}\n{"label": 0,\n')
    with pytest.raises(UserError, match=r"test-et\.jsonl:2: malformed JSON"):
        read_predictions("xcopa", "et", tmp_path)
    (tmp_path / "bucc2018").mkdir()
    (tmp_path / "bucc2018" / "test-de.tsv").write_text("a\tb\nc\td\te\n")
    with pytest.raises(UserError, match=r"test-de\.tsv:2: expected 'source_id<TAB>target_id'"):
        read_predictions("bucc2018", "de", tmp_path)
    (tmp_path / "mlqa").mkdir()
    (tmp_path / "mlqa" / "test-de.json").write_text('{"q1": ["not", "a string"]}')
    with pytest.raises(UserError, match="answer of question 'q1'"):
        read_predictions("mlqa", "de", tmp_path)
    with pytest.raises(UserError, match="file not found"):
        read_predictions("xnli", "de", tmp_path)
    (tmp_path / "mewslix").mkdir()
    (tmp_path / "mewslix" / "test-de.json").write_text('{"m1": []}')
    with pytest.raises(UserError, match="no gold candidate"):
        read_labels("mewslix", "de", tmp_path)


def test_writers_refuse_values_the_line_format_cannot_hold(tmp_path):
    with pytest.raises(ValueError):
        write_predictions("xnli", "en", ["a\nb"], tmp_path)
    assert not (tmp_path / "xnli" / "test-en.tsv").exists()
