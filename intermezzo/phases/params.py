"""Validated params of each phase (pydantic); defaults follow Phang et al. (2020) / jiant's XTREME recipe."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from intermezzo.errors import UserError, unknown


# Validations per stage when eval_every is null: enough that early stopping can see a peak in any run length.
EVALUATIONS = 10


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class TrainParams(_Params):
    """Settings every training phase shares."""

    encoder: str = Field("xlm-roberta-base",
        description="Hub id or local folder; ignored when inputs['encoder'] is given.")
    trust_remote_code: bool = Field(False, description="Run model code from the hub; only for encoders you trust.")
    allow_pickle: bool = Field(False, description="Also load a pickle-only checkpoint (torch.load weights_only).")
    seed: int = Field(1, description="Seeds torch, numpy, the task sampler and batch order.")
    max_length: int = Field(256, ge=8, description="Tokens per feature (longer inputs are truncated or strided).")
    batch_size: int = Field(4, ge=1, description="Examples per micro-batch per process.")
    grad_accum: int = Field(8, ge=1,
        description="Micro-batches per optimizer step (effective batch = batch_size x grad_accum x processes).")
    lr: float = Field(1e-5, gt=0, description="Peak learning rate of AdamW (the encoder's; heads: head_lr).")
    head_lr: float | None = Field(None, gt=0,
        description="Peak learning rate of the task heads (a separate optimizer group); null = lr.")
    epochs: float = Field(3.0, gt=0, description="Passes over the training data (ignored when max_steps is set).")
    max_steps: int | None = Field(None, ge=1, description="Optimizer steps; overrides epochs.")
    warmup_ratio: float = Field(0.1, ge=0, le=1,
        description="Share of steps with linear warmup; the rest decays linearly to 0.")
    weight_decay: float = Field(0.01, ge=0, description="AdamW decay (never on biases and LayerNorm weights).")
    adam_epsilon: float = Field(1e-8, gt=0, description="AdamW epsilon.")
    max_grad_norm: float = Field(1.0, ge=0, description="Gradient clipping norm; 0 disables clipping.")
    precision: Literal["fp32", "bf16", "fp16", "auto"] = Field(
        "fp32", description="Autocast precision (bf16 also on CPU); auto = bf16 where the device has it natively.")
    keep_layers: int | None = Field(None, ge=1, description="Keep only the first N encoder layers.")
    freeze_embeddings: bool = Field(False, description="Do not train the embedding layer.")
    freeze_layers: int | None = Field(None, ge=1,
        description="Freeze the embeddings and the first N layers; their outputs are computed once per input.")
    log_every: int = Field(50, ge=1, description="Optimizer steps between log lines (the only host syncs).")
    save_every: int = Field(500, ge=1, description="Optimizer steps between resumable checkpoints.")
    max_train_samples: int | None = Field(None, ge=1, description="Debug knob: at most N training examples per task.")
    device: str | None = Field(None, description="torch device; default cuda when available, else cpu.")


class TextsParams(_Params):
    """Raw text for masked-LM training: one file per language, one text per line."""

    texts: dict[str, str] = Field(..., min_length=1,
        description="{lang: path to a UTF-8 text file, one text per line}.")
    mlm_probability: float = Field(0.15, gt=0, lt=1, description="Share of tokens selected for masking (80/10/10).")


class HeadParams(_Params):
    """How sentence-level heads (classification, multiple choice) read the encoder."""

    pooling: Literal["cls", "mean"] = Field("cls",
        description="Sentence vector of classification and multiple-choice heads: the first token, or the mean "
                    "over real tokens (padding ignored; encoders trained with mean pooling, such as E5, want "
                    "mean). Other heads ignore it.")


class DevParams(_Params):
    """How a training phase scores its tasks' dev splits."""

    max_eval_samples: int | None = Field(None, ge=1, description="Debug knob: at most N validation examples.")
    eval_batch_size: int = Field(32, ge=1, description="Examples per batch at validation.")


class MLMParams(TrainParams, TextsParams):
    """Continued masked-LM training on raw text per language."""

    epochs: float = Field(1.0, gt=0, description="Passes over the text.")
    lr: float = Field(5e-5, gt=0, description="Peak learning rate of AdamW.")


