"""`intermezzo report RUN_DIR`: report/report.md, report/report.html (self-contained) and report/tables/*.tex."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from statistics import fmean

from intermezzo.errors import UserError
from intermezzo.experiments.config import Experiment
from intermezzo.experiments.store import Store
from intermezzo.io import atomic_write_text
from intermezzo.report import analysis, plots, typology
from intermezzo.report.tables import Doc, Figure, Table, fmt, fmt_p, to_html, to_latex, to_markdown


def _load(run_dir: Path) -> tuple[Experiment, list[dict], Store]:
    cfg, db = run_dir / "config.json", run_dir / "results.sqlite"
    if not cfg.is_file() or not db.is_file():
        raise UserError(f"{run_dir}: not a run folder (no config.json/results.sqlite); "
                        "run `intermezzo run CONFIG --out RUN_DIR` first")
    exp = Experiment.model_validate(json.loads(cfg.read_text(encoding="utf-8")))
    plan = run_dir / "plan.json"
    current = {c["key"] for c in json.loads(plan.read_text(encoding="utf-8"))["cells"]} if plan.is_file() else None
    store = Store(db)
    # Rows of cells the current config no longer has (or has with other settings) stay out of the report.
    rows = analysis.headline([r for r in store.rows(run=exp.name) if current is None or r["phase"] in current])
    if not rows:
        store.close()
        raise UserError(f"{run_dir}: no evaluation results stored yet; let `intermezzo run` finish a cell first")
    return exp, rows, store


def _overview(doc: Doc, exp: Experiment, rows: list[dict]) -> None:
    noises = sorted({r["noise"] for r in rows} - {"clean"})
    metric = {r["task"]: r["metric"] for r in rows}
    doc.p(f"Encoders: {', '.join(exp.encoders)}. Seeds: {', '.join(map(str, exp.seeds))}. "
          f"Conditions: {', '.join(exp.conditions)} (baseline: {exp.baseline}). "
          f"Targets (headline metric): {', '.join(f'{t} ({m})' for t, m in metric.items())}. "
          f"Noise: {', '.join(noises) or 'none'}. Score rows: {len(rows)}.")


def _notes(doc: Doc, path: Path) -> None:
    """A run's own notes (RUN_DIR/notes.md: '## heading' and '- item' lines), e.g. where the demo's data came from."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            doc.h(line[3:].strip())
        elif line.strip():
            doc.p(line.lstrip("- ").strip())


def _scores(doc: Doc, rows: list[dict], conditions: list[str], tasks: list[str]) -> list[Table]:
    doc.h("Scores per task and language (clean)")
    by = {(r["condition"], r["task"], r["lang"]): r for r in analysis.clean_scores(rows)}
    out = []
    for task in tasks:
        langs = sorted({k[2] for k in by if k[1] == task})
        table_rows = []
        for cond in conditions:
            vals = [by.get((cond, task, lang)) for lang in langs]
            if any(vals):
                present = [v["score"] for v in vals if v]
                n = min(v["n_seeds"] for v in vals if v)
                table_rows.append([cond, *[v["score"] if v else None for v in vals], fmean(present), n])
        out.append(Table(f"scores-{task}", f"{task}: clean score per language (mean over seeds)",
                         ["condition", *langs, "avg", "n seeds"], table_rows))
    return out


def _gains(doc: Doc, exp: Experiment, rows, conditions, tasks, plot_dir: Path) -> list:
    doc.h(f"Gain over '{exp.baseline}' per target task")
    gains = analysis.gains(rows, exp.baseline)
    cols = [*tasks, "average"]
    table_rows = []
    for cond in conditions:
        cells = []
        for t in cols:
            g, ref = gains.get((cond, t)), exp.reference.get(cond, {}).get(t)
            text = fmt(g["gain"]) if g else "-"
            cells.append(f"{text} ({ref.value:+.1f})" if ref else text)
        n = [g for (c, _), g in gains.items() if c == cond]
        table_rows.append([cond, *cells, min((g["n_seeds"] for g in n), default=0),
                           max((g["n_langs"] for g in n), default=0)])
    refs = [f"{c}/{t}: {r.value:+.1f} ({r.kind}, {r.split}{', ' + r.source if r.source else ''})"
            for c, per in exp.reference.items() for t, r in per.items()]
    note = "Gain in points, mean over languages and seeds; published figures in parentheses."
    if "best" in exp.reference:
        best = [max((gains[(c, t)]["gain"] for c in conditions if (c, t) in gains and c != exp.baseline),
                    default=float("nan")) for t in tasks]
        table_rows.append(["best per target", *[fmt(b) for b in best], fmt(fmean(best) if best else None),
                           "", ""])
    table = Table("gains", "Gain of each intermediate condition over the baseline (clean)",
                  ["condition", *cols, "n seeds", "n langs (all tasks)"], table_rows, note)
    blocks: list = [table]
    if refs:
        doc.p("Reference figures: " + "; ".join(refs) + ".")
    fig = plots.gain_heatmap(gains, conditions, tasks, plot_dir / "gain_heatmap.png")
    blocks.append(Figure(fig, "Gain over the baseline, intermediate condition x target task"))
    return blocks


