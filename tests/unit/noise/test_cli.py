"""`intermezzo noise`: same format out as in, labels kept, user errors as exit 2 with nothing written."""

from __future__ import annotations

import json

import pytest

from support.cli import run_cli

from intermezzo.data.layouts import LAYOUTS
from intermezzo.tasks import get_task


def cli(monkeypatch, capsys, *args):
    return run_cli(monkeypatch, capsys, "noise", *args)


def test_list_prints_the_matrix(monkeypatch, capsys):
    code, out, _ = cli(monkeypatch, capsys, "--list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["lang", "script", "kbd"]
    hi = next(line.split() for line in lines if line.startswith("hi "))
    assert hi[1] == "devanagari" and hi[2] == "x" and hi[8] == "."  # keyboard yes, case no


def test_squad_file_round_trip(monkeypatch, capsys, tmp_path):
    context = "Die Straße führt über den Fluß nach München."
    doc = {"version": "1.1", "data": [{"title": "t", "paragraphs": [{"context": context, "qas": [
        {"id": "q1", "question": "Wohin führt die Straße?", "answers": [{"text": "München", "answer_start": 36}]}]}]}]}
    src, dst = tmp_path / "test-de.json", tmp_path / "noisy-de.json"
    src.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code, out, err = cli(monkeypatch, capsys, "--task", "xquad", "--lang", "de", "--noise",
                         "keyboard:0.3,diacritics:1.0", "--seed", "3", "--input", str(src), "--output", str(dst))
    assert code == 0, err
    (ex,) = LAYOUTS["squad_json"].read_file(get_task("xquad"), dst)
    start, text = ex["answers"]["answer_start"][0], ex["answers"]["text"][0]
    assert ex["context"][start:start + len(text)] == text and ex["context"] != context and "ü" not in ex["context"]


def test_conll_file_keeps_tags(monkeypatch, capsys, tmp_path):
    src, dst = tmp_path / "test-ru.tsv", tmp_path / "noisy-ru.tsv"
    src.write_text("Москва\tB-LOC\nпрекрасна\tO\n.\tO\n\nЁлка\tO\nзелёная\tO\n", encoding="utf-8")
    code, _, err = cli(monkeypatch, capsys, "--task", "panx", "--lang", "ru", "--noise",
                       "char_delete:0.5,diacritics:1.0",
                       "--input", str(src), "--output", str(dst))
    assert code == 0, err
    sents = LAYOUTS["tag_tsv"].read_file(get_task("panx"), dst, "test", "ru")
    assert [s["tags"] for s in sents] == [["B-LOC", "O", "O"], ["O", "O"]]
    assert [len(s["tokens"]) for s in sents] == [3, 2] and all(t for s in sents for t in s["tokens"])
    assert "ё" not in "".join(sents[1]["tokens"]).lower()  # diacritics ran after the deletions


def test_tsv_classification_noises_text_columns_only(monkeypatch, capsys, tmp_path):
    src, dst = tmp_path / "test-fr.tsv", tmp_path / "noisy-fr.tsv"
    src.write_text("Le chat dort.\tUn chat dort ici.\tentailment\nIl pleut.\tIl fait beau.\tcontradiction\n",
                   encoding="utf-8")
    code, _, err = cli(monkeypatch, capsys, "--task", "xnli", "--lang", "fr", "--noise", "char_substitute:0.5",
                       "--input", str(src), "--output", str(dst))
    assert code == 0, err
    rows = [line.split("\t") for line in dst.read_text(encoding="utf-8").splitlines()]
    assert [r[2] for r in rows] == ["entailment", "contradiction"]
    assert rows[0][0] != "Le chat dort." and rows[1][1] != "Il fait beau."


def test_jsonl_for_any_task_type(monkeypatch, capsys, tmp_path):
    # Canonical rows are noised as they are. (A row that also has `premise`/`choice1` is the (X)COPA layout, as
    # the reader reads it: then `premise` and the choices are the text; test_official_files covers that.)
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(json.dumps({"id": "1", "context": "kahvi on hyvää", "question": "miksi",
                               "choices": ["koska", "siksi"], "label": 0}) + "\n", encoding="utf-8")
    code, _, err = cli(monkeypatch, capsys, "--task", "xcopa", "--lang", "fi", "--noise", "diacritics:1.0",
                       "--input", str(src), "--output", str(dst))
    assert code == 0, err
    row = json.loads(dst.read_text(encoding="utf-8"))
    assert row["context"] == "kahvi on hyvaa" and row["label"] == 0
    assert row["question"] == "miksi"  # XCOPA's question is a template, never noised

    hybrid = {"id": "1", "premise": "kahvi on hyvää", "choice1": "ä", "choice2": "ö", "context": "kahvi on hyvää",
              "question": "cause", "label": 0}
    src.write_text(json.dumps(hybrid) + "\n", encoding="utf-8")
    code, _, err = cli(monkeypatch, capsys, "--task", "xcopa", "--lang", "fi", "--noise", "diacritics:1.0",
                       "--input", str(src), "--output", str(dst))
    row = json.loads(dst.read_text(encoding="utf-8"))
    assert code == 0 and row == {**hybrid, "premise": "kahvi on hyvaa", "choice1": "a", "choice2": "o"}


@pytest.mark.parametrize("args,message", [
    (["--task", "xquad", "--lang", "de", "--noise", "keybord:0.1"], "did you mean keyboard"),
    (["--task", "panx", "--lang", "de", "--noise", "whitespace:0.1"], "whitespace"),
    (["--task", "xnli", "--lang", "xx", "--noise", "keyboard:0.1"], "unknown language 'xx'"),
    (["--task", "xnly", "--lang", "de", "--noise", "keyboard:0.1"], "unknown task"),
    (["--task", "xnli", "--lang", "hi", "--noise", "case:0.1"], "does not apply"),
])
def test_user_errors_exit_2_and_write_nothing(monkeypatch, capsys, tmp_path, args, message):
    src, dst = tmp_path / "test.tsv", tmp_path / "out.tsv"
    src.write_text("Hallo Welt\tB-LOC\n", encoding="utf-8")
    code, _, err = cli(monkeypatch, capsys, *args, "--input", str(src), "--output", str(dst))
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert not dst.exists()


def test_missing_options_and_input_file(monkeypatch, capsys, tmp_path):
    code, _, err = cli(monkeypatch, capsys, "--task", "xnli")
    assert code == 2 and "missing --lang" in err
    code, _, err = cli(monkeypatch, capsys, "--task", "xnli", "--lang", "de", "--noise", "case:0.1",
                       "--input", str(tmp_path / "nope.tsv"), "--output", str(tmp_path / "o.tsv"))
    assert code == 2 and "file not found" in err and not (tmp_path / "o.tsv").exists()


def _xnli(tmp_path):
    src = tmp_path / "test-fr.tsv"
    src.write_text("Le chat dort sur le canapé.\tUn chat dort ici.\tentailment\n"
                   "Il pleut à Paris.\tIl fait beau.\tcontradiction\n", encoding="utf-8")
    return src


def test_fields_name_the_noised_columns(monkeypatch, capsys, tmp_path):
    src, dst = _xnli(tmp_path), tmp_path / "noisy-fr.tsv"
    code, _, err = cli(monkeypatch, capsys, "--task", "xnli", "--lang", "fr", "--noise", "char_substitute:0.5",
                       "--fields", "hypothesis", "--input", str(src), "--output", str(dst))
    assert code == 0, err
    before = [line.split("\t") for line in src.read_text(encoding="utf-8").splitlines()]
    after = [line.split("\t") for line in dst.read_text(encoding="utf-8").splitlines()]
    assert [r[0] for r in after] == [r[0] for r in before]  # the premise is untouched
    assert all(a[1] != b[1] for a, b in zip(after, before)) and [r[2] for r in after] == [r[2] for r in before]


def test_unknown_field_is_one_line_listing_the_valid_ones(monkeypatch, capsys, tmp_path):
    src, dst = _xnli(tmp_path), tmp_path / "noisy-fr.tsv"
    code, _, err = cli(monkeypatch, capsys, "--task", "xnli", "--lang", "fr", "--noise", "case:0.5",
                       "--fields", "foo", "--input", str(src), "--output", str(dst))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "'foo'" in err and "premise, hypothesis" in err and not dst.exists()
    code, _, err = cli(monkeypatch, capsys, "--task", "xcopa", "--lang", "it", "--noise", "case:0.5",
                       "--fields", "question", "--input", str(src), "--output", str(dst))
    assert code == 2 and "context, choices" in err and not dst.exists()


def test_output_that_is_a_folder_or_unwritable_is_refused(monkeypatch, capsys, tmp_path):
    src = _xnli(tmp_path)
    folder = tmp_path / "existing"
    folder.mkdir()
    code, _, err = cli(monkeypatch, capsys, "--task", "xnli", "--lang", "fr", "--noise", "case:0.5",
                       "--input", str(src), "--output", str(folder))
    assert code == 2 and "is a folder" in err and len(err.strip().splitlines()) == 1 and not any(folder.iterdir())
    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    code, _, err = cli(monkeypatch, capsys, "--task", "xnli", "--lang", "fr", "--noise", "case:0.5",
                       "--input", str(src), "--output", str(blocker / "out.tsv"))
    assert code == 2 and "cannot write there" in err and len(err.strip().splitlines()) == 1


def test_read_only_location_is_one_line_and_nothing_half_written(monkeypatch, capsys, tmp_path):
    import errno

    import intermezzo.noise.files as files

    def read_only(path, text):  # what a read-only mount answers (root passes permission checks, not EROFS)
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(files, "atomic_write_text", read_only)
    src, dst = _xnli(tmp_path), tmp_path / "ro" / "noisy.tsv"
    code, _, err = cli(monkeypatch, capsys, "--task", "xnli", "--lang", "fr", "--noise", "case:0.5",
                       "--input", str(src), "--output", str(dst))
    assert code == 2 and "Read-only file system" in err and len(err.strip().splitlines()) == 1
    assert not dst.exists()


def test_list_marks_families_that_need_a_word_list_and_help_documents_their_files(monkeypatch, capsys):
    code, out, _ = cli(monkeypatch, capsys, "--list")
    lines = out.splitlines()
    names = lines[0].split()[2:]
    de = next(line.split() for line in lines if line.startswith("de "))
    assert de[2 + names.index("cs")] == "@" and de[2 + names.index("mis")] == "@"
    assert any("@" in line and "word list" in line for line in lines if line.startswith("legend"))
    code, out, _ = cli(monkeypatch, capsys, "--help")
    flat = " ".join(out.split())
    assert code == 0 and "codeswitch" in flat and "misspell" in flat
    assert "src tgt" in flat and "wrong right" in flat and "MUSE" in flat


def test_a_field_of_a_million_characters_is_noised(monkeypatch, capsys, tmp_path):
    src, dst = tmp_path / "test-fr.tsv", tmp_path / "noisy-fr.tsv"
    long = "mot " * 250_000
    src.write_text(f"{long}\tcourt.\tneutral\n", encoding="utf-8")
    code, _, err = cli(monkeypatch, capsys, "--task", "xnli", "--lang", "fr", "--noise", "case:0.1",
                       "--input", str(src), "--output", str(dst))
    assert code == 0, err
    premise, hypothesis, label = dst.read_text(encoding="utf-8").rstrip("\n").split("\t")
    assert len(premise) == len(long) and premise != long and label == "neutral"
