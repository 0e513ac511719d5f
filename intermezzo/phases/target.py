"""The `target` phase: a fresh head on the handed-over encoder, trained on the task's English training sources
in order (one for most tasks; XCOPA: SIQA, then COPA), each stage early-stopped on its own dev split."""

from __future__ import annotations

import json
from pathlib import Path

from torch import nn

from intermezzo.errors import UserError
from intermezzo.io import atomic_write_json, atomic_write_text
from intermezzo.phases import distributed
from intermezzo.phases.common import load_task_examples, type_task
from intermezzo.phases.dev import dev_examples, dev_score, validation
from intermezzo.phases.folder import STAGE_RESULT, STAGE_WEIGHTS, PhaseFolder
from intermezzo.phases.lifecycle import Outcome, PhaseRun, SavedModel, run_phase
from intermezzo.phases.loop import MultiTaskModel, Validator, seed_everything, train
from intermezzo.phases.summaries import Best, Stage, TargetSummary, Validation


def training_spec(spec, source: str | None = None):
    """The spec whose English data trains `spec` (by default its train_source, e.g. xquad -> squad)."""
    from intermezzo.tasks import get_task

    name = source or spec.train_source
    found = get_task(name) if name and name != spec.name else spec
    if found.type != spec.type:
        return spec  # LAReQA: its own reader turns SQuAD into retrieval pairs, so it trains on its own split
    if found.labels != spec.labels:
        raise UserError(f"task {spec.name}: its labels differ from those of {found.name}, which trains it; "
                        "a head trained on one would be decoded with the other's labels - fix the task specs")
    return found


def training_specs(spec) -> list:
    """The specs of spec.training_sources, in training order (XTREME-R's scripts/train_xcopa.sh trains XCOPA on
    SIQA, then goes on from that model, head included, on COPA)."""
    return [training_spec(spec, name) for name in spec.training_sources]


def make_validator(cfg, spec, examples: list[dict], name: str, tokenizer, d) -> Validator | None:
    """Early stopping on the training source's English validation split (None when there is none)."""
    if not examples:
        return None

    def evaluate(model: MultiTaskModel) -> float:
        return dev_score(spec, examples, model.encoder, model.heads[name], tokenizer, cfg, d.device, spec.train_lang)

    return Validator(evaluate=evaluate, every=cfg.eval_every, patience=cfg.patience)


def run_target(params: dict, out_dir: Path, inputs: dict[str, Path]) -> dict:
    """Train a fresh head for `task` (its heads from earlier phases dropped); keep the best validated weights."""
    return run_phase("target", params, out_dir, inputs, train_target)


def train_target(run: PhaseRun) -> Outcome:
    """The target phase's work: each training source in turn, the next stage starting from the last one's weights."""
    from intermezzo.tasks import get_task
    from intermezzo.types import TYPES

    cfg = run.cfg
    spec = get_task(cfg.task)
    if spec.train_source is None:
        raise UserError(f"target task {spec.name}: it is scored straight from an encoder (no training data); "
                        "drop the target phase and evaluate it with inputs['encoder']")
    sources = training_specs(spec)
    # Only the encoder is loaded from the input: the intermediate heads stay behind.
    encoder, tokenizer, source = run.load_encoder()
    ttype = TYPES[sources[0].type]
    head = ttype.build_head(sources[0], encoder.config.hidden_size,
                            **({"pooling": cfg.pooling} if getattr(ttype, "sentence_level", False) else {}))
    stages = []
    for number, src in enumerate(sources, 1):
        folder = run.folder if len(sources) == 1 else run.folder.stage(number, src.name)
        stage = finished_stage(folder, encoder, spec.name, head, run) if len(sources) > 1 else None
        if stage is None:
            if number > 1:  # a resume at a stage boundary draws the same dropout as an uninterrupted run
                seed_everything(cfg.seed + number - 1)
            stage = train_stage(run, spec, src, encoder, tokenizer, head, folder)
            if len(sources) > 1:
                save_stage(folder, encoder, spec.name, head, stage, run)
        stages.append(stage)
    if len(sources) > 1 and run.d.main:
        join_histories(run.folder, [(src.name, run.folder.stage(n, src.name)) for n, src in enumerate(sources, 1)])
    last = stages[-1]
    summary = TargetSummary(
        task=spec.name, trained_on=" -> ".join(f"{s['stage'].task}/{s['stage'].lang}" for s in stages),
        encoder=source, tasks={spec.name: sum(s["stage"].examples for s in stages)},
        validation_examples=last["dev_examples"], steps=sum(s["stage"].steps for s in stages),
        train_loss=last["train_loss"], first_loss=stages[0]["first_loss"],
        resumed_from=next((s["stage"].resumed_from for s in stages if s["stage"].resumed_from is not None), None),
        best=last["stage"].best, stages=[s["stage"] for s in stages],
        validation={s["stage"].task: s["validation"] for s in stages if s["validation"] is not None})
    # Featurized as (and head shaped by) the source task; saved under the evaluated task's name.
    meta = {spec.name: {"type": sources[-1].type, "task": sources[-1].name}}
    return Outcome(summary, SavedModel(encoder, tokenizer, {spec.name: head}, meta))


