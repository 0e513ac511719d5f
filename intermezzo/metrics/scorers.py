"""The official metrics, one function per name (METRICS), and a per-example score for paired statistics.

Every metric takes (predictions, references, lang) aligned by position and returns {name: value in 0-100}
with the keys, in the order, of XTREME's evaluate.py. Shapes, per metric:
  accuracy     a label per example               vs a label per example
  seqeval_f1   a tag list per sentence           vs a tag list per sentence
  squad, mlqa  an answer string (None: unanswered) vs a list of gold answer strings
  bucc_f1      (source id, target id) pairs       vs gold pairs (any order, any count)
  mrr@20       ranked candidate ids (None: none)  vs gold ids (Mewsli-X: one)
  map@20       ranked candidate ids (None: none)  vs gold ids (LAReQA: all correct candidates)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from intermezzo.errors import unknown
from intermezzo.metrics import seqeval
from intermezzo.metrics.qa import answer_em_f1

TOP_K = 20  # Mewsli-X and LAReQA score the top 20 candidates


def _same_length(predictions: Sequence, references: Sequence) -> None:
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions for {len(references)} references; they must pair up")
    if not references:
        raise ValueError("no examples to score")


def accuracy(predictions: Sequence, references: Sequence, lang: str | None = None) -> dict[str, float]:
    """Share of exact label matches (labels compared as given, like the official `p == l`)."""
    _same_length(predictions, references)
    correct = sum(int(p == r) for p, r in zip(predictions, references))
    return {"accuracy": float(correct) / len(predictions) * 100}


def seqeval_f1(predictions: list[list[str]], references: list[list[str]], lang: str | None = None,
               legacy: bool = False) -> dict:
    """seqeval's default micro span F1, precision and recall; `legacy`: seqeval 0.0.12's tag parsing."""
    precision, recall, f1 = seqeval.prf(*seqeval.counts(predictions, references, legacy))
    return {"f1": f1 * 100, "precision": precision * 100, "recall": recall * 100}


def _qa(predictions: Sequence[str | None], references: Sequence[list[str]], lang: str | None) -> dict:
    _same_length(predictions, references)
    exact_match = f1 = 0.0
    for prediction, golds in zip(predictions, references):
        em_i, f1_i = answer_em_f1(prediction, list(golds), lang)
        exact_match += em_i
        f1 += f1_i
    return {"exact_match": 100.0 * exact_match / len(references), "f1": 100.0 * f1 / len(references)}


def squad(predictions: Sequence[str | None], references: Sequence[list[str]], lang: str | None = None) -> dict:
    """SQuAD v1.1 EM and F1 (XQuAD, TyDiQA-GoldP; SQuAD 2.0 no-answer questions have no gold answers)."""
    return _qa(predictions, references, None)


def mlqa(predictions: Sequence[str | None], references: Sequence[list[str]], lang: str) -> dict:
    """MLQA EM and F1 with the answer language's normalisation (articles; mixed segmentation for zh)."""
    return _qa(predictions, references, lang)


def bucc_f1(predictions: Sequence[Sequence[str]], references: Sequence[Sequence[str]], lang=None) -> dict:
    """F1, precision and recall of predicted (source, target) pairs against the gold pairs."""
    gold = {tuple(p) for p in references}
    pred = {tuple(p) for p in predictions}
    correct = len(gold & pred)
    if correct == 0:
        return {"f1": 0.0, "precision": 0.0, "recall": 0.0}
    precision, recall = correct / len(pred), correct / len(gold)
    f1 = 2 * precision * recall / (precision + recall)
    return {"f1": f1 * 100, "precision": precision * 100, "recall": recall * 100}


def reciprocal_rank(ranked: Sequence[str] | None, golds: Sequence[str], k: int = TOP_K) -> float:
    """1/rank of the gold id in the top k (Mewsli-X: the first gold id, stripped), else 0."""
    if not golds:
        raise ValueError("reciprocal rank needs a gold id per query")
    gold = golds[0].strip()
    for rank, candidate in enumerate((ranked or [])[:k], start=1):
        if candidate == gold:
            return 1.0 / rank
    return 0.0


def average_precision(ranked: Sequence[str] | None, golds: Sequence[str], k: int = TOP_K) -> float:
    """AP@k as XTREME-R's LAReQA code: precision at each new correct hit, over min(#gold, k)."""
    if not golds:
        raise ValueError("average precision needs at least one correct candidate per query")
    ranked = list(ranked or [])[:k]
    targets = set(golds)
    score = hits = 0.0
    for i, candidate in enumerate(ranked):
        if candidate in targets and candidate not in ranked[:i]:  # a repeated id earns nothing twice
            hits += 1.0
            score += hits / (i + 1.0)
    return score / min(len(targets), k)


