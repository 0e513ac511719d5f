"""The demo's real data from PyPI's bigbench 1.0.0 sdist (never installed): extract, convert, write JSONL.

Only these members of `bigbench-1.0.0.tar.gz` are read (all under bigbench-1.0.0/bigbench/benchmark_tasks/):
  multiemo/all_sentence_<lang>/task.json    BIG-bench JSON, {"input", "target_scores"} (see demo.multiemo)
  vitaminc_fact_verification/task.json      input "<page>: <evidence>\\nClaim: <claim>", True/False/Neither
  epistemic_reasoning/task.json             input "Premise: <p> Hypothesis: <h>", entailment/non-entailment
  squad_shifts/squaddev_v1.1.json           SQuAD v1.1 dev (10,565 questions; 5 removed by BIG-bench)
  social_iqa/task.json                      input "<context> <question>", three answers in target_scores
  paragraph_segmentation/task.json          9,000 Wikipedia documents, one sentence per line, in blocks of
                                            1,000 per language: de en es fr it nl pl pt ru (checked)
Outputs go to <cache>/data/<task>/{split}-{lang}.jsonl (canonical examples, readable by
intermezzo.data.load as a source) and <cache>/data/mlm_text/<lang>.txt; each folder gets a done-marker.
Every split is a fixed, seeded sample, so the same sizes and seed give the same files.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from intermezzo.data.formats import write_jsonl
from intermezzo.data.layouts import LAYOUTS
from intermezzo.demo import archive, assets, multiemo
from intermezzo.errors import UserError
from intermezzo.io import atomic_dir, atomic_write_text, is_done, mark_done
from intermezzo.tasks import get_task

BIGBENCH = ("bigbench", "1.0.0")
ROOT = "bigbench-1.0.0/bigbench/benchmark_tasks/"
MEMBERS = {
    "multiemo": [f"multiemo/all_sentence_{lang}/task.json" for lang in multiemo.LANGS],
    "vitaminc": ["vitaminc_fact_verification/task.json"],
    "epistemic_reasoning": ["epistemic_reasoning/task.json"],
    "squad_shifts_dev": ["squad_shifts/squaddev_v1.1.json"],
    "social_iqa": ["social_iqa/task.json"],
    "mlm_text": ["paragraph_segmentation/task.json"],
}
PARAGRAPH_LANGS = ("de", "en", "es", "fr", "it", "nl", "pl", "pt", "ru")  # the file's block order
VITAMINC_LABELS = {"True": "supports", "False": "refutes", "Neither": "not_enough_info"}


@dataclass
class Sizes:
    """How many examples each split gets (None = all that remain); the demo uses small slices."""

    multiemo_train: int | None = 2000
    multiemo_validation: int = 500
    multiemo_test: int = 500           # per language
    retrieval: int = 1000              # query/candidate pairs per language
    vitaminc_train: int | None = 5000
    vitaminc_validation: int = 1000
    epistemic_train: int | None = None  # of 2,000 examples
    epistemic_validation: int = 400
    squad_train: int | None = None     # questions; validation is whole articles (squad_validation_articles)
    squad_validation_articles: int = 5
    social_iqa_validation: int = 300
    mlm_documents: int | None = None   # per language
    seed: int = 0


def extract_bigbench(cache_dir: str | Path | None = None) -> Path:
    """The needed task files, extracted once from the sdist into <cache>/extract/bigbench-1.0.0."""
    root = Path(cache_dir) if cache_dir else assets.cache_dir()
    out = root / "extract" / "-".join(BIGBENCH)
    wanted = [ROOT + m for members in MEMBERS.values() for m in members]
    # An extract made before a member was added to MEMBERS lacks it: extract again rather than fail later.
    if is_done(out) and all((out / m).is_file() for m in wanted):
        return out
    sdist = assets.fetch_sdist(*BIGBENCH, root=root)
    start = time.perf_counter()
    with atomic_dir(out) as tmp:
        archive.extract(sdist, tmp, wanted)
        mark_done(tmp, {"sdist_sha256": assets.sha256(sdist), "seconds": round(time.perf_counter() - start, 1)})
    return out


def task_examples(path: Path) -> list[dict]:
    """The "examples" list of a BIG-bench JSON task file."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise UserError(f"{path}: unreadable BIG-bench task file ({e}); delete the cache and run again") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("examples"), list):
        raise UserError(f"{path}: not a BIG-bench JSON task (no 'examples' list)")
    return doc["examples"]


