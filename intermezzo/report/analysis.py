"""The numbers a report shows: scores and gains with CIs, honest best-intermediate selection, degradation."""

from __future__ import annotations

from collections import defaultdict
from statistics import fmean

import numpy as np

from intermezzo.metrics import primary_metric
from intermezzo.report.data import Cell, Results, Universe, task_spec
from intermezzo.report.stats import estimate, holm, scalar
from intermezzo.report.units import chance

OVERALL = "all"
AVERAGE = "average"
ALPHA = 0.05


def headline(rows: list[dict]) -> list[dict]:
    """Only each task's headline metric."""
    by_task: dict[str, set] = defaultdict(set)
    for r in rows:
        by_task[r["task"]].add(r["metric"])
    keep = {t: primary_metric(ms) for t, ms in by_task.items()}
    return [r for r in rows if r["metric"] == keep[r["task"]]]


def weighted(weights) -> callable:
    """A per-run value that is a fixed linear combination of the arm's term headlines."""
    w = np.asarray(weights, dtype=float)
    return lambda h: np.moveaxis(h, -2, -1) @ w


def task_weights(cells: list[Cell]) -> list[float]:
    """Weights of the mean over tasks of the mean over each task's cells (an XTREME-style average)."""
    per_task: dict[str, int] = defaultdict(int)
    for c in cells:
        per_task[c.task] += 1
    return [1 / (len(per_task) * per_task[c.task]) for c in cells]


def mean_per_task(cells: list[Cell]) -> callable:
    """Per-run value: the task-weighted mean of the cells' headlines."""
    return weighted(task_weights(cells))


def langs_of(res: Results, condition: str, task: str, noise: str = "clean") -> list[str]:
    """Languages `condition` was scored in on `task`."""
    return sorted({k[2] for k in res.by if k[0] == condition and k[1] == task and k[3] == noise})


def near_chance(est: dict, level: float | None) -> bool | None:
    """True when the score's CI reaches chance level (None: no chance level, or no CI to tell)."""
    if level is None or np.isnan(est["low"]):
        return None
    return bool(est["low"] <= level)


def score(res: Results, condition: str, cells: list[Cell], n_resamples: int) -> dict | None:
    """One arm's mean score over `cells` (per task, then over tasks), with its CI and runs."""
    u = Universe()
    arm = res.arm(condition, cells, u, combine=mean_per_task(cells))
    return None if arm is None else scalar(estimate([arm], u.strata(), n_resamples))


def clean_scores(res: Results, conditions: list[str], tasks: list[str], n_resamples: int) -> dict[tuple, dict]:
    """(condition, task, lang or 'average') -> clean score with CI, runs and the chance flag."""
    out = {}
    for task in tasks:
        level = chance(task_spec(task))
        for cond in conditions:
            langs = langs_of(res, cond, task)
            for lang in [*langs, AVERAGE] if langs else []:
                cells = [Cell(task, lg) for lg in (langs if lang == AVERAGE else [lang])]
                est = score(res, cond, cells, n_resamples)
                if est is not None:
                    out[(cond, task, lang)] = {**est, "chance": level, "near_chance": near_chance(est, level)}
    return out


def difference(res: Results, plus: dict[str, list[Cell]], minus: str, n_resamples: int) -> dict | None:
    """sum over `plus` conditions (each on its cells) minus `minus` on all their cells, each a per-task mean."""
    cells = [c for cs in plus.values() for c in cs]
    u = Universe()
    weight = dict(zip(cells, task_weights(cells)))
    arms = [res.arm(cond, cs, u, combine=weighted([weight[c] for c in cs])) for cond, cs in plus.items()]
    arms.append(res.arm(minus, cells, u, sign=-1.0, combine=mean_per_task(cells)))
    if any(a is None for a in arms):
        return None
    # One run-level variance for the arms when both sides are the same kind of quantity.
    return scalar(estimate(arms, u.strata(), n_resamples, pooled=len(plus) == 1))


def gains(res: Results, conditions: list[str], tasks: list[str], baseline: str, n_resamples: int) -> dict:
    """(condition, task or 'average') -> gain over `baseline` (clean, mean over shared languages) with CI, and
    Holm-adjusted p over every cell of the table."""
    out = {}
    for cond in conditions:
        if cond == baseline:
            continue
        per_task = {t: [Cell(t, lg) for lg in langs_of(res, cond, t) if res.has(baseline, Cell(t, lg))]
                    for t in tasks}
        per_task = {t: cs for t, cs in per_task.items() if cs}
        for task, cells in per_task.items():
            out[(cond, task)] = difference(res, {cond: cells}, baseline, n_resamples)
        if per_task:
            out[(cond, AVERAGE)] = difference(res, {cond: [c for cs in per_task.values() for c in cs]}, baseline,
                                              n_resamples)
    out = {k: v for k, v in out.items() if v is not None}
    mark_holm(list(out.values()))
    return out


