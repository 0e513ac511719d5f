"""The `intermediate` phase: one shared encoder, one head per task, a task sampler, MLM optionally mixed in."""

from __future__ import annotations

import logging
from pathlib import Path

from intermezzo.io import atomic_write_json
from intermezzo.phases import distributed
from intermezzo.phases.batching import sampling_weights
from intermezzo.phases.common import load_task_examples, type_task
from intermezzo.phases.dev import dev_examples, dev_score, validation
from intermezzo.phases.lifecycle import Outcome, PhaseRun, SavedModel, run_phase
from intermezzo.phases.loop import MultiTaskModel, train
from intermezzo.phases.mlm import MLM, mlm_task, saved_mlm_head
from intermezzo.phases.summaries import IntermediateSummary

log = logging.getLogger("intermezzo.phases")


def task_examples(entry, cfg, d: distributed.Dist) -> tuple[list[dict], dict | None]:
    """Training examples of one mix entry: native or already-translated files, or machine-translated here."""
    from intermezzo.phases.translate import translate_entry
    from intermezzo.tasks import get_task

    spec = get_task(entry.task)
    if entry.translate is None:
        return load_task_examples(spec, "train", entry.lang, entry.source, cfg.max_train_samples), None
    examples = load_task_examples(spec, "train", entry.translate.src_lang, entry.source, cfg.max_train_samples)
    # Rank 0 translates and fills the cache; the other ranks then read it from there.
    if not d.main:
        distributed.barrier(d)
    translated, report = translate_entry(spec, examples, entry.translate)
    if d.main:
        distributed.barrier(d)
    return translated, report


def mix_names(entries) -> list[str]:
    """Head names: the task name, or task_lang when a task appears more than once."""
    counts: dict[str, int] = {}
    for e in entries:
        counts[e.task] = counts.get(e.task, 0) + 1
    return [e.task if counts[e.task] == 1 else f"{e.task}_{e.lang if e.translate is None else e.translate.tgt_lang}"
            for e in entries]


def run_intermediate(params: dict, out_dir: Path, inputs: dict[str, Path]) -> dict:
    """Multi-task intermediate training; leaves out_dir/model/ with the encoder and every task's head."""
    return run_phase("intermediate", params, out_dir, inputs, train_intermediate)


def train_intermediate(run: PhaseRun) -> Outcome:
    """The intermediate phase's work: the mix trained together, then each task scored on its own dev split."""
    from intermezzo.tasks import get_task

    cfg, d = run.cfg, run.d
    encoder, tokenizer, source = run.load_encoder()
    tasks, sizes, meta, translation = [], [], {}, {}
    for name, entry in zip(mix_names(cfg.tasks), cfg.tasks):
        spec = get_task(entry.task)
        examples, report = task_examples(entry, cfg, d)
        if report is not None:
            translation[name] = report
        tasks.append(type_task(name, spec, examples, tokenizer, cfg.max_length, encoder.config.hidden_size,
                               cfg.pooling))
        sizes.append(len(examples))
        meta[name] = {"type": spec.type, "task": spec.name}
    if cfg.mlm is not None:
        src = run.input_model
        tasks.append(mlm_task(encoder, tokenizer, cfg.mlm.texts, cfg.mlm.mlm_probability, cfg.max_length,
                              cfg.max_train_samples, checkpoint=src, head=saved_mlm_head(src, encoder)))
        sizes.append(len(tasks[-1].features))
        meta[MLM] = {"kind": "mlm"}
    probabilities = sampling_weights(sizes, cfg.sampler.kind, cfg.sampler.temperature, cfg.sampler.cap)
    if translation and d.main:
        atomic_write_json(run.folder.translation, translation)
    model = MultiTaskModel(encoder, tasks)
    result = train(model, tasks, cfg, run.folder.root, d, probabilities=probabilities)
    summary = IntermediateSummary(
        encoder=source, tasks={t.name: n for t, n in zip(tasks, sizes)},
        sampling={t.name: round(float(p), 6) for t, p in zip(tasks, probabilities)},
        steps_per_task=_steps_per_task(result["history"]), validation=validate_mix(model, tokenizer, run, result["steps"]),
        translation=translation or None,
        **{k: result[k] for k in ("steps", "train_loss", "first_loss", "resumed_from")})
    return Outcome(summary, SavedModel(encoder, tokenizer, {t.name: t.head for t in tasks}, meta))


def validate_mix(model: MultiTaskModel, tokenizer, run: PhaseRun, steps: int) -> dict:
    """{head name: Validation} of the weights handed on, each task on its own dev split: how well the
    intermediate task was learned. A translated task is scored on its dev split translated by the same engine
    (cached like the training data): its source-language dev would measure transfer back, not learning."""
    from intermezzo.phases.translate import translate_entry
    from intermezzo.tasks import get_task

    cfg, out = run.cfg, {}
    for name, entry in zip(mix_names(cfg.tasks), cfg.tasks):
        spec = get_task(entry.task)
        lang = entry.lang if entry.translate is None else entry.translate.src_lang
        examples = dev_examples(spec, lang, entry.source, cfg.max_eval_samples)
        if not examples:
            log.warning("intermediate task %s: no %s dev split to validate on", name, lang)
            continue
        if entry.translate is not None:
            examples, _ = translate_entry(spec, examples, entry.translate)
            lang = entry.translate.tgt_lang
        score = dev_score(spec, examples, model.encoder, model.heads[name], tokenizer, cfg, run.d.device, lang)
        out[name] = validation(spec, examples, score, steps, steps, lang, translated=entry.translate is not None)
    model.train()
    return out


def _steps_per_task(history: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in history:
        for name, n in row.get("tasks", {}).items():
            counts[name] = counts.get(name, 0) + n
    return counts
