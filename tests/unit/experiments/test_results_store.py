"""The results store: rows per cell, one transaction per evaluation, two writers at once, CSV/Parquet export."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from intermezzo.errors import UserError
from intermezzo.experiments.plan import Cell
from intermezzo.experiments.store import Store, noise_family_level


def _evaluation(folder: Path, langs=("de", "sw"), n=5, bad_id=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    scores = {noise: {lang: {"accuracy": 50.0 + i, "f1": 40.0} for i, lang in enumerate(langs)}
              for noise in ("clean", "keyboard:0.1", "keyboard:0.1,case:0.5")}
    (folder / "scores.json").write_text(json.dumps(scores))
    rows = [{"noise": noise, "lang": lang, "id": bad_id if (bad_id and i == n - 1) else f"{lang}{i}", "score": 1.0}
            for noise in scores for lang in langs for i in range(n)]
    (folder / "example_scores.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


def test_family_and_level_of_noise_specs():
    assert noise_family_level("clean") == ("clean", 0.0)
    assert noise_family_level("keyboard:0.1") == ("keyboard", 0.1)
    assert noise_family_level("keyboard:0.1,case:0.5") == ("keyboard+case", 0.5)


def test_ingest_rows_and_example_scores(tmp_path):
    store = Store(tmp_path / "r.sqlite")
    cell = Cell("enc", "mnli", "xnli", 1, "evaluate-abc")
    assert not store.has("run", cell)
    assert store.ingest("run", cell, _evaluation(tmp_path / "e")) == 3 * 2 * 2
    assert store.has("run", cell)
    rows = store.rows(run="run", lang="de", metric="accuracy")
    assert [(r["noise"], r["family"], r["level"], r["value"]) for r in rows] == [
        ("clean", "clean", 0.0, 50.0), ("keyboard:0.1", "keyboard", 0.1, 50.0),
        ("keyboard:0.1,case:0.5", "keyboard+case", 0.5, 50.0)]
    assert store.example_scores("evaluate-abc", "clean", "sw") == {f"sw{i}": 1.0 for i in range(5)}
    # A second ingest of the same cell replaces, never duplicates.
    store.ingest("run", cell, _evaluation(tmp_path / "e"))
    assert len(store.rows(run="run")) == 12
    store.close()


def test_target_language_cell_keeps_only_its_language(tmp_path):
    store = Store(tmp_path / "r.sqlite")
    store.ingest("run", Cell("enc", "mt", "xnli", 1, "evaluate-x", lang="sw"), _evaluation(tmp_path / "e"))
    assert {r["lang"] for r in store.rows()} == {"sw"}
    store.close()


def test_failed_ingest_leaves_no_partial_rows(tmp_path):
    store = Store(tmp_path / "r.sqlite")
    # A trigger makes the last example insert fail, after the score rows went in within the same transaction.
    store.db.execute("CREATE TRIGGER boom BEFORE INSERT ON example_scores WHEN NEW.id = 'boom' "
                     "BEGIN SELECT RAISE(ABORT, 'boom'); END")
    with pytest.raises(Exception, match="boom"):
        store.ingest("run", Cell("enc", "c", "xnli", 1, "evaluate-b"), _evaluation(tmp_path / "e", bad_id="boom"))
    assert store.rows() == []
    assert store.db.execute("SELECT COUNT(*) FROM example_scores").fetchone()[0] == 0
    assert store.db.execute("SELECT COUNT(*) FROM cells").fetchone()[0] == 0
    store.close()


def test_unreadable_evaluation_is_a_user_error(tmp_path):
    (tmp_path / "e").mkdir()
    store = Store(tmp_path / "r.sqlite")
    with pytest.raises(UserError, match="evaluation output unreadable"):
        store.ingest("run", Cell("enc", "c", "xnli", 1, "evaluate-b"), tmp_path / "e")
    store.close()


WRITER = """
import sys
from pathlib import Path
from intermezzo.experiments.plan import Cell
from intermezzo.experiments.store import Store
db, folder, who = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
store = Store(db)
for i in range(40):
    store.ingest("run", Cell("enc", who, "xnli", i, f"evaluate-{who}{i}"), folder)
store.close()
"""


def test_two_writer_processes_at_once(tmp_path):
    folder = _evaluation(tmp_path / "e")
    db = tmp_path / "r.sqlite"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(folder), who], stderr=subprocess.PIPE)
             for who in ("a", "b")]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err.decode()
    store = Store(db)
    assert len(store.rows()) == 2 * 40 * 12
    assert store.db.execute("SELECT COUNT(*) FROM example_scores").fetchone()[0] == 2 * 40 * 30
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_export_csv_and_parquet(tmp_path):
    store = Store(tmp_path / "r.sqlite")
    store.ingest("run", Cell("enc", "c", "xnli", 1, "evaluate-b"), _evaluation(tmp_path / "e"))
    path = store.export(tmp_path / "out.csv")
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == 12 and float(rows[0]["value"]) == store.rows()[0]["value"]
    pq = pytest.importorskip("pyarrow.parquet")
    table = pq.read_table(store.export(tmp_path / "out.parquet"))
    assert table.num_rows == 12 and table.column("value").to_pylist() == [r["value"] for r in store.rows()]
    with pytest.raises(UserError, match="unknown export format"):
        store.export(tmp_path / "out.xlsx")
    store.close()


def test_parquet_without_pyarrow_says_how_to_install(tmp_path, monkeypatch):
    store = Store(tmp_path / "r.sqlite")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(UserError, match=r"Parquet export needs pyarrow; `pip install pyarrow` or export to .csv"):
        store.export(tmp_path / "out.parquet")
    store.close()
