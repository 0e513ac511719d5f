"""The phase lifecycle, once for every phase: validate -> reuse -> set up -> seed -> work -> save -> summary -> done.

A phase is `run_phase(kind, params, out_dir, inputs, work)`, where `work(run: PhaseRun) -> Outcome` is the part
that differs: it loads its data, trains or scores, writes its own extra files into `run.folder`, and returns
what it built (`SavedModel`, saved by the template to model/) and what it summarises (a typed summary from
intermezzo.phases.summaries). Everything around it - params validation, reusing a finished folder, DDP setup,
cleaning up what a killed attempt left, seeding, saving, summary.json, dropping resume state, the done-marker -
happens here, in this order, for every phase.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intermezzo.errors import UserError
from intermezzo.phases import distributed
from intermezzo.phases.folder import PhaseFolder
from intermezzo.phases.params import fingerprint, validate
from intermezzo.phases.summaries import Summary

log = logging.getLogger("intermezzo.phases")

INPUT_KEYS = ("model", "encoder")  # the input names a phase reads its starting model from


@dataclass
class SavedModel:
    """What a training phase built: the template writes it to model/ (rank 0, atomically)."""

    encoder: Any
    tokenizer: Any
    heads: dict = field(default_factory=dict)
    head_meta: dict = field(default_factory=dict)


@dataclass
class Outcome:
    """What a phase's work returns: its summary and, for training phases, the model to save."""

    summary: Summary | dict
    model: SavedModel | None = None


@dataclass
class PhaseRun:
    """One run of a phase, as its work sees it."""

    kind: str
    cfg: Any                       # the validated params (intermezzo.phases.params)
    folder: PhaseFolder
    inputs: dict[str, Path]
    d: distributed.Dist
    started: float

    @property
    def fingerprint(self) -> str:
        """What the phase computes from: its params (minus logging knobs) and its inputs."""
        return fingerprint(self.cfg, self.inputs)

    @property
    def input_model(self) -> Path | None:
        """The model folder the inputs hand over (a phase folder's model/ or a plain model folder), or None."""
        return input_model(self.inputs)

    def load_encoder(self):
        """(encoder, tokenizer, where from): the handed-over model when there is one, else params.encoder."""
        return load_encoder(self.cfg, self.inputs)


def run_phase(kind: str, params: dict, out_dir: Path, inputs: dict[str, Path] | None,
              work: Callable[[PhaseRun], Outcome]) -> dict:
    """Run phase `kind` into `out_dir` with `work` doing the phase's own part; returns the summary as a dict."""
    from intermezzo.phases.loop import seed_everything

    inputs = dict(inputs or {})
    cfg = validate(kind, params)
    folder = PhaseFolder(out_dir)
    if (summary := folder.reuse(fingerprint(cfg, inputs))) is not None:
        return summary
    started, d = time.time(), distributed.setup(cfg.device)
    if d.main and (removed := folder.clean_leftovers()):
        log.info("%s: removed what a killed attempt left: %s", folder.root, ", ".join(p.name for p in removed))
    distributed.barrier(d)
    if hasattr(cfg, "seed"):
        seed_everything(cfg.seed)
    run = PhaseRun(kind=kind, cfg=cfg, folder=folder, inputs=inputs, d=d, started=started)
    outcome = work(run)
    if outcome.model is not None:
        save(folder, outcome.model, d)
    summary = outcome.summary
    if not isinstance(summary, dict):
        summary = summary.model_dump(mode="json")
    if summary.get("max_length") is None and getattr(cfg, "max_length", None) is not None:
        summary["max_length"] = cfg.max_length  # evaluate scores a trained model at its training length
    return complete(folder, summary, d, started, fingerprint(cfg, inputs))


def save(folder: PhaseFolder, built: SavedModel, d: distributed.Dist) -> None:
    """Rank 0 writes folder/model/ (encoder, tokenizer, heads) atomically; every rank waits for it."""
    from intermezzo.modeling import save_model

    if d.main:
        save_model(folder.model, built.encoder, built.tokenizer, heads=built.heads, head_meta=built.head_meta)
    distributed.barrier(d)


def complete(folder: PhaseFolder, summary: dict, d: distributed.Dist, started: float, fp: str) -> dict:
    """Add seconds and fingerprint to the summary; rank 0 writes it, drops resume state and marks the folder done."""
    summary = {**summary, "seconds": round(time.time() - started, 2), "fingerprint": fp}
    if d.main:
        folder.finish(summary)
    distributed.barrier(d)
    return summary


def _model_folder(key: str, folder: Path) -> Path:
    folder = Path(folder)
    if (folder / "model" / "config.json").is_file():
        return folder / "model"
    if (folder / "config.json").is_file():
        return folder
    raise UserError(f"inputs['{key}'] = {folder}: holds no model (no model/config.json); "
                    "run its phase first or point to a model folder")


def input_model(inputs: dict | None) -> Path | None:
    """The model folder named by inputs['model'] or inputs['encoder'] (one of them; both is an error)."""
    given = [key for key in INPUT_KEYS if inputs and inputs.get(key)]
    if len(given) > 1:
        raise UserError(f"inputs {given}: name one starting model, not both; pass 'model' (a trained phase) "
                        "or 'encoder'")
    return _model_folder(given[0], inputs[given[0]]) if given else None


def load_encoder(cfg, inputs: dict | None):
    """(encoder, tokenizer, where from) with the params' model options: the one encoder loader of the phases."""
    from intermezzo.modeling import load_encoder as load

    src = input_model(inputs)
    name = str(src) if src else cfg.encoder
    encoder, tokenizer = load(name, trust_remote_code=cfg.trust_remote_code,
                              keep_layers=getattr(cfg, "keep_layers", None),
                              freeze_embeddings=getattr(cfg, "freeze_embeddings", False),
                              allow_pickle=getattr(cfg, "allow_pickle", False),
                              freeze_layers=getattr(cfg, "freeze_layers", None))
    return encoder, tokenizer, name
