"""Readers of the official on-disk layouts (as XTREME's download scripts leave them) -> canonical examples.

Every reader is `read(spec, folder, split, lang) -> list[dict]` with split one of train/validation/test and
raises UserError naming the file (and line) on malformed input. Test files that XTREME strips of labels
yield examples without label keys.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from intermezzo.data.formats import read_jsonl, read_lines, read_squad_json, read_tsv
from intermezzo.data.layout import DISK_SPLIT, check_label as _check_label, split_file
from intermezzo.data.retrieval_readers import read_bucc, read_lareqa, read_mewslix, read_tatoeba
from intermezzo.errors import UserError
from intermezzo.tasks.spec import TaskSpec


def read_pair_tsv(spec: TaskSpec, folder: Path, split: str, lang: str) -> list[dict]:
    """XNLI / PAWS-X: `{split}-{lang}.tsv`, rows `text1<TAB>text2[<TAB>label]` (csv-quoted, as XTREME writes)."""
    path = split_file(spec, folder, split, lang, "{split}-{lang}.tsv")
    examples = []
    for n, line in enumerate(read_lines(path), 1):
        if not line.strip():
            continue
        cells = next(csv.reader([line], delimiter="\t"))
        if len(cells) not in (2, 3):
            raise UserError(f"{path}:{n}: expected 2 or 3 tab-separated columns, found {len(cells)}")
        ex = {"id": f"{lang}-{split}-{len(examples)}", spec.fields[0]: cells[0], spec.fields[1]: cells[1]}
        if len(cells) == 3:
            # XNLI's raw files say "contradictory"; XTREME normalises it, so do we.
            label = "contradiction" if cells[2] == "contradictory" else cells[2]
            ex["label"] = _check_label(spec, label, f"{path}:{n}")
        examples.append(ex)
    return examples


def _glue_rows(spec: TaskSpec, path: Path, columns: dict[str, str]) -> list[dict]:
    rows = read_tsv(path)
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
            ex["label"] = _check_label(spec, ex["label"], f"{path}:{n}")
        examples.append(ex)
    return examples


def read_glue_tsv(spec: TaskSpec, folder: Path, split: str, lang: str) -> list[dict]:
    """MNLI / QQP in the GLUE layout: a header row; columns named in extra['columns']."""
    return _glue_rows(spec, split_file(spec, folder, split, lang, "{split}.tsv"), spec.extra["columns"])


_ANLI_LABEL = {"e": "entailment", "n": "neutral", "c": "contradiction"}


def read_anli_plus(spec: TaskSpec, folder: Path, split: str, lang: str) -> list[dict]:
    """SNLI + MNLI + ANLI R1-3 from their own folders under `folder`, mapped to shared NLI labels."""
    folder, disk, parts = Path(folder), DISK_SPLIT[split], []
    snli = folder / "snli_1.0" / f"snli_1.0_{disk}.jsonl"
    if snli.is_file():
        for n, r in enumerate(read_jsonl(snli), 1):
            if r.get("gold_label") == "-":  # no annotator consensus: unusable
                continue
            if not {"sentence1", "sentence2", "gold_label"} <= set(r):
                raise UserError(f"{snli}:{n}: an SNLI row needs sentence1, sentence2 and gold_label")
            parts.append({"id": f"snli-{n}", "premise": r["sentence1"], "hypothesis": r["sentence2"],
                          "label": r["gold_label"]})
    mnli = folder / "MNLI" / {"train": "train.tsv", "validation": "dev_matched.tsv",
                              "test": "test_matched.tsv"}[split]
    if mnli.is_file():
        cols = {"premise": "sentence1", "hypothesis": "sentence2", "label": "gold_label"}
        parts += [dict(ex, id=f"mnli-{ex['id']}") for ex in _glue_rows(spec, mnli, cols)]
    for r in (1, 2, 3):
        anli = folder / "anli_v1.0" / f"R{r}" / f"{disk}.jsonl"
        if anli.is_file():
            for n, row in enumerate(read_jsonl(anli), 1):
                label = _ANLI_LABEL.get(row.get("label"))
                if label is None:
                    raise UserError(f"{anli}:{n}: label must be e, n or c, found {row.get('label')!r}")
                if not {"context", "hypothesis"} <= set(row):
                    raise UserError(f"{anli}:{n}: an ANLI row needs context and hypothesis")
                parts.append({"id": f"anli-r{r}-{row.get('uid', n)}", "premise": row["context"],
                              "hypothesis": row["hypothesis"], "label": label})
    if not parts:
        raise UserError(f"{folder}: no SNLI, MNLI or ANLI {split} files found; expected snli_1.0/, MNLI/, "
                        "anli_v1.0/R1..R3/ (their official layouts)")
    for ex in parts:
        _check_label(spec, ex["label"], f"{folder}: example {ex['id']}")
    return parts


def read_tag_tsv(spec: TaskSpec, folder: Path, split: str, lang: str) -> list[dict]:
    """PAN-X / UD-POS / CCG: `token<TAB>tag` lines (`token` alone in test), blank line between sentences.
    A `lang:` prefix on tokens (raw WikiANN files) is stripped."""
    path = split_file(spec, folder, split, lang, "{split}-{lang}.tsv")
    prefix, unknown = f"{lang}:", spec.extra.get("unknown_tag")
    sentences, tokens, tags = [], [], []

    def flush():
        if tokens:
            ex = {"id": f"{lang}-{split}-{len(sentences)}", "tokens": list(tokens)}
            if tags:
                if len(tags) != len(tokens):
                    raise UserError(f"{path}: sentence {len(sentences) + 1} mixes tagged and untagged lines")
                ex["tags"] = list(tags)
            sentences.append(ex)
            tokens.clear()
            tags.clear()

    for n, line in enumerate(read_lines(path), 1):
        if not line.strip():
            flush()
            continue
        cells = line.split("\t")
        if len(cells) > 2 or not cells[0]:
            raise UserError(f"{path}:{n}: expected 'token<TAB>tag' or 'token', found {line!r}")
        token = cells[0][len(prefix):] if cells[0].startswith(prefix) and len(cells[0]) > len(prefix) else cells[0]
        tokens.append(token)
        if len(cells) == 2:
            tag = cells[1].strip()
            if unknown and tag not in spec.labels:
                tag = unknown
            tags.append(_check_label(spec, tag, f"{path}:{n}"))
    flush()
    return sentences


def read_squad(spec: TaskSpec, folder: Path, split: str, lang: str) -> list[dict]:
    """SQuAD-format JSON (XQuAD, MLQA, TyDiQA-GoldP, SQuAD); XTREME's blanked test answers become none."""
    path = split_file(spec, folder, split, lang, "{split}-{lang}.json")
    examples = read_squad_json(path)
    for ex in examples:
        ans = ex["answers"]
        keep = [i for i, t in enumerate(ans["text"]) if t]
        for i in keep:
            start, text = ans["answer_start"][i], ans["text"][i]
            if ex["context"][start:start + len(text)] != text:
                raise UserError(f"{path}: question {ex['id']}: answer '{text}' is not at offset {start} of its "
                                "context; fix answer_start")
        ex["answers"] = {"text": [ans["text"][i] for i in keep],
                         "answer_start": [ans["answer_start"][i] for i in keep]}
        ex.pop("title", None)
    return examples