class TranslateParams(_Params):
    """Machine-translate the task's English data into a target language before training."""

    engine: str = Field("hf", description="Key of intermezzo.mt.TRANSLATORS.")
    model: str = Field("facebook/nllb-200-distilled-600M", description="Engine model (hub id or folder for 'hf').")
    tgt_lang: str = Field(..., description="Language to translate into (the task's language code, e.g. 'de').")
    src_lang: str = Field("en", description="Language of the source data.")
    batch_size: int = Field(16, ge=1, description="Texts per translation batch.")


class IntermediateTask(_Params):
    """One task of the intermediate mix."""

    task: str = Field(..., description="Key of intermezzo.tasks.TASKS.")
    lang: str = Field("en", description="Language of the training data.")
    source: str = Field("hub", description="'hub', a folder in the task's official layout, or canonical JSONL.")
    translate: TranslateParams | None = Field(None, description="Translate the data first (target-language arm).")


class SamplerParams(_Params):
    """How the next step's task is drawn."""

    kind: Literal["proportional", "temperature", "uniform"] = Field("proportional", description="Task sampling rule.")
    temperature: float = Field(2.0, gt=0, description="temperature: p ~ min(n, cap) ** (1 / temperature).")
    cap: int | None = Field(None, ge=1, description="Count at most this many examples of a task when weighting.")


class IntermediateParams(DevParams, HeadParams, TrainParams):
    """Multi-task intermediate training: a shared encoder, one head per task; each task scored on its dev split."""

    tasks: list[IntermediateTask] = Field(..., min_length=1, description="Tasks to train on together.")
    sampler: SamplerParams = Field(default_factory=SamplerParams, description="Task sampler.")
    mlm: TextsParams | None = Field(None, description="Mix masked-LM on these texts in as one more task.")
    epochs: float = Field(2.0, gt=0, description="Passes over the combined training data.")


class TargetParams(DevParams, HeadParams, TrainParams):
    """Target-task training on English with early stopping on English validation."""

    task: str = Field(...,
        description="Key of intermezzo.tasks.TASKS (the task trained; XTREME tasks train on their training "
                    "sources in order, e.g. XCOPA on SIQA, then COPA).")
    source: str = Field("hub", description="'hub', a folder in the task's official layout, or canonical JSONL.")
    eval_every: int | None = Field(None, ge=1,
        description=f"Optimizer steps between validation runs; null = {EVALUATIONS} evaluations per stage.")
    patience: int | None = Field(5, ge=1,
        description="Stop after this many validations in a row without improvement (jiant's "
                    "no_improvements_for_n_evals); null = never.")


class EvaluateParams(_Params):
    """Zero-shot evaluation of a trained model on every language, clean and under noise."""

    task: str = Field(..., description="Key of intermezzo.tasks.TASKS.")
    langs: list[str] | None = Field(None, description="Languages to score; default all of the task's.")
    source: str = Field("hub", description="'hub', a folder in the task's official layout, or canonical JSONL.")
    split: str = Field("test", description="Split to score.")
    noise: list[str] = Field(default_factory=list,
        description="Noise specs (see `intermezzo noise`); clean is always scored.")
    noise_seed: int = Field(1,
        description="Seed of the noise functions (fixed, so every model sees the same noisy text).")
    encoder: str = Field("xlm-roberta-base", description="Encoder when no input model is given (retrieval tasks).")
    trust_remote_code: bool = Field(False, description="Run model code from the hub; only for encoders you trust.")
    allow_pickle: bool = Field(False, description="Also load a pickle-only checkpoint (torch.load weights_only).")
    keep_layers: int | None = Field(None, ge=1,
        description="Keep only the first N encoder layers, as the training arms do (for encoders scored untrained).")
    max_length: int | None = Field(None, ge=8, description="Tokens per feature; null = the input model's training "
        "max length (512 for tasks scored straight from an encoder, as XTREME's retrieval scripts).")
    batch_size: int | None = Field(None, ge=1, description="At most N features per batch; null = batch_tokens alone.")
    batch_tokens: int | None = Field(None, ge=8,
        description="Padded tokens per batch; null = 2048 per CPU thread, grown into free memory on CUDA.")
    retrieval_layer: int | None = Field(None, description="Retrieval: hidden_states index embedded; null = the "
        "default of the encoder's family (XTREME's middle layer for MLM encoders).")
    retrieval_pooling: Literal["mean", "cls"] | None = Field(None,
        description="Retrieval: pooling of that layer; null = the default of the encoder's family.")
    precision: Literal["fp32", "bf16", "fp16", "auto"] = Field(
        "fp32", description="Autocast precision; auto = bf16 where the device has it natively.")
    max_eval_samples: int | None = Field(None, ge=1, description="Debug knob: at most N examples per language.")
    device: str | None = Field(None, description="torch device; default cuda when available, else cpu.")
    freeze_layers: int | None = Field(None, ge=1,
        description="Compute the first N layers once per input, shared by models whose first N layers are equal.")
    noise_langs: list[str] | None = Field(None,
        description="Languages scored under noise; default every language (clean is always scored).")

    @model_validator(mode="after")
    def _clean_first(self):
        self.__dict__["noise"] = [n for n in dict.fromkeys(self.noise) if n != "clean"]
        return self


