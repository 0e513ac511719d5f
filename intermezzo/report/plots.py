"""Report figures as PNG files (matplotlib, Agg backend): gain heatmap, degradation curves, robustness gaps."""

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


def gain_heatmap(gains: dict[tuple[str, str], dict], conditions: list[str], tasks: list[str], path: Path) -> Path:
    """Conditions (rows) x target tasks (columns), coloured by gain over the baseline."""
    plt = _plt()
    grid = np.array([[gains.get((c, t), {}).get("gain", np.nan) for t in tasks] for c in conditions])
    bound = np.nanmax(np.abs(grid)) if np.isfinite(grid).any() else 1.0
    fig, ax = plt.subplots(figsize=(1.1 * len(tasks) + 2.5, 0.5 * len(conditions) + 1.5))
    im = ax.imshow(grid, cmap="RdBu", vmin=-bound, vmax=bound, aspect="auto")
    ax.set_xticks(range(len(tasks)), tasks, rotation=45, ha="right")
    ax.set_yticks(range(len(conditions)), conditions)
    for i in range(len(conditions)):
        for j in range(len(tasks)):
            if np.isfinite(grid[i, j]):
                ax.text(j, i, f"{grid[i, j]:+.1f}", ha="center", va="center", fontsize=8)
    fig.colorbar(im, ax=ax, label="gain over baseline (points)")
    ax.set_title("Gain of intermediate training, clean")
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
    for ax in list(axes.flat)[len(langs):]:
        ax.axis("off")
    axes.flat[0].set_ylabel("score")
    handles = [plt.Line2D([], [], color=c, marker="o", label=cond) for cond, c in colour.items()]
    fig.legend(handles=handles, loc="outside right upper", fontsize=7)
    fig.suptitle(f"{task}: degradation under {family}")
    return _save(fig, path)


def gap_bars(rows: list[dict], path: Path) -> Path:
    """Per language: robustness gain of target-language over English intermediate, with 95% CIs."""
    plt = _plt()
    labels = [f"{r['task']}/{r['lang']}" for r in rows]
    means = np.array([r["mean"] for r in rows])
    err = np.array([[r["mean"] - r["ci_low"] for r in rows], [r["ci_high"] - r["mean"] for r in rows]])
    fig, ax = plt.subplots(figsize=(max(4.0, 0.45 * len(rows) + 2), 3.2))
    ax.bar(range(len(rows)), means, yerr=err, capsize=3,
           color=["tab:green" if m >= 0 else "tab:red" for m in means])
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(rows)), labels, rotation=60, ha="right", fontsize=7)
    ax.set_ylabel("robustness gain (points)")
    ax.set_title("Target-language minus English intermediate: change under noise")
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
    ax.set_ylabel("robustness gain (points)")
    return _save(fig, path)
