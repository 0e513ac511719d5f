"""`intermezzo report RUN_DIR`: report/report.md, report/report.html (self-contained) and report/tables/*.tex."""

from __future__ import annotations

import json
from pathlib import Path

from intermezzo.errors import UserError
from intermezzo.experiments.config import Experiment
from intermezzo.experiments.store import Store
from intermezzo.io import atomic_write_text
from intermezzo.report import analysis, sections, summary
from intermezzo.report.contrasts import contrast_pairs, contrasts
from intermezzo.report.data import Results, load_plan, progress, validation_rows
from intermezzo.report.tables import Doc, Table, to_html, to_latex, to_markdown


def _load(run_dir: Path) -> tuple[Experiment, list[dict], Store, dict]:
    cfg, db = run_dir / "config.json", run_dir / "results.sqlite"
    if not cfg.is_file() or not db.is_file():
        raise UserError(f"{run_dir}: not a run folder (no config.json/results.sqlite); "
                        "run `intermezzo run CONFIG --out RUN_DIR` first")
    exp = Experiment.model_validate(json.loads(cfg.read_text(encoding="utf-8")))
    plan = load_plan(run_dir)
    current = {c["key"] for c in plan["cells"]} if plan else None
    store = Store(db)
    # Rows of cells the current config no longer has (or has with other settings) stay out of the report.
    rows = analysis.headline([r for r in store.rows(run=exp.name) if current is None or r["phase"] in current])
    if not rows:
        store.close()
        raise UserError(f"{run_dir}: no evaluation results stored yet; let `intermezzo run` finish a cell first")
    return exp, rows, store, plan


def _overview(doc: Doc, exp: Experiment, rows: list[dict]) -> None:
    noises = sorted({r["noise"] for r in rows} - {"clean"})
    metric = {r["task"]: r["metric"] for r in rows}
    doc.h("Overview")
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


def analyse(run_dir: Path, exp: Experiment, rows: list[dict], store: Store, plan: dict, plot_dir: Path,
            n_resamples: int) -> sections.Context:
    """Every number one encoder's sections show, computed once."""
    nodes = {n["key"]: n for n in plan.get("nodes", [])}
    conditions = [c for c in exp.conditions if any(r["condition"] == c for r in rows)]
    tasks = [t for t in exp.targets if any(r["task"] == t for r in rows)]
    ctx = sections.Context(exp, Results(rows, store, nodes), rows, conditions, tasks, plot_dir, n_resamples,
                           validation_rows(run_dir, plan, rows[0]["encoder"]))
    ctx.scores = analysis.clean_scores(ctx.res, conditions, tasks, n_resamples)
    ctx.gains = analysis.gains(ctx.res, conditions, tasks, exp.baseline, n_resamples)
    if "best" in exp.reference or len(conditions) > 2:
        ctx.best = analysis.select_best(ctx.validation, ctx.gains, tasks, exp.baseline)
        ctx.best_average = analysis.best_average(ctx.res, ctx.best, exp.baseline, n_resamples)
        if ctx.best_average is not None:
            # The gain table shows it, so it joins that table's Holm family.
            analysis.mark_holm([*ctx.gains.values(), ctx.best_average])
    ctx.contrast = contrasts(ctx.res, contrast_pairs(exp.conditions), tasks, n_resamples)
    return ctx


def _findings(doc: Doc, contexts: list[sections.Context], progress_rows: list[dict], exp: Experiment) -> None:
    doc.h("Findings")
    for ctx in contexts:
        lead = f"{ctx.rows[0]['encoder']}: " if len(contexts) > 1 else ""
        doc.p(lead + " ".join([summary.validation_sentence(ctx), summary.contrast_sentence(ctx),
                                summary.gains_sentence(ctx)]), "findings")
    text, flagged = summary.progress_sentence(progress_rows, len(exp.seeds))
    if flagged:
        doc.p(text, "warning")


def build_report(run_dir: str | Path, n_resamples: int = 2_000) -> dict[str, Path]:
    """Write the report of a run folder; returns the paths written."""
    run_dir = Path(run_dir)
    exp, rows, store, plan = _load(run_dir)
    out = run_dir / "report"
    doc = Doc(f"intermezzo report: {exp.name}")
    encoders = list(dict.fromkeys(r["encoder"] for r in rows))
    try:
        # Encoders are never averaged together: each gets its own analyses, tables and plots.
        contexts = [analyse(run_dir, exp, [r for r in rows if r["encoder"] == enc], store, plan,
                            out / "plots" / (f"encoder{i}" if len(encoders) > 1 else ""), n_resamples)
                    for i, enc in enumerate(encoders, 1)]
        _findings(doc, contexts, [p for enc in encoders for p in progress(plan, rows, enc)], exp)
        _overview(doc, exp, rows)
        _notes(doc, run_dir / "notes.md")
        for i, (encoder, ctx) in enumerate(zip(encoders, contexts), 1):
            start = len(doc.blocks)
            if len(encoders) > 1:
                doc.h(f"Encoder {i}: {encoder}", 1)
            for section in (sections.validation_section, sections.scores_section, sections.gains_section,
                            sections.robustness_section, sections.contrast_section, sections.typology_section):
                doc.blocks += section(doc, ctx)
            for b in doc.blocks[start:]:
                if isinstance(b, Table) and len(encoders) > 1:
                    b.name, b.title = f"{b.name}-encoder{i}", f"{b.title} [{encoder}]"
        summary.methods(doc, contexts, n_resamples)
    finally:
        store.close()
    written = {"md": atomic_write_text(out / "report.md", to_markdown(doc, out)),
               "html": atomic_write_text(out / "report.html", to_html(doc))}
    for b in doc.blocks:
        if isinstance(b, Table):
            written[f"tex:{b.name}"] = atomic_write_text(out / "tables" / f"{b.name}.tex", to_latex(b))
    return written
