"""Per-example statistical units: how a task's per-example rows reduce to its headline metric, and chance level."""

from __future__ import annotations

import numpy as np

from intermezzo.metrics import PARTS_KIND


def parts_kind(metric: str | None, width: int = 1) -> str:
    """'mean' or 'f1' for a task metric; unknown metrics go by the row width ([tp, n_pred, n_gold] is 'f1')."""
    return PARTS_KIND.get(metric, "f1" if width == 3 else "mean")


def reduce(parts: np.ndarray, kind: str, weights: np.ndarray | None = None) -> np.ndarray:
    """Headline (0-100) of per-example rows `parts` (..., n, m); with bootstrap counts `weights` (b, n): (..., b).

    "mean": rows are [score], the headline their mean. "f1": rows are [tp, n_pred, n_gold], the headline
    200 * sum(tp) / (sum(n_pred) + sum(n_gold)), as seqeval's span F1 and BUCC's pair F1 are computed.
    """
    parts = np.asarray(parts, dtype=float)
    if weights is None:
        weights = np.ones((1, parts.shape[-2]))
        squeeze = True
    else:
        squeeze = False
    if kind == "mean":
        out = (parts[..., 0] @ weights.T) / weights.sum(axis=1)
    elif kind == "f1":
        tp = parts[..., 0] @ weights.T
        den = (parts[..., 1] + parts[..., 2]) @ weights.T
        out = np.divide(200.0 * tp, den, out=np.zeros_like(tp), where=den > 0)
    else:
        raise ValueError(f"unknown parts kind {kind!r}; expected 'mean' or 'f1'")
    return out[..., 0] if squeeze else out


def chance(spec) -> float | None:
    """Chance-level score of a task (0-100): 100/labels (classification), 100/choices (multiple choice), else None."""
    if spec is None:
        return None
    if spec.type == "classification" and spec.labels:
        return 100.0 / len(spec.labels)
    if spec.type == "multiple_choice" and spec.n_choices:
        return 100.0 / spec.n_choices
    return None