def mark_holm(ests: list[dict], key: str = "p") -> None:
    """Add Holm-adjusted p (`p_holm`) and `significant` (CI excludes 0 after Holm) to each estimate."""
    for est, p in zip(ests, holm([e[key] for e in ests])):
        est["p_holm"] = p
        est["significant"] = bool(p < ALPHA)


def select_best(validation: list[dict], gain: dict, tasks: list[str], baseline: str) -> dict[str, dict]:
    """Per target: the condition with the best mean English dev score of its target phase ('validation'),
    else the best test gain, labelled 'test' (a selection on the reported split, optimistic)."""
    dev: dict[tuple, list] = defaultdict(list)
    for v in validation:
        if v["kind"] == "target" and v["condition"] != baseline:
            dev[(v["condition"], v["target"])].append(v["score"])
    out = {}
    for task in tasks:
        candidates = [c for (c, t) in gain if t == task]
        if not candidates:
            continue
        if all((c, task) in dev for c in candidates):
            best = max(candidates, key=lambda c: fmean(dev[(c, task)]))
            out[task] = {"condition": best, "selected_on": "validation", "dev": fmean(dev[(best, task)])}
        else:
            best = max(candidates, key=lambda c: gain[(c, task)]["value"])
            out[task] = {"condition": best, "selected_on": "test", "dev": None}
    return out


def best_average(res: Results, chosen: dict[str, dict], baseline: str, n_resamples: int) -> dict | None:
    """The average over targets of the selected conditions' gains, with its CI (each arm its own variance)."""
    plus: dict[str, list[Cell]] = defaultdict(list)
    for task, pick in chosen.items():
        cond = pick["condition"]
        plus[cond] += [Cell(task, lg) for lg in langs_of(res, cond, task) if res.has(baseline, Cell(task, lg))]
    return difference(res, dict(plus), baseline, n_resamples) if plus else None


def _mean_over_seeds(rows: list[dict]) -> dict[tuple, dict]:
    """(condition, task, lang, noise) -> {score, n_seeds}."""
    acc: dict[tuple, list] = defaultdict(list)
    for r in rows:
        acc[(r["condition"], r["task"], r["lang"], r["noise"])].append(r["value"])
    return {k: {"score": fmean(v), "n_seeds": len(v)} for k, v in acc.items()}


def degradation(rows: list[dict]) -> list[dict]:
    """Per condition x task x language x noise family x level: clean, noisy, absolute and relative drop."""
    means = _mean_over_seeds(rows)
    family_level = {r["noise"]: (r["family"], r["level"]) for r in rows}
    out = []
    for (cond, task, lang, noise), v in sorted(means.items()):
        if noise == "clean" or (cond, task, lang, "clean") not in means:
            continue
        clean = means[(cond, task, lang, "clean")]["score"]
        family, level = family_level[noise]
        drop = clean - v["score"]
        out.append({"condition": cond, "task": task, "lang": lang, "family": family, "level": level,
                    "noise": noise, "clean": clean, "noisy": v["score"], "drop": drop,
                    "rel_drop": drop / clean * 100 if clean else float("nan"), "n_seeds": v["n_seeds"]})
    return out


def auc(levels, scores, clean: float) -> float:
    """Area under the degradation curve (trapezoid; clean at level 0), divided by the top level: a mean score."""
    pts = sorted(zip([0.0, *levels], [clean, *scores]))
    xs, ys = np.array([p[0] for p in pts]), np.array([p[1] for p in pts])
    if xs[-1] <= 0:
        return float(clean)
    return float(np.trapezoid(ys, xs) / xs[-1])


def auc_table(deg: list[dict]) -> list[dict]:
    """Per condition x task x language x family: the normalised area under its degradation curve."""
    curves: dict[tuple, list] = defaultdict(list)
    for r in deg:
        curves[(r["condition"], r["task"], r["lang"], r["family"])].append(r)
    return [{"condition": c, "task": t, "lang": lang, "family": f, "clean": pts[0]["clean"],
             "auc": auc([p["level"] for p in pts], [p["noisy"] for p in pts], pts[0]["clean"]),
             "levels": len(pts)}
            for (c, t, lang, f), pts in sorted(curves.items())]