PARAMS: dict[str, type[_Params]] = {
    "mlm": MLMParams, "intermediate": IntermediateParams, "target": TargetParams, "evaluate": EvaluateParams,
}


def validate(kind: str, params: dict) -> _Params:
    """Params of phase `kind` as a pydantic model; a UserError names the first bad key."""
    if kind not in PARAMS:
        raise unknown("phase", kind, PARAMS)
    try:
        return PARAMS[kind].model_validate(params or {})
    except ValidationError as e:
        err = e.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or "(params)"
        fields = PARAMS[kind].model_fields
        if err["type"] == "extra_forbidden" and len(err["loc"]) == 1:
            raise unknown(f"{kind} param", key, fields) from None
        raise UserError(f"{kind} params: '{key}': {err['msg']}; see docs/phases.md") from None


# Knobs that change how a run is watched, not what it computes: a finished or checkpointed phase stays valid.
NOT_FINGERPRINTED = ("log_every", "save_every", "device")


def fingerprint(cfg: _Params, inputs: dict | None = None) -> str:
    """A hash of what a phase computes from: its params (minus logging knobs) and its input folders."""
    return fingerprint_of(cfg, {k: _input_identity(v) for k, v in (inputs or {}).items()})


def fingerprint_of(cfg: _Params, input_ids: dict[str, str]) -> str:
    """fingerprint() from the inputs' identities ('phase:<fingerprint>' for a phase folder): the grid planner
    keys a phase by it before any folder exists, so a phase's key is its fingerprint."""
    import hashlib
    import json

    params = {k: v for k, v in cfg.model_dump(mode="json").items() if k not in NOT_FINGERPRINTED}
    data = {"params": params, "inputs": dict(sorted(input_ids.items()))}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def _input_identity(folder) -> str:
    """A phase folder is known by its own fingerprint (so run folders may move); anything else by its path."""
    import json
    from pathlib import Path

    summary = Path(folder) / "summary.json"
    if summary.is_file():
        found = json.loads(summary.read_text(encoding="utf-8")).get("fingerprint")
        if found:
            return f"phase:{found}"
    return str(Path(folder).resolve())


def schema_markdown(kind: str) -> str:
    """A markdown table of the params of phase `kind` (used to write docs/phases.md)."""
    return model_markdown(PARAMS[kind])


def model_markdown(model: type[BaseModel]) -> str:
    """A markdown table of a params model: key, type, default, meaning."""
    rows = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for name, f in model.model_fields.items():
        default = "required" if f.is_required() else repr(f.get_default(call_default_factory=True))
        rows.append(f"| `{name}` | `{type_name(f.annotation)}` | `{default}` | {f.description or ''} |")
    return "\n".join(rows)


def type_name(annotation) -> str:
    """A field's type as the docs show it (no module prefixes)."""
    import re

    text = str(annotation) if get_args(annotation) else getattr(annotation, "__name__", str(annotation))
    return re.sub(r"intermezzo\.phases\.\w+\.", "", text.replace("typing.", ""))
