"""Readers and writers for the file formats XTREME uses: JSONL, TSV, CoNLL-style tagging, SQuAD JSON.

Every reader raises UserError naming the file (and line) on malformed input; every writer is atomic.
"""

from __future__ import annotations

import json
from pathlib import Path

from intermezzo.errors import UserError
from intermezzo.io import atomic_write_text


def _open_text(path: str | Path) -> str:
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: file not found; check the path")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise UserError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start}); re-save it as UTF-8") from None


def read_jsonl(path: str | Path) -> list[dict]:
    """One JSON object per non-blank line."""
    rows = []
    for n, line in enumerate(_open_text(path).splitlines(), 1):
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
        return json.loads(_open_text(path))
    except json.JSONDecodeError as e:
        raise UserError(f"{path}:{e.lineno}: malformed JSON ({e.msg}); fix the file") from None


def read_tsv(path: str | Path, columns: int | None = None) -> list[list[str]]:
    """Tab-separated rows (no quoting, as in XTREME); with `columns`, every row must have that many."""
    rows = []
    for n, line in enumerate(_open_text(path).split("\n"), 1):
        line = line.rstrip("\r")
        if not line:
            continue
        cells = line.split("\t")
        if columns is not None and len(cells) != columns:
            raise UserError(f"{path}:{n}: expected {columns} tab-separated columns, found {len(cells)}")
        rows.append(cells)
    return rows


def write_tsv(path: str | Path, rows: list[list[str]]) -> Path:
    """Write tab-separated rows atomically."""
    return atomic_write_text(path, "".join("\t".join(map(str, r)) + "\n" for r in rows))


def read_lines(path: str | Path) -> list[str]:
    """Lines of a text file without their newline, blank lines kept (they separate sentences in XTREME)."""
    text = _open_text(path)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]


def read_conll(path: str | Path, tag_column: bool = True) -> list[dict]:
    """CoNLL-style tagging: `token<TAB>tag` per line, a blank line between sentences -> [{tokens, tags}]."""
    sentences, tokens, tags = [], [], []
    for n, line in enumerate(read_lines(path), 1):
        if not line.strip():
            if tokens:
                sentences.append({"tokens": tokens, "tags": tags})
                tokens, tags = [], []
            continue
        cells = line.split("\t")
        if tag_column and len(cells) < 2:
            raise UserError(f"{path}:{n}: expected 'token<TAB>tag', found no tab")
        tokens.append(cells[0])
        tags.append(cells[-1] if tag_column else None)
    if tokens:
        sentences.append({"tokens": tokens, "tags": tags})
    return sentences


def write_conll(path: str | Path, sentences: list[dict]) -> Path:
    """Write [{tokens, tags}] as `token<TAB>tag` lines with a blank line after each sentence."""
    out = []
    for s in sentences:
        out.extend(f"{t}\t{g}\n" for t, g in zip(s["tokens"], s["tags"], strict=True))
        out.append("\n")
    return atomic_write_text(path, "".join(out))


def read_squad_json(path: str | Path) -> list[dict]:
    """SQuAD v1.1/v2.0 JSON -> [{id, title, context, question, answers: {text, answer_start}}]."""
    doc = read_json(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise UserError(f"{path}: not SQuAD JSON (expected a top-level 'data' list)")
    examples = []
    try:
        for article in doc["data"]:
            for para in article["paragraphs"]:
                for qa in para["qas"]:
                    answers = [] if qa.get("is_impossible") else qa.get("answers", [])
                    examples.append({
                        "id": str(qa["id"]),
                        "title": article.get("title", ""),
                        "context": para["context"],
                        "question": qa["question"],
                        "answers": {"text": [a["text"] for a in answers],
                                    "answer_start": [int(a["answer_start"]) for a in answers]},
                    })
    except (KeyError, TypeError) as e:
        raise UserError(f"{path}: SQuAD JSON is missing field {e}; check the file's layout") from None
    return examples


def write_squad_json(path: str | Path, examples: list[dict], version: str = "1.1") -> Path:
    """Write examples as SQuAD JSON, grouping questions that share a title and context."""
    articles: dict[str, dict[str, list]] = {}
    for ex in examples:
        paras = articles.setdefault(ex.get("title", ""), {})
        answers = [{"text": t, "answer_start": s}
                   for t, s in zip(ex["answers"]["text"], ex["answers"]["answer_start"], strict=True)]
        qa = {"id": ex["id"], "question": ex["question"], "answers": answers}
        if version.startswith("2"):
            qa["is_impossible"] = not answers
        paras.setdefault(ex["context"], []).append(qa)
    data = [{"title": title, "paragraphs": [{"context": c, "qas": qas} for c, qas in paras.items()]}
            for title, paras in articles.items()]
    return atomic_write_text(path, json.dumps({"version": version, "data": data}, ensure_ascii=False))
