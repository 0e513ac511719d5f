"""Noisy test sets made once per grid: stored on disk under a key of their content, shared by every model.

A noise variant of a test set depends on the data, the language, the noise spec and its seed, never on the
model that reads it, so every condition and seed of a grid that evaluates it reads the same file. The key is
`intermezzo.noise.cache.cache_key` (a hash of the examples, task type and text fields, language, spec, seed,
the word lists a spec names and the noise package's version): changed data or a changed family is a new file.
Variants whose noise does not fit the language (a Latin keyboard on Japanese) are remembered as well.
"""

from __future__ import annotations

import json
from pathlib import Path

from intermezzo.errors import UserError
from intermezzo.io import atomic_write_json


class NotApplicable(Exception):
    """A noise spec that has nothing to act on in a language (e.g. a Latin keyboard on Japanese)."""


def make_noisy(examples: list[dict], spec, lang: str, noise: str, seed: int) -> list[dict]:
    """intermezzo.noise.noise_examples on the task's text fields; NotApplicable when the spec does not apply."""
    import intermezzo.noise

    try:
        return intermezzo.noise.noise_examples(examples, spec, lang, noise, seed=seed)
    except UserError as e:  # specs are parsed up front, so this is "does not apply to this language"
        raise NotApplicable(str(e)) from None


def _unsupported(lang: str, noise: str) -> bool:
    """Whether a family of `noise` does not fit the language's script (a lasting property, safe to remember)."""
    from intermezzo.noise import parse_noise, supported

    return any(not supported(lang, step[0]) for step in parse_noise(noise))


class NoisyInputs:
    """Noisy variants of test sets, read from `folder` when any phase made them before, else made and stored.

    With no folder every variant is made afresh (nothing is kept). Files are written atomically, so phases
    that make the same variant at the same time both write the same content and either one wins.
    """

    def __init__(self, folder: str | Path | None = None):
        self.folder = Path(folder) if folder else None
        self.hits, self.made = 0, 0

    def path(self, examples: list[dict], spec, lang: str, noise: str, seed: int) -> Path:
        """Where the variant lives: <folder>/<task>/<lang>/<content key>.json."""
        from intermezzo.noise.cache import cache_key

        from intermezzo.tasks.schema import schema_of

        key = cache_key(examples, spec.type, lang, noise, seed, fields=schema_of(spec).text_fields(spec))
        return self.folder / spec.name / lang / f"{key}.json"

    def get(self, examples: list[dict], spec, lang: str, noise: str, seed: int) -> list[dict]:
        """The examples under `noise` (seeded); NotApplicable when the noise does not fit the language."""
        if self.folder is None:
            self.made += 1
            return make_noisy(examples, spec, lang, noise, seed)
        path = self.path(examples, spec, lang, noise, seed)
        if path.is_file():
            stored = json.loads(path.read_text(encoding="utf-8"))
            self.hits += 1
            if "not_applicable" in stored:
                raise NotApplicable(stored["not_applicable"])
            return stored["examples"]
        self.made += 1
        # One JSON document rather than JSONL: noisy text may hold U+2028, which line splitting would cut.
        about = {"task": spec.name, "lang": lang, "noise": noise, "seed": seed}
        try:
            noisy = make_noisy(examples, spec, lang, noise, seed)
        except NotApplicable as e:
            if _unsupported(lang, noise):  # not a missing word list, which the user may still fix
                atomic_write_json(path, {**about, "not_applicable": str(e)}, indent=None)
            raise
        atomic_write_json(path, {**about, "examples": noisy}, indent=None)
        return noisy

    def stats(self) -> dict:
        """Variants read from the cache and variants made by this phase (for its summary)."""
        return {"cached": self.folder is not None, "hits": self.hits, "made": self.made}
