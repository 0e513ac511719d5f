"""`intermezzo train`: a YAML of phases run in order into one folder, with presets and key=value overrides."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from intermezzo.errors import UserError, unknown

# Shipped inside the package (configs/presets links here), so a plain `pip install` has them too.
PRESET_DIR = Path(__file__).resolve().parent / "presets"
TOP_KEYS = {"encoder", "preset", "common", "phases", "output_dir", "description"}
TRAINING = ("mlm", "intermediate", "target")


def preset_params(name: str, kind: str, task: str | None = None) -> dict:
    """A preset's params for phase `kind` (and `task`): its `default` block updated by the task's block."""
    path = PRESET_DIR / f"{name}.yaml"
    if not path.is_file():
        raise unknown("preset", name, [p.stem for p in PRESET_DIR.glob("*.yaml")])
    section = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(kind) or {}
    return {**(section.get("default") or {}), **(section.get(task) or {} if task else {})}


def _parse_value(text: str):
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if isinstance(value, str):
        try:  # YAML 1.1 reads "2e-5" (no dot) as a string
            return float(value)
        except ValueError:
            pass
    return value


def apply_overrides(config: dict, overrides: list[str]) -> dict:
    """A copy of `config` with dotted `key=value` overrides (values parsed as YAML) applied."""
    config = copy.deepcopy(config)
    for item in overrides:
        if "=" not in item:
            raise UserError(f"override '{item}': expected key=value, e.g. phases.target.lr=2e-5")
        key, value = item.split("=", 1)
        node, parts = config, key.strip().split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise UserError(f"override '{item}': '{part}' is not a mapping; check the key path")
        node[parts[-1]] = _parse_value(value)
    return config


def load_config(path: Path, overrides: list[str]) -> dict:
    """The train YAML with overrides, checked for its top-level shape."""
    if not Path(path).is_file():
        raise UserError(f"{path}: config not found; give the path of a train YAML")
    try:
        config = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise UserError(f"{path}: not valid YAML ({str(e).splitlines()[0]}); fix the file") from None
    config = apply_overrides(config, overrides)
    for key in config:
        if key not in TOP_KEYS:
            raise unknown(f"key in {path}", key, TOP_KEYS)
    if not isinstance(config.get("phases"), dict) or not config["phases"]:
        raise UserError(f"{path}: 'phases' must map phase names to params, e.g. phases: {{target: {{task: xnli}}}}")
    return config


def phase_plan(config: dict) -> list[tuple[str, str, dict]]:
    """(name, kind, params) per phase, in order, with preset, common and encoder filled in."""
    from intermezzo.phases.params import PARAMS

    plan = []
    for name, raw in config["phases"].items():
        raw = dict(raw or {})
        kind = raw.pop("kind", name)
        if kind not in PARAMS:
            raise unknown(f"phase kind of '{name}'", kind, PARAMS)
        fields = PARAMS[kind].model_fields
        params = preset_params(config["preset"], kind, raw.get("task")) if config.get("preset") else {}
        params.update({k: v for k, v in (config.get("common") or {}).items() if k in fields})
        if config.get("encoder") and "encoder" in fields:
            params["encoder"] = config["encoder"]
        params.update(raw)
        plan.append((name, kind, params))
    return plan


def run_config(config: dict, out: Path) -> dict[str, dict]:
    """Run every phase in order into out/<name>; finished phases are reused. Returns the summaries."""
    from intermezzo.phases import PHASES
    from intermezzo.phases.params import validate

    plan = phase_plan(config)
    for _, kind, params in plan:  # every phase's params are checked before any training starts
        validate(kind, params)
    summaries, last_trained = {}, None
    for name, kind, params in plan:
        inputs = {}
        if last_trained is not None:
            inputs = {"encoder": last_trained} if kind in TRAINING else {"model": last_trained}
        summaries[name] = PHASES[kind](params, out / name, inputs)
        if kind in TRAINING:
            last_trained = out / name
    return summaries
