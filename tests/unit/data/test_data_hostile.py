"""Hostile inputs to `data` and the loaders (issue 14): huge fields, empty files, BOMs, a file where a folder
goes, an unreachable hub, BUCC from the hub. Each is one line and exit 2, or simply works."""

import time

import pytest

from support.cli import run_cli

from intermezzo.data.load import load_examples
from intermezzo.errors import UserError


def cli(monkeypatch, capsys, *args):
    return run_cli(monkeypatch, capsys, *args)


def test_a_field_of_a_million_characters_loads_and_noises(monkeypatch, capsys, tmp_path):
    long = "Wort " * 200_000
    (tmp_path / "test-de.tsv").write_text(f"{long}\tkurz\tneutral\nzwei\tdrei\tentailment\n", encoding="utf-8")
    examples = load_examples("xnli", "test", "de", source=tmp_path)
    assert len(examples[0]["premise"]) == len(long) and examples[1]["label"] == "entailment"
    code, out, err = cli(monkeypatch, capsys, "data", "--task", "xnli", "--split", "test", "--lang", "de",
                         "--source", str(tmp_path))
    assert code == 0 and "2 examples" in out, err
    code, _, err = cli(monkeypatch, capsys, "noise", "--task", "xnli", "--lang", "de", "--noise", "case:0.1",
                       "--input", str(tmp_path / "test-de.tsv"), "--output", str(tmp_path / "noisy.tsv"))
    assert code == 0, err


@pytest.mark.parametrize("name", ["test-de.tsv", "test-de.jsonl"])
def test_an_empty_source_file_is_one_line_naming_it(name, monkeypatch, capsys, tmp_path):
    (tmp_path / name).write_text("\n" if name.endswith("jsonl") else "", encoding="utf-8")
    with pytest.raises(UserError, match=rf"{name}: the file is empty"):
        load_examples("xnli", "test", "de", source=tmp_path)
    code, out, err = cli(monkeypatch, capsys, "data", "--task", "xnli", "--split", "test", "--lang", "de",
                         "--source", str(tmp_path))
    assert code == 2 and name in err and err.count("\n") == 1


def test_an_empty_jsonl_file_source_and_an_empty_demo_task_file(tmp_path):
    (tmp_path / "mine.jsonl").write_bytes(b"\xef\xbb\xbf")  # a BOM and nothing else
    with pytest.raises(UserError, match=r"mine\.jsonl: the file is empty"):
        load_examples("panx", "test", "de", source=tmp_path / "mine.jsonl")
    (tmp_path / "test-de.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(UserError, match=r"test-de\.jsonl: the file is empty"):
        load_examples("multiemo", "test", "de", source=tmp_path)


def test_a_utf8_bom_does_not_reach_the_first_example(tmp_path):
    (tmp_path / "test-de.tsv").write_text("\ufeffErster Satz\tZweiter Satz\n", encoding="utf-8")
    assert load_examples("xnli", "test", "de", source=tmp_path)[0]["premise"] == "Erster Satz"
    (tmp_path / "jsonl").mkdir()
    (tmp_path / "jsonl" / "test-de.jsonl").write_text('\ufeff{"id": "1", "text": "Hallo", "label": "positive"}\n',
                                                      encoding="utf-8")
    assert load_examples("multiemo", "test", "de", source=tmp_path / "jsonl")[0]["text"] == "Hallo"


def test_data_fixtures_into_an_existing_file_is_one_line_and_leaves_it(monkeypatch, capsys, tmp_path):
    target = tmp_path / "a_file"
    target.write_text("mine", encoding="utf-8")
    code, _, err = cli(monkeypatch, capsys, "data", "--task", "xnli", "--fixtures", str(target))
    assert code == 2 and "not a folder" in err and err.count("\n") == 1
    assert target.read_text(encoding="utf-8") == "mine" and sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]


def test_bucc_from_the_hub_is_refused_with_why_and_where(monkeypatch):
    import datasets

    monkeypatch.setattr(datasets, "load_dataset", lambda *a, **k: pytest.fail("BUCC must not be fetched"))
    with pytest.raises(UserError) as e:
        load_examples("bucc2018", "test", "de")
    msg = str(e.value)
    assert "\n" not in msg and "only the gold pairs" in msg and "distractor" in msg
    assert "comparable.limsi.fr/bucc2018" in msg


def test_an_unreachable_hub_fails_in_seconds_without_retries(monkeypatch):
    import socket

    import datasets
    from huggingface_hub import constants

    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", False)  # tests run offline; act as a user would
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)

    def unreachable(*args, **kwargs):
        raise OSError("[Errno -2] Name or service not known")

    seen = []

    def fake(hub_id, config=None, split=None, **kwargs):
        seen.append(datasets.config.HF_HUB_OFFLINE)
        if not datasets.config.HF_HUB_OFFLINE:  # what the real library would do: retry for ~25 s
            time.sleep(3)
        raise ConnectionError(f"Couldn't reach '{hub_id}' on the Hub (OfflineModeIsEnabled)")

    monkeypatch.setattr(socket, "create_connection", unreachable)
    monkeypatch.setattr(datasets, "load_dataset", fake)
    started = time.monotonic()
    with pytest.raises(UserError) as e:
        load_examples("pawsx", "test", "de")
    assert time.monotonic() - started < 2.5
    assert seen == [True]  # the library ran in offline mode: a cached copy loads, nothing is retried
    msg = str(e.value)
    assert "\n" not in msg and "unreachable" in msg and "no connection to the hub" in msg and "folder" in msg
    assert datasets.config.HF_HUB_OFFLINE is False  # restored afterwards