def _member(raw: Path, rel: str) -> Path:
    return Path(raw) / ROOT / rel


def _seeded_split(items: list, n_validation: int, n_train: int | None, seed: int) -> tuple[list, list]:
    order = np.random.default_rng(seed).permutation(len(items))
    val = [items[i] for i in sorted(order[:n_validation])]
    rest = order[n_validation:] if n_train is None else order[n_validation:n_validation + n_train]
    return [items[i] for i in sorted(rest)], val


def convert_multiemo(raw: Path, out: Path, sizes: Sizes) -> dict:
    """multiemo (train/validation English, test every language) and multiemo_retrieval (test)."""
    texts, labels = {}, {}
    for lang in multiemo.LANGS:
        path = _member(raw, f"multiemo/all_sentence_{lang}/task.json")
        rows = task_examples(path)
        texts[lang] = [str(r["input"]) for r in rows]
        labels[lang] = [multiemo.label_of(r, f"{path} row {i}") for i, r in enumerate(rows)]
    splits = multiemo.split_rows(len(texts["en"]), {"validation": sizes.multiemo_validation,
                                                    "test": sizes.multiemo_test * 4,
                                                    "train": sizes.multiemo_train}, sizes.seed)
    aligned = {lang: ({i: i for i in range(len(texts["en"]))} if lang == "en"
                      else multiemo.align(labels["en"], labels[lang])) for lang in multiemo.LANGS}
    # One test set for every language: multiemo_test rows drawn at random from those of an oversized held-out
    # sample that are aligned and non-blank in all of them (pt lacks ~10% of the rows, zh has blanks), so that
    # test sets are parallel item for item and a bootstrap can resample an item across languages together.
    # (Drawn, not the first ones: the files are ordered by review domain.)
    usable = multiemo.rows_in_every_language(texts, aligned, splits["test"])
    pick = np.random.default_rng(sizes.seed).permutation(len(usable))[:sizes.multiemo_test]
    test_rows = np.sort(usable[pick])
    stats = {}
    cls_dir, ret_dir = out / "multiemo", out / "multiemo_retrieval"
    with atomic_dir(cls_dir) as cls_tmp, atomic_dir(ret_dir) as ret_tmp:
        for lang in multiemo.LANGS:
            rows = aligned[lang]
            stats[lang] = {"rows": len(texts[lang]), "aligned": len(rows)}
            for split in (("train", "validation", "test") if lang == "en" else ("test",)):
                wanted = test_rows if split == "test" else splits[split]
                write_jsonl(cls_tmp / f"{split}-{lang}.jsonl", multiemo.classification_examples(
                    texts[lang], labels[lang], rows, wanted, None))
            if lang != "en":
                held_in = set(splits["train"].tolist()) | set(splits["validation"].tolist())
                write_jsonl(ret_tmp / f"test-{lang}.jsonl", multiemo.retrieval_examples(
                    texts["en"], texts[lang], rows, sizes.retrieval, sizes.seed, exclude=held_in))
        mark_done(cls_tmp, {"sizes": asdict(sizes), "alignment": stats, "test_rows": len(test_rows)})
        mark_done(ret_tmp, {"sizes": asdict(sizes), "alignment": stats})
    return stats


def convert_vitaminc(raw: Path, out: Path, sizes: Sizes) -> None:
    """vitaminc: premise = "<page>: <evidence>", hypothesis = the claim, 3 labels."""
    path = _member(raw, "vitaminc_fact_verification/task.json")
    examples = []
    for i, row in enumerate(task_examples(path)):
        premise, sep, claim = str(row.get("input", "")).rpartition("\nClaim: ")
        best = [k for k, v in row.get("target_scores", {}).items() if v == 1]
        if not sep or len(best) != 1 or best[0] not in VITAMINC_LABELS:
            raise UserError(f"{path} row {i}: expected '<evidence>\\nClaim: <claim>' and one of True/False/Neither")
        examples.append({"id": f"vitaminc-{i}", "premise": premise, "hypothesis": claim,
                         "label": VITAMINC_LABELS[best[0]]})
    train, val = _seeded_split(examples, sizes.vitaminc_validation, sizes.vitaminc_train, sizes.seed)
    _write_task(out / "vitaminc", {"train-en": train, "validation-en": val}, sizes)


