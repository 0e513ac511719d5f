"""Report figures as PNG files (matplotlib, Agg backend): gain heatmap, degradation curves, contrasts with CIs."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np


def _plt():
    import matplotlib

    matplotlib.use("Agg")  # no display on servers; set before pyplot is imported
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=110, bbox_inches="tight")
    tmp.replace(path)
    _plt().close(fig)
    return path


def text_colour(rgba) -> str:
    """Black or white, whichever reads better on a cell of colour `rgba` (WCAG relative luminance)."""
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3]]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    # Contrast ratio against black vs against white; pick the larger.
    return "black" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "white"


def gain_heatmap(gains: dict[tuple[str, str], dict], conditions: list[str], columns: list[str], path: Path) -> Path:
    """Conditions (rows) x target tasks (columns), coloured by gain over the baseline; '*' marks a gain whose
    CI excludes 0 after Holm."""
    plt = _plt()
    cell = [[gains.get((c, t)) for t in columns] for c in conditions]
    grid = np.array([[g["value"] if g else np.nan for g in row] for row in cell])
    bound = np.nanmax(np.abs(grid)) if np.isfinite(grid).any() else 1.0
    bound = bound or 1.0
    fig, ax = plt.subplots(figsize=(1.2 * len(columns) + 2.8, 0.55 * len(conditions) + 1.6), layout="constrained")
    im = ax.imshow(grid, cmap="RdBu", vmin=-bound, vmax=bound, aspect="auto")
    ax.set_xticks(range(len(columns)), columns, rotation=30, ha="right")
    ax.set_yticks(range(len(conditions)), conditions)
    for i, row in enumerate(cell):
        for j, g in enumerate(row):
            if g is not None and np.isfinite(g["value"]):
                label = f"{g['value']:+.1f}{'*' if g.get('significant') else ''}"
                ax.text(j, i, label, ha="center", va="center", fontsize=9,
                        color=text_colour(im.cmap(im.norm(g["value"]))))
    fig.colorbar(im, ax=ax, label="gain over baseline (points)", shrink=0.9)
    ax.set_title("Gain of intermediate training, clean (* CI excludes 0 after Holm)", fontsize=10)
    return _save(fig, path)


def degradation_curves(deg: list[dict], task: str, family: str, path: Path, max_langs: int = 12) -> Path:
    """One panel per language: score against noise level (clean at 0), one line per condition."""
    plt = _plt()
    rows = [r for r in deg if r["task"] == task and r["family"] == family]
    langs = sorted({r["lang"] for r in rows})[:max_langs]
    cols = min(4, max(1, len(langs)))
    nrows = -(-len(langs) // cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(3.2 * cols, 2.6 * nrows + 0.4), squeeze=False, sharey=True,
                             layout="constrained")
    # One colour per condition across every panel.
    colour = {c: f"C{i % 10}" for i, c in enumerate(sorted({r["condition"] for r in rows}))}
    for ax, lang in zip(axes.flat, langs):
        curves: dict[str, list] = defaultdict(list)
        for r in rows:
            if r["lang"] == lang:
                curves[r["condition"]].append(r)
        for cond, pts in sorted(curves.items()):
            pts = sorted(pts, key=lambda r: r["level"])
            ax.plot([0.0] + [p["level"] for p in pts], [pts[0]["clean"]] + [p["noisy"] for p in pts],
                    marker="o", label=cond, color=colour[cond])
        ax.set_title(lang)
        ax.set_xlabel(f"{family} level")
    spare = list(axes.flat)[len(langs):]
    for ax in spare:
        ax.axis("off")
    axes.flat[0].set_ylabel("score")
    handles = [plt.Line2D([], [], color=c, marker="o", label=cond) for cond, c in colour.items()]
    # The legend goes in an empty panel when there is one, else inside the first panel: never off the canvas.
    host = spare[0] if spare else axes.flat[0]
    host.legend(handles=handles, loc="center" if spare else "best", fontsize=7, title="condition",
                title_fontsize=7, framealpha=0.85)
    fig.suptitle(f"{task}: degradation under {family}")
    return _save(fig, path)


def gap_bars(rows: list[dict], kind: str, label: str, path: Path) -> Path:
    """Per language: one contrast (target-language vs English intermediate) with its 95% CI."""
    plt = _plt()
    rows = [r for r in rows if np.isfinite(r[kind]["value"])]
    labels = [f"{r['task']}/{r['lang']}" for r in rows]
    means = np.array([r[kind]["value"] for r in rows])
    low = np.array([r[kind]["low"] for r in rows])
    high = np.array([r[kind]["high"] for r in rows])
    err = np.nan_to_num(np.array([means - low, high - means]))
    fig, ax = plt.subplots(figsize=(max(4.5, 0.5 * len(rows) + 2), 3.4), layout="constrained")
    colours = ["#2b7a3d" if m >= 0 else "#b23a3a" for m in means]
    ax.bar(range(len(rows)), means, yerr=err, capsize=3, color=colours)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(rows)), labels, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel(f"{label} (points)")
    ax.legend(handles=[plt.Rectangle((0, 0), 1, 1, color="#2b7a3d", label="favours target-language arm"),
                       plt.Rectangle((0, 0), 1, 1, color="#b23a3a", label="favours English arm")],
              loc="best", fontsize=7, framealpha=0.85)
    ax.set_title(f"Target-language vs English intermediate: {label}, 95% CI", fontsize=10)
    return _save(fig, path)


def regression_plot(points: list[tuple[str, float, float]], fit: dict, path: Path) -> Path:
    """Robustness gap against typological distance from English, with the least-squares line."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    xs = np.array([p[1] for p in points])
    ax.scatter(xs, [p[2] for p in points])
    for lang, x, y in points:
        ax.annotate(lang, (x, y), fontsize=7)
    grid = np.linspace(xs.min(), xs.max(), 10)
    ax.plot(grid, fit["intercept"] + fit["slope"] * grid, color="black")
    ax.set_xlabel("distance from English")
    ax.set_ylabel("primary contrast (points)")
    return _save(fig, path)
