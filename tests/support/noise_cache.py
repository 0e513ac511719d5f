"""Test support: a minimal on-disk cache of noisy example sets around intermezzo.noise.cache.cache_key, to test
that the key separates variants (the package's cache is intermezzo/phases/noisy_inputs.py)."""

from __future__ import annotations

from pathlib import Path

from intermezzo.data.formats import read_jsonl, write_jsonl
from intermezzo.noise import noise_examples
from intermezzo.noise.cache import cache_key


def cached_noise_examples(examples: list[dict], task_type: str, lang: str, spec, seed: int, cache_dir,
                          fields=None) -> list[dict]:
    """noise_examples, reusing `cache_dir/<key>.jsonl` when this exact variant was made before."""
    path = Path(cache_dir) / f"{cache_key(examples, task_type, lang, spec, seed, fields)}.jsonl"
    if path.is_file():
        return read_jsonl(path)
    noisy = noise_examples(examples, task_type, lang, spec, seed, fields=fields)
    write_jsonl(path, noisy)
    return noisy