EPISTEMIC = re.compile(r"^Premise: (?P<premise>.+?) Hypothesis: (?P<hypothesis>.+)$", re.S)


def convert_epistemic(raw: Path, out: Path, sizes: Sizes) -> None:
    """epistemic_reasoning: premise and hypothesis from "Premise: <p> Hypothesis: <h>", 2 labels (NLI)."""
    path = _member(raw, "epistemic_reasoning/task.json")
    examples = []
    for i, row in enumerate(task_examples(path)):
        m = EPISTEMIC.match(str(row.get("input", "")).strip())
        best = [k for k, v in row.get("target_scores", {}).items() if v == 1]
        if not m or len(best) != 1 or best[0] not in ("entailment", "non-entailment"):
            raise UserError(f"{path} row {i}: expected 'Premise: <p> Hypothesis: <h>' and one of "
                            "entailment/non-entailment scored 1")
        examples.append({"id": f"epistemic-{i}", "premise": m["premise"], "hypothesis": m["hypothesis"],
                         "label": best[0]})
    train, val = _seeded_split(examples, sizes.epistemic_validation, sizes.epistemic_train, sizes.seed)
    _write_task(out / "epistemic_reasoning", {"train-en": train, "validation-en": val}, sizes)


def convert_squad(raw: Path, out: Path, sizes: Sizes) -> None:
    """squad_shifts_dev: SQuAD v1.1 dev as extractive QA; validation = whole held-out articles."""
    examples = LAYOUTS["squad_json"].read_file(get_task("squad"), _member(raw, "squad_shifts/squaddev_v1.1.json"))
    titles = sorted({e["title"] for e in examples})
    order = np.random.default_rng(sizes.seed).permutation(len(titles))
    held = {titles[i] for i in order[:sizes.squad_validation_articles]}
    train = [e for e in examples if e["title"] not in held]
    if sizes.squad_train is not None:
        keep = set(np.random.default_rng(sizes.seed).permutation(len(train))[:sizes.squad_train].tolist())
        train = [e for i, e in enumerate(train) if i in keep]
    _write_task(out / "squad_shifts_dev", {"train-en": train,
                                           "validation-en": [e for e in examples if e["title"] in held]}, sizes)


QUESTION = re.compile(r"^(?P<context>.*[.!?\"'])\s+(?P<question>[^.!?]*\?)\s*$", re.S)


def convert_social_iqa(raw: Path, out: Path, sizes: Sizes) -> None:
    """social_iqa: the input's last sentence (ending in '?') is the question, the rest the context."""
    path = _member(raw, "social_iqa/task.json")
    examples = []
    for i, row in enumerate(task_examples(path)):
        text = str(row.get("input", "")).strip()
        scores = row.get("target_scores", {})
        gold = [k for k, v in scores.items() if v == 1]
        if len(gold) != 1:
            raise UserError(f"{path} row {i}: expected exactly one answer scored 1, got {scores}")
        m = QUESTION.match(text)
        context, question = (m["context"], m["question"]) if m else ("", text)
        choices = list(scores)
        examples.append({"id": f"social_iqa-{i}", "context": context, "question": question,
                         "choices": choices, "label": choices.index(gold[0])})
    train, val = _seeded_split(examples, sizes.social_iqa_validation, None, sizes.seed)
    _write_task(out / "social_iqa", {"train-en": train, "validation-en": val}, sizes)


# Frequent words that are rare in the other eight languages (so "de", "en", "da" are left out).
STOPWORDS = {
    "de": {"und", "der", "die", "das", "ist", "nicht", "ein"}, "en": {"the", "and", "of", "was", "is", "with"},
    "es": {"el", "los", "del", "y", "que", "las", "por"}, "fr": {"le", "les", "et", "des", "est", "du", "une"},
    "it": {"il", "di", "che", "della", "nel", "per", "gli"}, "nl": {"het", "een", "van", "zijn", "niet", "ook"},
    "pl": {"się", "w", "na", "jest", "oraz", "z"}, "pt": {"os", "do", "não", "uma", "dos", "das", "ao"},
    "ru": {"и", "в", "на", "не", "что", "с"},
}


