"""The XTREME submission layout: `<folder>/<task>/test-<lang>.<ext>`, read and written in the official formats.

Kinds of file (what evaluate.py's readers accept; predictions and labels share the layout):
  label    .tsv    one label per line (pawsx, xnli, tatoeba: the retrieved index)
  choice   .jsonl  one {"label": int} per line (xcopa)
  tags     .tsv    one tag per line, a blank line after each sentence (panx, udpos)
  pairs    .tsv    "source_id<TAB>target_id" per line (bucc2018), in any order
  qa       .json   predictions {question id: answer}; labels SQuAD JSON (xquad, mlqa, tydiqa)
  ranking  .json   predictions {query id: [candidate ids, best first]}; labels {query id: [gold ids]}
                   (mewslix as XTREME-R's; lareqa, which the official scorer lacks, the same way)
"""

from __future__ import annotations

import json
from pathlib import Path

from intermezzo.data.formats import read_json, read_lines, write_squad_json
from intermezzo.errors import UserError
from intermezzo.io import atomic_write_json, atomic_write_text

TASK_KINDS = {
    "pawsx": "label", "xnli": "label", "tatoeba": "label", "xcopa": "choice",
    "panx": "tags", "udpos": "tags", "bucc2018": "pairs",
    "xquad": "qa", "mlqa": "qa", "tydiqa": "qa", "mewslix": "ranking", "lareqa": "ranking",
}
# Tasks outside the benchmarks (intermediate tasks, squad, ccg) are written by the kind of their metric.
METRIC_KINDS = {"accuracy": "label", "seqeval_f1": "tags", "squad": "qa", "mlqa": "qa", "bucc_f1": "pairs",
                "mrr@20": "ranking", "map@20": "ranking"}
EXTENSIONS = {"label": "tsv", "choice": "jsonl", "tags": "tsv", "pairs": "tsv", "qa": "json", "ranking": "json"}


def kind_of(task: str) -> str:
    """The file kind of `task`: the official one for benchmark tasks, else the one its metric implies."""
    if task in TASK_KINDS:
        return TASK_KINDS[task]
    from intermezzo.tasks import get_task

    return METRIC_KINDS[get_task(task).metric]


def file_path(folder: str | Path, task: str, lang: str) -> Path:
    """`folder/<task>/test-<lang>.<ext>`."""
    return Path(folder) / task / f"test-{lang}.{EXTENSIONS[kind_of(task)]}"


