"""Experiment config: a YAML grid (encoders x intermediate conditions x targets x seeds x noise), validated."""

from __future__ import annotations

import copy
import re
import types
import typing
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from intermezzo.errors import UserError, closest

PHASE_KINDS = ("mlm", "intermediate", "target", "evaluate")

# Defaults per phase; a config's `hparams` and each condition's `hparams` override them key by key.
# "default" adds nothing: the phases' own defaults already follow Phang et al. (2020) / jiant's XTREME recipe.
PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    "default": {"mlm": {}, "intermediate": {}, "target": {}, "evaluate": {}},
    # Seconds per phase on a CPU with a tiny model: for the demo and smoke tests.
    "debug": {
        "mlm": {"max_steps": 4, "batch_size": 4, "grad_accum": 1, "max_length": 64, "max_train_samples": 32},
        "intermediate": {"max_steps": 4, "batch_size": 4, "grad_accum": 1, "max_length": 64,
                         "max_train_samples": 32},
        "target": {"max_steps": 4, "batch_size": 4, "grad_accum": 1, "max_length": 64, "max_train_samples": 32,
                   "max_eval_samples": 16, "eval_every": 2},
        "evaluate": {"batch_size": 16, "max_length": 64, "max_eval_samples": 32},
    },
}


def published_presets() -> list[str]:
    """Names of the published presets (configs/presets/*.yaml, shared with `intermezzo train`)."""
    try:
        from intermezzo.phases.runner import PRESET_DIR
    except ImportError:
        return []
    return sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Hparams(_Strict):
    """Per-phase hyperparameters, passed through to the phase's params."""

    mlm: dict[str, Any] = Field(default_factory=dict, description="params of the MLM phase")
    intermediate: dict[str, Any] = Field(default_factory=dict, description="params of intermediate training")
    target: dict[str, Any] = Field(default_factory=dict, description="params of target-task fine-tuning")
    evaluate: dict[str, Any] = Field(default_factory=dict, description="params of evaluation")


class Translate(_Strict):
    """Machine translation of English intermediate data into the target language."""

    engine: str = Field("hf", description="key of intermezzo.phases.translate.TRANSLATORS")
    model: str | None = Field(None, description="hub id or folder of the MT model; unset = the engine's default")
    tgt_lang: str | None = Field(None, description="one fixed language; unset = each evaluation language")


class Sampler(_Strict):
    """How multi-task training draws its next batch's task."""

    kind: Literal["proportional", "uniform", "temperature"] = "proportional"
    temperature: float = Field(2.0, gt=0, description="kind temperature: p ~ min(n, cap) ** (1/T)")
    cap: int | None = Field(None, gt=0, description="examples counted per task at most")


class MLMData(_Strict):
    """Masked-language-model training text."""

    texts: dict[str, str] = Field(min_length=1, description="{lang: UTF-8 text file, one text per line}")
    mlm_probability: float = Field(0.15, gt=0, lt=1, description="share of tokens masked")


class Condition(_Strict):
    """One intermediate condition: what the encoder learns before the target task."""

    kind: Literal["none", "english", "target_lang", "multitask", "mlm", "mlm_multitask"]
    tasks: list[str] = Field(default_factory=list, description="intermediate task names")
    source: Literal["files", "translate", "native"] | None = Field(None, description="target_lang: data origin")
    path: str | None = Field(None, description="the tasks' data: a folder in the official layout or canonical "
                                                 "JSONL; required for source=files")
    translate: Translate | None = None
    langs: list[str] | None = Field(None, description="target_lang: languages; unset = the evaluation languages")
    sampler: Sampler | None = None
    mlm: MLMData | None = None
    hparams: Hparams = Field(default_factory=Hparams)

    @model_validator(mode="after")
    def _consistent(self) -> Condition:
        need_tasks = {"english": 1, "target_lang": 1, "multitask": 2, "mlm_multitask": 1}
        k = self.kind
        if k in ("none", "mlm") and self.tasks:
            raise ValueError(f"kind {k} takes no tasks; remove 'tasks' or pick kind english/multitask")
        if k in need_tasks and len(self.tasks) < need_tasks[k]:
            raise ValueError(f"kind {k} needs at least {need_tasks[k]} task(s) in 'tasks'")
        if k == "english" and len(self.tasks) > 1:
            raise ValueError("kind english takes one task; use kind multitask for several")
        if (k == "target_lang") != (self.source is not None):
            raise ValueError("'source' (files, translate or native) is set exactly when kind is target_lang")
        if self.source == "files" and not self.path:
            raise ValueError("source files needs 'path' (a folder of {split}-{lang}.jsonl)")
        if self.source == "translate" and self.translate is None:
            raise ValueError("source translate needs 'translate: {engine, model}'")
        if k in ("mlm", "mlm_multitask") and self.mlm is None:
            raise ValueError(f"kind {k} needs 'mlm: {{texts: {{lang: file}}}}'")
        if k not in ("mlm", "mlm_multitask") and self.mlm is not None:
            raise ValueError(f"kind {k} takes no 'mlm'; use kind mlm or mlm_multitask")
        if self.sampler is not None and len(self.tasks) < 2:
            raise ValueError("'sampler' needs two or more tasks")
        return self


