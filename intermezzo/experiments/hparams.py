"""Typed hyperparameters: each phase's param model (intermezzo.phases.params) with every field optional.

A grid's `hparams`, a condition's `hparams`, a preset's blocks and a train config's phases all name keys of the
phase param models; building the grid's models *from* those models (instead of restating their fields) means a
new phase param is accepted everywhere at once, with the phase's own type, bounds and help text.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, model_serializer
from pydantic.fields import FieldInfo

from intermezzo.errors import UserError
from intermezzo.experiments.loading import read_preset
from intermezzo.phases.params import PARAMS, TranslateParams

KINDS = ("mlm", "intermediate", "target", "evaluate")

# Params the planner sets from the grid itself (encoders, seeds, conditions, targets, langs, noise, sources):
# an hparams block may not set them, so that one setting never has two places.
PLANNED: dict[str, dict[str, str]] = {
    "mlm": {"encoder": "encoders", "seed": "seeds", "texts": "the condition's mlm.texts"},
    "intermediate": {"encoder": "encoders", "seed": "seeds", "tasks": "the condition's tasks",
                     "sampler": "the condition's sampler", "mlm": "the condition's mlm"},
    "target": {"encoder": "encoders", "seed": "seeds", "task": "targets", "source": "sources"},
    "evaluate": {"encoder": "encoders", "task": "targets", "langs": "langs", "noise": "noise",
                 "source": "sources"},
}


class _Partial(BaseModel):
    """Some params of a phase: only the keys given count, and only they are written out (config.json)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_serializer(mode="wrap")
    def _only_set(self, handler):
        return {k: v for k, v in handler(self).items() if k in self.model_fields_set}


def partial_model(model: type[BaseModel], name: str, exclude=()) -> type[BaseModel]:
    """`model` with every field optional and unset unless given (types and bounds kept; unknown keys refused)."""
    fields = {n: (f.annotation, FieldInfo.merge_field_infos(f, default=None, default_factory=None))
              for n, f in model.model_fields.items() if n not in exclude}
    return create_model(name, __base__=_Partial, __doc__=f"Any params of {model.__name__}, each optional.",
                        **fields)


# Per phase kind: the keys an hparams block may set (everything but what the planner sets).
HPARAMS: dict[str, type[BaseModel]] = {
    kind: partial_model(PARAMS[kind], f"{kind.capitalize()}Hparams", exclude=PLANNED[kind]) for kind in KINDS}
# Machine translation of a condition's data: TranslateParams, each key optional (tgt_lang defaults per language).
Translate = partial_model(TranslateParams, "Translate")


class Hparams(BaseModel):
    """Per-phase hyperparameters, typed by the phases' own param models."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mlm: HPARAMS["mlm"] = Field(default_factory=HPARAMS["mlm"], description="params of the MLM phase")
    intermediate: HPARAMS["intermediate"] = Field(default_factory=HPARAMS["intermediate"],
                                                  description="params of intermediate training")
    target: HPARAMS["target"] = Field(default_factory=HPARAMS["target"],
                                      description="params of target-task fine-tuning")
    evaluate: HPARAMS["evaluate"] = Field(default_factory=HPARAMS["evaluate"], description="params of evaluation")

    def of(self, kind: str) -> dict:
        """The keys this block sets for phase `kind`, as JSON-able values."""
        return getattr(self, kind).model_dump(mode="json")


def planned_key_message(kind: str, key: str) -> str | None:
    """Why an hparams key is refused when the grid sets it elsewhere (None for a plain unknown key)."""
    if key in PLANNED.get(kind, {}):
        return f"'{key}' is set by the grid from {PLANNED[kind][key]}, not by hparams; remove it"
    return None


def check_preset(name: str) -> None:
    """Validate every block of preset `name` against the phase param models; a UserError names the bad key."""
    from intermezzo.experiments.loading import PRESET_DIR

    for kind, blocks in read_preset(name).items():
        if kind not in HPARAMS:
            raise UserError(f"{PRESET_DIR / name}.yaml: '{kind}' is not a phase kind ({', '.join(KINDS)}); fix the "
                            "preset")
        for task, params in blocks.items():
            try:
                HPARAMS[kind].model_validate(params)
            except ValidationError as e:
                err = e.errors()[0]
                key = ".".join(str(p) for p in err["loc"])
                raise UserError(f"{PRESET_DIR / name}.yaml: {kind}.{task}.{key}: {err['msg']}; fix the preset"
                                ) from None


def preset_hparams(name: str, kind: str, task: str | None = None) -> dict:
    """A preset's params for phase `kind` (its default block, then `task`'s), typed like hparams."""
    from intermezzo.experiments.loading import preset_params

    return HPARAMS[kind].model_validate(preset_params(name, kind, task)).model_dump(mode="json")
