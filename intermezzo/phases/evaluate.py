"""The `evaluate` phase: every language of a task, clean and under each noise spec, in one run.

inputs: "model" (a trained phase folder with the task's head) or "encoder" (tasks scored straight from an
encoder), and optionally "noise_cache": a folder shared by every evaluate phase of a grid where noisy test
sets are kept (see noisy_inputs.py); where it lies changes nothing computed, so it is not fingerprinted.
"""

from __future__ import annotations

import dataclasses
import json
from functools import partial
from pathlib import Path

from intermezzo.errors import UserError
from intermezzo.io import atomic_dir, atomic_write_json, atomic_write_text
from intermezzo.phases.common import load_task_examples
from intermezzo.phases.lifecycle import Outcome, PhaseRun, run_phase
from intermezzo.phases.noisy_inputs import NotApplicable, NoisyInputs
from intermezzo.phases.predict import drop_unread_layers, infer, labelled, predict
from intermezzo.types.retrieval import resolve_retrieval

CLEAN = "clean"
NOISE_CACHE = "noise_cache"
# XTREME scores its encoder-only retrieval tasks at 512 tokens (scripts/run_tatoeba.sh, run_bucc2018.sh: MAXL=512).
RETRIEVAL_MAX_LENGTH = 512
FALLBACK_MAX_LENGTH = 256  # a model folder without a phase summary: the training phases' default

__all__ = ["CLEAN", "NotApplicable", "Scorer", "run_evaluate"]


@dataclasses.dataclass(frozen=True)
class Scorer:
    """A loaded model and how to run it: what every language of the phase is scored with."""

    encoder: object
    head: object
    tokenizer: object
    max_length: int
    batch_size: int | None
    batch_tokens: int | None
    precision: str
    device: object

    def infer(self, spec, examples: list[dict]) -> tuple[list[dict], list]:
        """(features, per-feature outputs) of `examples`."""
        return infer(spec, examples, self.encoder, self.head, self.tokenizer, self.max_length, self.batch_size,
                     self.device, self.precision, batch_tokens=self.batch_tokens)

    def predict(self, spec, examples: list[dict]) -> list:
        """One prediction per example."""
        return predict(spec, examples, self.encoder, self.head, self.tokenizer, self.max_length, self.batch_size,
                       self.device, self.precision, batch_tokens=self.batch_tokens)


def load_model(run: PhaseRun, spec) -> tuple[object, object, object, dict]:
    """(encoder, head, tokenizer, what was loaded): the trained head of `spec` from the input model, or a fresh
    retrieval head on the encoder; keep_layers applies as in the training arms."""
    from intermezzo.modeling import load_heads
    from intermezzo.types import TYPES

    cfg, src = run.cfg, run.input_model
    # An arm scored straight from its encoder (no intermediate phase) must see the layers the trained arms
    # keep, or it is compared on 12 layers against 4 (a trained folder already has them: a no-op there).
    encoder, tokenizer, name = run.load_encoder()
    heads = load_heads(src, encoder=encoder) if src else {}
    info = {"encoder": name, "encoder_layers": int(encoder.config.num_hidden_layers)}
    if spec.name in heads:
        head, trained = heads[spec.name], True
    elif spec.train_source is None or spec.type == "retrieval":
        # Retrieval tasks such as BUCC and Tatoeba are scored straight from the encoder's embeddings.
        head, trained = TYPES[spec.type].build_head(spec, encoder.config.hidden_size), False
    else:
        found = ", ".join(heads) or "none"
        raise UserError(f"evaluate {spec.name}: {name} has no '{spec.name}' head (heads: {found}); hand over the "
                        f"folder of a target phase trained with task: {spec.name}")
    if spec.type == "retrieval":
        info["retrieval"] = choose_retrieval(cfg, spec, head, encoder, name, trained)
        info["layers_run"] = drop_unread_layers(encoder, head)
    return encoder, head, tokenizer, info


