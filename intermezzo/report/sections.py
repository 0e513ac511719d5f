"""The report's sections for one encoder: training validation, scores, gains, robustness, the contrast."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean

from intermezzo.report import analysis, plots, typology
from intermezzo.report.contrasts import CONTRASTS, KINDS, noise_label
from intermezzo.report.data import Results, task_spec
from intermezzo.report.tables import Doc, Figure, Table, fmt, fmt_est, fmt_p
from intermezzo.report.units import chance


@dataclass
class Context:
    """Everything the sections of one encoder read, and the analyses they share."""

    exp: object
    res: Results
    rows: list[dict]
    conditions: list[str]
    tasks: list[str]
    plot_dir: Path
    n_resamples: int
    validation: list[dict] = field(default_factory=list)
    scores: dict = field(default_factory=dict)
    gains: dict = field(default_factory=dict)
    best: dict = field(default_factory=dict)
    best_average: dict | None = None
    contrast: dict = field(default_factory=dict)

    @property
    def primary(self) -> str:
        """The config's primary contrast (report.primary_contrast)."""
        return getattr(getattr(self.exp, "report", None), "primary_contrast", "noisy_difference")


def _chance_text(level) -> str:
    return "-" if level is None else f"{level:.1f}"


def validation_section(doc: Doc, ctx: Context) -> list:
    """Each training phase's own dev score next to chance, before any cross-lingual number."""
    doc.h("Training-phase validation (English dev) against chance")
    by: dict[tuple, dict] = {}
    for v in ctx.validation:
        by.setdefault((v["condition"], v["kind"], v["task"]), {})[v["phase"]] = v
    if not by:
        doc.p("No training phase of this run recorded a validation score (summary.json 'validation'), so the "
              "English dev results cannot be shown next to chance; read the cross-lingual numbers below with that "
              "in mind.", "warning")
        return []
    table_rows = []
    order = {c: i for i, c in enumerate(ctx.conditions)}
    for (cond, kind, task), phases in sorted(by.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0][1:])):
        vals = list(phases.values())
        level = vals[0].get("chance")
        if level is None:
            level = chance(task_spec(task))
        score = fmean(v["score"] for v in vals)
        table_rows.append([cond, kind, task, vals[0].get("metric", ""), score, _chance_text(level),
                           fmt(score - level) if level is not None else "-", len(vals)])
    doc.p("A model that does not clearly beat chance on its own English dev split has not learned the task; "
          "cross-lingual gains and robustness of such an arm say nothing about transfer.")
    return [Table("validation", "Dev score of every training phase (mean over runs) and chance level",
                  ["condition", "phase", "dev task", "metric", "dev score", "chance", "above chance", "n runs"],
                  table_rows, "Target phases validate on their target task's English dev split; intermediate "
                  "phases on their intermediate task's.")]


def scores_section(doc: Doc, ctx: Context) -> list:
    """Per task: clean score per condition and language with 95% CIs and runs."""
    doc.h("Scores per task and language (clean)")
    out = []
    for task in ctx.tasks:
        langs = sorted({k[2] for k in ctx.scores if k[1] == task and k[2] != analysis.AVERAGE})
        table_rows = []
        for cond in ctx.conditions:
            avg = ctx.scores.get((cond, task, analysis.AVERAGE))
            if avg is None:
                continue
            cells = [ctx.scores.get((cond, task, lg)) for lg in [*langs, analysis.AVERAGE]]
            table_rows.append([cond, *[fmt_est(c) + ("†" if c and c["near_chance"] else "") for c in cells],
                               avg["runs"][0]])
        level = chance(task_spec(task))
        note = ("± is the 95% CI half-width over training runs and test examples (see Methods). "
                + (f"† the CI reaches chance level ({level:.1f})." if level is not None else ""))
        out.append(Table(f"scores-{task}", f"{task}: clean score per language (mean over runs)",
                         ["condition", *langs, "avg", "n runs"], table_rows, note))
    return out


def _reference(ctx: Context, cond: str, col: str) -> str:
    ref = ctx.exp.reference.get(cond, {}).get(col)
    return f" ({ref.value:+.1f})" if ref else ""


