"""Noise a task's data file in the layout it came in, as intermezzo/data/readers.py reads it, touching only the
fields the task's text lives in: labels, ids, templates (XCOPA's `question`) and every other key come back as
they were, and every answer offset is recomputed. Layouts: canonical JSONL; the JSONL/CSV rows of (X)COPA,
SIQA, HellaSwag, Cosmos QA, CommonsenseQA, SNLI and ANLI; XNLI/PAWS-X TSV; GLUE TSV with a header; CoNLL
`token<TAB>tag`; SQuAD JSON (XQuAD, MLQA, TyDiQA-GoldP, SQuAD, XQuAD-R); Tatoeba and BUCC sentence files;
Mewsli-X mention JSONL.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
from pathlib import Path

from intermezzo.data.formats import read_json, read_jsonl, read_lines
from intermezzo.errors import UserError
from intermezzo.io import atomic_write_text
from intermezzo.noise.examples import noise_examples
from intermezzo.noise.registry import check_noise, parse_noise
from intermezzo.tasks.schema import schema_of

# Raw row layouts: (keys that identify the layout, {canonical text field: raw path}, derived keys). A row is
# read by the first layout it matches whose fields are the task's text fields, as the readers decide (an
# XCOPA row with `premise` is the (X)COPA layout, also as XTREME's download leaves it). A path is a key, a
# dotted path with `*` for each list element, or a list of keys that together hold one list field.
ROW_LAYOUTS = [
    (("premise", "choice1"), {"context": "premise", "choices": ["choice1", "choice2"]}, {}),  # (X)COPA
    (("answerA",), {"context": "context", "question": "question",
                    "choices": ["answerA", "answerB", "answerC"]}, {}),  # Social IQa
    # HellaSwag's `ctx` is ctx_a + " " + ctx_b: rebuilt when it was exactly that.
    (("ctx_a", "endings"), {"context": "ctx_a", "question": "ctx_b", "choices": "endings"},
     {"ctx": ("ctx_a", "ctx_b")}),
    (("answer0",), {"context": "context", "question": "question",
                    "choices": ["answer0", "answer1", "answer2", "answer3"]}, {}),  # Cosmos QA
    (("question.stem",), {"question": "question.stem", "choices": "question.choices.*.text"}, {}),  # CommonsenseQA
    (("sentence1", "sentence2"), {"premise": "sentence1", "hypothesis": "sentence2"}, {}),  # SNLI
    (("context", "hypothesis"), {"premise": "context", "hypothesis": "hypothesis"}, {}),  # ANLI
]
# GLUE-style TSV headers of tasks whose spec does not name its columns (ANLI+'s MNLI part).
NLI_COLUMNS = {"premise": "sentence1", "hypothesis": "sentence2"}


def layout_name(spec) -> str | None:
    """The spec's on-disk layout (a key of intermezzo.data.layouts.LAYOUTS)."""
    return spec.layout


def _header_columns(spec) -> dict | None:
    return spec.columns or None


def _get(row, path):
    if isinstance(path, list):
        return [_get(row, p) for p in path]
    head, _, rest = path.partition(".")
    if head == "*":
        return [_get(x, rest) for x in row]
    value = row.get(head) if isinstance(row, dict) else None
    return _get(value, rest) if rest and value is not None else value


def _put(row, path, value) -> None:
    if isinstance(path, list):
        for p, v in zip(path, value, strict=True):
            _put(row, p, v)
        return
    head, _, rest = path.partition(".")
    if head == "*":
        for x, v in zip(row, value, strict=True):
            _put(x, rest, v)
    elif rest:
        _put(row[head], rest, value)
    else:
        row[head] = value


def _layout_of(row: dict, text: tuple[str, ...]):
    for keys, mapping, derived in ROW_LAYOUTS:
        if set(mapping) <= set(text) and all(_get(row, k) is not None for k in keys):
            return mapping, derived
    return None, {}