_COPA_QUESTION = {"cause": "What was the cause?", "effect": "What happened as a result?"}


def read_copa(spec: TaskSpec, folder: Path, split: str, lang: str) -> list[dict]:
    """COPA / XCOPA JSONL: `{train,val,test}-{lang}.jsonl` rows {premise, choice1, choice2, question, label}."""
    disk = {"validation": "val"}.get(split, split)
    path = split_file(spec, folder, split, lang, f"{disk}-{{lang}}.jsonl")
    examples = []
    for n, row in enumerate(read_jsonl(path), 1):
        if "choices" in row and "premise" not in row:  # already canonical (a JSONL source under the same name)
            examples.append(dict(row, id=str(row.get("id", f"{lang}-{split}-{n}"))))
            continue
        try:
            ex = {"id": f"{lang}-{split}-{row.get('idx', n)}", "context": row["premise"],
                  "question": _COPA_QUESTION[row["question"]], "choices": [row["choice1"], row["choice2"]]}
        except KeyError as e:
            raise UserError(f"{path}:{n}: missing or unknown field {e}; expected a (X)COPA row") from None
        if "label" in row:
            ex["label"] = _mc_label(row["label"], 2, f"{path}:{n}")
        examples.append(ex)
    return examples


def _mc_label(value, n_choices: int, where: str) -> int:
    try:
        label = int(value)
    except (TypeError, ValueError):
        raise UserError(f"{where}: label {value!r} is not an integer choice index") from None
    if not 0 <= label < n_choices:
        raise UserError(f"{where}: label {label} out of range 0..{n_choices - 1}")
    return label


