"""Word-level families: `translit` (romanisation), `codeswitch` (bilingual lexicon), `misspell` (error lists)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from intermezzo.errors import UserError
from intermezzo.noise.scripts import match_case, nfc, replace_words, script_of


@lru_cache(maxsize=1)
def _romaniser():
    try:
        from anyascii import anyascii

        return anyascii
    except ImportError:
        pass
    try:
        import uroman

        engine = uroman.Uroman()
        return lambda s: str(engine.romanize_string(s))
    except (ImportError, AttributeError):
        raise UserError("noise: translit needs anyascii or uroman; install them with "
                        "pip install 'intermezzo[translit]'") from None


def translit_batch(texts: list[str], lang: str, level: float, rng) -> list[str]:
    """Romanise about `level` of the words of non-Latin text, as users typing on a Latin keyboard do."""
    if script_of(lang) == "latin":
        raise UserError(f"noise: translit does not apply to '{lang}' (already Latin script); drop it there")
    if level <= 0:
        return list(texts)
    romanise = _romaniser()
    return replace_words(texts, level, rng, lambda w, _: romanise(w).strip() or None)


@lru_cache(maxsize=16)
def _pairs(path: str, mtime_ns: int, reverse: bool) -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            cells = line.split()
            if not cells:
                continue
            if len(cells) != 2:
                layout = "wrong right" if reverse else "src tgt"
                raise UserError(f"{path}:{n}: expected two words per line ('{layout}'), found {len(cells)}; "
                                "fix that line")
            key, value = (cells[1], cells[0]) if reverse else (cells[0], cells[1])
            table.setdefault(nfc(key).lower(), []).append(nfc(value))
    return {k: tuple(v) for k, v in table.items()}


def load_word_pairs(path: str | os.PathLike | None, family: str, reverse: bool = False) -> dict[str, tuple[str, ...]]:
    """`word -> replacements` from a two-column file (MUSE `src tgt`, or `wrong right` with reverse=True)."""
    if not path:
        raise UserError(f"noise: {family} needs a word list; write it as '{family}:LEVEL@/path/to/file.txt'")
    p = Path(path)
    if not p.is_file():
        raise UserError(f"noise: {family} word list {p} not found; check the path after '@'")
    try:
        return _pairs(str(p.resolve()), p.stat().st_mtime_ns, reverse)
    except UnicodeDecodeError:
        raise UserError(f"{p}: not UTF-8 text; re-save the {family} word list as UTF-8") from None


def _lookup(table: dict[str, tuple[str, ...]]):
    def replace(word: str, pick: float) -> str | None:
        options = table.get(word.lower())
        return match_case(options[int(pick * len(options))], word) if options else None
    return replace


def codeswitch_batch(texts: list[str], lang: str, level: float, rng, path: str | None = None) -> list[str]:
    """Replace about `level` of the lexicon's source words by a translation (MUSE lexicon at `path`)."""
    script_of(lang)
    table = load_word_pairs(path, "codeswitch")
    if level <= 0:
        return list(texts)
    return replace_words(texts, level, rng, _lookup(table))


def misspell_batch(texts: list[str], lang: str, level: float, rng, path: str | None = None) -> list[str]:
    """Replace about `level` of the listed correct words by a real misspelling (`wrong right` lines at `path`)."""
    script_of(lang)
    table = load_word_pairs(path, "misspell", reverse=True)
    if level <= 0:
        return list(texts)
    return replace_words(texts, level, rng, _lookup(table))
