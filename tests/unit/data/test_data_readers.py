"""Layouts read: XTREME's unlabelled test layouts, and one-line UserErrors naming file:line on broken files."""

import json
import re

import pytest

from intermezzo.data.layouts import LAYOUTS
from intermezzo.data.layouts.lareqa import sentence_spans, squad_to_pairs
from intermezzo.errors import UserError
from intermezzo.tasks import get_task


def read(task, folder, split, lang):
    spec = get_task(task)
    return LAYOUTS[spec.layout].read(spec, folder, split, lang)


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def broken(task, tmp_path, relpath, text, split, lang, pattern):
    path = write(tmp_path / relpath, text)
    with pytest.raises(UserError) as e:
        read(task, tmp_path, split, lang)
    msg = str(e.value)
    assert "\n" not in msg and str(path) in msg, msg
    assert re.search(pattern, msg), msg


def test_xnli_csv_quoting_and_unlabelled_test(tmp_path):
    write(tmp_path / "test-de.tsv", '"Er sagte ""ja"""\tEr sagte nein\nA\tB\n')
    rows = read("xnli", tmp_path, "test", "de")
    assert rows[0]["premise"] == 'Er sagte "ja"' and rows[1]["hypothesis"] == "B"
    assert all("label" not in r for r in rows)


def test_xnli_contradictory_is_normalised(tmp_path):
    write(tmp_path / "dev-en.tsv", "a\tb\tcontradictory\n")
    assert read("xnli", tmp_path, "validation", "en")[0]["label"] == "contradiction"


def test_pair_tsv_errors_name_file_and_line(tmp_path):
    broken("xnli", tmp_path, "dev-de.tsv", "a\tb\tneutral\na\tb\tc\td\n", "validation", "de", r"dev-de\.tsv:2: .*4")
    broken("pawsx", tmp_path, "dev-de.tsv", "a\tb\t1\na\tb\tyes\n", "validation", "de", r":2: label 'yes'")


def test_missing_file_says_which_layout_is_expected(tmp_path):
    with pytest.raises(UserError, match=r"test-fr\.tsv.*official layout"):
        read("xnli", tmp_path, "test", "fr")


def test_tagging_strips_prefix_and_reads_unlabelled_test(tmp_path):
    write(tmp_path / "dev-de.tsv", "de:Anna\tB-PER\nde:http://x.de\tO\n\nde:Wien\tB-LOC\n")
    rows = read("panx", tmp_path, "validation", "de")
    assert rows[0]["tokens"] == ["Anna", "http://x.de"] and rows[1]["tags"] == ["B-LOC"]
    write(tmp_path / "test-de.tsv", "Anna\nwohnt\n\nhier\n")
    rows = read("udpos", tmp_path, "test", "de")
    assert [r["tokens"] for r in rows] == [["Anna", "wohnt"], ["hier"]] and all("tags" not in r for r in rows)


def test_tagging_errors(tmp_path):
    broken("panx", tmp_path, "dev-de.tsv", "Anna\tB-PER\nWien\tB-CITY\n", "validation", "de", r":2: label 'B-CITY'")
    broken("udpos", tmp_path, "dev-de.tsv", "a\tNOUN\tx\n", "validation", "de", r":1: expected 'token<TAB>tag'")


def test_ccg_maps_rare_supertags_to_unk(tmp_path):
    write(tmp_path / "train-en.tsv", "Anna\tN\nruns\t(S[dcl]\\NP)/PP[rare]\n")
    assert read("ccg", tmp_path, "train", "en")[0]["tags"] == ["N", "UNK"]


def _squad_doc(context, answers):
    return {"version": "1.1", "data": [{"title": "t", "paragraphs": [{"context": context, "qas": [
        {"id": "q1", "question": "Where?", "answers": answers}]}]}]}


def test_squad_blanked_test_answers_become_unlabelled(tmp_path):
    write(tmp_path / "xquad.de.json", json.dumps(_squad_doc("Anna wohnt in Wien.", [{"answer_start": 0, "text": ""}])))
    ex = read("xquad", tmp_path, "test", "de")[0]
    # No "answers" key: an empty answer list would be SQuAD 2.0's gold "no answer", scored against.
    assert "answers" not in ex and ex["question"] == "Where?"


