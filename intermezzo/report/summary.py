"""The report's prose generated from its numbers: the findings summary up front and the methods section."""

from __future__ import annotations

import math

from intermezzo.report import analysis, units
from intermezzo.report.contrasts import CONTRASTS, noise_label
from intermezzo.report.data import task_spec
from intermezzo.report.stats import NODES
from intermezzo.report.tables import fmt_ci
from intermezzo.report.units import parts_kind


# A dev score this close to chance (points) counts as not having learned the task.
CLOSE = 5.0


def _runs(est: dict) -> str:
    return "/".join(map(str, est["runs"]))


def _verdict(est: dict) -> str:
    if math.isnan(est["low"]):
        return "no CI: one run per arm"
    return "CI excludes 0 after Holm" if est.get("significant") else "not distinguishable from 0 after Holm"


def validation_sentence(ctx) -> str:
    """Whether every arm learned its task: the target phases' English dev scores against chance."""
    dev: dict[str, dict[str, list]] = {}
    level: dict[str, float | None] = {}
    for v in ctx.validation:
        if v["kind"] == "target":
            dev.setdefault(v["target"], {}).setdefault(v["condition"], []).append(v["score"])
            level[v["target"]] = v.get("chance")
    if not dev:
        return ("No training phase recorded an English dev score, so whether each arm learned its task is "
                "unchecked.")
    parts, weak = [], []
    for task, per_arm in dev.items():
        means = {c: sum(s) / len(s) for c, s in per_arm.items()}
        chance = level[task] if level[task] is not None else units.chance(task_spec(task))
        parts.append(f"{task} {min(means.values()):.1f}-{max(means.values()):.1f} over {len(means)} arms"
                     + (f" (chance {chance:.1f})" if chance is not None else ""))
        weak += [f"{c} ({task})" for c, m in means.items() if chance is not None and m < chance + CLOSE]
    text = "English dev scores of the target phases: " + "; ".join(parts) + "."
    if weak:
        text += f" Within {CLOSE:g} points of chance on dev, so not evidence of transfer: {', '.join(weak)}."
    return text


def contrast_sentence(ctx) -> str:
    """The primary contrast, pooled over languages where the run has several, in one sentence."""
    rows = ctx.contrast.get("pooled", [])
    if not rows:
        return "This run has no English vs target-language contrast under noise."
    overall = [r for r in rows if r["lang"] == analysis.OVERALL] or rows[:1]
    parts = []
    for r in overall[:2]:
        est = r[ctx.primary]
        where = ", ".join(r["langs"])
        parts.append(f"on {r['task']} ({where}; noise cells {noise_label(r['cells'])}) {r['target_lang']} minus "
                     f"{r['english']} is {est['value']:+.1f} points (95% CI {fmt_ci(est)}, runs "
                     f"{_runs(est)} English/target-language; {_verdict(est)}), with a clean difference of "
                     f"{r['clean']['value']:+.1f} {fmt_ci(r['clean'])}")
    near = list(dict.fromkeys(f"{a} ({r['task']}/{r['lang']})" for r in rows for a in (r["english"], r["target_lang"])
                              if r.get(f"near_chance:{a}")))
    text = f"Primary contrast ({ctx.primary.replace('_', ' ')}): " + "; ".join(parts) + "."
    if near:
        text += (f" Near chance on clean data, so their robustness says little: {', '.join(near[:6])}"
                 f"{', ...' if len(near) > 6 else ''}.")
    return text


def gains_sentence(ctx) -> str:
    """The largest average gain over the baseline and how many gains survive Holm."""
    avg = {c: g for (c, t), g in ctx.gains.items() if t == analysis.AVERAGE}
    if not avg:
        return f"No condition could be compared with the baseline '{ctx.exp.baseline}'."
    best = max(avg, key=lambda c: avg[c]["value"])
    g = avg[best]
    n_sig = sum(1 for x in ctx.gains.values() if x.get("significant"))
    return (f"The largest average gain over '{ctx.exp.baseline}' is {best}'s {g['value']:+.1f} points "
            f"(95% CI {fmt_ci(g)}, runs {_runs(g)} condition/baseline; {_verdict(g)}); {n_sig} of "
            f"{len(ctx.gains)} gains in the gain table have a CI that excludes 0 after Holm.")