def _robustness(doc: Doc, rows, conditions, plot_dir: Path) -> list:
    deg = analysis.degradation(rows)
    if not deg:
        doc.p("No noisy evaluations in this run: robustness sections are empty.")
        return []
    doc.h("Robustness per noise family and level")
    agg: dict[tuple, list] = defaultdict(list)
    for r in deg:
        agg[(r["task"], r["condition"], r["family"], r["level"])].append(r)
    # Levels as given (0.03, 0.15): one decimal would merge neighbouring levels.
    table_rows = [[t, c, f, f"{lv:g}", fmean(x["clean"] for x in v), fmean(x["noisy"] for x in v),
                   fmean(x["drop"] for x in v), fmean(x["rel_drop"] for x in v), len(v), min(x["n_seeds"] for x in v)]
                  for (t, c, f, lv), v in sorted(agg.items(), key=lambda kv: (kv[0][0], conditions.index(
                      kv[0][1]) if kv[0][1] in conditions else 99, kv[0][2], kv[0][3]))]
    blocks: list = [Table("robustness", "Clean vs noisy score, mean over languages",
                          ["task", "condition", "family", "level", "clean", "noisy", "drop", "rel. drop %",
                           "n langs", "n seeds"], table_rows)]
    aucs: dict[tuple, list] = defaultdict(list)
    for r in analysis.auc_table(deg):
        aucs[(r["task"], r["condition"], r["family"])].append(r)
    blocks.append(Table("auc", "Area under the degradation curve (trapezoid, clean at level 0, / top level)",
                        ["task", "condition", "family", "clean", "AUC", "n langs", "n levels"],
                        [[t, c, f, fmean(x["clean"] for x in v), fmean(x["auc"] for x in v), len(v),
                          v[0]["levels"]] for (t, c, f), v in sorted(aucs.items())]))
    for task, family in sorted({(r["task"], r["family"]) for r in deg}):
        path = plots.degradation_curves(deg, task, family, plot_dir / f"degradation-{task}-{family}.png")
        blocks.append(Figure(path, f"{task}: score against {family} level, per language"))
    return blocks


def _contrast(doc: Doc, exp: Experiment, rows, store: Store, plot_dir: Path, n_resamples: int) -> tuple:
    doc.h("English vs target-language intermediate: robustness gain")
    pairs = analysis.contrast_pairs(exp.conditions)
    res = analysis.contrasts(store, rows, pairs, n_resamples=n_resamples) if pairs else []
    if not res:
        doc.p("Needs an English and a target-language condition evaluated under noise on shared languages.")
        return [], res
    doc.p("Per example and seed: d = (noisy - clean)[target-language] - (noisy - clean)[English], averaged over "
          "the noise conditions, in points (per-example scores on the metric's 0-100 scale); positive d means target-language "
          "intermediate training is more robust; 'all' pools a task's languages. "
          f"95% CIs: paired bootstrap over examples x seeds ({n_resamples} resamples); p: sign-flip "
          f"permutation test; Holm-corrected over the {len(res)} comparisons shown.")
    table = Table("contrast", "Robustness gain of target-language over English intermediate training",
                  ["English", "target-lang", "task", "lang", "gain", "95% CI", "p", "p (Holm)", "n"],
                  [[r["english"], r["target_lang"], r["task"], r["lang"], r["mean"],
                    f"[{fmt(r['ci_low'], 2)}, {fmt(r['ci_high'], 2)}]", fmt_p(r["p"]), fmt_p(r["p_holm"]), r["n"]]
                   for r in res])
    per_lang = [r for r in res if r["lang"] != analysis.OVERALL]
    blocks = [table]
    if per_lang:
        blocks.append(Figure(plots.gap_bars(per_lang, plot_dir / "robustness_gap.png"),
                             "Per-language robustness gain (target-language minus English), 95% CI"))
    return blocks, res


def _sections(doc: Doc, exp: Experiment, rows: list[dict], store: Store, plot_dir: Path, n_resamples: int) -> None:
    """Every section for the rows of one encoder."""
    conditions = [c for c in exp.conditions if any(r["condition"] == c for r in rows)]
    tasks = [t for t in exp.targets if any(r["task"] == t for r in rows)]
    doc.blocks += _scores(doc, rows, conditions, tasks)
    doc.blocks += _gains(doc, exp, rows, conditions, tasks, plot_dir)
    doc.blocks += _robustness(doc, rows, conditions, plot_dir)
    blocks, contrast = _contrast(doc, exp, rows, store, plot_dir, n_resamples)
    doc.blocks += blocks
    doc.h("Robustness gap and typological distance")
    doc.blocks += typology.section(doc, contrast, plot_dir)


def build_report(run_dir: str | Path, n_resamples: int = 10_000) -> dict[str, Path]:
    """Write the report of a run folder; returns the paths written."""
    run_dir = Path(run_dir)
    exp, rows, store = _load(run_dir)
    out = run_dir / "report"
    doc = Doc(f"intermezzo report: {exp.name}")
    try:
        _overview(doc, exp, rows)
        _notes(doc, run_dir / "notes.md")
        encoders = list(dict.fromkeys(r["encoder"] for r in rows))
        for i, encoder in enumerate(encoders, 1):
            # Encoders are never averaged together: each gets its own sections, tables and plots.
            start = len(doc.blocks)
            if len(encoders) > 1:
                doc.h(f"Encoder {i}: {encoder}", 1)
            plot_dir = out / "plots" / (f"encoder{i}" if len(encoders) > 1 else "")
            _sections(doc, exp, [r for r in rows if r["encoder"] == encoder], store, plot_dir, n_resamples)
            for b in doc.blocks[start:]:
                if isinstance(b, Table) and len(encoders) > 1:
                    b.name, b.title = f"{b.name}-encoder{i}", f"{b.title} [{encoder}]"
    finally:
        store.close()
    written = {"md": atomic_write_text(out / "report.md", to_markdown(doc, out)),
               "html": atomic_write_text(out / "report.html", to_html(doc))}
    for b in doc.blocks:
        if isinstance(b, Table):
            written[f"tex:{b.name}"] = atomic_write_text(out / "tables" / f"{b.name}.tex", to_latex(b))
    return written