def choose_retrieval(cfg, spec, head, encoder, name: str, trained: bool) -> dict:
    """Point the retrieval head at its layer (a hidden_states index) and pooling; {layer, pooling, reason}."""
    n = int(encoder.config.num_hidden_layers)
    if trained and cfg.retrieval_layer is None and cfg.retrieval_pooling is None:
        layer, pooling, reason = head.layer, head.pooling, "the fine-tuned head's own layer and pooling"
    else:
        layer, pooling, reason = resolve_retrieval(encoder.config, name, cfg.retrieval_layer, cfg.retrieval_pooling,
                                                   task=spec.name)
    layer = n // 2 + 1 if layer is None else layer
    if not -n - 1 <= layer <= n:
        raise UserError(f"evaluate: retrieval_layer {layer}: the encoder has {n} layers (hidden_states 0..{n}); "
                        f"choose one in that range")
    head.layer, head.pooling = layer, pooling
    return {"layer": layer % (n + 1), "pooling": pooling, "reason": reason}


def eval_max_length(cfg, spec, inputs: dict, tokenizer) -> tuple[int, str]:
    """(tokens per feature, where that comes from): the params, 512 for tasks scored straight from an
    encoder (as XTREME), else the training max length the input model's phase summary records."""
    if cfg.max_length is not None:
        return cfg.max_length, "evaluate params"
    if spec.train_source is None:
        limit = getattr(tokenizer, "model_max_length", None) or RETRIEVAL_MAX_LENGTH
        return min(RETRIEVAL_MAX_LENGTH, limit), "512 as XTREME's scripts/run_tatoeba.sh and run_bucc2018.sh"
    for key in ("model", "encoder"):
        if inputs.get(key):
            summary = Path(inputs[key]) / "summary.json"
            found = json.loads(summary.read_text(encoding="utf-8")).get("max_length") if summary.is_file() else None
            if found:
                return int(found), f"training max length ({inputs[key]})"
    return FALLBACK_MAX_LENGTH, "default (the input model records no training max length)"


def with_bucc_threshold(cfg, spec, lang: str, scorer: Scorer):
    """BUCC mines pairs above a threshold tuned on the language's clean dev split, as XTREME's baseline does;
    tuning on the scored split itself would be optimistic. Other tasks (or a threshold set in the spec) pass."""
    from intermezzo.types import TYPES

    if spec.metric != "bucc_f1" or spec.retrieval.threshold is not None or cfg.split == "validation":
        return spec
    dev = load_task_examples(spec, "validation", lang, cfg.source, None)
    features, outputs = scorer.infer(spec, dev)
    threshold = TYPES[spec.type].tune_bucc_threshold(spec, dev, features, outputs)
    return dataclasses.replace(spec, retrieval=dataclasses.replace(spec.retrieval, threshold=float(threshold)))


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


def _example_rows(spec, predictions: list, examples: list[dict], lang: str, noise: str) -> list[dict]:
    """The rows of example_scores.jsonl for one (noise, language): {"noise", "lang", "id", "score", "parts"};
    `parts` reduce to the headline exactly (intermezzo.metrics.PARTS_KIND): the report's statistical unit."""
    from intermezzo.types import TYPES

    ttype = TYPES[spec.type]
    per_example = ttype.example_scores(spec, predictions, examples, lang)
    parts = ttype.example_parts(spec, predictions, examples, lang)
    if len(parts) != len(per_example):
        raise RuntimeError(f"{spec.name}/{lang}: {len(parts)} example parts for {len(per_example)} example scores")
    return [{"noise": noise, "lang": lang, "id": i, "score": float(s), "parts": [float(x) for x in p]}
            for i, s, p in zip(_score_ids(examples, len(per_example)), per_example, parts)]


