"""Score a submission folder against a labels folder as XTREME's evaluate.py does, for XTREME and XTREME-R.

The official scorer's tables (per-benchmark tasks and languages, group membership, metric per task) are
derived from the task registry: a spec's `benchmarks`, `benchmark_langs(b)`, `groups_in(b)` and `metric`,
registered in evaluate.py's task order. Only the order of the groups is stated here. The official table has
no LAReQA languages (an empty list, which breaks its overall score); we score LAReQA on its registry
languages (XQuAD's).
"""

from __future__ import annotations

from pathlib import Path

from intermezzo.errors import UserError, closest, unknown
from intermezzo.metrics import submission
from intermezzo.metrics.scorers import METRICS, headline
from intermezzo.tasks import TASKS

BENCHMARKS = ("xtreme", "xtreme-r")
# google-research/xtreme evaluate.py, XTREME_GROUP2TASK / XTREME_R_GROUP2TASK: the groups in their order.
GROUP_ORDER = ("classification", "tagging", "qa", "retrieval", "multi_choice")


def _benchmark_specs(benchmark: str) -> list:
    return [spec for spec in TASKS.values() if benchmark in spec.benchmarks]


_LANGS = {b: {spec.name: spec.benchmark_langs(b) for spec in _benchmark_specs(b)} for b in BENCHMARKS}
GROUPS = {b: {g: [s.name for s in _benchmark_specs(b) if g in s.groups_in(b)] for g in GROUP_ORDER
              if any(g in s.groups_in(b) for s in _benchmark_specs(b))} for b in BENCHMARKS}
TASK_METRICS = {spec.name: spec.metric for b in BENCHMARKS for spec in _benchmark_specs(b)}


def task_langs(benchmark: str) -> dict[str, tuple[str, ...]]:
    """Task -> official languages of `benchmark`, in the official order (which the output JSON keeps)."""
    if benchmark not in _LANGS:
        raise unknown("benchmark", benchmark, BENCHMARKS)
    return dict(_LANGS[benchmark])


def _subfolders(folder: Path) -> list[str]:
    if not folder.is_dir():
        raise UserError(f"{folder}: folder not found; give the folder that holds one subfolder per task")
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def _check_tasks(names: list[str], folder: Path, benchmark: str, notes: list[str]) -> list[str]:
    """Tasks of `benchmark` among the subfolders; a name no benchmark knows is a UserError."""
    known = {t for b in BENCHMARKS for t in _LANGS[b]} | set(submission.TASK_KINDS) | set(TASKS)
    kept = []
    for name in names:
        if name in _LANGS[benchmark]:
            kept.append(name)
        elif name in known:
            notes.append(f"{folder / name}: {name} is not part of {benchmark}; skipped")
        else:
            near = closest(name, sorted(known))
            hint = f"did you mean {', '.join(near)}?" if near else f"task folders are named {', '.join(sorted(known))}"
            raise UserError(f"{folder / name}: unknown task folder '{name}'; {hint} (rename it or remove it)")
    return kept