def gains_section(doc: Doc, ctx: Context) -> list:
    """Gain of each condition over the baseline per target and averaged, with CIs, Holm marks and runs."""
    exp = ctx.exp
    doc.h(f"Gain over '{exp.baseline}' per target task")
    cols = [*ctx.tasks, analysis.AVERAGE]
    table_rows = []
    for cond in ctx.conditions:
        if cond == exp.baseline or not any((cond, c) in ctx.gains for c in cols):
            continue
        avg = ctx.gains.get((cond, analysis.AVERAGE))
        runs = "/".join(map(str, avg["runs"])) if avg else "-"
        table_rows.append([cond, *[fmt_est(ctx.gains.get((cond, c)), signed=True) + _reference(ctx, cond, c)
                                   for c in cols], runs])
    if ctx.best:
        cells = []
        for task in ctx.tasks:
            pick = ctx.best.get(task)
            g = ctx.gains.get((pick["condition"], task)) if pick else None
            on = "" if not pick or pick["selected_on"] == "validation" else ", selected on test"
            cells.append(f"{fmt_est(g, signed=True)} ({pick['condition']}{on})" if pick else "-")
        cells.append(fmt_est(ctx.best_average, signed=True) + _reference(ctx, "best", analysis.AVERAGE))
        table_rows.append(["best per target", *cells,
                           "/".join(map(str, ctx.best_average["runs"])) if ctx.best_average else "-"])
    n = len(ctx.gains) + (ctx.best_average is not None)
    note = (f"Gain in points: condition minus '{exp.baseline}', mean over the languages both were scored in, "
            f"± the 95% CI half-width; * the CI excludes 0 after Holm over the {n} gains in this table. "
            "n runs: condition/baseline. 'best per target' picks, per target, the condition with the best English "
            "dev score of its target phase and reports its test gain ('selected on test' where no dev score "
            "exists: optimistic).")
    if any(exp.reference.values()):
        note += " Published figures in parentheses."
    blocks: list = [Table("gains", "Gain of each intermediate condition over the baseline (clean)",
                          ["condition", *cols, "n runs"], table_rows, note)]
    refs = [f"{c}/{t}: {r.value:+.1f} ({r.kind}, {r.split}{', ' + r.source if r.source else ''})"
            for c, per in exp.reference.items() for t, r in per.items()]
    if refs:
        doc.p("Reference figures: " + "; ".join(refs) + ".")
    conds = [c for c in ctx.conditions if c != exp.baseline and any((c, t) in ctx.gains for t in cols)]
    if conds:
        fig = plots.gain_heatmap(ctx.gains, conds, cols, ctx.plot_dir / "gain_heatmap.png")
        blocks.append(Figure(fig, "Gain over the baseline, intermediate condition x target task (clean); "
                                  "* CI excludes 0 after Holm"))
    return blocks


def robustness_section(doc: Doc, ctx: Context) -> list:
    """Clean vs noisy scores per family and level (descriptive means), AUCs and degradation curves."""
    deg = analysis.degradation(ctx.rows)
    if not deg:
        doc.p("No noisy evaluations in this run: robustness sections are empty.")
        return []
    doc.h("Robustness per noise family and level")
    agg: dict[tuple, list] = defaultdict(list)
    for r in deg:
        agg[(r["task"], r["condition"], r["family"], r["level"])].append(r)
    order = {c: i for i, c in enumerate(ctx.conditions)}
    # Levels as given (0.03, 0.15): one decimal would merge neighbouring levels.
    table_rows = [[t, c, f, f"{lv:g}", fmean(x["clean"] for x in v), fmean(x["noisy"] for x in v),
                   fmean(x["drop"] for x in v), fmean(x["rel_drop"] for x in v), len(v), min(x["n_seeds"] for x in v)]
                  for (t, c, f, lv), v in sorted(agg.items(), key=lambda kv: (kv[0][0], order.get(kv[0][1], 99),
                                                                               kv[0][2], kv[0][3]))]
    blocks: list = [Table("robustness", "Clean vs noisy score, mean over languages and runs",
                          ["task", "condition", "family", "level", "clean", "noisy", "drop", "rel. drop %",
                           "n langs", "n runs"], table_rows,
                          "Descriptive means; the contrast section below carries the uncertainty.")]
    aucs: dict[tuple, list] = defaultdict(list)
    for r in analysis.auc_table(deg):
        aucs[(r["task"], r["condition"], r["family"])].append(r)
    blocks.append(Table("auc", "Area under the degradation curve (trapezoid, clean at level 0, / top level)",
                        ["task", "condition", "family", "clean", "AUC", "n langs", "n levels"],
                        [[t, c, f, fmean(x["clean"] for x in v), fmean(x["auc"] for x in v), len(v),
                          v[0]["levels"]] for (t, c, f), v in sorted(aucs.items())]))
    for task, family in sorted({(r["task"], r["family"]) for r in deg}):
        path = plots.degradation_curves(deg, task, family, ctx.plot_dir / f"degradation-{task}-{family}.png")
        blocks.append(Figure(path, f"{task}: score against {family} level, per language"))
    return blocks