def train_stage(run: PhaseRun, spec, src, encoder, tokenizer, head, folder: PhaseFolder) -> dict:
    """Train `head` and the encoder on one training source into `folder`; the best validated weights stay."""
    cfg, lang = run.cfg, src.train_lang
    examples = load_task_examples(src, "train", lang, cfg.source, cfg.max_train_samples)
    dev = dev_examples(src, lang, cfg.source, cfg.max_eval_samples)
    task = type_task(spec.name, src, examples, tokenizer, cfg.max_length, encoder.config.hidden_size, head=head)
    validator = make_validator(cfg, src, dev, spec.name, tokenizer, run.d)
    result = train(MultiTaskModel(encoder, [task]), [task], cfg, folder.root, run.d, validator=validator)
    best = Best(**result["best"]) if result["best"] else None
    checked = None
    if best is not None and best.value is not None:
        checked = validation(src, dev, best.value, best.step, result["steps"], lang)
    stage = Stage(task=src.name, lang=lang, examples=len(examples), steps=result["steps"], best=best,
                  resumed_from=result["resumed_from"])
    return {"stage": stage, "validation": checked, "dev_examples": len(dev), "train_loss": result["train_loss"],
            "first_loss": result["first_loss"]}


def _weights(encoder, name: str, head) -> nn.Module:
    """The encoder and the head under MultiTaskModel's parameter names: what a finished stage keeps."""
    return nn.ModuleDict({"encoder": encoder, "heads": nn.ModuleDict({name: head})})


def save_stage(folder: PhaseFolder, encoder, name: str, head, stage: dict, run: PhaseRun) -> None:
    """Keep a finished stage (weights, then its result) so that a resume goes on from the next stage."""
    from safetensors.torch import save_model

    if run.d.main:
        tmp = folder.root / f".{STAGE_WEIGHTS}.tmp"
        save_model(_weights(encoder, name, head), str(tmp))
        tmp.replace(folder.root / STAGE_WEIGHTS)
        atomic_write_json(folder.root / STAGE_RESULT, {
            "fingerprint": run.fingerprint, "stage": stage["stage"].model_dump(mode="json"),
            "validation": stage["validation"].model_dump(mode="json") if stage["validation"] else None,
            **{k: stage[k] for k in ("dev_examples", "train_loss", "first_loss")}})
    distributed.barrier(run.d)


def finished_stage(folder: PhaseFolder, encoder, name: str, head, run: PhaseRun) -> dict | None:
    """A stage a killed run finished: its weights loaded into encoder and head, and its result; else None."""
    from safetensors.torch import load_model

    path = folder.root / STAGE_RESULT
    if not path.is_file() or not (folder.root / STAGE_WEIGHTS).is_file():
        return None
    stored = json.loads(path.read_text(encoding="utf-8"))
    if stored.get("fingerprint") != run.fingerprint:
        raise UserError(f"{folder.root}: a stage finished by a run with other params; rerun with the same "
                        "params to resume, or delete the folder to start over")
    load_model(_weights(encoder, name, head), str(folder.root / STAGE_WEIGHTS), device=str(run.d.device))
    validated = Validation(**stored["validation"]) if stored["validation"] else None
    return {**stored, "stage": Stage(**stored["stage"]), "validation": validated}


def join_histories(folder: PhaseFolder, stages: list[tuple[str, PhaseFolder]]) -> None:
    """The phase's log.jsonl: every stage's rows in order, each marked with its stage's task."""
    rows = []
    for name, stage in stages:
        lines = stage.history.read_text(encoding="utf-8").splitlines() if stage.history.is_file() else []
        rows += [json.dumps({"stage": name, **json.loads(line)}, ensure_ascii=False) for line in lines]
    atomic_write_text(folder.history, "".join(f"{r}\n" for r in rows))