def progress_sentence(progress: list[dict], seeds: int) -> tuple[str, bool]:
    """Whether the run is half-finished (configured vs finished runs per cell), and what that means."""
    short = [p for p in progress if p["finished"] < p["configured"]]
    if short:
        named = ", ".join(f"{p['condition']}/{p['target']}{'/' + p['lang'] if p['lang'] else ''} "
                          f"{p['finished']} of {p['configured']}" for p in short[:4])
        return (f"Half-finished run: {len(short)} of {len(progress)} cells have fewer finished runs than configured "
                f"({named}{', ...' if len(short) > 4 else ''}); numbers below use the finished runs only.", True)
    if seeds == 1:
        return ("One seed per arm: run-to-run variance cannot be estimated, so no CIs or p-values are given for "
                "trained arms; rerun with more seeds (seeds: [1, 2, 3]) before drawing conclusions.", True)
    return "", False


def methods(doc, contexts: list, n_resamples: int) -> None:
    """The statistics section: the model, the unit of every statistic, the interval, multiplicity."""
    doc.h("Methods: statistics")
    doc.p("Scores are indexed by (arm, training run, test example). An arm is one intermediate condition; its runs "
          "are its seeds, and a seed's runs share their intermediate phase across target tasks and languages, so "
          "an arm's runs are aligned by seed wherever a statistic combines several of its scores. Runs of "
          "different arms are independent (equal seed numbers share nothing); test examples are the same for "
          "every arm and are paired.")
    doc.p("Every number with a CI is a signed sum over arms of the mean over that arm's runs of a per-run value. "
          "Its variance has a run-level part (the sample variance of the per-run values over runs; one variance "
          "pooled across the compared arms, R - 1 degrees of freedom per arm; the 'best per target' average, whose "
          "arms differ in what a run's value is, gives each arm its own) and an example-level part (a paired "
          f"bootstrap with {n_resamples} replicates that resamples the test items once per replicate and applies "
          "the same resample to every arm, every noise condition and, for parallel test sets, every language; "
          "the run x example noise already inside the run-level part is subtracted). The 95% interval inverts "
          "the generalized pivot estimate - Z sqrt(V_run / (chi2_df / df) + V_example), integrated by "
          f"{NODES}-node quadrature; it is Student's t when the example-level part is 0. The two-sided p-value "
          "comes from the same pivot, so p < 0.05 exactly when the interval excludes 0. Holm's correction runs "
          "over the comparisons one table shows (per contrast column). With one run in every arm the run-level "
          "variance cannot be estimated and no interval is printed. docs/statistics.md has the derivation and "
          "the calibration.")
    doc.p("Units. Score cell: the arm's headline on one language (or the mean over its languages, 'avg'). Gain: "
          "condition minus baseline of the per-run mean over the languages both were scored in; 'average': the "
          "mean over targets of those. Contrasts (per language and (family, level) cell, or pooled over cells "
          "with equal weights): " + "; ".join(CONTRASTS.values()) + "; clean diff: target-language minus "
          "English on clean data. Robustness and AUC tables: descriptive means over languages and runs.")
    units, parallel = [], []
    for task in dict.fromkeys(t for ctx in contexts for t in ctx.tasks):
        spec = task_spec(task)
        metric = spec.metric if spec else "?"
        kind = parts_kind(spec.metric if spec else None)
        units.append(f"{task} ({metric}): " + ("one score per example, 0-100, headline = their mean" if kind ==
                                               "mean" else "per example [true positives, predicted, gold] counts, "
                                               "headline = 200 sum(tp) / (sum(pred) + sum(gold))"))
        if spec is not None and spec.parallel:
            parallel.append(task)
    doc.p("Per-example unit (the headline metric's own; rows stored without units fall back to the per-example "
          "score): " + "; ".join(units) + ". Parallel test sets, resampled by item id across languages: "
          + (", ".join(parallel) or "none") + ".")
    doc.p("Best intermediate per target: chosen on the English dev score of the target phase, reported on test; "
          "where a condition has no dev score the choice is made on test and labelled 'selected on test'.")
