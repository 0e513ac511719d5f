"""Hugging Face hub loading: `datasets.load_dataset(spec.hub...)`, each row converted to the canonical schema.

The field mapping of each task is one small function in CONVERTERS (row -> example or None to drop it);
ClassLabel integers are turned into their names first, so converters see strings.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from intermezzo.errors import UserError
from intermezzo.tasks.spec import TaskSpec

_COPA_QUESTION = {"cause": "What was the cause?", "effect": "What happened as a result?"}


def _pair(a: str, b: str) -> Callable:
    def convert(spec: TaskSpec, row: dict, i: int, lang: str) -> dict | None:
        ex = {"id": str(row.get("idx", row.get("id", f"{lang}-{i}"))), spec.fields[0]: row[a], spec.fields[1]: row[b]}
        label = row.get("label", row.get("gold_label"))
        if label not in (None, "", -1, "-1"):
            label = {"not_duplicate": "0", "duplicate": "1", "contradictory": "contradiction"}.get(label, label)
            ex["label"] = str(label)
        return ex
    return convert


def _tags(column: str) -> Callable:
    def convert(spec: TaskSpec, row: dict, i: int, lang: str) -> dict:
        return {"id": f"{lang}-{i}", "tokens": list(row["tokens"]), "tags": list(row[column])}
    return convert


def _squad(spec: TaskSpec, row: dict, i: int, lang: str) -> dict:
    ans = row["answers"]
    return {"id": str(row["id"]), "context": row["context"], "question": row["question"],
            "answers": {"text": list(ans["text"]), "answer_start": [int(s) for s in ans["answer_start"]]}}


def _copa(spec: TaskSpec, row: dict, i: int, lang: str) -> dict:
    ex = {"id": f"{lang}-{row.get('idx', i)}", "context": row["premise"],
          "question": _COPA_QUESTION[row["question"]], "choices": [row["choice1"], row["choice2"]]}
    if row.get("label", -1) not in (-1, None):
        ex["label"] = int(row["label"])
    return ex


def _siqa(spec: TaskSpec, row: dict, i: int, lang: str) -> dict:
    return {"id": f"siqa-{i}", "context": row["context"], "question": row["question"],
            "choices": [row["answerA"], row["answerB"], row["answerC"]], "label": int(row["label"]) - 1}


def _hellaswag(spec: TaskSpec, row: dict, i: int, lang: str) -> dict:
    ex = {"id": f"hellaswag-{row.get('ind', i)}", "context": row["ctx_a"], "question": row["ctx_b"],
          "choices": list(row["endings"])}
    if row.get("label") not in (None, ""):
        ex["label"] = int(row["label"])
    return ex


def _cosmosqa(spec: TaskSpec, row: dict, i: int, lang: str) -> dict:
    ex = {"id": str(row["id"]), "context": row["context"], "question": row["question"],
          "choices": [row[f"answer{k}"] for k in range(4)]}
    if row.get("label") not in (None, -1):
        ex["label"] = int(row["label"])
    return ex


def _csqa(spec: TaskSpec, row: dict, i: int, lang: str) -> dict:
    keys = list(row["choices"]["label"])
    ex = {"id": str(row["id"]), "context": "", "question": row["question"], "choices": list(row["choices"]["text"])}
    if row.get("answerKey") in keys:
        ex["label"] = keys.index(row["answerKey"])
    return ex


CONVERTERS: dict[str, Callable[[TaskSpec, dict, int, str], dict | None]] = {
    "xnli": _pair("sentence1", "sentence2"), "pawsx": _pair("sentence1", "sentence2"),
    "mnli": _pair("premise", "hypothesis"), "anli_plus": _pair("premise", "hypothesis"),
    "qqp": _pair("question1", "question2"),
    "udpos": _tags("pos_tags"), "panx": _tags("ner_tags"),
    "xquad": _squad, "mlqa": _squad, "tydiqa": _squad, "squad": _squad, "squad_v2": _squad,
    "xcopa": _copa, "copa": _copa, "siqa": _siqa, "hellaswag": _hellaswag, "cosmosqa": _cosmosqa,
    "commonsenseqa": _csqa,
}


def _parallel(spec: TaskSpec, rows: list[dict], lang: str) -> list[dict]:
    """google/xtreme's tatoeba/bucc18 rows are aligned pairs: source = query, target = its gold candidate."""
    queries = [{"id": f"{lang}-{i}", "kind": "query", "text": r["source_sentence"], "gold": [f"en-{i}"]}
               for i, r in enumerate(rows)]
    return queries + [{"id": f"en-{i}", "kind": "candidate", "text": r["target_sentence"]} for i, r in enumerate(rows)]


