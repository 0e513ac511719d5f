"""The `intermediate` phase: one shared encoder, one head per task, a task sampler, MLM optionally mixed in."""

from __future__ import annotations

import os
import time
from pathlib import Path

from intermezzo.io import atomic_write_json
from intermezzo.phases import distributed
from intermezzo.phases.batching import sampling_weights
from intermezzo.phases.common import (finish, finished_summary, load_encoder_for, load_task_examples, model_dir,
                                      save_trained, type_task)
from intermezzo.phases.loop import MultiTaskModel, seed_everything, train
from intermezzo.phases.mlm import MLM, mlm_task, saved_mlm_head
from intermezzo.phases.params import validate


def translation_cache() -> Path:
    """Where translations are kept between runs ($INTERMEZZO_CACHE/translations)."""
    return Path(os.environ.get("INTERMEZZO_CACHE", "~/.cache/intermezzo")).expanduser() / "translations"


def task_examples(entry, cfg, d: distributed.Dist) -> tuple[list[dict], dict | None]:
    """Training examples of one mix entry: native or already-translated files, or machine-translated here."""
    from intermezzo.phases.translate import CachedTranslator, get_translator, translate_examples
    from intermezzo.tasks import get_task

    spec = get_task(entry.task)
    if entry.translate is None:
        return load_task_examples(spec, "train", entry.lang, entry.source, cfg.max_train_samples), None
    tr = entry.translate
    examples = load_task_examples(spec, "train", tr.src_lang, entry.source, cfg.max_train_samples)
    # Rank 0 translates and fills the cache; the other ranks then read it from there.
    if not d.main:
        distributed.barrier(d)
    translator = CachedTranslator(get_translator(tr.engine, tr.model, batch_size=tr.batch_size), translation_cache())
    translated, report = translate_examples(spec, examples, translator, tr.src_lang, tr.tgt_lang)
    if d.main:
        distributed.barrier(d)
    return translated, {**report, "engine": translator.name, "src": tr.src_lang, "tgt": tr.tgt_lang}


def mix_names(entries) -> list[str]:
    """Head names: the task name, or task_lang when a task appears more than once."""
    counts: dict[str, int] = {}
    for e in entries:
        counts[e.task] = counts.get(e.task, 0) + 1
    return [e.task if counts[e.task] == 1 else f"{e.task}_{e.lang if e.translate is None else e.translate.tgt_lang}"
            for e in entries]


def run_intermediate(params: dict, out_dir: Path, inputs: dict[str, Path]) -> dict:
    """Multi-task intermediate training; leaves out_dir/model/ with the encoder and every task's head."""
    from intermezzo.tasks import get_task

    out_dir = Path(out_dir)
    cfg = validate("intermediate", params)
    if (summary := finished_summary(out_dir, cfg, inputs)) is not None:
        return summary
    started, d = time.time(), distributed.setup(cfg.device)
    seed_everything(cfg.seed)
    encoder, tokenizer, source = load_encoder_for(cfg, inputs)
    tasks, sizes, meta, translation = [], [], {}, {}
    for name, entry in zip(mix_names(cfg.tasks), cfg.tasks):
        spec = get_task(entry.task)
        examples, report = task_examples(entry, cfg, d)
        if report is not None:
            translation[name] = report
        tasks.append(type_task(name, spec, examples, tokenizer, cfg.max_length, encoder.config.hidden_size))
        sizes.append(len(examples))
        meta[name] = {"type": spec.type, "task": spec.name}
    if cfg.mlm is not None:
        src = model_dir(inputs, "encoder", "model")
        tasks.append(mlm_task(encoder, tokenizer, cfg.mlm.texts, cfg.mlm.mlm_probability, cfg.max_length,
                              cfg.max_train_samples, checkpoint=src, head=saved_mlm_head(src, encoder)))
        sizes.append(len(tasks[-1].features))
        meta[MLM] = {"kind": "mlm"}
    probabilities = sampling_weights(sizes, cfg.sampler.kind, cfg.sampler.temperature, cfg.sampler.cap)
    if translation and d.main:
        atomic_write_json(out_dir / "translation.json", translation)
    model = MultiTaskModel(encoder, tasks)
    result = train(model, tasks, cfg, out_dir, d, probabilities=probabilities)
    save_trained(out_dir, encoder, tokenizer, {t.name: t.head for t in tasks}, meta, d)
    summary = {"phase": "intermediate", "encoder": source, "model": "model",
               "tasks": {t.name: n for t, n in zip(tasks, sizes)},
               "sampling": {t.name: round(float(p), 6) for t, p in zip(tasks, probabilities)},
               "steps_per_task": _steps_per_task(result["history"]),
               **{k: result[k] for k in ("steps", "train_loss", "first_loss", "resumed_from")}}
    if translation:
        summary["translation"] = translation
    return finish(out_dir, summary, d, started, cfg, inputs)


def _steps_per_task(history: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in history:
        for name, n in row.get("tasks", {}).items():
            counts[name] = counts.get(name, 0) + n
    return counts
