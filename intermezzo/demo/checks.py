"""The demo's own sanity checks, read from a finished run folder: did every run learn its target task (English
dev score) and its intermediate task (that task's dev score), or is it within a few points of chance?

A cross-lingual gain means nothing when the English model under it failed to train, so the demo prints these
before any other number and warns, naming the arm, seed and phase folder, about every run that is near chance.
Scores come from the training phases' summaries (`validation: {task: {score, chance, ...}}`); chance is the higher
of the level a summary records and the majority-class share of the dev split the score was computed on.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from statistics import fmean

MARGIN = 5.0  # points above chance below which a run counts as "not learned"


def _summary(run_dir: Path, key: str) -> dict:
    path = Path(run_dir) / "phases" / key / "summary.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def majority_share(task: str, source: str, split: str = "validation", lang: str = "en") -> float | None:
    """Share (0-100) of the most frequent label of a labelled classification split, or None."""
    from intermezzo.errors import UserError
    from intermezzo.phases.common import load_task_examples
    from intermezzo.tasks import get_task

    try:
        spec = get_task(task)
        examples = load_task_examples(spec, split, lang, source, None)
    except UserError:
        return None
    labels = [str(e["label"]) for e in examples if e.get("label") is not None]
    if not labels or spec.type not in ("classification", "multiple_choice"):
        return None
    return 100.0 * max(Counter(labels).values()) / len(labels)


def dev_score(summary: dict, task: str, params: dict, lang: str = "en") -> dict | None:
    """{score, chance} of a training phase on `task`'s dev split, or None when the phase recorded none.

    The contract's `validation` block first; a target summary without it still has its early-stopping best.
    """
    block = (summary.get("validation") or {}).get(task)
    if block is None and summary.get("phase") == "target" and (summary.get("best") or {}).get("value") is not None:
        block = {"score": summary["best"]["value"], "chance": None, "best_step": summary["best"].get("step"),
                 "steps": summary.get("steps")}
    if block is None or block.get("score") is None:
        return None
    # The stricter of the two baselines: a classifier that always answers the most frequent label reaches the
    # majority share, which is well above 1/labels on skewed dev splits (VitaminC: 51% vs 33%).
    levels = [c for c in (block.get("chance"), majority_share(task, params.get("source", "hub"), lang=lang))
              if c is not None]
    chance = max(levels) if levels else None
    return {"score": float(block["score"]), "chance": chance, "best_step": block.get("best_step"),
            "steps": block.get("steps", summary.get("steps")), "lang": block.get("lang", lang),
            "translated": bool(block.get("translated"))}


def training_checks(run_dir: str | Path) -> list[dict]:
    """One row per evaluated run: condition, seed, language of a target-language arm, the target phase's
    English dev score and the intermediate phase's dev score per intermediate task (each with chance)."""
    run_dir = Path(run_dir)
    plan = json.loads((run_dir / "plan.json").read_text(encoding="utf-8"))
    nodes = {n["key"]: n for n in plan["nodes"]}
    rows = []
    for cell in plan["cells"]:
        target_key = nodes[cell["key"]]["inputs"].get("model")
        if target_key is None:
            continue  # scored straight from an encoder: no training to check
        target = nodes[target_key]
        row = {"condition": cell["condition"], "seed": cell["seed"], "lang": cell.get("lang"),
               "target_phase": target_key, "english_dev": None, "intermediate": {}, "intermediate_phase": None}
        row["english_dev"] = dev_score(_summary(run_dir, target_key), target["params"]["task"], target["params"])
        start = target["inputs"].get("encoder")
        if start and nodes[start]["kind"] == "intermediate":
            row["intermediate_phase"] = start
            summary, params = _summary(run_dir, start), nodes[start]["params"]
            for entry in params["tasks"]:
                row["intermediate"][entry["task"]] = dev_score(summary, entry["task"], entry)
        rows.append(row)
    return rows


def _near(block: dict | None, margin: float) -> bool:
    return block is not None and block["chance"] is not None and block["score"] < block["chance"] + margin


def warnings(rows: list[dict], margin: float = MARGIN) -> list[str]:
    """A line per arm and check that failed, naming every seed (its score, chance and phase folder) whose English
    dev score, or whose intermediate task's dev score, is within `margin` of chance; and one line when
    intermediate scores were not recorded."""
    failed: dict[tuple, list[str]] = {}
    unrecorded = set()
    for r in rows:
        arm = r["condition"] + (f" ({r['lang']})" if r["lang"] else "")
        checks = [("target", None, r["english_dev"], r["target_phase"])]
        checks += [("intermediate", task, block, r["intermediate_phase"]) for task, block in r["intermediate"].items()]
        for kind, task, block, phase in checks:
            if kind == "intermediate" and block is None:
                unrecorded.add(task)
            elif _near(block, margin):
                failed.setdefault((arm, kind, task), []).append(
                    f"{r['seed']} ({block['score']:.1f} vs chance {block['chance']:.1f}, phases/{phase})")
    out = []
    for (arm, kind, task), seeds in failed.items():
        where = f"seed{'s' if len(seeds) > 1 else ''} {'; '.join(seeds)}"
        if kind == "target":
            out.append(f"arm {arm}: English dev score within {margin:g} points of chance in {where}: the target "
                       "task was not learned, so those runs' cross-lingual scores say nothing about intermediate "
                       "training")
        else:
            out.append(f"arm {arm}: intermediate task {task} within {margin:g} points of chance on its dev split in "
                       f"{where}: it was not learned, so a gain or loss of this arm is not the effect of knowing it")
    if unrecorded:
        out.append(f"intermediate dev scores of {', '.join(sorted(unrecorded))} are not recorded by this version "
                   "of the intermediate phase, so whether the intermediate task was learned is unchecked")
    return out


def note_lines(rows: list[dict], margin: float = MARGIN) -> list[str]:
    """Markdown items for notes.md: per arm, the dev scores of every seed beside chance, then the warnings."""
    lines = []
    arms = list(dict.fromkeys((r["condition"], r["lang"]) for r in rows))
    for cond, lang in arms:
        mine = [r for r in rows if (r["condition"], r["lang"]) == (cond, lang)]
        devs = [r["english_dev"] for r in mine if r["english_dev"]]
        name = cond + (f" ({lang})" if lang else "")
        if devs:
            scores = [d["score"] for d in devs]
            text = (f"- Arm **{name}**: English dev score per seed {_list(scores)} (mean {fmean(scores):.1f}, "
                    f"lowest {min(scores):.1f}; chance {_fmt(devs[0]['chance'])})")
        else:
            text = f"- Arm **{name}**: no English dev score recorded"
        tasks = sorted({t for r in mine for t in r["intermediate"]})
        for task in tasks:
            blocks = [r["intermediate"][task] for r in mine if r["intermediate"].get(task)]
            if blocks:
                chance = blocks[0]["chance"]
                above = "" if chance is None else f", {fmean(b['score'] for b in blocks) - chance:+.1f} over chance"
                where = f" on its {blocks[0]['lang']} machine-translated dev split" if blocks[0]["translated"] else ""
                text += (f"; intermediate {task} dev score{where} per seed {_list([b['score'] for b in blocks])} "
                         f"(chance {_fmt(chance)}{above})")
        lines.append(text + ".")
    for w in warnings(rows, margin):
        lines.append(f"- WARNING: {w}.")
    return lines


def _list(values: list[float]) -> str:
    return ", ".join(f"{v:.1f}" for v in values)


def _fmt(x: float | None) -> str:
    return "unknown" if x is None else f"{x:.1f}"
