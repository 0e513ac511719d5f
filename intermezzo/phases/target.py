"""The `target` phase: a fresh head on the handed-over encoder, English training, early stopping on validation."""

from __future__ import annotations

import time
from pathlib import Path

from intermezzo.errors import UserError
from intermezzo.phases import distributed
from intermezzo.phases.common import (finish, finished_summary, load_encoder_for, load_task_examples, save_trained,
                                      type_task)
from intermezzo.phases.loop import MultiTaskModel, Validator, seed_everything, train
from intermezzo.phases.params import validate
from intermezzo.phases.predict import predict


def training_spec(spec):
    """The spec whose English data trains `spec` (XTREME tasks name it in train_source, e.g. xquad -> squad)."""
    from intermezzo.tasks import get_task

    source = get_task(spec.train_source) if spec.train_source and spec.train_source != spec.name else spec
    if source.type != spec.type:
        return spec  # LAReQA: its own reader turns SQuAD into retrieval pairs, so it trains on its own split
    if source.labels != spec.labels:
        raise UserError(f"task {spec.name}: its labels differ from those of {source.name}, which trains it; "
                        "a head trained on one would be decoded with the other's labels - fix the task specs")
    return source


def primary(scores: dict[str, float]) -> float:
    """The number early stopping compares: F1 where the metric reports one, else its first value."""
    for key in ("f1", "accuracy"):
        if key in scores:
            return float(scores[key])
    return float(next(iter(scores.values())))


def make_validator(cfg, spec, examples: list[dict], name: str, tokenizer, d) -> Validator | None:
    """Early stopping on the English validation split (None when there is none)."""
    from intermezzo.types import TYPES

    if not examples:
        return None

    def evaluate(model: MultiTaskModel) -> float:
        predictions = predict(spec, examples, model.encoder, model.heads[name], tokenizer, cfg.max_length,
                              cfg.eval_batch_size, d.device, cfg.precision)
        return primary(TYPES[spec.type].score(spec, predictions, examples, spec.train_lang))

    return Validator(evaluate=evaluate, every=cfg.eval_every, patience=cfg.patience)


def run_target(params: dict, out_dir: Path, inputs: dict[str, Path]) -> dict:
    """Train a fresh head for `task` (its heads from earlier phases dropped); keep the best validated weights."""
    from intermezzo.tasks import get_task

    out_dir = Path(out_dir)
    cfg = validate("target", params)
    if (summary := finished_summary(out_dir, cfg, inputs)) is not None:
        return summary
    spec = get_task(cfg.task)
    if spec.train_source is None:
        raise UserError(f"target task {spec.name}: it is scored straight from an encoder (no training data); "
                        "drop the target phase and evaluate it with inputs['encoder']")
    source_spec = training_spec(spec)
    started, d = time.time(), distributed.setup(cfg.device)
    seed_everything(cfg.seed)
    # Only the encoder is loaded from the input: the intermediate heads stay behind.
    encoder, tokenizer, source = load_encoder_for(cfg, inputs)
    lang = source_spec.train_lang
    train_examples = load_task_examples(source_spec, "train", lang, cfg.source, cfg.max_train_samples)
    valid_examples = []
    if "validation" in source_spec.splits:
        valid_examples = load_task_examples(source_spec, "validation", lang, cfg.source, cfg.max_eval_samples,
                                            missing_ok=True)
    # Featurized as (and head shaped by) the source task; saved under the evaluated task's name.
    task = type_task(spec.name, source_spec, train_examples, tokenizer, cfg.max_length, encoder.config.hidden_size)
    model = MultiTaskModel(encoder, [task])
    validator = make_validator(cfg, source_spec, valid_examples, spec.name, tokenizer, d)
    result = train(model, [task], cfg, out_dir, d, validator=validator)
    save_trained(out_dir, encoder, tokenizer, {spec.name: task.head},
                 {spec.name: {"type": source_spec.type, "task": source_spec.name}}, d)
    summary = {"phase": "target", "task": spec.name, "trained_on": f"{source_spec.name}/{lang}", "encoder": source,
               "tasks": {spec.name: len(train_examples)}, "validation_examples": len(valid_examples),
               "model": "model", **{k: result[k] for k in ("steps", "train_loss", "first_loss", "best",
                                                           "resumed_from")}}
    return finish(out_dir, summary, d, started, cfg, inputs)
