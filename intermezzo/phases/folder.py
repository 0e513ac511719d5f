"""PhaseFolder: the files of one phase's output folder, named once, with reuse, clean-up and the done-marker."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from intermezzo.errors import UserError
from intermezzo.io import DONE, atomic_write_json, is_done, mark_done

# What a killed attempt leaves behind: intermezzo.io's temp entries (`.name.XXXX.tmp`) and the `.name.old` an
# interrupted replace of a folder keeps. Nothing else in a phase folder starts with a dot.
LEFTOVER_PATTERNS = (".*.tmp", ".*.old")


@dataclass(frozen=True)
class PhaseFolder:
    """One phase's output folder; every file name a phase writes is a property here.

    model/          the trained model (HF folder + heads), training phases
    summary.json    the phase's summary (intermezzo.phases.summaries), with its fingerprint
    log.txt         the phase's text log (the runner appends every attempt)
    log.jsonl       the training loop's rows (loss, lr, tokens/s, validations)
    checkpoint/     resume state while training; removed when the phase finishes
    best/           the best validated weights while training; removed when the phase finishes
    stages/         one sub-folder (itself a PhaseFolder) per stage of a multi-stage target phase
    DONE            the done-marker, written last (intermezzo.io.mark_done)
    """

    root: Path

    def __post_init__(self):
        object.__setattr__(self, "root", Path(self.root))

    model = property(lambda self: self.root / "model")
    summary = property(lambda self: self.root / "summary.json")
    log = property(lambda self: self.root / "log.txt")
    history = property(lambda self: self.root / "log.jsonl")
    checkpoint = property(lambda self: self.root / "checkpoint")
    best = property(lambda self: self.root / "best")
    done = property(lambda self: self.root / DONE)
    translation = property(lambda self: self.root / "translation.json")
    stages = property(lambda self: self.root / "stages")
    # What the evaluate phase leaves (docs/phases.md).
    scores = property(lambda self: self.root / "scores.json")
    example_scores = property(lambda self: self.root / "example_scores.jsonl")
    predictions = property(lambda self: self.root / "predictions")

    def stage(self, number: int, name: str) -> PhaseFolder:
        """The folder of stage `number` (from 1) of a multi-stage phase, training on task `name`."""
        return PhaseFolder(self.stages / f"{number}-{name}")

    def is_done(self) -> bool:
        """True when the done-marker is there (the folder is complete)."""
        return is_done(self.root)

    def read_summary(self) -> dict:
        """summary.json as a dict ({} when there is none)."""
        return json.loads(self.summary.read_text(encoding="utf-8")) if self.summary.is_file() else {}

    def reuse(self, fingerprint: str) -> dict | None:
        """The stored summary of a finished folder (plus reused: true), None when the phase must (still) run;
        a UserError when it was finished with other params or inputs (reusing it would give the wrong model)."""
        if not self.is_done():
            return None
        summary = self.read_summary()
        if summary.get("fingerprint") not in (None, fingerprint):
            raise UserError(f"{self.root}: holds a finished {summary.get('phase', 'phase')} run with other params "
                            "or inputs; write to a new output folder or delete this one")
        return {**summary, "reused": True}

    def leftovers(self) -> list[Path]:
        """Temp files and folders a killed attempt left anywhere inside this folder."""
        if not self.root.is_dir():
            return []
        found = {p for pattern in LEFTOVER_PATTERNS for p in self.root.rglob(pattern)}
        # A leftover inside another leftover goes with it.
        return sorted(p for p in found if not any(parent in found for parent in p.parents))

    def clean_leftovers(self) -> list[Path]:
        """Remove what a killed attempt left (its half-written checkpoint, best weights or model); returns it."""
        removed = self.leftovers()
        for path in removed:
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
        return removed

    def drop_scratch(self) -> None:
        """Remove the resume state of this folder and of its stages (checkpoints, best weights, stage weights)."""
        for folder in [self, *(PhaseFolder(p) for p in sorted(self.stages.glob("*")) if p.is_dir())]:
            for scratch in (folder.checkpoint, folder.best):
                shutil.rmtree(scratch, ignore_errors=True)
            (folder.root / STAGE_WEIGHTS).unlink(missing_ok=True)

    def finish(self, summary: dict) -> None:
        """Write summary.json, drop the resume state, then the done-marker: the one place a phase marks done."""
        atomic_write_json(self.summary, summary)
        self.drop_scratch()
        mark_done(self.root, {"phase": summary.get("phase")})


# A finished stage of a multi-stage phase: its weights and its result (written after the weights).
STAGE_WEIGHTS = "weights.safetensors"
STAGE_RESULT = "stage.json"
