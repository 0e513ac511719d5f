"""Noise a task's data file and write it back in the format it came in (SQuAD JSON, CoNLL, TSV, JSONL)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from intermezzo.data.formats import (read_json, read_jsonl, read_lines, read_squad_json, write_jsonl,
                                     write_squad_json)
from intermezzo.errors import UserError
from intermezzo.io import atomic_write_text
from intermezzo.noise.examples import noise_examples
from intermezzo.noise.registry import check_noise, parse_noise


def _fields(spec, fields):
    return tuple(fields) if fields else (spec.fields or None)


def _squad(spec, src: Path, dst: Path, lang, noise, seed, fields) -> int:
    version = str(read_json(src).get("version", "1.1"))
    examples = read_squad_json(src)
    noisy = noise_examples(examples, "extractive_qa", lang, noise, seed, fields=fields)
    write_squad_json(dst, noisy, version="2.0" if version.startswith("2") else version)
    return len(noisy)


def _conll(spec, src: Path, dst: Path, lang, noise, seed, fields) -> int:
    """`token<TAB>tag` (or `token` alone in test files), a blank line between sentences."""
    sentences, rows = [], []
    for n, line in enumerate([*read_lines(src), ""], 1):
        if line.strip():
            cells = line.split("\t")
            if len(cells) > 2 or not cells[0]:
                raise UserError(f"{src}:{n}: expected 'token<TAB>tag' or 'token', found {line!r}")
            rows.append(cells)
        elif rows:
            sentences.append({"id": f"s{len(sentences)}", "tokens": [r[0] for r in rows], "rows": rows})
            rows = []
    noisy = noise_examples([{"id": s["id"], "tokens": s["tokens"]} for s in sentences], "tagging", lang,
                           noise, seed)
    out = []
    for s, ex in zip(sentences, noisy):
        out += ["\t".join([tok, *r[1:]]) + "\n" for tok, r in zip(ex["tokens"], s["rows"], strict=True)]
        out.append("\n")
    atomic_write_text(dst, "".join(out))
    return len(noisy)


def _tsv(spec, src: Path, dst: Path, lang, noise, seed, fields) -> int:
    """Classification TSV: a GLUE header naming the columns, else the text fields first (XNLI, PAWS-X)."""
    rows = [next(csv.reader([line], delimiter="\t")) for line in read_lines(src) if line.strip()]
    names = _fields(spec, fields) or ()
    columns = spec.columns or None
    if columns and rows:
        header, body = rows[:1], rows[1:]
        where = {f: header[0].index(columns.get(f, f)) for f in names if columns.get(f, f) in header[0]}
    else:
        header, body = [], rows
        where = {f: i for i, f in enumerate(names)}
    if not where:
        raise UserError(f"{src}: no text columns to noise for task {spec.name}; pass --fields or use JSONL")
    examples = []
    for n, cells in enumerate(body):
        if len(cells) <= max(where.values()):
            raise UserError(f"{src}: row {n + 1 + len(header)} has {len(cells)} columns, expected more; fix it")
        examples.append({"id": f"row{n}", **{f: cells[i] for f, i in where.items()}})
    noisy = noise_examples(examples, "classification", lang, noise, seed, fields=tuple(where))
    for cells, ex in zip(body, noisy):
        for f, i in where.items():
            cells[i] = ex[f]
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t", lineterminator="\n").writerows(header + body)
    atomic_write_text(dst, buf.getvalue())
    return len(noisy)


def _jsonl(spec, src: Path, dst: Path, lang, noise, seed, fields) -> int:
    noisy = noise_examples(read_jsonl(src), spec.type, lang, noise, seed, fields=_fields(spec, fields))
    write_jsonl(dst, noisy)
    return len(noisy)


def noise_file(spec, src, dst, lang: str, noise: str, seed: int, fields=None) -> int:
    """Noise the examples in `src` for task `spec` into `dst` (same format); returns how many were written."""
    src, dst = Path(src), Path(dst)
    check_noise(parse_noise(noise), lang)  # a bad spec or language fails before any file is read
    if src.resolve() == dst.resolve():
        raise UserError(f"{dst}: the output would overwrite the input; choose another --output")
    if src.suffix == ".jsonl":
        return _jsonl(spec, src, dst, lang, noise, seed, fields)
    if spec.type == "extractive_qa" and src.suffix == ".json":
        return _squad(spec, src, dst, lang, noise, seed, fields)
    if spec.type == "tagging" and src.suffix in (".tsv", ".txt", ".conll", ""):
        return _conll(spec, src, dst, lang, noise, seed, fields)
    if spec.type == "classification" and src.suffix == ".tsv":
        return _tsv(spec, src, dst, lang, noise, seed, fields)
    expected = {"extractive_qa": "SQuAD .json", "tagging": "CoNLL .tsv", "classification": ".tsv"}.get(spec.type)
    raise UserError(f"{src}: cannot read a {src.suffix or 'suffix-less'} file for {spec.type} task {spec.name}; "
                    f"use {expected + ' or ' if expected else ''}canonical .jsonl")



