"""Test support: an on-disk cache of noisy example sets, keyed by (data, spec, seed, language, task type, fields).

Not a user feature (nothing in the package reads it); kept to test that the noise key separates variants.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from intermezzo.data.formats import read_jsonl, write_jsonl
from intermezzo.noise import NOISE_VERSION, noise_examples
from intermezzo.noise.registry import format_noise, parse_noise


def cache_key(examples: list[dict], task_type: str, lang: str, spec, seed: int, fields=None) -> str:
    """A hex digest naming one noisy variant of one data set."""
    steps = parse_noise(spec)
    h = hashlib.sha256()
    h.update(json.dumps(examples, sort_keys=True, ensure_ascii=False, default=str).encode())
    for step in steps:  # a word list that changed on disk is a different noise
        path = getattr(step, "path", None)
        if path and Path(path).is_file():
            h.update(Path(path).read_bytes())
    meta = [NOISE_VERSION, task_type, lang, format_noise(steps), int(seed), list(fields) if fields else None]
    h.update(json.dumps(meta).encode())
    return h.hexdigest()[:32]


def cached_noise_examples(examples: list[dict], task_type: str, lang: str, spec, seed: int, cache_dir,
                          fields=None) -> list[dict]:
    """noise_examples, reusing `cache_dir/<key>.jsonl` when this exact variant was made before."""
    path = Path(cache_dir) / f"{cache_key(examples, task_type, lang, spec, seed, fields)}.jsonl"
    if path.is_file():
        return read_jsonl(path)
    noisy = noise_examples(examples, task_type, lang, spec, seed, fields=fields)
    write_jsonl(path, noisy)
    return noisy