def evaluate_lang(spec, lang: str, noise: str, examples: list[dict], scorer: Scorer, noisy: NoisyInputs,
                  noise_seed: int) -> tuple[list, dict | None, list[dict]]:
    """(predictions as submitted, scores or None when unlabelled, example score rows) of one language."""
    from intermezzo.types import TYPES

    if noise != CLEAN:
        examples = noisy.get(examples, spec, lang, noise, noise_seed)
    predictions = scorer.predict(spec, examples)
    if not labelled(spec, examples):
        return submission(spec, examples, predictions), None, []
    scores = TYPES[spec.type].score(spec, predictions, examples, lang)
    return submission(spec, examples, predictions), scores, _example_rows(spec, predictions, examples, lang, noise)


def run_evaluate(params: dict, out_dir: Path, inputs: dict[str, Path]) -> dict:
    """Score `task` zero-shot on every language, clean and noisy; write scores, example scores, predictions."""
    inputs = dict(inputs or {})
    noisy = NoisyInputs(inputs.pop(NOISE_CACHE, None))  # not fingerprinted: a shared cache, not an input model
    return run_phase("evaluate", params, out_dir, inputs, partial(evaluate_work, noisy=noisy))


def evaluate_work(run: PhaseRun, noisy: NoisyInputs) -> Outcome:
    """The evaluate phase's own part of the lifecycle: every (noise, language) of the task, then the files."""
    from intermezzo.metrics import write_predictions
    from intermezzo.tasks import check_lang, get_task

    cfg, folder = run.cfg, run.folder
    spec = get_task(cfg.task)
    langs = [check_lang(spec, lang) for lang in (cfg.langs or spec.langs)]
    if cfg.noise:
        from intermezzo.noise import parse_noise
        for noise in cfg.noise:  # a typo fails here, before any model is loaded
            parse_noise(noise)
    encoder, head, tokenizer, loaded = load_model(run, spec)
    max_length, length_from = eval_max_length(cfg, spec, run.inputs, tokenizer)
    scorer = Scorer(encoder, head, tokenizer, max_length, cfg.batch_size, cfg.batch_tokens, cfg.precision,
                    run.d.device)
    conditions = [CLEAN, *cfg.noise]
    # Files and summary list noise conditions first, then languages, whatever order they were scored in.
    grid = [(noise, lang) for noise in conditions for lang in langs]
    scores, rows, skipped, specs = {}, {}, {}, {}
    if run.d.main:  # evaluation is cheap next to training: one process does it
        with atomic_dir(folder.predictions) as tmp:
            for lang in langs:  # each language's clean test set is read once and noised per spec
                specs[lang] = with_bucc_threshold(cfg, spec, lang, scorer)
                clean = load_task_examples(spec, cfg.split, lang, cfg.source, cfg.max_eval_samples)
                for noise in conditions:
                    if noise != CLEAN and cfg.noise_langs is not None and lang not in cfg.noise_langs:
                        continue  # scored clean only, as configured (listed in the summary's noise_langs)
                    try:
                        predictions, lang_scores, lang_rows = evaluate_lang(specs[lang], lang, noise, clean, scorer,
                                                                            noisy, cfg.noise_seed)
                    except NotApplicable as e:
                        skipped[noise, lang] = {"noise": noise, "lang": lang, "why": str(e)}
                        continue
                    write_predictions(spec.name, lang, predictions, tmp / noise)
                    if lang_scores is not None:
                        scores.setdefault(noise, {})[lang] = lang_scores
                    rows[noise, lang] = lang_rows
        scores = {noise: {lang: scores[noise][lang] for lang in langs if lang in scores[noise]}
                  for noise in conditions if noise in scores}
        atomic_write_json(folder.scores, scores)
        atomic_write_text(folder.example_scores, "".join(
            json.dumps(r, ensure_ascii=False) + "\n" for key in grid for r in rows.get(key, [])))
    summary = {"phase": "evaluate", "task": spec.name, "langs": langs, "noise": conditions, "split": cfg.split,
               "scores": scores, "skipped": [skipped[k] for k in grid if k in skipped],
               "max_length": max_length, "max_length_from": length_from, **loaded, "noise_inputs": noisy.stats()}
    if spec.metric == "bucc_f1":
        summary["thresholds"] = {lang: s.retrieval.threshold for lang, s in specs.items()}
    return Outcome(summary)