def test_squad_errors(tmp_path):
    broken("xquad", tmp_path, "xquad.de.json", '{"data": [', "test", "de", r"malformed JSON")
    doc = _squad_doc("Anna wohnt in Wien.", [{"answer_start": 3, "text": "Graz"}])
    broken("xquad", tmp_path, "xquad.de.json", json.dumps(doc), "test", "de", r"'Graz' is not in its context")


def test_squad_answer_offsets_as_published_are_located(tmp_path):
    # SQuAD v1.1 dev as published: ' 23–16' with answer_start at the '2' (the space not counted).
    context = "Denver beat Carolina, 23–16, and again 23–16 later."
    doc = _squad_doc(context, [{"answer_start": 22, "text": " 23–16"}, {"answer_start": 36, "text": "23–16"},
                               {"answer_start": 22, "text": "23–16"}])
    write(tmp_path / "xquad.de.json", json.dumps(doc))
    answers = read("xquad", tmp_path, "test", "de")[0]["answers"]
    # stripped and kept at its own offset; a wrong offset moves to the nearest occurrence; a right one stays
    assert answers == {"text": ["23–16", "23–16", "23–16"], "answer_start": [22, 39, 22]}
    for text, start in zip(answers["text"], answers["answer_start"]):
        assert context[start:start + len(text)] == text


def test_mlqa_and_tydiqa_paths(tmp_path):
    doc = json.dumps(_squad_doc("Anna lives in Vienna.", [{"answer_start": 14, "text": "Vienna"}]))
    write(tmp_path / "MLQA_V1" / "test" / "test-context-de-question-de.json", doc)
    write(tmp_path / "tydiqa-goldp-v1.1-dev" / "tydiqa.goldp.ru.dev.json", doc)
    assert read("mlqa", tmp_path, "test", "de")[0]["answers"]["text"] == ["Vienna"]
    assert read("tydiqa", tmp_path, "test", "ru")[0]["answers"]["answer_start"] == [14]


def test_copa_and_other_multiple_choice_errors(tmp_path):
    row = {"premise": "p", "choice1": "a", "choice2": "b", "question": "cause", "label": 1, "idx": 1}
    write(tmp_path / "test-zh.jsonl", json.dumps(row) + "\n")
    assert read("xcopa", tmp_path, "test", "zh")[0]["question"] == "What was the cause?"
    broken("xcopa", tmp_path, "val-zh.jsonl", json.dumps(row) + "\n" + json.dumps(dict(row, label=2)) + "\n",
           "validation", "zh", r"val-zh\.jsonl:2: label 2 out of range")
    broken("xcopa", tmp_path, "val-it.jsonl", "{not json\n", "validation", "it", r":1: malformed JSON")
    broken("siqa", tmp_path, "socialIQa_v1.4_dev.jsonl",
           json.dumps({"context": "c", "question": "q", "answerA": "a", "answerB": "b", "answerC": "c",
                       "correct": "D"}) + "\n", "validation", "en", r":1: 'correct' must be A, B or C")
    broken("commonsenseqa", tmp_path, "dev_rand_split.jsonl",
           json.dumps({"id": "x", "question": {"stem": "s", "choices": [{"label": "A", "text": "t"}]},
                       "answerKey": "E"}) + "\n", "validation", "en", r":1: answerKey 'E'")
    broken("cosmosqa", tmp_path, "valid.csv", "id,context,question,answer0\n1,c,q,a\n", "validation", "en",
           r"valid\.csv:2: missing field 'answer1'")


def test_glue_tsv_reads_by_header_and_checks_columns(tmp_path):
    write(tmp_path / "dev_matched.tsv", "index\tsentence1\tsentence2\tgold_label\n0\tA cat\tAn animal\tentailment\n"
          "1\tx\ty\t-\n")
    rows = read("mnli", tmp_path, "validation", "en")
    assert rows == [{"id": "dev_matched-1", "premise": "A cat", "hypothesis": "An animal", "label": "entailment"}]
    broken("qqp", tmp_path, "dev.tsv", "id\tquestion1\tis_duplicate\n1\ta\t0\n", "validation", "en",
           r"dev\.tsv:1: header lacks column\(s\) question2")


