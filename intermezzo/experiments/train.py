"""`intermezzo train`: a YAML chain of phases run into one folder, as a one-cell plan through the grid's own path.

The same front door as `intermezzo run` (loading.py: YAML, presets, key=value overrides), the same validation
(every invalid phase reported before anything trains), the same phase identity (a phase's key is its
fingerprint) and the same executor (locks, per-phase logs, done-markers). Each phase writes `OUT/<its name>/`.
"""

from __future__ import annotations

from pathlib import Path

from intermezzo.errors import UserError, unknown
from intermezzo.experiments.dag import TRAINING, Builder, Plan, check_paths, node_dir
from intermezzo.experiments.executors import LocalExecutor, done_summary
from intermezzo.experiments.hparams import check_preset, preset_hparams
from intermezzo.experiments.loading import load_yaml, preset_names
from intermezzo.io import is_done, writable_folder

TOP_KEYS = {"encoder", "preset", "common", "phases", "output_dir", "description"}


def load_config(path: str | Path, overrides: list[str] = ()) -> dict:
    """The train YAML with overrides, checked for its top-level shape."""
    config = load_yaml(path, list(overrides), what="train config")
    for key in config:
        if key not in TOP_KEYS:
            raise unknown(f"key in {path}", key, TOP_KEYS)
    phases = config.get("phases")
    if not isinstance(phases, dict) or not phases:
        raise UserError(f"{path}: 'phases' must map phase names to params, e.g. phases: {{target: {{task: xnli}}}}")
    for name, params in phases.items():
        if params is not None and not isinstance(params, dict):
            raise UserError(f"{path}: phases.{name}: expected a mapping of params, got {type(params).__name__}")
    if not isinstance(config.get("common") or {}, dict):
        raise UserError(f"{path}: common: expected a mapping of params applied to every phase that has them")
    return config


def phase_plan(config: dict) -> list[tuple[str, str, dict]]:
    """(name, kind, params) per phase, in order, with preset, common and encoder filled in."""
    from intermezzo.phases.params import PARAMS

    preset = config.get("preset")
    if preset:
        if preset not in preset_names():
            raise unknown("preset", preset, preset_names())
        check_preset(preset)
    common = config.get("common") or {}
    plan, kinds = [], []
    for name, raw in config["phases"].items():
        raw = dict(raw or {})
        kind = raw.pop("kind", name)
        if kind not in PARAMS:
            raise unknown(f"phase kind of '{name}'", kind, PARAMS)
        kinds.append(kind)
        fields = PARAMS[kind].model_fields
        params = preset_hparams(preset, kind, raw.get("task")) if preset else {}
        params.update({k: v for k, v in common.items() if k in fields})
        if config.get("encoder") and "encoder" in fields:
            params["encoder"] = config["encoder"]
        params.update(raw)
        plan.append((name, kind, params))
    for key in common:
        if not any(key in PARAMS[kind].model_fields for kind in kinds):
            raise unknown("common param", key, {f for kind in kinds for f in PARAMS[kind].model_fields})
    return plan


def build_train_plan(config: dict, name: str = "train") -> Plan:
    """The chain as a plan: each training phase hands its model to the next; every phase validated up front."""
    b = Builder()
    last_trained, folders = None, {}
    for phase, kind, params in phase_plan(config):
        inputs = {}
        if last_trained is not None:
            inputs = {"encoder": last_trained} if kind in TRAINING else {"model": last_trained}
        key = b.add(kind, params, inputs, origin=f"phases.{phase}", folder=phase)
        if key in folders:
            raise UserError(f"phases.{phase}: the same phase as phases.{folders[key]} (same params and inputs); "
                            "remove one")
        folders[key] = phase
        if kind in TRAINING:
            last_trained = key
    return Plan(name, b.finish(), [])


def run_config(config: dict, out: str | Path, phases: dict | None = None, progress: bool = False
               ) -> dict[str, dict]:
    """Run every phase in order into out/<name>; finished phases are reused. Returns the summaries by name.

    A named folder finished from other params or inputs is refused (a UserError) before anything runs."""
    from intermezzo.experiments.runner import default_phases, execute_plan

    out = Path(out)
    plan = build_train_plan(config, name=out.name or "train")
    check_paths(plan)
    writable_folder(out, "--out")
    done = {key: done_summary(node_dir(out, node), node) for key, node in plan.nodes.items()
            if is_done(node_dir(out, node))}
    out.mkdir(parents=True, exist_ok=True)
    ran = execute_plan(plan, out, phases if phases is not None else default_phases(), LocalExecutor(), progress)
    return {node.folder: {**done, **ran}[key] for key, node in plan.nodes.items()}
