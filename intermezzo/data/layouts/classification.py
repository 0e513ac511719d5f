"""Sentence-pair classification layouts: XTREME's XNLI/PAWS-X TSV, GLUE's TSV with a header, SNLI+MNLI+ANLI.

Checked against google-research/xtreme `utils_preprocess.py` (xnli_preprocess, pawsx_preprocess: rows written
by csv.writer with tabs, so quoted where a field holds a quote and ended by CRLF; test rows lose their label)
and the GLUE, SNLI 1.0 and ANLI 1.0 releases' READMEs.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from intermezzo.data.formats import read_jsonl, read_lines, read_tsv, write_jsonl
from intermezzo.data.layouts.base import DISK_SPLIT, Layout, check_label, column, refuse_empty
from intermezzo.errors import UserError
from intermezzo.io import atomic_write_text
from intermezzo.tasks.spec import TaskSpec

# Label names as some sources spell them -> ours (XNLI's raw files, QQP's hub ClassLabel).
_LABEL_NAMES = {"contradictory": "contradiction", "not_duplicate": "0", "duplicate": "1"}


def _hub_pair(spec: TaskSpec, row: dict, i: int, split: str) -> dict | None:
    """A hub row with the spec's text fields (hub.columns maps names that differ) and maybe a label."""
    ex = {"id": str(row.get("idx", row.get("id", f"{split}-{i}")))}
    ex.update({f: row[column(spec, f)] for f in spec.fields})
    label = row.get(column(spec, "label"))
    if label not in (None, "", -1, "-1"):
        ex["label"] = _LABEL_NAMES.get(str(label), str(label))
    return ex


class PairTsv(Layout):
    """XNLI / PAWS-X after XTREME's download: `{train,dev,test}-{lang}.tsv`, rows text1<TAB>text2[<TAB>label].

    Ids are `{split}-{row}`: the row index names the same item in every language (the test sets are
    translations in one order), as XTREME's processors number them."""

    name = "pair_tsv"

    def read_file(self, spec, path, split="test", lang="en"):
        examples = []
        for n, line in enumerate(read_lines(path), 1):
            if not line.strip():
                continue
            cells = next(csv.reader([line], delimiter="\t"))
            if len(cells) not in (2, 3):
                raise UserError(f"{path}:{n}: expected 2 or 3 tab-separated columns, found {len(cells)}")
            ex = {"id": f"{split}-{len(examples)}", spec.fields[0]: cells[0], spec.fields[1]: cells[1]}
            if len(cells) == 3:
                # XNLI's raw files say "contradictory"; XTREME normalises it, so do we.
                ex["label"] = check_label(spec, _LABEL_NAMES.get(cells[2], cells[2]), f"{path}:{n}")
            examples.append(ex)
        return examples

    def write_file(self, spec, path, examples, split="test", lang="en"):
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="\t")  # csv's default CRLF line ends, as XTREME's files have
        for ex in examples:
            writer.writerow([ex[spec.fields[0]], ex[spec.fields[1]], *([ex["label"]] if "label" in ex else [])])
        return atomic_write_text(path, buf.getvalue())

    def hub_row(self, spec, row, i, split, lang):
        return _hub_pair(spec, row, i, split)


def _glue_rows(spec: TaskSpec, path: Path, columns: dict[str, str]) -> list[dict]:
    rows = read_tsv(path)  # GLUE's TSVs are not csv-quoted: a quote is text
    if not rows:
        return []
    header, examples = rows[0], []
    missing = [c for k, c in columns.items() if k != "label" and c not in header]
    if missing:
        raise UserError(f"{path}:1: header lacks column(s) {', '.join(missing)}; is this the GLUE layout?")
    index = {c: header.index(c) for c in columns.values() if c in header}
    for n, cells in enumerate(rows[1:], 2):
        if len(cells) < max(index.values()) + 1:
            raise UserError(f"{path}:{n}: expected {len(header)} tab-separated columns, found {len(cells)}")
        ex = {"id": f"{path.stem}-{n - 1}"}
        for key, col in columns.items():
            if col in index:
                ex[key] = cells[index[col]]
        if "label" in ex:
            if ex["label"] == "-":  # no annotator consensus: unusable, as in GLUE
                continue
            ex["label"] = check_label(spec, ex["label"], f"{path}:{n}")
        examples.append(ex)
    return examples


class GlueTsv(Layout):
    """MNLI / QQP in the GLUE layout: a header row, columns named by the spec's `columns` (test: no label)."""

    name = "glue_tsv"
    pattern = "{split}.tsv"

    def read_file(self, spec, path, split="test", lang="en"):
        return _glue_rows(spec, Path(path), dict(spec.columns))

    def write_file(self, spec, path, examples, split="test", lang="en", header: list[str] | None = None):
        """`header` lists every column in order (the release's); columns not mapped by the spec's `columns`
        take the example's value of that name, or the row index for index/id columns."""
        names = {col: key for key, col in spec.columns.items()}
        labelled = any("label" in ex for ex in examples)
        header = header or [c for k, c in spec.columns.items() if k != "label" or labelled]
        rows = [header]
        for i, ex in enumerate(examples):
            rows.append([str(ex.get(names[c], "")) if c in names else
                         str(i) if c in ("index", "id") else str(ex.get(c, "")) for c in header])
        return atomic_write_text(path, "".join("\t".join(r) + "\n" for r in rows))

    def hub_row(self, spec, row, i, split, lang):
        return _hub_pair(spec, row, i, split)