class Noise(_Strict):
    """The noise suite every evaluation runs besides clean data."""

    suite: str | None = Field(None, description="key of intermezzo.noise.SUITES")
    specs: list[str] = Field(default_factory=list, description="noise specs, e.g. 'keyboard:0.1'")


class Reference(_Strict):
    """A published figure shown beside ours."""

    value: float
    kind: Literal["gain", "score"] = "gain"
    split: str = "dev"
    source: str = ""


class ReportSettings(_Strict):
    """How `intermezzo report` states the study's answer."""

    primary_contrast: Literal["noisy_difference", "drop_difference", "relative_drop"] = Field(
        "noisy_difference", description="the English vs target-language contrast the findings lead with")


class Experiment(_Strict):
    """A whole grid: every encoder x condition x target x seed, evaluated clean and under noise."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    encoders: list[str] = Field(min_length=1, description="hub ids or folders")
    conditions: dict[str, Condition] = Field(min_length=1, description="name -> intermediate condition")
    targets: list[str] = Field(min_length=1, description="target task names")
    seeds: list[int] = Field(default_factory=lambda: [0], min_length=1)
    langs: list[str] | None = Field(None, description="evaluation languages; unset = each target's own")
    noise: Noise = Field(default_factory=Noise)
    sources: dict[str, str] = Field(default_factory=dict, description="task -> data folder/JSONL; unset = hub")
    preset: str = Field("default", description="default, debug, or a published one: configs/presets/<name>.yaml")
    hparams: Hparams = Field(default_factory=Hparams)
    baseline: str = Field("none", description="condition that gains are measured against")
    reference: dict[str, dict[str, Reference]] = Field(
        default_factory=dict, description="condition (or 'best') -> target (or 'average') -> published figure")
    report: ReportSettings = Field(default_factory=ReportSettings, description="how the report states the answer")

    @field_validator("reference", mode="before")
    @classmethod
    def _bare_numbers(cls, value: Any) -> Any:
        """`mnli: {average: 7.5}` is short for `mnli: {average: {value: 7.5}}`."""
        if isinstance(value, dict):
            return {c: ({t: {"value": v} if isinstance(v, (int, float)) else v for t, v in per.items()}
                        if isinstance(per, dict) else per) for c, per in value.items()}
        return value

    @model_validator(mode="after")
    def _names(self) -> Experiment:
        if self.preset not in PRESETS and self.preset not in published_presets():
            raise ValueError("preset: " + _unknown("preset", self.preset, [*PRESETS, *published_presets()]))
        if self.baseline not in self.conditions:
            raise ValueError("baseline: " + _unknown("baseline condition", self.baseline, self.conditions))
        for cond, per_target in self.reference.items():
            if cond not in self.conditions and cond != "best":
                raise ValueError(f"reference.{cond}: "
                                 + _unknown("reference condition", cond, [*self.conditions, "best"]))
            for target in per_target:
                if target not in self.targets and target != "average":
                    raise ValueError(f"reference.{cond}.{target}: "
                                     + _unknown("reference target", target, [*self.targets, "average"]))
        return self

    def phase_hparams(self, kind: str, condition: Condition | None = None, task: str | None = None
                      ) -> dict[str, Any]:
        """Preset defaults (and the preset's block for `task`), then the config's hparams, then the condition's."""
        if self.preset in PRESETS:
            out = dict(PRESETS[self.preset][kind])
        else:
            from intermezzo.phases.runner import preset_params

            out = preset_params(self.preset, kind, task)
        out.update(getattr(self.hparams, kind))
        if condition is not None:
            out.update(getattr(condition.hparams, kind))
        return out


def _unknown(kind: str, name: str, choices) -> str:
    near = closest(name, choices)
    hint = f"did you mean {', '.join(near)}?" if near else f"valid: {', '.join(sorted(choices))}"
    return f"unknown {kind} '{name}'; {hint}"


def apply_overrides(raw: dict, overrides: list[str]) -> dict:
    """Apply `a.b.c=value` overrides (value parsed as YAML) to a copy of `raw`."""
    out = copy.deepcopy(raw)
    for item in overrides:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"override '{item}': expected key.sub=value; e.g. seeds=[1,2] or hparams.target.lr=2e-5")
        node: Any = out
        parts = key.strip().split(".")
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, list):
                if not part.isdigit() or int(part) >= len(node):
                    raise UserError(f"override '{item}': '{part}' is not an index of the list at "
                                    f"{'.'.join(parts[:i]) or '<root>'} (length {len(node)})")
                part = int(part)
            elif not isinstance(node, dict):
                raise UserError(f"override '{item}': {'.'.join(parts[:i])} is a value, not a mapping")
            if last:
                node[part] = _parse_value(text)
            else:
                if isinstance(node, dict) and not isinstance(node.get(part), (dict, list)):
                    node[part] = {}
                node = node[part]
    return out


