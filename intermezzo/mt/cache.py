"""A disk cache in front of any Translator: each text is translated once per (engine + model, src, tgt)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from intermezzo.errors import UserError
from intermezzo.io import atomic_write_json


def translation_cache() -> Path:
    """Where translations are kept between runs ($INTERMEZZO_CACHE/translations, default ~/.cache/intermezzo)."""
    return Path(os.environ.get("INTERMEZZO_CACHE", "~/.cache/intermezzo")).expanduser() / "translations"


class CachedTranslator:
    """Wraps a translator with a disk cache keyed by (engine+model, src, tgt, text hash); chunks are atomic files."""

    def __init__(self, translator, cache_dir: Path, chunk: int = 512):
        self.inner, self.name, self.chunk = translator, translator.name, chunk
        self.cache_dir = Path(cache_dir)

    def _folder(self, src: str, tgt: str) -> Path:
        key = hashlib.sha256(json.dumps([self.name, src, tgt]).encode()).hexdigest()[:16]
        return self.cache_dir / key

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _load(self, folder: Path) -> dict[str, str]:
        known: dict[str, str] = {}
        for part in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            known.update(json.loads(part.read_text(encoding="utf-8"))["translations"])
        return known

    def translate(self, texts: list[str], src: str, tgt: str) -> list[str]:
        """Translations of `texts`; only texts never seen before reach the backend."""
        folder = self._folder(src, tgt)
        known = self._load(folder)
        todo = list(dict.fromkeys(t for t in texts if self._key(t) not in known))
        for start in range(0, len(todo), self.chunk):
            part = todo[start:start + self.chunk]
            done = self.inner.translate(part, src, tgt)
            if len(done) != len(part):
                raise UserError(f"translator {self.name}: returned {len(done)} texts for {len(part)}; fix the engine")
            new = {self._key(t): out for t, out in zip(part, done)}
            name = hashlib.sha256("".join(sorted(new)).encode()).hexdigest()[:16]
            atomic_write_json(folder / f"{name}.json", {"engine": self.name, "src": src, "tgt": tgt,
                                                        "translations": new}, indent=None)
            known.update(new)
        return [known[self._key(t)] for t in texts]