_ANLI_LABEL = {"e": "entailment", "n": "neutral", "c": "contradiction"}
_MNLI_FILE = {"train": "train.tsv", "validation": "dev_matched.tsv", "test": "test_matched.tsv"}
_MNLI_COLUMNS = {"premise": "sentence1", "hypothesis": "sentence2", "label": "gold_label"}


def _source_of(example_id: str) -> str:
    """Which release an anli_plus example came from, by the id the reader gave it."""
    return next((s for s in ("mnli", "anli-r1", "anli-r2", "anli-r3") if example_id.startswith(f"{s}-")), "snli")


class AnliPlus(Layout):
    """SNLI + MNLI + ANLI R1-3 from their own release folders under the task folder: `snli_1.0/`, `MNLI/`
    (GLUE), `anli_v1.0/R{1,2,3}/`; labels mapped to shared NLI names. An example's `source` (snli, mnli,
    anli-r1..3) says which file it goes to when written."""

    name = "anli_plus"
    pattern = "snli_1.0/snli_1.0_{split}.jsonl"

    def read(self, spec, folder, split, lang):
        folder, disk, parts = Path(folder), DISK_SPLIT[split], []
        snli = folder / "snli_1.0" / f"snli_1.0_{disk}.jsonl"
        if snli.is_file():
            refuse_empty(snli)
            for n, r in enumerate(read_jsonl(snli), 1):
                if r.get("gold_label") == "-":  # no annotator consensus: unusable
                    continue
                if not {"sentence1", "sentence2"} <= set(r):
                    raise UserError(f"{snli}:{n}: an SNLI row needs sentence1 and sentence2 (and gold_label)")
                parts.append({"id": f"snli-{n}", "premise": r["sentence1"], "hypothesis": r["sentence2"],
                              **({"label": r["gold_label"]} if "gold_label" in r else {})})
        mnli = folder / "MNLI" / _MNLI_FILE[split]
        if mnli.is_file():
            refuse_empty(mnli)
            parts += [dict(ex, id=f"mnli-{ex['id']}") for ex in _glue_rows(spec, mnli, _MNLI_COLUMNS)]
        for r in (1, 2, 3):
            anli = folder / "anli_v1.0" / f"R{r}" / f"{disk}.jsonl"
            if anli.is_file():
                refuse_empty(anli)
                for n, row in enumerate(read_jsonl(anli), 1):
                    label = _ANLI_LABEL.get(row.get("label"))
                    if label is None and "label" in row:
                        raise UserError(f"{anli}:{n}: label must be e, n or c, found {row.get('label')!r}")
                    if not {"context", "hypothesis"} <= set(row):
                        raise UserError(f"{anli}:{n}: an ANLI row needs context and hypothesis")
                    parts.append({"id": f"anli-r{r}-{row.get('uid', n)}", "premise": row["context"],
                                  "hypothesis": row["hypothesis"], **({"label": label} if label else {})})
        if not parts:
            raise UserError(f"{folder}: no SNLI, MNLI or ANLI {split} files found; expected snli_1.0/, MNLI/, "
                            "anli_v1.0/R1..R3/ (their official layouts)")
        for ex in parts:
            if "label" in ex:
                check_label(spec, ex["label"], f"{folder}: example {ex['id']}")
        return parts

    def write(self, spec, folder, split, lang, examples):
        folder, disk = Path(folder), DISK_SPLIT[split]
        by_source: dict[str, list[dict]] = {}
        for ex in examples:
            by_source.setdefault(ex.get("source") or _source_of(ex["id"]), []).append(ex)
        for source, rows in by_source.items():
            if source == "snli":
                write_jsonl(folder / "snli_1.0" / f"snli_1.0_{disk}.jsonl", [
                    {**({"gold_label": ex["label"]} if "label" in ex else {}), "sentence1": ex["premise"],
                     "sentence2": ex["hypothesis"]} for ex in rows])
            elif source == "mnli":
                labelled = all("label" in ex for ex in rows)
                GlueTsv().write_file(spec, folder / "MNLI" / _MNLI_FILE[split],
                                     [{"sentence1": ex["premise"], "sentence2": ex["hypothesis"],
                                       "gold_label": ex.get("label", "")} for ex in rows],
                                     header=["index", "sentence1", "sentence2", *(["gold_label"] if labelled else [])])
            else:
                short = {v: k for k, v in _ANLI_LABEL.items()}
                write_jsonl(folder / "anli_v1.0" / f"R{source[-1]}" / f"{disk}.jsonl", [
                    {"uid": ex["id"].removeprefix(f"{source}-"), "context": ex["premise"],
                     "hypothesis": ex["hypothesis"], **({"label": short[ex["label"]]} if "label" in ex else {})}
                    for ex in rows])
        return folder

    def from_hub(self, spec, rows, split, lang):
        rows = [r for r in rows if r.get("label") != -1]  # SNLI's no-consensus pairs, unusable as in GLUE
        return super().from_hub(spec, rows, split, lang)

    def hub_row(self, spec, row, i, split, lang):
        return _hub_pair(spec, row, i, split)
