"""What every phase shares: reuse of done folders, loading the handed-over encoder, task adapters, finishing."""

from __future__ import annotations

import json
import logging
import shutil
import time
from functools import partial
from pathlib import Path

from intermezzo.errors import UserError
from intermezzo.io import atomic_write_json, is_done, mark_done
from intermezzo.phases import distributed
from intermezzo.phases.loop import TrainTask

log = logging.getLogger("intermezzo.phases")


def finished_summary(out_dir: Path, cfg, inputs: dict) -> dict | None:
    """The summary of a finished phase folder, or None when it must (still) run; a UserError when the
    folder was finished with other params or inputs (reusing it would silently give the wrong model)."""
    from intermezzo.phases.params import fingerprint

    if not is_done(out_dir):
        return None
    path = Path(out_dir) / "summary.json"
    summary = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    if summary.get("fingerprint") not in (None, fingerprint(cfg, inputs)):
        raise UserError(f"{out_dir}: holds a finished {summary.get('phase', 'phase')} run with other params or "
                        "inputs; write to a new output folder or delete this one")
    return {**summary, "reused": True}


def model_dir(inputs: dict, *keys: str) -> Path | None:
    """The model folder an input names: a phase folder's model/ or a plain model folder."""
    for key in keys:
        if inputs and inputs.get(key):
            folder = Path(inputs[key])
            if (folder / "model" / "config.json").is_file():
                return folder / "model"
            if (folder / "config.json").is_file():
                return folder
            raise UserError(f"inputs['{key}'] = {folder}: holds no model (no model/config.json); "
                            "run its phase first or point to a model folder")
    return None


def load_encoder_for(cfg, inputs: dict):
    """(encoder, tokenizer, where from): inputs['encoder'] when given, else params.encoder."""
    from intermezzo.modeling import load_encoder

    src = model_dir(inputs, "encoder", "model")
    name = str(src) if src else cfg.encoder
    encoder, tokenizer = load_encoder(name, trust_remote_code=cfg.trust_remote_code,
                                      keep_layers=getattr(cfg, "keep_layers", None),
                                      freeze_embeddings=getattr(cfg, "freeze_embeddings", False),
                                      freeze_layers=getattr(cfg, "freeze_layers", None))
    return encoder, tokenizer, name


def load_task_examples(spec, split: str, lang: str, source: str, limit: int | None = None,
                       missing_ok: bool = False) -> list[dict]:
    """Canonical examples via intermezzo.data.load; with missing_ok an unavailable split gives [].

    Target-language intermediate data (MNLI in German, say) lies outside the task's official languages:
    those come from canonical JSONL (`{split}-{lang}.jsonl` in the folder, or the .jsonl file itself).
    """
    from intermezzo.data.load import load_examples

    try:
        if lang not in (spec.train_lang, *spec.langs) and source != "hub":
            return _other_language(spec, split, lang, Path(source), limit)
        return load_examples(spec.name, split, lang, source=source, limit=limit)
    except UserError as e:
        if not missing_ok:
            raise
        log.warning("%s %s/%s unavailable (%s); going on without it", spec.name, split, lang, e)
        return []


def _other_language(spec, split: str, lang: str, source: Path, limit: int | None) -> list[dict]:
    from intermezzo.data.formats import read_jsonl

    candidates = [source] if source.suffix == ".jsonl" else \
        [source / f"{split}-{lang}.jsonl", source / spec.name / f"{split}-{lang}.jsonl"]
    for path in candidates:
        if path.is_file():
            rows = read_jsonl(path)
            for n, row in enumerate(rows):
                row.setdefault("id", f"{path.stem}-{n}")
            return rows[:limit] if limit else rows
    raise UserError(f"{spec.name}/{lang}: {lang} is not an official language of {spec.name}, so its data must be "
                    f"canonical JSONL; expected {candidates[0]}")


def type_task(name: str, spec, examples: list[dict], tokenizer, max_length: int, hidden_size: int) -> TrainTask:
    """A TrainTask whose featurizing, batching, head and loss come from the task's type."""
    from intermezzo.types import TYPES

    ttype = TYPES[spec.type]
    features = ttype.featurize(spec, examples, tokenizer, max_length)

    def loss(encoder, head, batch):
        return ttype.loss(ttype.forward(encoder, head, batch), batch)

    return TrainTask(name=name, features=features, head=ttype.build_head(spec, hidden_size), loss=loss,
                     collate=partial(ttype.collate, pad_token_id=tokenizer.pad_token_id))


def save_trained(out_dir: Path, encoder, tokenizer, heads: dict, head_meta: dict, d: distributed.Dist) -> None:
    """Rank 0 writes out_dir/model/ (encoder, tokenizer, heads) atomically."""
    from intermezzo.modeling import save_model

    if d.main:
        save_model(Path(out_dir) / "model", encoder, tokenizer, heads=heads, head_meta=head_meta)
    distributed.barrier(d)


def finish(out_dir: Path, summary: dict, d: distributed.Dist, started: float, cfg, inputs: dict) -> dict:
    """Write summary.json (with the params fingerprint), drop resume state, and mark the folder done (last)."""
    from intermezzo.phases.params import fingerprint

    summary = {**summary, "seconds": round(time.time() - started, 2), "fingerprint": fingerprint(cfg, inputs)}
    summary.pop("history", None)
    if d.main:
        out_dir = Path(out_dir)
        atomic_write_json(out_dir / "summary.json", summary)
        for scratch in ("checkpoint", "best"):
            shutil.rmtree(out_dir / scratch, ignore_errors=True)
        mark_done(out_dir, {"phase": summary.get("phase")})
    distributed.barrier(d)
    return summary
