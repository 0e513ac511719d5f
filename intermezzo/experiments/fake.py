"""Stand-in phases behind `intermezzo run --fake-phases` and `benchmarks/grid.py --phases fake`.

They take the real phases' params and write what the real phases write (`model/` after training, `scores.json`
and `example_scores.jsonl` after evaluation, the done-marker last), in milliseconds. Scores are deterministic
functions of the phase chain, so two runs of one grid give identical results. A run with them is keyed apart
from real runs (plan.json says `"fake_phases": true`), so a real run never reuses a stand-in's output.
Test-only helpers (a phase told to fail, a small grid) live in tests/support/.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from intermezzo.io import atomic_write_json, atomic_write_text, mark_done

FAKE_LANGS = ("en", "de", "sw")
N_EXAMPLES = 20


class StandIns(dict):
    """A PHASES-like dict of stand-in phases; the runner keys and flags their results as fake."""

    stand_in = True


def _unit(*parts) -> float:
    """A deterministic number in [0, 1) from any JSON-able parts."""
    h = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return int(h[:8], 16) / 2**32


def _parent(inputs: dict) -> dict:
    """The parent model's quality (0-1) and training language, or a fresh encoder's."""
    parent = inputs.get("encoder") or inputs.get("model")
    if parent is None:
        return {"quality": 0.5, "lang": "en"}
    return json.loads((Path(parent) / "model" / "quality.json").read_text())


def _trained_lang(params: dict, parent: dict) -> str:
    """The language an intermediate phase trained in (after translation); later phases inherit it."""
    tasks = params.get("tasks") or []
    if not tasks:
        return parent["lang"]
    return (tasks[0].get("translate") or {}).get("tgt_lang") or tasks[0].get("lang", "en")


def _train(kind: str, params: dict, out_dir: Path, inputs: dict) -> dict:
    gain = {"mlm": 0.03, "intermediate": 0.08, "target": 0.1}[kind] * _unit(kind, params.get("tasks"),
                                                                            params.get("task"))
    parent = _parent(inputs)
    quality = min(0.95, parent["quality"] + gain + 0.01 * _unit(params.get("seed")))
    model = Path(out_dir) / "model"
    model.mkdir(parents=True, exist_ok=True)
    atomic_write_json(model / "quality.json", {"quality": quality, "lang": _trained_lang(params, parent)})
    atomic_write_json(model / "config.json", {"fake": True, "kind": kind})
    mark_done(out_dir, {"quality": quality, "fake": True})
    return {"quality": quality}


def _level(spec: str) -> float:
    return max(float(part.partition(":")[2] or 0) for part in spec.split(","))


def _evaluate(params: dict, out_dir: Path, inputs: dict) -> dict:
    """Per-example 0/100 scores (the metrics' scale) whose rate falls with the noise level."""
    parent = _parent(inputs)
    quality, trained_lang = parent["quality"], parent["lang"]
    scores: dict = {}
    rows = []
    for noise in ["clean", *params.get("noise", [])]:
        level = 0.0 if noise == "clean" else _level(noise)
        for lang in params.get("langs") or FAKE_LANGS:
            # Target-language training makes a model less sensitive to noise in that language.
            sensitivity = 0.3 if trained_lang == lang != "en" else 0.6
            p = quality * (1 - sensitivity * level) - 0.1 * _unit(lang)
            rng = np.random.default_rng(int(_unit(noise, lang, params.get("seed"), quality) * 2**31))
            hits = (rng.random(N_EXAMPLES) < p).astype(float) * 100
            scores.setdefault(noise, {})[lang] = {"accuracy": float(hits.mean())}
            rows += [{"noise": noise, "lang": lang, "id": f"{lang}-{i}", "score": float(s)}
                     for i, s in enumerate(hits)]
    out_dir = Path(out_dir)
    atomic_write_text(out_dir / "example_scores.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    atomic_write_json(out_dir / "scores.json", scores)
    mark_done(out_dir, {"pid": os.getpid(), "fake": True})
    return {"langs": len(next(iter(scores.values())))}


@dataclass(frozen=True)
class FakePhase:
    """One stand-in phase; `work_s` seconds of real CPU work (matrix products) or `sleep_s` idle first."""

    kind: str
    work_s: float = 0.0
    sleep_s: float = 0.0

    def __call__(self, params: dict, out_dir: Path, inputs: dict) -> dict:
        """Run like the real phase of this kind: `(params, out_dir, inputs) -> summary`."""
        if self.sleep_s:
            time.sleep(self.sleep_s)
        end = time.perf_counter() + self.work_s
        a = np.random.default_rng(0).standard_normal((64, 64))
        while time.perf_counter() < end:
            a = np.tanh(a @ a.T / 64)
        if self.kind == "evaluate":
            return _evaluate(params, out_dir, inputs)
        return _train(self.kind, params, out_dir, inputs)


def stand_ins(work_s: float = 0.0, sleep_s: float = 0.0) -> StandIns:
    """Stand-ins for every phase kind, each spending `work_s` seconds of CPU work or `sleep_s` idle."""
    return StandIns({kind: FakePhase(kind, work_s, sleep_s) for kind in ("mlm", "intermediate", "target", "evaluate")})


FAKE_PHASES = stand_ins()
