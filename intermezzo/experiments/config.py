"""Experiment config: a YAML grid (encoders x intermediate conditions x targets x seeds x noise), validated."""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from intermezzo.errors import UserError, closest, unknown
from intermezzo.experiments.hparams import (HPARAMS, KINDS, Hparams, Translate, check_preset, planned_key_message,
                                            preset_hparams)
from intermezzo.experiments.loading import load_yaml, preset_names
from intermezzo.phases.params import SamplerParams, TextsParams

PHASE_KINDS = KINDS


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    """One intermediate condition: what the encoder learns before the target task."""

    kind: Literal["none", "english", "target_lang", "multitask", "mlm", "mlm_multitask"]
    tasks: list[str] = Field(default_factory=list, description="intermediate task names")
    source: Literal["files", "translate", "native"] | None = Field(None, description="target_lang: data origin")
    path: str | None = Field(None, description="the tasks' data: a folder in the official layout or canonical "
                                                 "JSONL; required for source=files")
    translate: Translate | None = Field(None, description="machine translation (the translate phase's params)")
    langs: list[str] | None = Field(None, description="target_lang: languages; unset = the evaluation languages")
    sampler: SamplerParams | None = Field(None, description="multi-task sampler (the intermediate phase's)")
    mlm: TextsParams | None = Field(None, description="masked-LM text: {texts: {lang: file}, mlm_probability}")
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

    def trained_langs(self) -> list[str] | None:
        """The languages a target-language condition names itself (None: the grid's evaluation languages)."""
        if self.translate is not None and self.translate.tgt_lang:
            return [self.translate.tgt_lang]
        return self.langs


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
    preset: str = Field("default", description="a preset of configs/presets/<name>.yaml: default, debug, "
                                               "phang2020, xtreme-r")
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
        if self.preset not in preset_names():
            raise ValueError(f"preset: {unknown('preset', self.preset, preset_names())}")
        check_preset(self.preset)
        if self.baseline not in self.conditions:
            raise ValueError(f"baseline: {unknown('baseline condition', self.baseline, self.conditions)}")
        for cond, per_target in self.reference.items():
            if cond not in self.conditions and cond != "best":
                choices = [*self.conditions, "best"]
                raise ValueError(f"reference.{cond}: {unknown('reference condition', cond, choices)}")
            for target in per_target:
                if target not in self.targets and target != "average":
                    raise ValueError(f"reference.{cond}.{target}: "
                                     f"{unknown('reference target', target, [*self.targets, 'average'])}")
        _check_tasks_and_langs(self)
        return self

    def phase_hparams(self, kind: str, condition: Condition | None = None, task: str | None = None
                      ) -> dict[str, Any]:
        """The preset's defaults (and its block for `task`), then the config's hparams, then the condition's."""
        out = preset_hparams(self.preset, kind, task)
        out.update(self.hparams.of(kind))
        if condition is not None:
            out.update(condition.hparams.of(kind))
        return out


def _check_tasks_and_langs(exp: Experiment) -> None:
    """Every task name is known, and every language named is one some target is evaluated in (none dropped)."""
    from intermezzo.tasks import TASKS

    named = [("targets", t) for t in exp.targets]
    named += [(f"conditions.{n}.tasks", t) for n, c in exp.conditions.items() for t in c.tasks]
    for where, task in named:
        if task not in TASKS:
            raise ValueError(f"{where}: {unknown('task', task, TASKS)}")
    have = {t: set(TASKS[t].langs) for t in exp.targets}
    every = set().union(*have.values())
    lists = [("langs", exp.langs)] + [(f"conditions.{n}.langs", c.trained_langs()) for n, c in exp.conditions.items()]
    for where, langs in lists:
        for lang in langs or ():
            if lang not in every:
                codes = sorted(every)
                listed = " ".join(codes[:40]) + (f" +{len(codes) - 40} more" if len(codes) > 40 else "")
                raise ValueError(f"{where}: '{lang}' is not a language of any target ({', '.join(exp.targets)}); "
                                 f"remove it or pick one of: {listed}")
    if exp.langs is not None and any(c.kind != "target_lang" for c in exp.conditions.values()):
        for target, langs in have.items():
            if not langs & set(exp.langs):
                raise ValueError(f"targets: {target} has none of the languages in langs ({', '.join(exp.langs)}), so "
                                 f"nothing of it would be evaluated; add one of its languages or drop it")


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
        if len(loc) >= 3 and loc[-3] == "hparams" and loc[-2] in HPARAMS:  # an hparams block: a phase param
            kind, key = loc[-2], str(loc[-1])
            why = planned_key_message(kind, key) or str(unknown(f"{kind} param", key, HPARAMS[kind].model_fields))
            return f"{where}: {dotted}: {why}"
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
    return validate(load_yaml(path, list(overrides), what="config"), where=str(path))
