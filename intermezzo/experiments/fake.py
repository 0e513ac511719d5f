"""Fast stand-in phases with the real phases' signature and files, for runner tests, the benchmark and demos.

They do a little real CPU work (or sleep), then write what the real phases write: `model/` after training,
`scores.json` and `example_scores.jsonl` after evaluation, and the done-marker last. Scores are
deterministic functions of the phase chain, so two runs of one grid give identical results.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import numpy as np

from intermezzo.io import atomic_write_json, atomic_write_text, mark_done

FAKE_LANGS = ("en", "de", "sw")


def _unit(*parts) -> float:
    """A deterministic number in [0, 1) from any JSON-able parts."""
    h = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return int(h[:8], 16) / 2**32


def _busy(params: dict) -> None:
    """Spend the configured time: `sleep_s` idle, or `work_s` of matrix products (real CPU work).

    `fail: true` makes the phase raise instead: fault injection for the executors' tests."""
    if params.get("fail"):
        raise RuntimeError("stand-in phase told to fail")
    if params.get("sleep_s"):
        time.sleep(float(params["sleep_s"]))
    end = time.perf_counter() + float(params.get("work_s", 0))
    a = np.random.default_rng(0).standard_normal((64, 64))
    while time.perf_counter() < end:
        a = np.tanh(a @ a.T / 64)


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
    _busy(params)
    gain = {"mlm": 0.03, "intermediate": 0.08, "target": 0.1}[kind] * _unit(kind, params.get("tasks"),
                                                                            params.get("task"))
    parent = _parent(inputs)
    quality = min(0.95, parent["quality"] + gain + 0.01 * _unit(params.get("seed")))
    model = Path(out_dir) / "model"
    model.mkdir(parents=True, exist_ok=True)
    atomic_write_json(model / "quality.json", {"quality": quality, "lang": _trained_lang(params, parent)})
    atomic_write_json(model / "config.json", {"fake": True, "kind": kind})
    mark_done(out_dir, {"quality": quality})
    return {"quality": quality}


def fake_mlm(params: dict, out_dir: Path, inputs: dict) -> dict:
    """MLM stand-in."""
    return _train("mlm", params, out_dir, inputs)


def fake_intermediate(params: dict, out_dir: Path, inputs: dict) -> dict:
    """Intermediate-training stand-in."""
    return _train("intermediate", params, out_dir, inputs)


def fake_target(params: dict, out_dir: Path, inputs: dict) -> dict:
    """Target fine-tuning stand-in."""
    return _train("target", params, out_dir, inputs)


def _level(spec: str) -> float:
    return max(float(part.partition(":")[2] or 0) for part in spec.split(","))


def fake_evaluate(params: dict, out_dir: Path, inputs: dict) -> dict:
    """Evaluation stand-in: per-example 0/100 scores (the metrics' scale) whose rate falls with the noise level."""
    _busy(params)
    parent = _parent(inputs)
    quality, trained_lang = parent["quality"], parent["lang"]
    n = int(params.get("n_examples", 20))
    scores: dict = {}
    rows = []
    for noise in ["clean", *params.get("noise", [])]:
        level = 0.0 if noise == "clean" else _level(noise)
        for lang in params.get("langs") or FAKE_LANGS:
            # Target-language training makes a model less sensitive to noise in that language.
            sensitivity = 0.3 if trained_lang == lang != "en" else 0.6
            p = quality * (1 - sensitivity * level) - 0.1 * _unit(lang)
            rng = np.random.default_rng(int(_unit(noise, lang, params.get("seed"), quality) * 2**31))
            hits = (rng.random(n) < p).astype(float) * 100
            scores.setdefault(noise, {})[lang] = {"accuracy": float(hits.mean())}
            rows += [{"noise": noise, "lang": lang, "id": f"{lang}-{i}", "score": float(s)}
                     for i, s in enumerate(hits)]
    out_dir = Path(out_dir)
    atomic_write_text(out_dir / "example_scores.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    atomic_write_json(out_dir / "scores.json", scores)
    mark_done(out_dir, {"pid": os.getpid()})
    return {"langs": len(next(iter(scores.values())))}


FAKE_PHASES = {"mlm": fake_mlm, "intermediate": fake_intermediate, "target": fake_target,
               "evaluate": fake_evaluate}


def small_grid(name: str = "small", **overrides) -> dict:
    """A raw config of a small grid over every condition kind (for tests, the benchmark and smoke runs)."""
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