def _json_lines(path: Path) -> list:
    lines = read_lines(path)
    while lines and not lines[-1].strip():
        lines.pop()
    values = []
    for n, line in enumerate(lines, 1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise UserError(f"{path}:{n}: malformed JSON ({e.msg}); write one {{\"label\": N}} per line") from None
        if not isinstance(row, dict) or "label" not in row:
            raise UserError(f"{path}:{n}: expected an object with a 'label' key, e.g. {{\"label\": 0}}")
        values.append(row["label"])
    return values


def read_tags(path: str | Path) -> tuple[list[list[str]], list[int]]:
    """Tag sentences as evaluate.py's read_tag splits them, and the line each sentence starts on."""
    path = Path(path)
    sentences, starts, current = [], [], []
    for n, raw in enumerate(read_lines(path), 1):
        line = raw.strip()
        if "\t" in line:
            raise UserError(f"{path}:{n}: found a tab; tagging files hold only the tag on each line")
        if line:
            if not current:
                starts.append(n)
            current.append(line)
        else:
            # The official reader closes a sentence at every blank line, so two blank lines make an empty
            # sentence; it still pairs by position, so we keep it.
            if not current:
                starts.append(n)
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    # Trailing empty sentences only add "O"s after the last span, so dropping them changes no score.
    while sentences and not sentences[-1]:
        sentences.pop()
        starts.pop()
    return sentences, starts


def _pairs(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for n, line in enumerate(read_lines(path), 1):
        line = line.strip()
        if not line:
            continue  # the official reader would count a blank line as a pair ('',); it is no pair
        cells = line.split("\t")
        if len(cells) != 2:
            raise UserError(f"{path}:{n}: expected 'source_id<TAB>target_id', found {len(cells)} column(s)")
        pairs.append((cells[0], cells[1]))
    return pairs


def _json_object(path: Path, what: str) -> dict:
    doc = read_json(path)
    if not isinstance(doc, dict):
        raise UserError(f"{path}: expected a JSON object {what}, found {type(doc).__name__}")
    return doc


def _answers(path: Path) -> dict[str, str]:
    doc = _json_object(path, "mapping question ids to answer strings")
    for qid, answer in doc.items():
        if not isinstance(answer, str):
            raise UserError(f"{path}: answer of question '{qid}' is {type(answer).__name__}; write a string")
    return doc


def _rankings(path: Path, gold: bool) -> dict[str, list[str]]:
    doc = _json_object(path, "mapping query ids to lists of candidate ids")
    for qid, ids in doc.items():
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise UserError(f"{path}: query '{qid}' must map to a list of candidate id strings")
        if gold and not ids:
            raise UserError(f"{path}: query '{qid}' has no gold candidate; give at least one id")
    return doc


def _squad_golds(path: Path) -> list[tuple[str, list[str]]]:
    doc = read_json(path)
    articles = doc["data"] if isinstance(doc, dict) and "data" in doc else doc  # as evaluate.py's read_squad
    golds = []
    try:
        for article in articles:
            for paragraph in article["paragraphs"]:
                for qa in paragraph["qas"]:
                    answers = [] if qa.get("is_impossible") else [a["text"] for a in qa["answers"]]
                    golds.append((str(qa["id"]), answers))
    except (KeyError, TypeError) as e:
        raise UserError(f"{path}: not SQuAD JSON (missing or malformed {e}); labels need "
                        "data -> paragraphs -> qas -> id, answers -> text") from None
    return golds


def read_predictions(task: str, lang: str, folder: str | Path):
    """The predictions of one task and language from a submission folder, in the shape METRICS pairs up."""
    path = file_path(folder, task, lang)
    kind = kind_of(task)
    if kind == "label":
        return [line.strip() for line in read_lines(path)]
    if kind == "choice":
        return _json_lines(path)
    if kind == "tags":
        return read_tags(path)[0]
    if kind == "pairs":
        return _pairs(path)
    return _answers(path) if kind == "qa" else _rankings(path, gold=False)


def read_labels(task: str, lang: str, folder: str | Path):
    """The gold labels of one task and language: as read_predictions, except QA ([(id, [answers])], from
    SQuAD JSON) and rankings (every query has gold ids)."""
    path = file_path(folder, task, lang)
    kind = kind_of(task)
    if kind == "qa":
        return _squad_golds(path)
    if kind == "ranking":
        return _rankings(path, gold=True)
    return read_predictions(task, lang, folder)


def _clean(value, what: str) -> str:
    text = str(value)
    if "\n" in text or "\t" in text or "\r" in text:
        raise ValueError(f"{what} {text!r} holds a tab or newline, which the line format cannot keep")
    return text


def write_predictions(task: str, lang: str, predictions, folder: str | Path) -> Path:
    """Write one task and language atomically as `folder/<task>/test-<lang>.<ext>`; returns the path.

    Shapes as read_predictions returns them: labels, xcopa labels (ints), tag lists, (source, target)
    pairs, {question id: answer} or {query id: [ranked candidate ids]}.
    """
    path = file_path(folder, task, lang)
    kind = kind_of(task)
    if kind in ("qa", "ranking"):
        return atomic_write_json(path, dict(predictions), indent=None)
    if kind == "label":
        lines = [_clean(p, "label") + "\n" for p in predictions]
    elif kind == "choice":
        lines = [json.dumps({"label": p}) + "\n" for p in predictions]
    elif kind == "pairs":
        lines = ["\t".join(_clean(i, "id") for i in pair) + "\n" for pair in predictions]
    else:
        lines = ["".join(_clean(t, "tag") + "\n" for t in sentence) + "\n" for sentence in predictions]
    return atomic_write_text(path, "".join(lines))


def write_labels(task: str, lang: str, labels, folder: str | Path) -> Path:
    """Write gold labels in the layout read_labels reads; QA takes canonical examples and writes SQuAD JSON."""
    if kind_of(task) != "qa":
        return write_predictions(task, lang, labels, folder)
    examples = [{"title": "", "context": "", "question": "", **ex} for ex in labels]
    return write_squad_json(file_path(folder, task, lang), examples)
