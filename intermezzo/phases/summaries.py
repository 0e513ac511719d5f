"""Typed phase summaries (summary.json and each phase's return value); docs/phases.md is generated from them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Validation(_Model):
    """A training phase's score on a task's own dev split (what the report shows next to chance)."""

    metric: str = Field(..., description="The task's metric (a key of intermezzo.metrics.METRICS).")
    score: float = Field(..., description="intermezzo.metrics.headline of that metric, 0-100, of the weights kept.")
    chance: float | None = Field(None,
        description="Accuracy of always answering the dev split's most frequent label, 0-100; null where the "
                    "metric is not accuracy over labels.")
    best_step: int = Field(..., description="Optimizer step of the weights kept (= steps when still improving).")
    steps: int = Field(..., description="Optimizer steps trained on this task's stage.")
    lang: str = Field("en", description="Language of the dev split.")
    examples: int = Field(0, description="Dev examples scored.")
    translated: bool = Field(False, description="The dev split was machine-translated into `lang` by the engine "
                                                "that translated the training data (a translated task).")


class Best(_Model):
    """Early stopping's state: the best validation and how many validations since then missed it."""

    step: int | None = Field(None, description="Step of the best validation.")
    value: float | None = Field(None, description="Best validation score (headline, 0-100).")
    misses: int = Field(0, description="Validations since the best one (early stopping counts these).")


class Summary(_Model):
    """What every phase's summary holds; the lifecycle fills in `seconds` and `fingerprint`."""

    phase: str = Field(..., description="Phase kind.")
    seconds: float = Field(0.0, description="Wall-clock seconds of the run that made the folder.")
    fingerprint: str = Field("",
        description="Hash of the validated params (minus logging knobs) and the inputs' own fingerprints.")


class TrainingSummary(Summary):
    """What every training phase's summary holds."""

    encoder: str = Field(..., description="Where the starting weights came from (input folder or hub id).")
    model: str = Field("model", description="The folder, relative to the phase folder, holding the model.")
    tasks: dict[str, int] = Field(..., description="{head name: training examples}.")
    steps: int = Field(..., description="Optimizer steps trained (all stages).")
    train_loss: float | None = Field(None, description="Last logged training loss.")
    first_loss: float | None = Field(None, description="First logged training loss.")
    resumed_from: int | None = Field(None, description="Step the run resumed from, when it resumed.")
    validation: dict[str, Validation] = Field(default_factory=dict,
        description="{task: Validation} on each trained task's own dev split (empty for mlm).")
    max_length: int | None = Field(None,
        description="Tokens per feature in training (evaluate scores the model at this length by default).")


class MLMSummary(TrainingSummary):
    """The `mlm` phase."""

    phase: Literal["mlm"] = Field("mlm", description="Phase kind.")


class IntermediateSummary(TrainingSummary):
    """The `intermediate` phase."""

    phase: Literal["intermediate"] = Field("intermediate", description="Phase kind.")
    sampling: dict[str, float] = Field(..., description="{head name: probability the sampler draws it}.")
    steps_per_task: dict[str, int] = Field(..., description="{head name: optimizer steps it got}.")
    translation: dict[str, dict[str, Any]] | None = Field(None,
        description="{head name: {kept, dropped: {reason: n}, engine, src, tgt}} for machine-translated tasks.")


class Stage(_Model):
    """One stage of the target phase's training sequence (XCOPA: SIQA, then COPA)."""

    task: str = Field(..., description="The task whose English training data this stage trains on.")
    lang: str = Field(..., description="Language of its training data.")
    examples: int = Field(..., description="Training examples.")
    steps: int = Field(..., description="Optimizer steps of this stage.")
    best: Best | None = Field(None, description="Early stopping's state at the end of the stage.")
    resumed_from: int | None = Field(None, description="Step the stage resumed from, when it resumed.")


class TargetSummary(TrainingSummary):
    """The `target` phase."""

    phase: Literal["target"] = Field("target", description="Phase kind.")
    task: str = Field(..., description="The task the head is saved for (and evaluate scores).")
    trained_on: str = Field(..., description="The training sources, in order: 'siqa/en -> copa/en'.")
    validation_examples: int = Field(..., description="Dev examples of the last stage.")
    best: Best | None = Field(None, description="Early stopping's state at the end of the last stage.")
    stages: list[Stage] = Field(..., description="One entry per training source, in order.")


class Skipped(_Model):
    """A (noise, language) pair the evaluate phase did not score."""

    noise: str = Field(..., description="The noise spec.")
    lang: str = Field(..., description="The language.")
    why: str = Field(..., description="Why it was skipped (the noise family does not fit the script).")


class EvaluateSummary(Summary):
    """The `evaluate` phase (written by intermezzo/phases/evaluate.py)."""

    phase: Literal["evaluate"] = Field("evaluate", description="Phase kind.")
    task: str = Field(..., description="The task scored.")
    langs: list[str] = Field(..., description="Languages scored.")
    noise: list[str] = Field(..., description="'clean' then each noise spec.")
    split: str = Field(..., description="The split scored.")
    scores: dict[str, dict[str, dict[str, float]]] = Field(..., description="scores.json: {noise: {lang: {metric: value}}}.")
    skipped: list[Skipped] = Field(..., description="(noise, lang) pairs whose noise family does not fit the script.")
    thresholds: dict[str, float | None] | None = Field(None, description="BUCC: the mining threshold tuned per language.")
    max_length: int = Field(..., description="Tokens per feature scored (by default the input model's training length; "
                            "512 for tasks scored straight from an encoder, as XTREME's retrieval scripts).")
    max_length_from: str = Field(..., description="Where max_length came from.")
    encoder: str = Field(..., description="The model folder or hub id scored.")
    encoder_layers: int = Field(..., description="Encoder layers loaded (after keep_layers).")
    retrieval: dict[str, int | str] | None = Field(None,
        description="Retrieval: {layer (hidden_states index), pooling, reason} - which layer and pooling, and why.")
    layers_run: int | None = Field(None, description="Retrieval: layers run (none above the one read).")
    noise_inputs: dict[str, bool | int] = Field(...,
        description="The grid's noisy-input cache: {cached, hits (variants read), made (variants noised here)}.")


SUMMARIES: dict[str, type[Summary]] = {
    "mlm": MLMSummary, "intermediate": IntermediateSummary, "target": TargetSummary, "evaluate": EvaluateSummary,
}


def fields_markdown(model: type[BaseModel], skip: tuple[str, ...] = ()) -> str:
    """A markdown table of a summary model's fields (used to write docs/phases.md)."""
    from intermezzo.phases.params import type_name

    rows = ["| key | type | meaning |", "|---|---|---|"]
    for name, f in model.model_fields.items():
        if name not in skip:
            rows.append(f"| `{name}` | `{type_name(f.annotation)}` | {f.description or ''} |")
    return "\n".join(rows)
