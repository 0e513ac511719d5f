"""Scoring a head on a task's dev split: early stopping's validator and the summaries' `validation` entries."""

from __future__ import annotations

from collections import Counter

from intermezzo.phases.common import load_task_examples
from intermezzo.phases.summaries import Validation


def dev_examples(spec, lang: str, source: str, limit: int | None) -> list[dict]:
    """The task's validation split in `lang` ([] when it has none or it cannot be loaded)."""
    if "validation" not in spec.splits:
        return []
    return load_task_examples(spec, "validation", lang, source, limit, missing_ok=True)


def dev_score(spec, examples: list[dict], encoder, head, tokenizer, cfg, device, lang: str) -> float:
    """The task's headline number (intermezzo.metrics.headline, 0-100) of `head` on `examples`."""
    from intermezzo.metrics import headline
    from intermezzo.phases.predict import predict
    from intermezzo.types import TYPES

    predictions = predict(spec, examples, encoder, head, tokenizer, cfg.max_length, cfg.eval_batch_size, device,
                          cfg.precision)
    return float(headline(TYPES[spec.type].score(spec, predictions, examples, lang)))


def chance(spec, examples: list[dict]) -> float | None:
    """Accuracy (0-100) of always answering the most frequent label of `examples`: the bar a learned task
    clears. None where the metric is not accuracy over labels (span F1, retrieval)."""
    labels = [ex.get("label") for ex in examples]
    if spec.metric != "accuracy" or not labels or any(label is None for label in labels):
        return None
    return 100.0 * Counter(map(str, labels)).most_common(1)[0][1] / len(labels)


def validation(spec, examples: list[dict], score: float, best_step: int, steps: int, lang: str,
               translated: bool = False) -> Validation:
    """The summary entry of one task's dev score."""
    return Validation(metric=spec.metric, score=round(score, 4), chance=chance(spec, examples), best_step=best_step,
                      steps=steps, lang=lang, examples=len(examples), translated=translated)
