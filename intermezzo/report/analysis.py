"""The numbers a report shows: scores, gains over the baseline, degradation under noise, and paired contrasts."""

from __future__ import annotations

from collections import defaultdict
from statistics import fmean

import numpy as np

from intermezzo.report.stats import holm, paired_summary

# The metric a task is ranked by when its scorer returns several (F1 before exact match, as XTREME does).
PRIMARY = ("f1", "accuracy", "mrr@20", "map@20", "exact_match")
OVERALL = "all"


def primary_metric(metrics) -> str:
    """The headline metric among `metrics`."""
    metrics = sorted(set(metrics))
    return next((m for m in PRIMARY if m in metrics), metrics[0])


def headline(rows: list[dict]) -> list[dict]:
    """Only each task's headline metric."""
    by_task: dict[str, set] = defaultdict(set)
    for r in rows:
        by_task[r["task"]].add(r["metric"])
    keep = {t: primary_metric(ms) for t, ms in by_task.items()}
    return [r for r in rows if r["metric"] == keep[r["task"]]]


def _mean_over_seeds(rows: list[dict], noise: str | None = "clean") -> dict[tuple, dict]:
    """(condition, task, lang[, noise]) -> {score, n_seeds}, averaging seeds (and encoders) together."""
    acc: dict[tuple, list] = defaultdict(list)
    for r in rows:
        if noise is None or r["noise"] == noise:
            acc[(r["condition"], r["task"], r["lang"]) + (() if noise else (r["noise"],))].append(r["value"])
    return {k: {"score": fmean(v), "n_seeds": len(v)} for k, v in acc.items()}


def clean_scores(rows: list[dict]) -> list[dict]:
    """Per condition x task x language: the clean score averaged over seeds, with the seed count."""
    return [{"condition": c, "task": t, "lang": lang, **v}
            for (c, t, lang), v in sorted(_mean_over_seeds(rows).items())]


def gains(rows: list[dict], baseline: str) -> dict[tuple[str, str], dict]:
    """(condition, task) -> mean over languages of (condition - baseline) clean score, with sample sizes.

    A target-language condition is compared on the languages it covers; "average" averages the tasks.
    """
    clean = _mean_over_seeds(rows)
    out: dict[tuple[str, str], dict] = {}
    for cond in dict.fromkeys(r["condition"] for r in rows):
        per_task = {}
        for task in dict.fromkeys(r["task"] for r in rows):
            diffs = [v["score"] - clean[(baseline, task, lang)]["score"]
                     for (c, t, lang), v in clean.items()
                     if c == cond and t == task and (baseline, task, lang) in clean]
            seeds = [v["n_seeds"] for (c, t, _), v in clean.items() if c == cond and t == task]
            if diffs:
                per_task[task] = {"gain": fmean(diffs), "n_langs": len(diffs), "n_seeds": min(seeds)}
        for task, v in per_task.items():
            out[(cond, task)] = v
        if per_task:
            out[(cond, "average")] = {"gain": fmean(v["gain"] for v in per_task.values()),
                                      "n_langs": sum(v["n_langs"] for v in per_task.values()),
                                      "n_seeds": min(v["n_seeds"] for v in per_task.values())}
    return out


def degradation(rows: list[dict]) -> list[dict]:
    """Per condition x task x language x noise family x level: clean, noisy, absolute and relative drop."""
    means = _mean_over_seeds(rows, noise=None)
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


def contrast_pairs(conditions: dict) -> list[tuple[str, str]]:
    """(English, target-language) condition pairs: same tasks when possible, else every pairing."""
    english = [n for n, c in conditions.items() if c.kind in ("english", "multitask")]
    target = [n for n, c in conditions.items() if c.kind == "target_lang"]
    same = [(e, t) for e in english for t in target if conditions[e].tasks == conditions[t].tasks]
    return same or [(e, t) for e in english for t in target]


def _robustness(store, phase: str, lang: str, noises: list[str]) -> dict[str, float]:
    """Per example: mean over noise conditions of (noisy - clean) score, in points (example scores are 0-100,
    as intermezzo.metrics.example_scores gives them)."""
    clean = store.example_scores(phase, "clean", lang)
    noisy = [store.example_scores(phase, n, lang) for n in noises]
    return {i: fmean(n[i] for n in noisy) - s for i, s in clean.items() if all(i in n for n in noisy)}


def contrasts(store, rows: list[dict], pairs: list[tuple[str, str]], n_resamples: int = 10_000,
              seed: int = 0) -> list[dict]:
    """Robustness gain of target-language over English intermediate training, per language and overall.

    The unit is an example under one seed: d = (noisy - clean)_target-lang - (noisy - clean)_English,
    paired by example id and seed; CIs by bootstrap over units, p by sign flips, Holm over all rows.
    """
    phases: dict[tuple, str] = {}
    noises: dict[tuple, set] = defaultdict(set)
    for r in rows:
        phases[(r["condition"], r["task"], r["lang"], r["seed"], r["encoder"])] = r["phase"]
        if r["noise"] != "clean":
            noises[(r["task"], r["lang"])].add(r["noise"])
    out = []
    for en, tl in pairs:
        for task in dict.fromkeys(r["task"] for r in rows):
            pooled: list[float] = []
            n_langs = 0
            for lang in sorted({k[2] for k in phases if k[0] == tl and k[1] == task}):
                diffs = []
                for (c, t, lg, s, enc), phase in sorted(phases.items()):
                    other = phases.get((en, task, lang, s, enc))
                    if c != tl or t != task or lg != lang or other is None or not noises[(task, lang)]:
                        continue
                    ns = sorted(noises[(task, lang)])
                    a, b = _robustness(store, phase, lang, ns), _robustness(store, other, lang, ns)
                    diffs += [a[i] - b[i] for i in sorted(a) if i in b]
                if diffs:
                    out.append({"english": en, "target_lang": tl, "task": task, "lang": lang,
                                **paired_summary(diffs, n_resamples, seed)})
                    pooled += diffs
                    n_langs += 1
            if n_langs > 1:
                out.append({"english": en, "target_lang": tl, "task": task, "lang": OVERALL,
                            **paired_summary(pooled, n_resamples, seed)})
    for row, p in zip(out, holm([r["p"] for r in out])):
        row["p_holm"] = p
    return out