def _noise_rows(spec, rows: list[dict], where, lang, noise, seed, fields) -> list[dict]:
    """Noisy copies of raw rows: each row's text read through its layout, noised, put back in place; rows in
    no official layout are canonical examples already (their ids key the noise, as in evaluation)."""
    schema = schema_of(spec)
    text = schema.text_fields(spec)
    examples, plans = [], []
    for n, row in enumerate(rows):
        mapping, derived = _layout_of(row, text)
        if mapping is None:
            if not set(schema.text_fields(spec, row)) & set(row):
                raise UserError(f"{where}:{n + 1}: no {spec.name} text in this row (keys: {', '.join(row)}); "
                                "expected the task's official layout or canonical JSONL")
            examples.append(row)
        else:
            mapping = {f: p for f, p in mapping.items() if f in (fields or text)}
            examples.append({"id": str(row.get("id", row.get("idx", f"row{n}"))),
                             **{f: _get(row, p) for f, p in mapping.items()}})
        plans.append((mapping, derived))
    out = []
    for row, new, (mapping, derived) in zip(rows, noise_examples(examples, spec, lang, noise, seed, fields=fields),
                                           plans):
        if mapping is None:
            out.append(new)
            continue
        row = copy.deepcopy(row)
        rebuild = {key: row.get(key) == f"{row.get(a)} {row.get(b)}" for key, (a, b) in derived.items()}
        for f, path in mapping.items():
            _put(row, path, new[f])
        for key, (a, b) in derived.items():
            if rebuild[key]:
                row[key] = f"{row[a]} {row[b]}"
        out.append(row)
    return out


def _jsonl(spec, src, lang, noise, seed, fields) -> tuple[str, int]:
    rows = read_jsonl(src)
    first = rows[0] if rows else {}
    if "mentions" in first or isinstance(first.get("mention"), dict):
        rows = _mewslix(rows, lang, noise, seed, fields)
    elif "entity_id" in first and "description" in first:
        raise UserError(f"{src}: Mewsli-X candidate entities are the index being searched, and retrieval noise "
                        "touches queries only; noise wikinews_mentions/*.jsonl instead")
    else:
        rows = _noise_rows(spec, rows, src, lang, noise, seed, fields)
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), len(rows)


def _mewslix(rows: list[dict], lang, noise, seed, fields) -> list[dict]:
    """Mewsli-X contexts: the query text is the mention's context, so mention and sentence spans are realigned."""
    if fields and "text" not in fields:
        return rows
    examples, spans = [], []
    for n, row in enumerate(rows):
        mentions = row["mentions"] if "mentions" in row else [row["mention"]]
        ctx = row["context"]
        marks = [m["mention_span"] for m in mentions] + list(ctx.get("sentence_spans", []))
        spans.append(marks)
        examples.append({"id": mentions[0].get("example_id", f"row{n}") if mentions else f"row{n}",
                         "context": ctx["text"], "answers": {
                             "text": [ctx["text"][s["start"]:s["end"]] for s in marks],
                             "answer_start": [s["start"] for s in marks]}})
    out = []
    for row, marks, new in zip(rows, spans, noise_examples(examples, "extractive_qa", lang, noise, seed,
                                                           fields=("context",))):
        row = copy.deepcopy(row)
        row["context"]["text"] = new["context"]
        moved = zip(new["answers"]["answer_start"], new["answers"]["text"])
        fresh = [m["mention_span"] for m in (row["mentions"] if "mentions" in row else [row["mention"]])]
        for span, (start, text) in zip(fresh + list(row["context"].get("sentence_spans", [])), moved):
            span.update(start=start, end=start + len(text), **({"text": text} if "text" in span else {}))
        out.append(row)
    return out


