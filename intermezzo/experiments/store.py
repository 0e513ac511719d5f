"""Results store: SQLite in the run folder, one row per cell x language x noise x metric, plus per-example scores."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import time
from pathlib import Path

from intermezzo.errors import UserError
from intermezzo.experiments.plan import Cell
from intermezzo.io import atomic_write_text

SCHEMA = """
CREATE TABLE IF NOT EXISTS scores (
  run TEXT NOT NULL, encoder TEXT NOT NULL, condition TEXT NOT NULL, task TEXT NOT NULL, lang TEXT NOT NULL,
  noise TEXT NOT NULL, family TEXT NOT NULL, level REAL NOT NULL, seed INTEGER NOT NULL,
  metric TEXT NOT NULL, value REAL NOT NULL, phase TEXT NOT NULL,
  PRIMARY KEY (run, encoder, condition, task, lang, noise, seed, metric));
CREATE TABLE IF NOT EXISTS example_scores (
  phase TEXT NOT NULL, noise TEXT NOT NULL, lang TEXT NOT NULL, id TEXT NOT NULL, score REAL NOT NULL,
  parts TEXT,
  PRIMARY KEY (phase, noise, lang, id));
CREATE TABLE IF NOT EXISTS cells (
  run TEXT NOT NULL, encoder TEXT NOT NULL, condition TEXT NOT NULL, task TEXT NOT NULL, seed INTEGER NOT NULL,
  cell_lang TEXT NOT NULL, phase TEXT NOT NULL,
  PRIMARY KEY (run, encoder, condition, task, seed, cell_lang));