def _named(ds) -> list[dict]:
    """Rows as dicts with ClassLabel integers replaced by their names (sequences of them too)."""
    import datasets

    rows = ds.to_list()
    for col, feat in ds.features.items():
        inner = getattr(feat, "feature", None)
        if isinstance(feat, datasets.ClassLabel):
            for r in rows:
                r[col] = feat.int2str(r[col]) if r[col] is not None and r[col] >= 0 else -1
        elif isinstance(inner, datasets.ClassLabel) or (isinstance(feat, list) and feat
                                                         and isinstance(feat[0], datasets.ClassLabel)):
            names = inner if inner is not None else feat[0]
            for r in rows:
                r[col] = [names.int2str(v) for v in r[col]]
    return rows


def _fetch(hub_id: str, config: str | None, split: str, trust_remote_code: bool):
    import datasets

    kwargs = {}
    if trust_remote_code:
        if "trust_remote_code" not in inspect.signature(datasets.load_dataset).parameters:
            raise UserError(f"{hub_id}: this datasets version ({datasets.__version__}) cannot run dataset "
                            "scripts; download the official files and pass their folder as the source")
        kwargs["trust_remote_code"] = True
    try:
        return datasets.load_dataset(hub_id, None if config == "default" else config, split=split, **kwargs)
    except Exception as e:  # the hub raises many types (connection, offline mode, missing config); one line each
        first = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
        raise UserError(f"hub {hub_id}/{config or ''} split {split}: the Hugging Face hub is unreachable or "
                        f"refused ({type(e).__name__}: {first}); download the official files and pass their "
                        "folder (or a .jsonl of canonical examples) as the source instead of 'hub'") from None


_ANLI_SPLIT = {"train": "train_r{r}", "validation": "dev_r{r}", "test": "test_r{r}"}
_GLUE_MNLI = {"validation": "validation_matched", "test": "test_matched"}


def _anli_plus(spec: TaskSpec, split: str, trust_remote_code: bool) -> list[dict]:
    rows = []
    (snli, snli_cfg), (glue, mnli_cfg), (anli, anli_cfg) = spec.extra["hub_parts"]
    rows += _named(_fetch(snli, snli_cfg, split, trust_remote_code))
    rows += _named(_fetch(glue, mnli_cfg, _GLUE_MNLI.get(split, split), trust_remote_code))
    for r in (1, 2, 3):
        rows += _named(_fetch(anli, anli_cfg, _ANLI_SPLIT[split].format(r=r), trust_remote_code))
    return [r for r in rows if r.get("label") != -1]  # SNLI's no-consensus pairs, unusable as in GLUE


def load_hub(spec: TaskSpec, split: str, lang: str, trust_remote_code: bool = False,
             limit: int | None = None) -> list[dict]:
    """Canonical examples of (spec, split, lang) from the Hugging Face hub (at least the first `limit`)."""
    if spec.hub is None and "hub_parts" not in spec.extra:
        raise UserError(f"task {spec.name}: no Hugging Face copy; download the official files (see docs/tasks.md) "
                        "and pass their folder as the source")
    hub_lang = spec.extra.get("hub_lang", {}).get(lang, lang)
    hub_split = spec.extra.get("hub_splits", {}).get(split, split)
    if limit is not None and "hub_filter" not in spec.extra and spec.type != "retrieval":
        hub_split = f"{hub_split}[:{limit}]"  # fetch only what is kept (rows map one to one)
    if "hub_parts" in spec.extra:
        rows = _anli_plus(spec, split, trust_remote_code)
    else:
        hub_id, config = spec.hub
        rows = _named(_fetch(hub_id, config.format(lang=hub_lang), hub_split, trust_remote_code))
    if spec.extra.get("hub_filter") == "language":
        rows = [r for r in rows if r.get("language") == lang]
    elif spec.extra.get("hub_filter") == "id_prefix":
        rows = [r for r in rows if str(r.get("id", "")).startswith(f"{hub_lang}-")]
    if spec.name in ("tatoeba", "bucc2018"):
        return _parallel(spec, rows, lang)
    if spec.name not in CONVERTERS:
        raise UserError(f"task {spec.name}: no hub converter; pass a folder of the official files as the source")
    out = [CONVERTERS[spec.name](spec, row, i, lang) for i, row in enumerate(rows)]
    return [ex for ex in out if ex is not None]