def _check_langs(task: str, folder: Path, langs: tuple[str, ...]) -> set[str]:
    """Languages with a file in `folder/task`; files for languages the task lacks are a UserError."""
    ext = submission.EXTENSIONS[submission.kind_of(task)]
    every = {lang for b in BENCHMARKS for lang in task_langs(b).get(task, ())}
    found = set()
    for path in sorted((folder / task).iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        stem, dot, suffix = path.name.partition(".")
        if not stem.startswith("test-") or suffix != ext:
            raise UserError(f"{path}: expected files named test-<lang>.{ext} in {folder / task}; rename it")
        lang = stem[len("test-"):]
        if lang not in every:
            raise UserError(f"{path}: {unknown(f'language for {task}', lang, every)}")
        if lang in langs:
            found.add(lang)
    return found


def _pair_up(task: str, lang: str, pred_dir: Path, label_dir: Path, notes: list[str]) -> tuple[list, list]:
    """Predictions and references aligned by position, as the task's metric takes them."""
    preds = submission.read_predictions(task, lang, pred_dir)
    golds = submission.read_labels(task, lang, label_dir)
    pred_path = submission.file_path(pred_dir, task, lang)
    kind = submission.kind_of(task)
    if kind in ("qa", "ranking"):
        ids = [qid for qid, _ in golds] if kind == "qa" else list(golds)
        refs = [g for _, g in golds] if kind == "qa" else list(golds.values())
        missing = sum(qid not in preds for qid in ids)
        if missing:
            notes.append(f"{pred_path}: {missing} of {len(ids)} questions unanswered; they score 0")
        return [preds.get(qid) for qid in ids], refs
    if kind == "pairs":
        return preds, golds
    label_path = submission.file_path(label_dir, task, lang)
    if len(preds) != len(golds):
        unit = "sentences" if kind == "tags" else "lines"
        raise UserError(f"{pred_path}: {len(preds)} {unit} but {label_path} has {len(golds)}; "
                        f"write one prediction per test example, in the labels' order")
    if kind == "tags":
        starts = submission.read_tags(pred_path)[1]
        for i, (p, g) in enumerate(zip(preds, golds)):
            if len(p) != len(g):
                raise UserError(f"{pred_path}:{starts[i]}: sentence {i + 1} has {len(p)} tags but the "
                                f"labels have {len(g)}; write one tag per token")
    if kind == "choice":
        for n, (p, g) in enumerate(zip(preds, golds), 1):
            if type(p) is not type(g):
                raise UserError(f"{pred_path}:{n}: label {p!r} is a {type(p).__name__} but the gold label is "
                                f"a {type(g).__name__}; write it as {g.__class__.__name__} like the labels")
    return preds, golds


def _score_task(task: str, langs: tuple[str, ...], pred_dir: Path, label_dir: Path, notes: list[str],
                legacy: bool) -> dict:
    """One task's entry: metric -> {lang: value}, avg_<metric>, avg_metric (and missing_langs if partial)."""
    have_pred = _check_langs(task, pred_dir, langs)
    have_gold = _check_langs(task, label_dir, langs)
    for lang in sorted(have_pred ^ have_gold):
        there, absent = (pred_dir, label_dir) if lang in have_pred else (label_dir, pred_dir)
        raise UserError(f"{submission.file_path(absent, task, lang)}: file not found, though "
                        f"{submission.file_path(there, task, lang)} exists; add it or remove the other")
    scores: dict = {}
    for lang in langs:
        if lang not in have_pred:
            continue
        preds, refs = _pair_up(task, lang, pred_dir, label_dir, notes)
        try:
            options = {"legacy": legacy} if TASK_METRICS[task] == "seqeval_f1" else {}
            result = METRICS[TASK_METRICS[task]](preds, refs, lang, **options)
        except ValueError as e:
            raise UserError(f"{submission.file_path(pred_dir, task, lang)}: cannot score ({e})") from None
        for metric, value in result.items():
            scores.setdefault(metric, {})[lang] = value
    if not scores:
        return {}
    for metric in list(scores):
        scores[f"avg_{metric}"] = sum(scores[metric].values()) / len(scores[metric])
    scores["avg_metric"] = headline({m[4:]: v for m, v in scores.items() if m.startswith("avg_")})
    missing = [lang for lang in langs if lang not in have_pred]
    if missing:
        scores["missing_langs"] = missing
    return scores


def score_folders(pred_dir: str | Path, label_dir: str | Path, benchmark: str = "xtreme-r",
                  notes: list[str] | None = None, seqeval_legacy: bool = False) -> dict:
    """The official output JSON: group scores and `all_task` first (when complete), then one entry per task.

    Partial submissions are scored too: a task missing languages gets `missing_langs` and stays out of
    group and overall scores; `missing_tasks` names every task that keeps `all_task` from being given;
    `unmatched_tasks` names task folders found in only one of the two folders. `notes` collects
    warnings (unanswered questions, skipped folders) for the caller to print. `seqeval_legacy` scores
    tagging as seqeval 0.0.12 did (the numbers in XTREME's evaluate_test.py); see metrics.seqeval.
    """
    notes = [] if notes is None else notes
    pred_dir, label_dir = Path(pred_dir), Path(label_dir)
    langs = task_langs(benchmark)
    pred_tasks = _check_tasks(_subfolders(pred_dir), pred_dir, benchmark, notes)
    label_tasks = _check_tasks(_subfolders(label_dir), label_dir, benchmark, notes)
    detailed = {}
    for task in langs:  # official order
        if task in pred_tasks and task in label_tasks:
            entry = _score_task(task, langs[task], pred_dir, label_dir, notes, seqeval_legacy)
            if entry:
                detailed[task] = entry
    complete = {t for t, e in detailed.items() if "missing_langs" not in e}
    overall: dict = {}
    missing = [t for t in langs if t not in complete]
    if not missing:
        overall["all_task"] = sum(detailed[t]["avg_metric"] for t in langs) / len(langs)
    for group, tasks in GROUPS[benchmark].items():
        if set(tasks) <= complete:
            overall[group] = sum(detailed[t]["avg_metric"] for t in tasks) / len(tasks)
    if missing:
        overall["missing_tasks"] = missing
    unmatched = {t: ("predictions only" if t in pred_tasks else "labels only")
                 for t in sorted(set(pred_tasks) ^ set(label_tasks))}
    if unmatched:
        overall["unmatched_tasks"] = unmatched
    return {**overall, **detailed}
