"""Test support for the experiments area: a small grid over every condition kind, and stand-in phases that fail.

Importable as `support.grids` (pytest puts tests/ on sys.path through tests/conftest.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from intermezzo.experiments.fake import FakePhase, StandIns, stand_ins


def small_grid(name: str = "small", **overrides) -> dict:
    """A raw config of a small grid over every condition kind (for tests and smoke runs)."""
    raw = {
        "name": name, "encoders": ["tiny-encoder"], "seeds": [1, 2], "targets": ["xnli", "pawsx"],
        "langs": ["en", "de", "sw"], "noise": {"specs": ["keyboard:0.1", "keyboard:0.3", "diacritics:1.0"]},
        "conditions": {
            "none": {"kind": "none"},
            "mnli": {"kind": "english", "tasks": ["mnli"]},
            "mnli-mt": {"kind": "target_lang", "tasks": ["mnli"], "source": "translate",
                        "translate": {"engine": "hf"}, "langs": ["de", "sw"]},
            "multi": {"kind": "multitask", "tasks": ["mnli", "qqp"]},
        },
    }
    raw.update(overrides)
    return raw


@dataclass(frozen=True)
class FailingPhase:
    """A stand-in that raises when its params contain every item of `when` (all params when empty)."""

    inner: FakePhase
    when: dict = field(default_factory=dict)

    def __call__(self, params: dict, out_dir: Path, inputs: dict) -> dict:
        if all(params.get(k) == v for k, v in self.when.items()):
            raise RuntimeError("stand-in phase told to fail")
        return self.inner(params, out_dir, inputs)


def failing(kind: str, when: dict | None = None, sleep_s: float = 0.0) -> StandIns:
    """Stand-in phases whose `kind` fails (for params matching `when`): picklable for the GPU and submitit paths."""
    phases = stand_ins(sleep_s=sleep_s)
    phases[kind] = FailingPhase(phases[kind], dict(when or {}))
    return phases
