"""Training phases of Phang et al. (2020): mlm -> intermediate -> target -> evaluate; PHASES maps kind -> run.

Each is `run(params: dict, out_dir: Path, inputs: dict[str, Path]) -> dict`, run by one template
(intermezzo.phases.lifecycle.run_phase) into a PhaseFolder (intermezzo.phases.folder); see docs/phases.md.
The names below load on first use, so that `intermezzo --help` and the CLI's commands module stay torch-free.
"""

from __future__ import annotations

import importlib

_LAZY = {"PARAMS": "intermezzo.phases.params", "validate": "intermezzo.phases.params"}

__all__ = ["PARAMS", "PHASES", "validate"]


def __getattr__(name: str):
    if name == "PHASES":
        from intermezzo.phases.evaluate import run_evaluate
        from intermezzo.phases.intermediate import run_intermediate
        from intermezzo.phases.mlm import run_mlm
        from intermezzo.phases.target import run_target

        phases = {"mlm": run_mlm, "intermediate": run_intermediate, "target": run_target, "evaluate": run_evaluate}
        globals()["PHASES"] = phases  # one dict for the life of the process: tests and users may add to it
        return phases
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'intermezzo.phases' has no attribute {name!r}")
