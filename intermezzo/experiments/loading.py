"""The one front door for configs: YAML files, presets (YAML only), dotted key=value overrides, values parsed one way.

`intermezzo run` (a grid) and `intermezzo train` (one chain of phases) both read their YAML, presets and overrides
here, so a value means the same thing everywhere: `2e-5` is a float, `nan` and `none` are the strings YAML 1.1
makes of them (write `.nan` or `null` for the float and the null), `[1, 2]` is a list.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

from intermezzo.errors import UserError, unknown

# Shipped inside the package (configs/presets links here), so a plain `pip install` has them too.
PRESET_DIR = Path(__file__).resolve().parent / "presets"
# YAML 1.1 reads "2e-5" (an exponent without a dot) as a string; every config means the number.
_EXPONENT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+")


def _yaml_problem(e: yaml.YAMLError) -> tuple[str, str]:
    """(':line' or '', the parser's short reason) of a YAML error."""
    mark = getattr(e, "problem_mark", None)
    line = f":{mark.line + 1}" if mark is not None else ""
    return line, str(getattr(e, "problem", None) or str(e).splitlines()[0])


def parse_value(text: str, where: str = "value") -> Any:
    """A YAML value from the command line: numbers, lists, mappings, true/false, null; a UserError if malformed."""
    if not text.strip():
        return None
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise UserError(f"{where}: not a valid YAML value ({_yaml_problem(e)[1]}); close the brackets or quote "
                        "the value, e.g. seeds=[1,2] or name='a: b'") from None
    if isinstance(value, str) and _EXPONENT.fullmatch(value.strip()):
        return float(value)
    return value


def read_yaml(path: str | Path, what: str = "config") -> Any:
    """The parsed contents of a YAML file, or a one-line UserError (missing, a folder, unreadable, bad syntax)."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path}: is a folder; give the path of a {what} YAML file")
    if not path.is_file():
        raise UserError(f"{path}: {what} file not found; check the path (shipped ones are under configs/)")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise UserError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start}); save it as UTF-8") from None
    except OSError as e:
        raise UserError(f"{path}: cannot read it ({e.strerror or e}); check its permissions") from None
    except yaml.YAMLError as e:
        line, problem = _yaml_problem(e)
        raise UserError(f"{path}{line}: not valid YAML ({problem}); fix the syntax") from None


def apply_overrides(raw: dict, overrides: list[str]) -> dict:
    """A copy of `raw` with `a.b.c=value` overrides applied (a numeric part indexes a list; values as parse_value)."""
    out = copy.deepcopy(raw)
    for item in overrides:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"override '{item}': expected key=value (dotted key), e.g. seeds=[1,2] or "
                            "hparams.target.lr=2e-5")
        node: Any = out
        parts = key.strip().split(".")
        for i, part in enumerate(parts):
            if isinstance(node, list):
                if not part.isdigit() or int(part) >= len(node):
                    raise UserError(f"override '{item}': '{part}' is not an index of the list at "
                                    f"{'.'.join(parts[:i]) or '<root>'} (length {len(node)})")
                part = int(part)
            elif not isinstance(node, dict):
                raise UserError(f"override '{item}': {'.'.join(parts[:i])} is a value, not a mapping; "
                                "check the key path")
            if i == len(parts) - 1:
                node[part] = parse_value(text, where=f"override '{item}'")
            else:
                if isinstance(node, dict) and not isinstance(node.get(part), (dict, list)):
                    node[part] = {}
                node = node[part]
    return out


def load_yaml(path: str | Path, overrides: list[str] = (), what: str = "config") -> dict:
    """A YAML file's top-level mapping with the overrides applied."""
    raw = read_yaml(path, what)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise UserError(f"{path}: expected a YAML mapping (key: value lines) at the top level, "
                        f"got {type(raw).__name__}")
    return apply_overrides(raw, list(overrides))


def preset_names() -> list[str]:
    """The shipped presets: intermezzo/experiments/presets/<name>.yaml (configs/presets links there)."""
    return sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))


_PRESETS: dict[tuple[Path, int], Any] = {}  # (file, mtime) -> parsed YAML: a grid reads its preset per phase


def read_preset(name: str) -> dict[str, dict[str, dict]]:
    """{phase kind: {"default": params, task: params}} of a preset; a UserError when unknown or malformed."""
    path = PRESET_DIR / f"{name}.yaml"
    if not path.is_file():
        raise unknown("preset", name, preset_names())
    stamp = (path, path.stat().st_mtime_ns)
    if stamp not in _PRESETS:
        _PRESETS[stamp] = read_yaml(path, what="preset")
    raw = copy.deepcopy(_PRESETS[stamp])
    out: dict[str, dict[str, dict]] = {}
    for kind, section in (raw or {}).items():
        if kind in ("description", "encoder"):
            continue
        if not isinstance(section, dict) or not all(isinstance(v, dict) for v in section.values()):
            raise UserError(f"{path}: {kind}: expected task (or default) -> params mappings; fix the preset")
        out[kind] = {task: dict(params) for task, params in section.items()}
    return out


def preset_params(name: str, kind: str, task: str | None = None) -> dict:
    """A preset's params for phase `kind` (and `task`): its `default` block updated by the task's block."""
    section = read_preset(name).get(kind) or {}
    return {**(section.get("default") or {}), **(section.get(task) or {} if task else {})}
