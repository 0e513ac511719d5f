"""The content key of one noisy variant of a data set: the grid-level noisy-input cache names its files by it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from intermezzo.noise.registry import format_noise, parse_noise


def cache_key(examples: list[dict], task_type: str, lang: str, spec, seed: int, fields=None) -> str:
    """A hex digest naming one noisy variant: the data, task type, text fields, language, spec, seed, the
    word lists the spec names (their bytes: a changed list is another noise) and the noise package's version."""
    from intermezzo.noise import NOISE_VERSION

    steps = parse_noise(spec)
    h = hashlib.sha256()
    h.update(json.dumps(examples, sort_keys=True, ensure_ascii=False, default=str).encode())
    for step in steps:
        path = getattr(step, "path", None)
        if path and Path(path).is_file():
            h.update(Path(path).read_bytes())
    meta = [NOISE_VERSION, task_type, lang, format_noise(steps), int(seed), list(fields) if fields else None]
    h.update(json.dumps(meta).encode())
    return h.hexdigest()[:32]
