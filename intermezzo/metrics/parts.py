"""Per-example statistics whose reduction is the headline metric exactly, for resampling (bootstrap) units.

Two kinds (PARTS_KIND):
  "mean"  rows [score] in 0-100; headline = their mean. accuracy (0/100), squad / mlqa (the question's F1,
          since F1 is the QA headline these rows stand for), mrr@20 (reciprocal rank), map@20 (AP@20).
  "f1"    rows [tp, n_pred, n_gold]; headline = 2PR/(P+R) = 200*sum(tp)/(sum(n_pred)+sum(n_gold)).
          seqeval_f1: span counts per sentence (seqeval appends an "O" after every sentence, so no span
          crosses sentences and the corpus counts are the sums); bucc_f1: pair counts per source sentence.
reduce_parts(metric, example_parts(metric, p, r, lang)) equals the corpus metric (its "f1", "accuracy" or
"map@20" value) up to float rounding (1e-9, the tolerance of the official-parity tests), and reduces any
resample of the rows the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from intermezzo.errors import unknown
from intermezzo.metrics import seqeval
from intermezzo.metrics.qa import answer_em_f1

PARTS_KIND: dict[str, str] = {
    "accuracy": "mean", "squad": "mean", "mlqa": "mean", "mrr@20": "mean", "map@20": "mean",
    "seqeval_f1": "f1", "bucc_f1": "f1",
}


def bucc_rows(predictions: Sequence[Sequence[str]], references: Sequence[Sequence[str]],
              sources: Sequence[str] | None = None) -> list[list[float]]:
    """[tp, n_pred, n_gold] per source sentence: `sources` in order (the whole pool, so sentences with no
    pair on either side count too), else every source id that appears in a pair, in order of appearance."""
    pred, gold = {tuple(p) for p in predictions}, {tuple(g) for g in references}
    if sources is None:
        sources = list(dict.fromkeys([s for s, _ in [*references, *predictions]]))
    n_pred, n_gold = Counter(s for s, _ in pred), Counter(s for s, _ in gold)
    tp = Counter(s for s, _ in pred & gold)
    return [[float(tp[s]), float(n_pred[s]), float(n_gold[s])] for s in sources]


def example_parts(metric: str, predictions: Sequence, references: Sequence, lang: str | None = None,
                  sources: Sequence[str] | None = None) -> list[list[float]]:
    """One row per example (bucc_f1: per source sentence, see bucc_rows) whose reduce_parts is the headline."""
    from intermezzo.metrics.scorers import METRICS, _same_length, average_precision, reciprocal_rank

    if metric not in METRICS:
        raise unknown("metric", metric, METRICS)
    if metric == "bucc_f1":
        return bucc_rows(predictions, references, sources)
    _same_length(predictions, references)
    pairs = list(zip(predictions, references))
    if metric == "seqeval_f1":
        return [[float(c) for c in seqeval.counts([p], [r])] for p, r in pairs]
    if metric == "accuracy":
        return [[100.0 * (p == r)] for p, r in pairs]
    if metric in ("squad", "mlqa"):
        qa_lang = lang if metric == "mlqa" else None
        return [[100.0 * answer_em_f1(p, list(g), qa_lang)[1]] for p, g in pairs]
    score = reciprocal_rank if metric == "mrr@20" else average_precision
    return [[100.0 * score(p, g)] for p, g in pairs]


def reduce_parts(metric: str, rows) -> float:
    """The headline (0-100) of example_parts rows, or of any resample of them (a list or numpy array)."""
    import numpy as np

    if metric not in PARTS_KIND:
        raise unknown("metric", metric, PARTS_KIND)
    rows = np.asarray(rows, dtype=np.float64)
    if rows.size == 0:
        raise ValueError("no examples to reduce")
    if PARTS_KIND[metric] == "mean":
        return float(rows[:, 0].mean())
    tp, n_pred, n_gold = (float(v) for v in rows.sum(axis=0))
    # The official F1s' own order of operations (seqeval's prf, evaluate.py's bucc_f1), not 2tp/(np+ng).
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    denom = precision + recall
    return 2 * precision * recall / denom * 100 if denom else 0.0
