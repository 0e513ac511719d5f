"""The `evaluate` phase: every language of a task, clean and under each noise spec, in one run."""

from __future__ import annotations

import json
import time
from pathlib import Path

from intermezzo.errors import UserError
from intermezzo.io import atomic_dir, atomic_write_json, atomic_write_text
from intermezzo.phases import distributed
from intermezzo.phases.common import finish, finished_summary, load_task_examples, model_dir
from intermezzo.phases.params import validate
from intermezzo.phases.predict import infer, labelled, predict

CLEAN = "clean"


class NotApplicable(Exception):
    """A noise spec that has nothing to act on in a language (e.g. a Latin keyboard on Japanese)."""


def load_scorer(cfg, spec, inputs: dict):
    """(encoder, head, tokenizer): the trained head of `spec` from inputs['model'], or a fresh retrieval head."""
    from intermezzo.modeling import load_encoder, load_heads
    from intermezzo.types import TYPES

    src = model_dir(inputs, "model", "encoder")
    name = str(src) if src else cfg.encoder
    encoder, tokenizer = load_encoder(name, trust_remote_code=cfg.trust_remote_code, freeze_layers=cfg.freeze_layers)
    heads = load_heads(src, encoder=encoder) if src else {}
    if spec.name in heads:
        return encoder, heads[spec.name], tokenizer
    if spec.train_source is None or spec.type == "retrieval":
        # Retrieval tasks such as BUCC and Tatoeba are scored straight from the encoder's embeddings.
        return encoder, TYPES[spec.type].build_head(spec, encoder.config.hidden_size), tokenizer
    raise UserError(f"evaluate {spec.name}: {name} has no '{spec.name}' head (heads: {', '.join(heads) or 'none'}); "
                    f"hand over the folder of a target phase trained with task: {spec.name}")


def with_bucc_threshold(cfg, spec, lang: str, model, device):
    """BUCC mines pairs above a threshold tuned on the language's clean dev split, as XTREME's baseline does;
    tuning on the scored split itself would be optimistic. Other tasks (or a threshold set in the spec) pass."""
    import dataclasses

    from intermezzo.types import TYPES

    if spec.metric != "bucc_f1" or "threshold" in spec.extra or cfg.split == "validation":
        return spec
    encoder, head, tokenizer = model
    dev = load_task_examples(spec, "validation", lang, cfg.source, None)
    features, outputs = infer(spec, dev, encoder, head, tokenizer, cfg.max_length, cfg.batch_size, device,
                              cfg.precision)
    threshold = TYPES[spec.type].tune_bucc_threshold(spec, dev, features, outputs)
    return dataclasses.replace(spec, extra={**spec.extra, "threshold": float(threshold)})


def submission(spec, examples: list[dict], predictions):
    """Predictions in the shape intermezzo.metrics.write_predictions takes for the task's file kind."""
    from intermezzo.metrics.submission import kind_of

    kind = kind_of(spec.name)
    if kind == "qa":
        return dict(zip([ex["id"] for ex in examples], predictions))
    if kind == "ranking":
        return dict(zip([ex["id"] for ex in examples if ex.get("kind", "query") == "query"], predictions))
    return predictions


def _score_ids(examples: list[dict], n: int) -> list:
    ids = [ex.get("id", i) for i, ex in enumerate(examples)]
    queries = [ex.get("id", i) for i, ex in enumerate(examples) if ex.get("kind", "query") == "query"]
    return ids if len(ids) == n else queries if len(queries) == n else list(range(n))


def evaluate_lang(cfg, spec, lang: str, noise: str, model, device) -> tuple[list, dict | None, list[dict]]:
    """(predictions as submitted, scores or None when unlabelled, example score rows) of one language."""
    from intermezzo.types import TYPES

    encoder, head, tokenizer = model
    examples = load_task_examples(spec, cfg.split, lang, cfg.source, cfg.max_eval_samples)
    if noise != CLEAN:
        from intermezzo.noise import noise_examples
        try:
            examples = noise_examples(examples, spec.type, lang, noise, seed=cfg.noise_seed)
        except UserError as e:  # the spec parsed up front, so this is "does not apply to this language"
            raise NotApplicable(str(e)) from None
    predictions = predict(spec, examples, encoder, head, tokenizer, cfg.max_length, cfg.batch_size, device,
                          cfg.precision)
    if not labelled(spec, examples):
        return submission(spec, examples, predictions), None, []
    ttype = TYPES[spec.type]
    scores = ttype.score(spec, predictions, examples, lang)
    per_example = ttype.example_scores(spec, predictions, examples, lang)
    rows = [{"noise": noise, "lang": lang, "id": i, "score": float(s)}
            for i, s in zip(_score_ids(examples, len(per_example)), per_example)]
    return submission(spec, examples, predictions), scores, rows


def run_evaluate(params: dict, out_dir: Path, inputs: dict[str, Path]) -> dict:
    """Score `task` zero-shot on every language, clean and noisy; write scores, example scores, predictions."""
    from intermezzo.metrics import write_predictions
    from intermezzo.tasks import check_lang, get_task

    out_dir = Path(out_dir)
    cfg = validate("evaluate", params)
    if (summary := finished_summary(out_dir, cfg, inputs)) is not None:
        return summary
    spec = get_task(cfg.task)
    langs = [check_lang(spec, lang) for lang in (cfg.langs or spec.langs)]
    started, d = time.time(), distributed.setup(cfg.device)
    model = load_scorer(cfg, spec, inputs)
    if cfg.noise:
        from intermezzo.noise import parse_noise
        for noise in cfg.noise:  # a typo fails here, before any language is scored
            parse_noise(noise)
    scores, rows, skipped, specs = {}, [], [], {}
    if d.main:  # evaluation is cheap next to training: one process does it
        specs = {lang: with_bucc_threshold(cfg, spec, lang, model, d.device) for lang in langs}
        with atomic_dir(out_dir / "predictions") as tmp:
            for noise in [CLEAN, *cfg.noise]:
                for lang in langs:
                    if noise != CLEAN and cfg.noise_langs is not None and lang not in cfg.noise_langs:
                        continue
                    try:
                        predictions, lang_scores, lang_rows = evaluate_lang(cfg, specs[lang], lang, noise, model,
                                                                            d.device)
                    except NotApplicable as e:
                        skipped.append({"noise": noise, "lang": lang, "why": str(e)})
                        continue
                    write_predictions(spec.name, lang, predictions, tmp / noise)
                    if lang_scores is not None:
                        scores.setdefault(noise, {})[lang] = lang_scores
                    rows.extend(lang_rows)
        atomic_write_json(out_dir / "scores.json", scores)
        atomic_write_text(out_dir / "example_scores.jsonl",
                          "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    summary = {"phase": "evaluate", "task": spec.name, "langs": langs, "noise": [CLEAN, *cfg.noise],
               "split": cfg.split, "scores": scores, "skipped": skipped}
    if spec.metric == "bucc_f1":
        summary["thresholds"] = {lang: s.extra.get("threshold") for lang, s in specs.items()}
    return finish(out_dir, summary, d, started, cfg, inputs)