def guess_lang(text: str) -> str:
    """The paragraph language whose stop words occur most often in `text` (enough for whole documents)."""
    words = re.findall(r"\w+", text.lower())
    return max(STOPWORDS, key=lambda lang: sum(w in STOPWORDS[lang] for w in words))


def convert_paragraphs(raw: Path, out: Path, sizes: Sizes) -> dict[str, int]:
    """mlm_text/<lang>.txt: one sentence a line, a blank line between documents."""
    path = _member(raw, "paragraph_segmentation/task.json")
    rows = task_examples(path)
    per = len(rows) // len(PARAGRAPH_LANGS)
    if per * len(PARAGRAPH_LANGS) != len(rows):
        raise UserError(f"{path}: {len(rows)} documents is not {len(PARAGRAPH_LANGS)} equal language blocks")
    counts = {}
    with atomic_dir(out / "mlm_text") as tmp:
        for b, lang in enumerate(PARAGRAPH_LANGS):
            block = [str(r["input"]).strip("\n") for r in rows[b * per:(b + 1) * per]]
            seen = guess_lang(" ".join(block[:50]))
            if seen != lang:
                raise UserError(f"{path}: documents {b * per}-{(b + 1) * per - 1} look {seen}, expected {lang}; "
                                "the file's layout changed")
            block = block[:sizes.mlm_documents] if sizes.mlm_documents is not None else block
            atomic_write_text(tmp / f"{lang}.txt", "\n\n".join(block) + "\n")
            counts[lang] = len(block)
        mark_done(tmp, {"documents": counts})
    return counts


def _write_task(folder: Path, files: dict[str, list[dict]], sizes: Sizes) -> None:
    with atomic_dir(folder) as tmp:
        for name, rows in files.items():
            write_jsonl(tmp / f"{name}.jsonl", rows)
        mark_done(tmp, {"sizes": asdict(sizes), "counts": {k: len(v) for k, v in files.items()}})


CONVERTERS = {"multiemo": convert_multiemo, "vitaminc": convert_vitaminc, "epistemic_reasoning": convert_epistemic,
              "squad_shifts_dev": convert_squad,
              "social_iqa": convert_social_iqa, "mlm_text": convert_paragraphs}
OUTPUTS = {"multiemo": ("multiemo", "multiemo_retrieval"), "vitaminc": ("vitaminc",),
           "epistemic_reasoning": ("epistemic_reasoning",),
           "squad_shifts_dev": ("squad_shifts_dev",), "social_iqa": ("social_iqa",), "mlm_text": ("mlm_text",)}


def prepare_data(cache_dir: str | Path | None = None, sizes: Sizes | None = None,
                 tasks: tuple[str, ...] = tuple(CONVERTERS)) -> dict[str, Path]:
    """Folders of every demo data set ({task: folder}), converted once per sizes (cached under data/)."""
    root = Path(cache_dir) if cache_dir else assets.cache_dir()
    sizes = sizes or Sizes()
    out = root / "data" / f"seed{sizes.seed}-{_sizes_key(sizes)}"
    folders = {}
    for task in tasks:
        if task not in CONVERTERS:
            raise UserError(f"unknown demo data set '{task}'; choose from {', '.join(CONVERTERS)}")
        if not all(is_done(out / name) for name in OUTPUTS[task]):
            CONVERTERS[task](extract_bigbench(root), out, sizes)
        folders.update({name: out / name for name in OUTPUTS[task]})
    return folders


# Bump when a converter's output changes for the same sizes (2: one parallel MultiEmo test set for all languages).
FORMAT = 2


def _sizes_key(sizes: Sizes) -> str:
    import hashlib

    return hashlib.sha256(json.dumps({**asdict(sizes), "format": FORMAT}, sort_keys=True).encode()).hexdigest()[:10]