def test_anli_plus_combines_its_sources_with_shared_labels(tmp_path):
    write(tmp_path / "snli_1.0" / "snli_1.0_dev.jsonl",
          json.dumps({"sentence1": "a", "sentence2": "b", "gold_label": "neutral"}) + "\n"
          + json.dumps({"sentence1": "a", "sentence2": "b", "gold_label": "-"}) + "\n")
    write(tmp_path / "anli_v1.0" / "R2" / "dev.jsonl",
          json.dumps({"uid": "u", "context": "c", "hypothesis": "h", "label": "c"}) + "\n")
    rows = read("anli_plus", tmp_path, "validation", "en")
    assert [r["label"] for r in rows] == ["neutral", "contradiction"]
    broken("anli_plus", tmp_path, "anli_v1.0/R1/dev.jsonl", json.dumps({"context": "c", "hypothesis": "h",
                                                                        "label": "x"}) + "\n",
           "validation", "en", r"R1/dev\.jsonl:1: label must be e, n or c")


def test_anli_plus_without_any_source_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no SNLI, MNLI or ANLI"):
        read("anli_plus", tmp_path, "train", "en")


def test_tatoeba_xtreme_layout_has_no_gold_and_sides_must_match(tmp_path):
    write(tmp_path / "de-en.de", "Hallo\nTschüss\n")
    write(tmp_path / "de-en.en", "Bye\nHello\n")
    rows = read("tatoeba", tmp_path, "test", "de")
    assert [r["kind"] for r in rows] == ["query", "query", "candidate", "candidate"]
    assert all("gold" not in r for r in rows)
    write(tmp_path / "de-en.en", "Bye\n")
    with pytest.raises(UserError, match=r"de-en\.de: 2 lines but de-en\.en has 1"):
        read("tatoeba", tmp_path, "test", "de")


def test_bucc_without_gold_and_with_a_broken_line(tmp_path):
    write(tmp_path / "de-en.test.de", "de-1\tHallo\n")
    write(tmp_path / "de-en.test.en", "en-1\tHello\nen-2\tBye\n")
    rows = read("bucc2018", tmp_path, "test", "de")
    assert rows[0] == {"id": "de-1", "kind": "query", "text": "Hallo"} and len(rows) == 3
    broken("bucc2018", tmp_path, "de-en.test.en", "en-1\tHello\nen-2 Bye\n", "test", "de", r"\.en:2: expected 'id")


def test_sentence_spans_and_squad_pairs():
    text = "Anna lives in Rome. Boris works in Paris! 他住在这里。好"
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["Anna lives in Rome.", "Boris works in Paris!", "他住在这里。", "好"]
    ex = {"id": "1", "question": "Where does Boris work?", "context": text,
          "answers": {"text": ["Paris"], "answer_start": [text.index("Paris")]}}
    assert squad_to_pairs([ex, dict(ex, answers={"text": [], "answer_start": []})]) == [
        {"id": "1", "kind": "pair", "text": "Where does Boris work?", "positive": "Boris works in Paris!"}]


def test_mewslix_reader_errors_name_the_file(tmp_path):
    write(tmp_path / "candidate_set_entities.jsonl", json.dumps({"entity_id": "Q64", "title": "Berlin",
                                                                 "description": "capital"}) + "\n")
    broken("mewslix", tmp_path, "wikinews_mentions/dev-de.jsonl", json.dumps({"context": {"text": "x"}}) + "\n",
           "validation", "de", r"dev-de\.jsonl:1: missing field 'mentions'")
    broken("mewslix", tmp_path, "candidate_set_entities.jsonl", json.dumps({"entity_id": "Q1"}) + "\n",
           "validation", "de", r"candidate_set_entities\.jsonl:1: missing field 'title'")
