"""Readers and writers of the plain file formats under XTREME's layouts: text, JSONL, JSON, TSV, SQuAD JSON.

Text is UTF-8; a byte-order mark is dropped (UTF-16 files with one are decoded as such). Every reader raises
UserError naming the file (and line) on malformed input; every writer is atomic. The task layouts built on
these live in intermezzo.data.layouts.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from intermezzo.errors import UserError
from intermezzo.io import atomic_write_text

# The csv module refuses fields over 128 KiB by default; a long document is not an error. The limit is a C long,
# 32 bits on some platforms, hence the min.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def read_text(path: str | Path) -> str:
    """A whole text file: UTF-8 (a leading BOM dropped), or UTF-16 when it starts with a UTF-16 BOM."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: file not found; check the path")
    data = path.read_bytes()
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), "utf-8")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        raise UserError(f"{path}: not {encoding.upper()} text ({e.reason} at byte {e.start}); re-save it as "
                        "UTF-8") from None


def read_jsonl(path: str | Path) -> list[dict]:
    """One JSON object per non-blank line."""
    rows = []
    # "\n" only: str.splitlines() also breaks at U+2028 and friends, which JSON strings may hold unescaped.
    for n, line in enumerate(read_text(path).split("\n"), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise UserError(f"{path}:{n}: malformed JSON ({e.msg}); fix or remove that line") from None
        if not isinstance(row, dict):
            raise UserError(f"{path}:{n}: expected a JSON object per line, got {type(row).__name__}")
        rows.append(row)
    return rows


def write_jsonl(path: str | Path, rows: list[dict]) -> Path:
    """Write rows as JSONL atomically."""
    return atomic_write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def read_json(path: str | Path):
    """A whole-file JSON document."""
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as e:
        raise UserError(f"{path}:{e.lineno}: malformed JSON ({e.msg}); fix the file") from None


def read_tsv(path: str | Path, columns: int | None = None) -> list[list[str]]:
    """Tab-separated rows (no quoting, as in XTREME); with `columns`, every row must have that many."""
    rows = []
    for n, line in enumerate(read_text(path).split("\n"), 1):
        line = line.rstrip("\r")
        if not line:
            continue
        cells = line.split("\t")
        if columns is not None and len(cells) != columns:
            raise UserError(f"{path}:{n}: expected {columns} tab-separated columns, found {len(cells)}")
        rows.append(cells)
    return rows


def read_lines(path: str | Path) -> list[str]:
    """Lines of a text file without their newline, blank lines kept (they separate sentences in XTREME)."""
    text = read_text(path)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]


def squad_v2(version) -> bool:
    """Whether a SQuAD `version` field names 2.0 ("v2.0" in the official files, "2.0" elsewhere)."""
    return str(version).lstrip("vV").startswith("2")


# How XTREME's utils_preprocess.py (remove_qa_test_annotations) blanks a test question's answers.
BLANKED_ANSWERS = [{"answer_start": 0, "text": ""}]


def write_squad_json(path: str | Path, examples: list[dict], version: str = "1.1") -> Path:
    """Write examples as SQuAD JSON, grouping questions that share a title and context (in first-seen order).
    A question without "answers" is written blanked, as XTREME leaves its test files; `title` only if given."""
    articles: dict[str | None, dict[str, list]] = {}
    for ex in examples:
        paras = articles.setdefault(ex.get("title"), {})
        if "answers" in ex:
            answers = [{"text": t, "answer_start": s}
                       for t, s in zip(ex["answers"]["text"], ex["answers"]["answer_start"], strict=True)]
        else:
            answers = [dict(a) for a in BLANKED_ANSWERS]
        qa = {"id": ex["id"], "question": ex["question"], "answers": answers}
        if squad_v2(version) and "answers" in ex:
            qa["is_impossible"] = not answers
        paras.setdefault(ex["context"], []).append(qa)
    data = [{**({} if title is None else {"title": title}),
             "paragraphs": [{"context": c, "qas": qas} for c, qas in paras.items()]}
            for title, paras in articles.items()]
    return atomic_write_text(path, json.dumps({"version": version, "data": data}, ensure_ascii=False))
