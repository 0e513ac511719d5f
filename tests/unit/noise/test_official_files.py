"""Noisy copies of official-layout fixture files read back with the task's own reader, labels intact."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from intermezzo.cli import main
from intermezzo.data.fixtures import fixture_langs, write_fixtures
from intermezzo.data.load import load_examples
from intermezzo.errors import UserError
from intermezzo.noise import noise_examples
from intermezzo.noise.files import layout_name, noise_file
from intermezzo.tasks import TASKS, get_task
from intermezzo.tasks.schema import schema_of

CASES = [  # task, language, file inside the fixture folder, noise
    ("panx", "ru", "test-ru.tsv", "keyboard:0.3,diacritics:1.0"),
    ("udpos", "de", "test-de.tsv", "char_delete:0.3,char_swap:0.3"),
    ("xnli", "de", "test-de.tsv", "keyboard:0.2,case:0.3,whitespace:0.2"),
    ("pawsx", "ja", "test-ja.tsv", "char_substitute:0.2,punctuation:0.5"),
    ("xquad", "ru", "xquad.ru.json", "keyboard:0.2,diacritics:1.0,whitespace:0.1"),
    ("tydiqa", "ar", "tydiqa-goldp-v1.1-dev/tydiqa.goldp.ar.dev.json", "keyboard:0.2,char_insert:0.1"),
]


@pytest.mark.parametrize("task,lang,name,noise", CASES)
def test_noisy_file_reads_back_with_the_official_reader(task, lang, name, noise, tmp_path, monkeypatch):
    clean_root, noisy_root = tmp_path / "clean", tmp_path / "noisy"
    folder = write_fixtures(task, clean_root)
    shutil.copytree(folder, noisy_root / task)
    monkeypatch.setattr(sys, "argv", ["intermezzo", "noise", "--task", task, "--lang", lang, "--noise", noise,
                                      "--seed", "7", "--input", str(folder / name), "--output",
                                      str(noisy_root / task / name)])
    main()
    clean = load_examples(task, "test", lang, source=clean_root)
    noisy = load_examples(task, "test", lang, source=noisy_root)
    assert len(noisy) == len(clean) > 0
    for c, n in zip(clean, noisy):
        if "tags" in c:
            assert n["tags"] == c["tags"] and len(n["tokens"]) == len(c["tokens"])
        if "label" in c:
            assert n["label"] == c["label"]
        if "answers" in c:  # the reader itself checks context[start:start+len(text)] == text
            assert len(n["answers"]["text"]) == len(c["answers"]["text"])
    assert noisy != clean


def _lang_of(spec, name: str) -> str:
    """The fixture language a file name carries (Tatoeba's are LASER's three-letter codes)."""
    hub_langs = getattr(spec.hub, "langs", None) or getattr(spec, "extra", {}).get("hub_lang", {})
    three = {v: k for k, v in hub_langs.items()}
    for part in name.replace("-", ".").split("."):
        if part in fixture_langs(spec) or part in three:
            return three.get(part, part)
    return spec.train_lang


def _plan(spec):
    for split in spec.splits:
        for lang in ((spec.train_lang,) if split == "train" else fixture_langs(spec)):
            yield split, lang


@pytest.mark.parametrize("task", sorted(t for t, s in TASKS.items() if layout_name(s) is not None))
def test_every_official_layout_noises_and_reads_back(task, tmp_path):
    """Every file of every task's official layout: noised in place of the clean one, each split still loads
    through the same reader with the same ids, labels, tags and answer counts (offsets are checked by it)."""
    spec = get_task(task)
    clean = write_fixtures(task, tmp_path / "clean")
    noisy = tmp_path / "noisy" / task
    shutil.copytree(clean, noisy)
    noised = 0
    for path in sorted(p for p in clean.rglob("*") if p.is_file()):
        try:
            noise_file(spec, path, noisy / path.relative_to(clean), _lang_of(spec, path.name),
                       "char_substitute:0.3,char_delete:0.1", 5)
            noised += 1
        except UserError as e:  # only the sides retrieval never noises, and files holding no text
            assert "queries only" in str(e) or "not SQuAD JSON" in str(e), str(e)
    assert noised
    # mention_start is an offset into the (noised) text: it moves with it, and must still find the mention
    text = set(schema_of(spec).text_fields(spec)) | {"mention", "mention_start"}
    changed = 0
    for split, lang in _plan(spec):
        before = load_examples(task, split, lang, source=tmp_path / "clean")
        after = load_examples(task, split, lang, source=tmp_path / "noisy")
        assert [b.get("id") for b in before] == [a.get("id") for a in after], (split, lang)
        for b, a in zip(before, after):
            assert {k: v for k, v in a.items() if k not in text | {"answers"}} == \
                   {k: v for k, v in b.items() if k not in text | {"answers"}}
            if "answers" in b:
                assert len(a["answers"]["text"]) == len(b["answers"]["text"])
            if "tokens" in b:
                assert len(a["tokens"]) == len(b["tokens"])
            if "mention_start" in a:
                assert a["text"][a["mention_start"]:].startswith(a["mention"])
            changed += a != b
    assert changed, "nothing was noised"


def _cli(monkeypatch, *args) -> None:
    monkeypatch.setattr(sys, "argv", ["intermezzo", "noise", *args])
    main()


# Hand-written rows in XCOPA's own layout (cambridgeltl/xcopa data/{lang}/test.{lang}.jsonl): `question` names
# the relation, `changed` marks items edited in translation; XTREME's download keeps the rows as they are and
# its utils_preprocess.py sets every test label to 0.
XCOPA_ROWS = [
    {"premise": "L'uomo aprì il rubinetto.", "choice1": "Il gabinetto si riempì d'acqua.",
     "choice2": "L'acqua sgorgò dal beccuccio.", "question": "effect", "label": 1, "idx": 1, "changed": False},
    {"premise": "La ragazza trovò un insetto nei cereali.", "choice1": "Versò il latte nella ciotola.",
     "choice2": "Perse l'appetito.", "question": "effect", "label": 1, "idx": 2, "changed": True},
    {"premise": "La donna ritirò la sua candidatura.", "choice1": "Ha avuto un nuovo lavoro.",
     "choice2": "Si è ammalata.", "question": "cause", "label": 0, "idx": 3, "changed": False},
]


@pytest.mark.parametrize("name", ["test.it.jsonl", "test-it.jsonl"])  # XCOPA's own name, XTREME's name
def test_xcopa_layout_noises_premise_and_choices_never_the_question(name, tmp_path, monkeypatch):
    src, dst = tmp_path / "in" / name, tmp_path / "out" / "test-it.jsonl"
    src.parent.mkdir()
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in XCOPA_ROWS), encoding="utf-8")
    _cli(monkeypatch, "--task", "xcopa", "--lang", "it", "--noise", "keyboard:0.4", "--seed", "2",
         "--input", str(src), "--output", str(dst))
    rows = [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()]
    assert [list(r) for r in rows] == [list(r) for r in XCOPA_ROWS]  # same keys, same order
    for old, new in zip(XCOPA_ROWS, rows):
        assert {k: new[k] for k in ("question", "label", "idx", "changed")} == \
               {k: old[k] for k in ("question", "label", "idx", "changed")}
    assert all(new["premise"] != old["premise"] for old, new in zip(XCOPA_ROWS, rows))
    assert any(new["choice1"] != old["choice1"] for old, new in zip(XCOPA_ROWS, rows))
    examples = load_examples("xcopa", "test", "it", source=dst.parent)
    assert [ex["label"] for ex in examples] == [1, 1, 0]
    assert [ex["question"] for ex in examples] == ["What was the effect?"] * 2 + ["What was the cause?"]


def test_xcopa_template_question_stays_english_in_evaluation_noise():
    examples = load_examples("xcopa", "test", "it", source=_write_xcopa(XCOPA_ROWS))
    noisy = noise_examples(examples, get_task("xcopa"), "it", "keyboard:0.5,case:0.5", 3)
    assert [ex["question"] for ex in noisy] == [ex["question"] for ex in examples]
    assert all(n["context"] != e["context"] for n, e in zip(noisy, examples))


def _write_xcopa(rows) -> Path:
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="xcopa-"))
    (folder / "test-it.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return folder


SQUAD_DOC = {"version": "v2.0", "data": [
    {"title": "Fiumi", "paragraphs": [
        {"context": "Il Po nasce dal Monviso e sfocia nel mare Adriatico dopo 652 chilometri.", "qas": [
            {"id": "q1", "question": "Dove nasce il Po?", "answers": [{"text": "Monviso", "answer_start": 16}],
             "is_impossible": False},
            {"id": "q2", "question": "Dove sfocia il Po?",
             "answers": [{"text": "mare Adriatico", "answer_start": 37}, {"text": "Adriatico", "answer_start": 42}],
             "is_impossible": False},
            {"id": "q3", "question": "Quanto è lungo il Tevere?", "answers": [], "is_impossible": True,
             "plausible_answers": [{"text": "652 chilometri", "answer_start": 58}]}]},
        {"context": "L'Adige attraversa Verona.", "qas": [
            {"id": "q4", "question": "Quale città attraversa l'Adige?",
             "answers": [{"text": "Verona", "answer_start": 19}], "is_impossible": False}]}]},
    {"title": "Laghi", "paragraphs": [
        {"context": "Il lago di Garda è il più grande d'Italia.", "qas": [
            # XTREME's remove_qa_test_annotations blanks test answers to text '' at 0.
            {"id": "q5", "question": "Qual è il lago più grande?", "answers": [{"text": "", "answer_start": 0}]}]}]},
]}


def test_squad_file_keeps_articles_paragraphs_and_question_order(tmp_path, monkeypatch):
    src, dst = tmp_path / "dev-it.json", tmp_path / "out" / "dev-it.json"
    src.write_text(json.dumps(SQUAD_DOC, ensure_ascii=False), encoding="utf-8")
    _cli(monkeypatch, "--task", "squad_v2", "--lang", "it", "--noise", "keyboard:0.3,case:0.3", "--seed", "4",
         "--input", str(src), "--output", str(dst))
    doc = json.loads(dst.read_text(encoding="utf-8"))
    assert doc["version"] == "v2.0"
    assert [a["title"] for a in doc["data"]] == ["Fiumi", "Laghi"]
    assert [[len(p["qas"]) for p in a["paragraphs"]] for a in doc["data"]] == [[3, 1], [1]]
    assert [qa["id"] for a in doc["data"] for p in a["paragraphs"] for qa in p["qas"]] == \
           ["q1", "q2", "q3", "q4", "q5"]
    first = doc["data"][0]["paragraphs"][0]
    assert first["context"] != SQUAD_DOC["data"][0]["paragraphs"][0]["context"]
    for article in doc["data"]:
        for para in article["paragraphs"]:
            for qa in para["qas"]:
                for ans in qa["answers"] + qa.get("plausible_answers", []):
                    s = ans["answer_start"]
                    assert para["context"][s:s + len(ans["text"])] == ans["text"]
    assert doc["data"][1]["paragraphs"][0]["qas"][0]["answers"] == [{"text": "", "answer_start": 0}]
    assert first["qas"][2]["is_impossible"] is True and first["qas"][2]["answers"] == []
    assert len(load_examples("squad_v2", "validation", "en", source=_as_squad_v2(dst))) == 5


def _as_squad_v2(path: Path) -> Path:
    folder = path.parent / "squad_v2"
    folder.mkdir()
    shutil.copy(path, folder / "dev-v2.0.json")
    return folder


def test_panx_language_prefix_is_not_noised(tmp_path, monkeypatch):
    src, dst = tmp_path / "test-de.tsv", tmp_path / "out.tsv"
    src.write_text("de:Angela\tB-PER\nde:Merkel\tI-PER\nde:besuchte\tO\nde:Paris\tB-LOC\n\n", encoding="utf-8")
    _cli(monkeypatch, "--task", "panx", "--lang", "de", "--noise", "keyboard:1.0", "--input", str(src),
         "--output", str(dst))
    lines = dst.read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[1] for line in lines if line] == ["B-PER", "I-PER", "O", "B-LOC"]
    assert all(line.startswith("de:") for line in lines if line)
    assert lines != src.read_text(encoding="utf-8").splitlines()


def test_glue_tsv_is_written_without_csv_quoting(tmp_path, monkeypatch):
    src, dst = tmp_path / "dev_matched.tsv", tmp_path / "out.tsv"
    src.write_text('index\tsentence1\tsentence2\tgold_label\n0\tHe said "stop" twice.\tHe spoke.\tentailment\n',
                   encoding="utf-8")
    _cli(monkeypatch, "--task", "mnli", "--lang", "en", "--noise", "char_swap:0.2", "--fields", "hypothesis",
         "--input", str(src), "--output", str(dst))
    header, row = [line.split("\t") for line in dst.read_text(encoding="utf-8").splitlines()]
    assert header == ["index", "sentence1", "sentence2", "gold_label"]
    assert row[1] == 'He said "stop" twice.' and row[3] == "entailment" and row[2] != "He spoke."


def test_mewslix_mention_spans_follow_the_noisy_context(tmp_path, monkeypatch):
    text = "Gestern besuchte Angela Merkel die Stadt Paris. Dann flog sie nach Berlin."
    row = {"context": {"document_id": "d1", "section_id": 0, "text": text, "title": "t", "language": "de",
                       "sentence_spans": [{"start": 0, "end": 47}, {"start": 48, "end": len(text)}]},
           "mentions": [{"example_id": "m1", "mention_span": {"start": 41, "end": 46, "text": "Paris"},
                         "entity_id": "Q90"},
                        {"example_id": "m2", "mention_span": {"start": 67, "end": 73, "text": "Berlin"},
                         "entity_id": "Q64"}]}
    src, dst = tmp_path / "dev-de.jsonl", tmp_path / "out.jsonl"
    src.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    _cli(monkeypatch, "--task", "mewslix", "--lang", "de", "--noise", "keyboard:0.3,whitespace:0.2", "--seed", "1",
         "--input", str(src), "--output", str(dst))
    new = json.loads(dst.read_text(encoding="utf-8"))
    ctx = new["context"]["text"]
    assert ctx != text and [m["entity_id"] for m in new["mentions"]] == ["Q90", "Q64"]
    for m in new["mentions"]:
        span = m["mention_span"]
        assert ctx[span["start"]:span["end"]] == span["text"] and span["text"].strip()
    spans = new["context"]["sentence_spans"]
    assert spans[0]["start"] == 0 and spans[-1]["end"] == len(ctx)