def read_siqa(spec: TaskSpec, folder: Path, split: str, lang: str) -> list[dict]:
    """Social IQa v1.4: `socialIQa_v1.4_{trn,dev,tst}.jsonl` with answerA-C and `correct` A/B/C."""
    disk = {"train": "trn", "validation": "dev", "test": "tst"}[split]
    path = split_file(spec, folder, split, lang, f"socialIQa_v1.4_{disk}.jsonl")
    examples = []
    for n, row in enumerate(read_jsonl(path), 1):
        try:
            ex = {"id": f"siqa-{split}-{n}", "context": row["context"], "question": row["question"],
                  "choices": [row["answerA"], row["answerB"], row["answerC"]]}
        except KeyError as e:
            raise UserError(f"{path}:{n}: missing field {e}; expected a Social IQa row") from None
        if "correct" in row:
            if row["correct"] not in ("A", "B", "C"):
                raise UserError(f"{path}:{n}: 'correct' must be A, B or C, found {row['correct']!r}")
            ex["label"] = "ABC".index(row["correct"])
        examples.append(ex)
    return examples


def read_hellaswag(spec: TaskSpec, folder: Path, split: str, lang: str) -> list[dict]:
    """HellaSwag: `hellaswag_{train,val,test}.jsonl` rows {ind, ctx_a, ctx_b, endings, label}."""
    disk = {"validation": "val"}.get(split, split)
    path = split_file(spec, folder, split, lang, f"hellaswag_{disk}.jsonl")
    examples = []
    for n, row in enumerate(read_jsonl(path), 1):
        try:
            ex = {"id": f"hellaswag-{row.get('ind', n)}", "context": row["ctx_a"], "question": row["ctx_b"],
                  "choices": list(row["endings"])}
        except KeyError as e:
            raise UserError(f"{path}:{n}: missing field {e}; expected a HellaSwag row") from None
        if row.get("label") not in (None, ""):
            ex["label"] = _mc_label(row["label"], len(ex["choices"]), f"{path}:{n}")
        examples.append(ex)
    return examples


def read_cosmosqa(spec: TaskSpec, folder: Path, split: str, lang: str) -> list[dict]:
    """Cosmos QA: `train.csv` / `valid.csv` (id, context, question, answer0-3, label), `test.jsonl`."""
    name = {"train": "train.csv", "validation": "valid.csv", "test": "test.jsonl"}[split]
    path = split_file(spec, folder, split, lang, name)
    if path.suffix == ".jsonl":
        rows = list(enumerate(read_jsonl(path), 1))
    else:
        with open(path, encoding="utf-8", newline="") as f:
            rows = [(n, row) for n, row in enumerate(csv.DictReader(f), 2)]
    examples = []
    for n, row in rows:
        try:
            ex = {"id": row["id"], "context": row["context"], "question": row["question"],
                  "choices": [row[f"answer{i}"] for i in range(4)]}
        except KeyError as e:
            raise UserError(f"{path}:{n}: missing field {e}; expected a Cosmos QA row") from None
        if row.get("label") not in (None, ""):
            ex["label"] = _mc_label(row["label"], 4, f"{path}:{n}")
        examples.append(ex)
    return examples


def read_commonsenseqa(spec: TaskSpec, folder: Path, split: str, lang: str) -> list[dict]:
    """CommonsenseQA: `{train,dev}_rand_split.jsonl`, `test_rand_split_no_answers.jsonl`."""
    name = {"train": "train_rand_split.jsonl", "validation": "dev_rand_split.jsonl",
            "test": "test_rand_split_no_answers.jsonl"}[split]
    path = split_file(spec, folder, split, lang, name)
    examples = []
    for n, row in enumerate(read_jsonl(path), 1):
        try:
            choices = row["question"]["choices"]
            ex = {"id": row["id"], "context": "", "question": row["question"]["stem"],
                  "choices": [c["text"] for c in choices]}
            keys = [c["label"] for c in choices]
        except (KeyError, TypeError) as e:
            raise UserError(f"{path}:{n}: missing field {e}; expected a CommonsenseQA row") from None
        if "answerKey" in row:
            if row["answerKey"] not in keys:
                raise UserError(f"{path}:{n}: answerKey {row['answerKey']!r} is not among {keys}")
            ex["label"] = keys.index(row["answerKey"])
        examples.append(ex)
    return examples


READERS: dict[str, Callable[[TaskSpec, Path, str, str], list[dict]]] = {
    "pair_tsv": read_pair_tsv,
    "glue_tsv": read_glue_tsv,
    "anli_plus": read_anli_plus,
    "tag_tsv": read_tag_tsv,
    "squad_json": read_squad,
    "copa_jsonl": read_copa,
    "siqa": read_siqa,
    "hellaswag": read_hellaswag,
    "cosmosqa": read_cosmosqa,
    "commonsenseqa": read_commonsenseqa,
    "tatoeba": read_tatoeba,
    "bucc": read_bucc,
    "mewslix": read_mewslix,
    "lareqa": read_lareqa,
}
