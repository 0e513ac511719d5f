"""Training phases of Phang et al. (2020): mlm -> intermediate -> target -> evaluate; PHASES maps kind -> run.

Each is `run(params: dict, out_dir: Path, inputs: dict[str, Path]) -> dict`; see docs/phases.md.
"""

from __future__ import annotations

from intermezzo.phases.evaluate import run_evaluate
from intermezzo.phases.intermediate import run_intermediate
from intermezzo.phases.mlm import run_mlm
from intermezzo.phases.params import PARAMS, validate
from intermezzo.phases.target import run_target

PHASES = {"mlm": run_mlm, "intermediate": run_intermediate, "target": run_target, "evaluate": run_evaluate}

__all__ = ["PARAMS", "PHASES", "validate"]