_EXPONENT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+")


def _parse_value(text: str) -> Any:
    """A YAML value; numbers like 2e-5, which YAML 1.1 leaves as strings, become floats."""
    value = yaml.safe_load(text) if text.strip() else None
    if isinstance(value, str) and _EXPONENT.fullmatch(value.strip()):
        return float(value)
    return value


def _fields_at(loc: tuple) -> list[str]:
    """Valid keys of the mapping at `loc` (for suggestions), walking the schema from Experiment."""
    tp: Any = Experiment
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if part not in tp.model_fields:
                return []
            tp = tp.model_fields[part].annotation
        elif typing.get_origin(tp) in (dict, list):
            tp = typing.get_args(tp)[-1]
        else:
            return []
    tp = _unwrap(tp)
    return list(tp.model_fields) if isinstance(tp, type) and issubclass(tp, BaseModel) else []


def _unwrap(tp: Any) -> Any:
    """`X | None` -> X."""
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0]
    return tp


def _format_error(err: ValidationError, where: str) -> str:
    """The first validation error as one line: where, dotted key, reason, suggestion."""
    e = err.errors()[0]
    loc = tuple(e["loc"])
    dotted = ".".join(str(p) for p in loc) or "<root>"
    if e["type"] == "extra_forbidden":
        near = closest(str(loc[-1]), _fields_at(loc[:-1]))
        hint = f"did you mean '{near[0]}'?" if near else "remove it"
        return f"{where}: {dotted}: unknown key; {hint}"
    msg = e["msg"].removeprefix("Value error, ")
    if e["type"] == "literal_error":
        near = closest(str(e.get("input")), re.findall(r"'([^']*)'", e.get("ctx", {}).get("expected", "")))
        if near:
            return f"{where}: {dotted}: unknown value {e.get('input')!r}; did you mean '{near[0]}'?"
    if e["type"] == "missing":
        return f"{where}: {dotted}: required key is missing; add it"
    if not loc:  # a whole-config check: its message names the key itself
        return f"{where}: {msg}"
    return f"{where}: {dotted}: {msg} (got {e.get('input')!r:.60})"


def validate(raw: Any, where: str = "config") -> Experiment:
    """An Experiment from a parsed YAML mapping, or a one-line UserError."""
    if not isinstance(raw, dict):
        raise UserError(f"{where}: expected a YAML mapping at the top level, got {type(raw).__name__}")
    try:
        return Experiment.model_validate(raw)
    except ValidationError as err:
        raise UserError(_format_error(err, where)) from None


def load_config(path: str | Path, overrides: list[str] = ()) -> Experiment:
    """Read, override and validate an experiment YAML."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: config file not found; check the path (shipped ones are under configs/)")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise UserError(f"{path}{line}: not valid YAML ({getattr(e, 'problem', e)}); fix the syntax") from None
    return validate(apply_overrides(raw or {}, list(overrides)), where=str(path))