"""
COLUMNS = ("run", "encoder", "condition", "task", "lang", "noise", "family", "level", "seed", "metric", "value",
           "phase")


def noise_family_level(noise: str) -> tuple[str, float]:
    """'clean' -> (clean, 0); 'keyboard:0.1' -> (keyboard, 0.1); a combination joins names, keeps the top level."""
    if noise == "clean":
        return "clean", 0.0
    names, levels = [], []
    for part in noise.split(","):
        name, _, level = part.partition(":")
        names.append(name.strip())
        try:
            levels.append(float(level) if level else 1.0)
        except ValueError:
            levels.append(1.0)
    return "+".join(names), max(levels)


class Store:
    """One SQLite file (WAL, busy timeout), safe for several runners at once; writes are one transaction each."""

    def __init__(self, path: str | Path, timeout_s: float = 60.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=timeout_s, isolation_level=None)
        self.db.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
        self._setup(timeout_s)

    def _setup(self, timeout_s: float) -> None:
        """WAL mode and the schema. Switching a fresh file to WAL can fail with 'database is locked' without
        waiting for the busy timeout while another process does the same, so retry for a while."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                self.db.execute("PRAGMA journal_mode = WAL")
                self.db.executescript(SCHEMA)
                self._add_parts_column()
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _add_parts_column(self) -> None:
        """Results files written before per-example `parts` existed gain the column (NULL in their old rows)."""
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(example_scores)")}
        if "parts" not in columns:
            try:
                self.db.execute("ALTER TABLE example_scores ADD COLUMN parts TEXT")
            except sqlite3.OperationalError as e:  # another runner added it first
                if "duplicate column" not in str(e):
                    raise

    def _transaction(self):
        store = self

        class _Tx:
            def __enter__(self):
                # IMMEDIATE takes the write lock up front, so two writers queue instead of deadlocking.
                store.db.execute("BEGIN IMMEDIATE")

            def __exit__(self, exc_type, exc, tb):
                store.db.execute("ROLLBACK" if exc_type else "COMMIT")

        return _Tx()

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def has(self, run: str, cell: Cell) -> bool:
        """True when this cell's evaluate phase is already stored."""
        row = self.db.execute("SELECT phase FROM cells WHERE run=? AND encoder=? AND condition=? AND task=? "
                              "AND seed=? AND cell_lang=?",
                              (run, cell.encoder, cell.condition, cell.target, cell.seed, cell.lang or "")).fetchone()
        return row is not None and row[0] == cell.key

    def ingest(self, run: str, cell: Cell, folder: str | Path) -> int:
        """Store an evaluate phase's scores.json and example_scores.jsonl for `cell`, all in one transaction."""
        folder = Path(folder)
        try:
            scores = json.loads((folder / "scores.json").read_text(encoding="utf-8"))
            lines = (folder / "example_scores.jsonl").read_text(encoding="utf-8").splitlines()
            examples = [json.loads(line) for line in lines if line.strip()]
        except (OSError, json.JSONDecodeError) as e:
            raise UserError(f"{folder}: evaluation output unreadable ({e}); delete the folder and rerun") from None
        rows = []
        for noise, per_lang in scores.items():
            family, level = noise_family_level(noise)
            for lang, metrics in per_lang.items():
                if cell.lang and lang != cell.lang:
                    continue
                rows += [(run, cell.encoder, cell.condition, cell.target, lang, noise, family, level, cell.seed,
                          metric, float(value), cell.key) for metric, value in metrics.items()]
        ex_rows = [(cell.key, r["noise"], r["lang"], str(r["id"]), float(r["score"]),
                    json.dumps(r["parts"]) if r.get("parts") is not None else None) for r in examples
                   if not cell.lang or r["lang"] == cell.lang]
        with self._transaction():
            self.db.execute("DELETE FROM scores WHERE run=? AND encoder=? AND condition=? AND task=? AND seed=? "
                            "AND (?='' OR lang=?)", (run, cell.encoder, cell.condition, cell.target, cell.seed,
                                                     cell.lang or "", cell.lang or ""))
            self.db.executemany(f"INSERT OR REPLACE INTO scores VALUES ({','.join('?' * len(COLUMNS))})", rows)
            self.db.executemany("INSERT OR REPLACE INTO example_scores (phase, noise, lang, id, score, parts) "
                                "VALUES (?,?,?,?,?,?)", ex_rows)
            self.db.execute("INSERT OR REPLACE INTO cells VALUES (?,?,?,?,?,?,?)",
                            (run, cell.encoder, cell.condition, cell.target, cell.seed, cell.lang or "", cell.key))
        return len(rows)

    def rows(self, **where) -> list[dict]:
        """Score rows as dicts, filtered by equality on any columns."""
        bad = set(where) - set(COLUMNS)
        if bad:
            raise ValueError(f"unknown columns {sorted(bad)}")
        clause = " AND ".join(f"{k}=?" for k in where) or "1"
        cur = self.db.execute(f"SELECT {','.join(COLUMNS)} FROM scores WHERE {clause} ORDER BY "
                              "run, encoder, condition, task, lang, family, level, seed, metric",
                              tuple(where.values()))
        return [dict(zip(COLUMNS, r)) for r in cur.fetchall()]

    def example_scores(self, phase: str, noise: str, lang: str) -> dict[str, float]:
        """Per-example scores of one evaluate phase, noise condition and language, by example id."""
        cur = self.db.execute("SELECT id, score FROM example_scores WHERE phase=? AND noise=? AND lang=?",
                              (phase, noise, lang))
        return dict(cur.fetchall())

    def example_parts(self, phase: str, noise: str, lang: str) -> dict[str, list[float]]:
        """Per-example statistical units of one evaluate phase, noise condition and language, by example id:
        the stored `parts` row (intermezzo.metrics.example_parts), or [score] for rows stored without one."""
        cur = self.db.execute("SELECT id, score, parts FROM example_scores WHERE phase=? AND noise=? AND lang=?",
                              (phase, noise, lang))
        return {i: json.loads(parts) if parts is not None else [score] for i, score, parts in cur.fetchall()}

    def export(self, path: str | Path, fmt: str | None = None) -> Path:
        """Write the score rows as CSV or Parquet (by `fmt` or the file's suffix)."""
        path = Path(path)
        fmt = (fmt or path.suffix.lstrip(".")).lower()
        rows = self.rows()
        if fmt == "csv":
            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            return atomic_write_text(path, buf.getvalue())
        if fmt == "parquet":
            try:
                import pyarrow as pa
                import pyarrow.parquet as pq
            except ImportError:
                raise UserError(f"{path}: Parquet export needs pyarrow; `pip install pyarrow` or export to .csv"
                                ) from None
            table = pa.table({c: [r[c] for r in rows] for c in COLUMNS})
            tmp = path.with_name(f".{path.name}.tmp")
            pq.write_table(table, tmp)
            tmp.replace(path)
            return path
        raise UserError(f"{path}: unknown export format '{fmt}'; use .csv or .parquet")