def _squad(spec, src, lang, noise, seed, fields) -> tuple[str, int]:
    """SQuAD JSON, structure kept: one noisy context per paragraph shared by its questions, offsets recomputed.
    `plausible_answers` (SQuAD 2.0) are spans too; XTREME's blanked test answers (utils_preprocess.py
    remove_qa_test_annotations: text '' at 0) stay as they are."""
    doc = read_json(src)
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise UserError(f"{src}: not SQuAD JSON (expected a top-level 'data' list)")
    retrieval = schema_of(spec).align == "queries"  # XQuAD-R: questions are the queries, contexts the index
    allowed = fields or (("text",) if retrieval else ("context", "question"))
    paragraphs, questions = [], []
    try:
        for a, article in enumerate(doc["data"]):
            for p, para in enumerate(article["paragraphs"]):
                answers = [ans for qa in para["qas"] for key in ("answers", "plausible_answers")
                           for ans in qa.get(key, [])]
                paragraphs.append((para, answers, {"id": f"p{a}.{p}", "context": para["context"], "answers": {
                    "text": [x["text"] for x in answers], "answer_start": [int(x["answer_start"]) for x in answers]}}))
                questions += [(qa, {"id": str(qa["id"]), "question": qa["question"]}) for qa in para["qas"]]
    except (KeyError, TypeError) as e:
        raise UserError(f"{src}: SQuAD JSON is missing field {e}; check the file's layout") from None
    if "context" in allowed and not retrieval:
        noisy = noise_examples([ex for *_, ex in paragraphs], "extractive_qa", lang, noise, seed,
                               fields=("context",))
        for (para, answers, _), new in zip(paragraphs, noisy):
            para["context"] = new["context"]
            for ans, text, start in zip(answers, new["answers"]["text"], new["answers"]["answer_start"]):
                ans["text"], ans["answer_start"] = text, start
    if {"question", "text"} & set(allowed):
        noisy = noise_examples([ex for _, ex in questions], "extractive_qa", lang, noise, seed,
                               fields=("question",))
        for (qa, _), new in zip(questions, noisy):
            qa["question"] = new["question"]
    return json.dumps(doc, ensure_ascii=False), len(questions)


def _conll(spec, src, lang, noise, seed, fields) -> tuple[str, int]:
    """`token<TAB>tag` (or `token` alone in test files), a blank line between sentences; raw PAN-X tokens keep
    their `lang:` prefix, which is not text."""
    prefix, sentences, rows = f"{lang}:", [], []
    for n, line in enumerate([*read_lines(src), ""], 1):
        if line.strip():
            cells = line.split("\t")
            if len(cells) > 2 or not cells[0]:
                raise UserError(f"{src}:{n}: expected 'token<TAB>tag' or 'token', found {line!r}")
            rows.append(cells)
        elif rows:
            sentences.append(rows)
            rows = []
    cut = [[len(prefix) if r[0].startswith(prefix) and len(r[0]) > len(prefix) else 0 for r in s]
           for s in sentences]
    examples = [{"id": f"s{i}", "tokens": [r[0][k:] for r, k in zip(s, ks)]}
                for i, (s, ks) in enumerate(zip(sentences, cut))]
    out = []
    for s, ks, ex in zip(sentences, cut, noise_examples(examples, spec, lang, noise, seed, fields=fields)):
        out += ["\t".join([r[0][:k] + tok, *r[1:]]) + "\n" for tok, r, k in zip(ex["tokens"], s, ks, strict=True)]
        out.append("\n")
    return "".join(out), len(examples)


def _allow_long_fields() -> None:
    # csv refuses fields over 128 KiB by default; a long paragraph is data, not an error (issue 14, row 4).
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))


def _tsv(spec, src, lang, noise, seed, fields) -> tuple[str, int]:
    """XNLI / PAWS-X rows (text columns first, csv-quoted: google-research/xtreme utils_preprocess.py writes them
    with csv.writer) or GLUE TSV with a header naming the columns (no quoting: the GLUE reader splits on tabs)."""
    _allow_long_fields()
    names = fields or schema_of(spec).text_fields(spec)
    columns = _header_columns(spec) or (NLI_COLUMNS if layout_name(spec) == "anli_plus" else None)
    lines = [line for line in read_lines(src) if line.strip()]
    if columns:
        rows = [line.split("\t") for line in lines]
        header, body = rows[:1], rows[1:]
        where = {f: header[0].index(columns[f]) for f in names if header and columns.get(f) in header[0]}
    else:
        header, body = [], [next(csv.reader([line], delimiter="\t")) for line in lines]
        where = {f: spec.fields.index(f) for f in names if f in spec.fields}  # a field's column is its place
    if not where:
        raise UserError(f"{src}: no text columns to noise for task {spec.name}; pass --fields or use JSONL")
    examples = []
    for n, cells in enumerate(body):
        if len(cells) <= max(where.values()):
            raise UserError(f"{src}:{n + 1 + len(header)}: {len(cells)} column(s), expected more; fix that row")
        examples.append({"id": f"row{n}", **{f: cells[i] for f, i in where.items()}})
    for cells, ex in zip(body, noise_examples(examples, spec, lang, noise, seed, fields=tuple(where))):
        for f, i in where.items():
            cells[i] = ex[f]
    if columns:
        return "".join("\t".join(r) + "\n" for r in header + body), len(body)
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t", lineterminator="\n").writerows(body)
    return buf.getvalue(), len(body)