def _contrast_rows(rows: list[dict], primary: str, per_noise: bool) -> list[list]:
    out = []
    for r in rows:
        flags = "/".join({True: "yes", False: "no", None: "?"}[r[f"near_chance:{a}"]]
                         for a in (r["english"], r["target_lang"]))
        where = r["cells"][0][1] if per_noise else noise_label(r["cells"])
        out.append([r["english"], r["target_lang"], r["task"], r["lang"], where,
                    *[fmt_est(r[k], signed=True) for k in KINDS], fmt_p(r[primary]["p_holm"]), flags,
                    "/".join(map(str, r["clean"]["runs"]))])
    return out


def contrast_section(doc: Doc, ctx: Context) -> list:
    """The research question's contrast three ways, the clean difference beside it, chance flags."""
    doc.h("English vs target-language intermediate training under noise")
    pooled, detail = ctx.contrast.get("pooled", []), ctx.contrast.get("detail", [])
    if not pooled:
        doc.p("Needs an English and a target-language condition evaluated clean and under noise on shared "
              "languages.")
        return []
    doc.p("Three definitions of 'more robust', each signed so that a positive value favours the target-language "
          "arm: " + "; ".join(CONTRASTS.values()) + f". The primary contrast (config report.primary_contrast) is "
          f"{ctx.primary}. The clean difference (target-language minus English) stands beside them: an arm "
          "near chance loses little under noise and would otherwise look robust.")
    header = ["English", "target-lang", "task", "lang", "noise cells", "clean diff", "(a) noisy diff",
              "(b) drop diff", "(c) rel. drop diff", f"p Holm ({ctx.primary})", "near chance (En/TL)", "n runs"]
    note = ("± the 95% CI half-width; * the CI excludes 0 after Holm over this table's rows (per column). "
            "near chance: the arm's clean-score CI reaches chance level. n runs: English/target-language.")
    blocks: list = [Table("contrast", "Contrasts pooled over each language's noise cells; 'all' averages the "
                          "languages over one common set of (family, level) cells, named in 'noise cells'",
                          header, _contrast_rows(pooled, ctx.primary, False), note)]
    if detail:
        blocks.append(Table("contrast-detail", "Contrasts per language, noise family and level",
                            header, _contrast_rows(detail, ctx.primary, True), note))
    per_lang = [r for r in pooled if r["lang"] != analysis.OVERALL]
    if per_lang:
        label = ctx.primary.replace("_", " ")
        blocks.append(Figure(plots.gap_bars(per_lang, ctx.primary, label, ctx.plot_dir / "robustness_gap.png"),
                             f"Per-language {label} (primary contrast), target-language vs English, 95% CI"))
    return blocks


def typology_section(doc: Doc, ctx: Context) -> list:
    """The primary contrast per language regressed on typological distance from English."""
    doc.h("Robustness contrast and typological distance")
    rows = [{"lang": r["lang"], "mean": r[ctx.primary]["value"]} for r in ctx.contrast.get("pooled", [])]
    return typology.section(doc, rows, ctx.plot_dir)