def mrr20(predictions: Sequence, references: Sequence[Sequence[str]], lang: str | None = None) -> dict:
    """Mewsli-X mean reciprocal rank over the top 20, under the official key 'map@20'."""
    _same_length(predictions, references)
    ranks = [reciprocal_rank(p, g) for p, g in zip(predictions, references)]
    return {"map@20": sum(ranks) / len(ranks) * 100}


def map20(predictions: Sequence, references: Sequence[Sequence[str]], lang: str | None = None) -> dict:
    """LAReQA mean average precision over the top 20."""
    _same_length(predictions, references)
    aps = [average_precision(p, g) for p, g in zip(predictions, references)]
    return {"map@20": sum(aps) / len(aps) * 100}


METRICS: dict[str, Callable[..., dict[str, float]]] = {
    "accuracy": accuracy,
    "seqeval_f1": seqeval_f1,
    "squad": squad,
    "mlqa": mlqa,
    "bucc_f1": bucc_f1,
    "mrr@20": mrr20,
    "map@20": map20,
}


# The metric a study reports per task when a scorer returns several: F1 before exact match, so that it is the
# metric whose per-example rows (intermezzo.metrics.example_parts) the report's statistics resample.
PRIMARY = ("f1", "accuracy", "mrr@20", "map@20", "exact_match")


def primary_metric(metrics) -> str:
    """The metric a report's tables and statistics use among `metrics` (F1 for QA: the per-example unit)."""
    metrics = sorted(set(metrics))
    return next((m for m in PRIMARY if m in metrics), metrics[0])


def headline(scores: dict[str, float]) -> float:
    """The one number the official scorer ranks by: (EM+F1)/2 for QA, else F1, accuracy or map@20 (also what
    early stopping compares, as jiant does); reports show primary_metric's value instead."""
    if "exact_match" in scores:
        return (scores["exact_match"] + scores["f1"]) / 2
    for key in ("f1", "accuracy", "map@20"):
        if key in scores:
            return scores[key]
    raise KeyError(f"no headline metric among {sorted(scores)}")


def _sentence_f1(prediction: list[str], reference: list[str]) -> float:
    tp, n_pred, n_gold = seqeval.counts([prediction], [reference])
    if n_pred == n_gold == 0:
        return 100.0  # nothing to find and nothing claimed: the sentence is right
    return seqeval.prf(tp, n_pred, n_gold)[2] * 100


def example_scores(metric: str, predictions: Sequence, references: Sequence, lang: str | None = None,
                   sources: Sequence[str] | None = None) -> list:
    """One score per example, 0-100, for paired statistics.

    accuracy: 0/100; seqeval_f1: the sentence's span F1 (100 when neither side has spans); squad, mlqa:
    (EM+F1)/2 of the question, so their mean is the task's headline; bucc_f1: the pair F1 of each source
    sentence (`sources`: the whole pool in order, else those in a pair; 100 when it has no pair on either
    side); mrr@20, map@20: the query's reciprocal rank or average precision. Except for span F1 and BUCC,
    the mean of these equals headline(METRICS[metric](...)); intermezzo.metrics.example_parts gives rows
    whose reduction equals it for every metric.
    """
    if metric not in METRICS:
        raise unknown("metric", metric, METRICS)
    if metric == "bucc_f1":
        from intermezzo.metrics.parts import bucc_rows

        return [100.0 if n_pred == n_gold == 0 else 100.0 * seqeval.prf(tp, n_pred, n_gold)[2]
                for tp, n_pred, n_gold in bucc_rows(predictions, references, sources)]
    _same_length(predictions, references)
    pairs = list(zip(predictions, references))
    if metric == "accuracy":
        return [100.0 * (p == r) for p, r in pairs]
    if metric == "seqeval_f1":
        return [_sentence_f1(p, r) for p, r in pairs]
    if metric in ("squad", "mlqa"):
        qa_lang = lang if metric == "mlqa" else None
        return [50.0 * sum(answer_em_f1(p, list(g), qa_lang)) for p, g in pairs]
    score = reciprocal_rank if metric == "mrr@20" else average_precision
    return [100.0 * score(p, g) for p, g in pairs]