def _csv(spec, src, lang, noise, seed, fields) -> tuple[str, int]:
    """Cosmos QA's train.csv / valid.csv: comma-separated with a header."""
    _allow_long_fields()
    with open(src, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    out = _noise_rows(spec, rows, src, lang, noise, seed, fields)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=reader.fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(out)
    return buf.getvalue(), len(out)


def _sentences(spec, src, lang, noise, seed, fields) -> tuple[str, int]:
    """Tatoeba (`sentence` per line) and BUCC (`id<TAB>sentence`): the `lang` side holds the queries."""
    if src.suffix in (".en", ".eng", ".gold"):
        raise UserError(f"{src}: the English side and gold pairs are what queries are searched against; retrieval "
                        f"noise touches queries only: noise the {lang} side ({src.with_suffix('.' + lang).name})")
    if fields and "text" not in fields:
        raise UserError(f"{src}: {spec.name} files hold only query text; drop --fields or pass --fields text")
    lines, bucc = read_lines(src), layout_name(spec) == "bucc"
    cells = [line.split("\t", 1) if bucc else ["", line] for line in lines]
    if bucc and any(len(c) != 2 for c in cells):
        raise UserError(f"{src}: expected 'id<TAB>sentence' lines")
    queries = [{"id": c[0] or f"line{n}", "kind": "query", "text": c[1]} for n, c in enumerate(cells)]
    noisy = noise_examples(queries, spec, lang, noise, seed, fields=("text",))
    return "".join((f"{c[0]}\t" if bucc else "") + q["text"] + "\n"
                   for c, q in zip(cells, noisy)), len(noisy)


def check_output(src: Path, dst: Path) -> None:
    """Refuse an output that is the input, a folder, or not writable, before any work is done."""
    if dst.is_dir():
        raise UserError(f"{dst}: is a folder; give --output a file path (e.g. {dst / src.name})")
    if src.exists() and dst.exists() and src.resolve() == dst.resolve():
        raise UserError(f"{dst}: the output would overwrite the input; choose another --output")
    parent = dst.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise UserError(f"{dst}: cannot write there ({parent} is not a writable folder); choose another --output")


def noise_file(spec, src, dst, lang: str, noise: str, seed: int, fields=None) -> int:
    """Noise the examples in `src` for task `spec` into `dst` (same layout); returns how many were written."""
    src, dst = Path(src), Path(dst)
    check_noise(parse_noise(noise), lang)  # a bad spec or language fails before any file is read
    schema = schema_of(spec)
    fields = schema.check_fields(fields, spec) if fields else None
    check_output(src, dst)
    if not src.is_file():
        raise UserError(f"{src}: file not found; check the path")
    if src.suffix == ".jsonl":
        handler = _jsonl
    elif src.suffix == ".json":
        handler = _squad
    elif src.suffix == ".csv":
        handler = _csv
    elif layout_name(spec) in ("tatoeba", "bucc"):
        handler = _sentences
    elif schema.align == "tokens":
        handler = _conll
    elif src.suffix == ".tsv" and schema.type == "classification":
        handler = _tsv
    else:
        raise UserError(f"{src}: cannot read a {src.suffix or 'suffix-less'} file for {spec.type} task "
                        f"{spec.name}; use its official layout (see intermezzo data --help) or canonical .jsonl")
    text, n = handler(spec, src, lang, noise, seed, fields)
    try:
        atomic_write_text(dst, text)
    except OSError as e:
        raise UserError(f"{dst}: could not write ({e.strerror or e}); choose another --output") from None
    return n
