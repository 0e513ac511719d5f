"""The family registry, which language gets which family, noise specs and named suites."""

from __future__ import annotations

from collections.abc import Callable

from intermezzo.errors import UserError, unknown
from intermezzo.noise.chars import char_delete_batch, char_insert_batch, char_substitute_batch, char_swap_batch
from intermezzo.noise.diacritics import SUPPORTED_SCRIPTS, diacritics_batch
from intermezzo.noise.draws import Streams, spawn
from intermezzo.noise.keyboard import LAYOUTS, keyboard_batch
from intermezzo.noise.lexical import codeswitch_batch, load_word_pairs, misspell_batch, translit_batch
from intermezzo.noise.scripts import CASED_SCRIPTS, LANGS, SCRIPTS, UNSPACED_SCRIPTS, script_of
from intermezzo.noise.surface import case_batch, punctuation_batch, whitespace_batch

# Bump when a family's output changes for the same seed, so that anything cached by it is not reused.
NOISE_VERSION = 2

# Each family is written once, for a batch: fn(texts, lang, level, rng[, path]) -> list[str], drawing one array
# of uniforms per text (see draws.py for what that guarantees). FAMILIES holds the same functions for one text.
BATCH: dict[str, Callable[..., list[str]]] = {
    "keyboard": keyboard_batch,
    "char_insert": char_insert_batch,
    "char_delete": char_delete_batch,
    "char_substitute": char_substitute_batch,
    "char_swap": char_swap_batch,
    "diacritics": diacritics_batch,
    "case": case_batch,
    "whitespace": whitespace_batch,
    "punctuation": punctuation_batch,
    "translit": translit_batch,
    "codeswitch": codeswitch_batch,
    "misspell": misspell_batch,
}


def _one_text(batch: Callable[..., list[str]]) -> Callable[..., str]:
    def family(text: str, lang: str, level: float, rng, **kwargs) -> str:
        return batch([text], lang, level, rng, **kwargs)[0]
    family.__name__ = batch.__name__.removesuffix("_batch")
    family.__doc__ = batch.__doc__
    return family


FAMILIES: dict[str, Callable[..., str]] = {name: _one_text(fn) for name, fn in BATCH.items()}
# Families that read a user file named after '@' in the spec.
NEEDS_PATH = frozenset({"codeswitch", "misspell"})

# Which family makes sense for a language: (lang, script) -> bool; the families raise the same refusals.
_APPLIES = {
    "keyboard": lambda lang, script: lang in LAYOUTS,
    "diacritics": lambda lang, script: script in SUPPORTED_SCRIPTS,
    "case": lambda lang, script: script in CASED_SCRIPTS,
    "whitespace": lambda lang, script: script not in UNSPACED_SCRIPTS,
    "translit": lambda lang, script: script != "latin",
}

SUITES: dict[str, list[str]] = {
    # What evaluation scores besides "clean": each entry is one noisy variant of the test set.
    "default": ["keyboard:0.05", "keyboard:0.1", "keyboard:0.2",
                "char_insert:0.05", "char_insert:0.1", "char_delete:0.05", "char_delete:0.1",
                "char_substitute:0.05", "char_substitute:0.1", "char_swap:0.05", "char_swap:0.1",
                "diacritics:0.5", "diacritics:1.0", "case:0.2", "case:0.5"],
    "typos": ["keyboard:0.05", "keyboard:0.1", "keyboard:0.2", "keyboard:0.3"],
    "realistic": ["keyboard:0.03,diacritics:0.5,case:0.1,punctuation:0.2"],
    "smoke": ["keyboard:0.1", "diacritics:1.0"],
}


def supported(lang: str, family: str) -> bool:
    """True when `family` makes sense for `lang`'s script (and the suite has the resources, e.g. a layout)."""
    if family not in FAMILIES:
        raise unknown("noise family", family, FAMILIES)
    if lang not in SCRIPTS:
        return False
    rule = _APPLIES.get(family)
    return rule(lang, SCRIPTS[lang]) if rule else True


def support_matrix() -> list[tuple[str, str, list[bool]]]:
    """(lang, script, [supported for each family in FAMILIES order]) for every language the suite knows."""
    return [(lang, SCRIPTS[lang], [supported(lang, f) for f in FAMILIES]) for lang in LANGS]


class NoiseStep(tuple):
    """One (family, level) of a spec; unpacks as a pair, with `.path` for families that read a word list."""

    def __new__(cls, family: str, level: float, path: str | None = None):
        step = super().__new__(cls, (family, level))
        step.path = path
        return step

    @property
    def family(self) -> str:
        return self[0]

    @property
    def level(self) -> float:
        return self[1]

    def __str__(self) -> str:
        return f"{self[0]}:{self[1]:g}" + (f"@{self.path}" if self.path else "")


def parse_noise(spec: str) -> list[NoiseStep]:
    """'keyboard:0.1,diacritics:1.0' -> [(family, level), ...], applied in order; '' or 'clean' -> []."""
    if isinstance(spec, list):
        return [s if isinstance(s, NoiseStep) else NoiseStep(*s) for s in spec]
    steps = []
    for part in (p.strip() for p in spec.split(",")):
        if not part or part == "clean":
            continue
        head, _, path = part.partition("@")
        family, sep, level_text = head.partition(":")
        family = family.strip()
        if family in SUITES and not sep:
            raise UserError(f"noise spec '{spec}': '{family}' is a suite of {len(SUITES[family])} specs; pass one "
                            f"of them, e.g. '{SUITES[family][0]}'")
        if family not in FAMILIES:
            raise UserError(f"noise spec '{spec}': {unknown('noise family', family, FAMILIES)}")
        try:
            level = float(level_text) if sep else float("nan")
        except ValueError:
            level = float("nan")
        if not 0.0 <= level <= 1.0:
            raise UserError(f"noise spec '{spec}': '{part}' needs a level in [0, 1], e.g. '{family}:0.1'")
        if path and family not in NEEDS_PATH:
            raise UserError(f"noise spec '{spec}': {family} takes no '@file'; only {', '.join(sorted(NEEDS_PATH))} do")
        steps.append(NoiseStep(family, level, path.strip() or None))
    return steps


def format_noise(steps) -> str:
    """The canonical spec string of parsed steps ('clean' when there are none)."""
    return ",".join(str(NoiseStep(*s) if not isinstance(s, NoiseStep) else s) for s in steps) or "clean"


def check_noise(steps, lang: str) -> None:
    """A UserError naming the first step that does not apply to `lang`, before any text is touched."""
    script = script_of(lang)
    for step in steps:
        if not supported(lang, step[0]):
            raise UserError(f"noise: {step[0]} does not apply to '{lang}' ({script} script); drop it for this "
                            "language (intermezzo noise --list shows the language x family matrix)")
        if step[0] in NEEDS_PATH:  # a missing or malformed word list fails here, not halfway through a file
            load_word_pairs(getattr(step, "path", None), step[0], reverse=step[0] == "misspell")


def _run_step(step, texts: list[str], lang: str, rng) -> list[str]:
    fn, path = BATCH[step[0]], getattr(step, "path", None)
    return fn(texts, lang, step[1], rng, path=path) if step[0] in NEEDS_PATH else fn(texts, lang, step[1], rng)


def noise_batch(texts: list[str], lang: str, steps, rng) -> list[str]:
    """Run a parsed spec's steps over every text, each text drawing from its own stream.

    `rng` is a numpy Generator (one child stream per text is spawned from it first, in text order) or
    `Streams` with one stream per text. Either way text i's result is `apply_noise(texts[i], lang, steps,
    streams.child(i))`: it depends on its own stream only, never on the other texts of the batch."""
    streams = rng if isinstance(rng, Streams) else spawn(rng, len(texts))
    texts = list(texts)
    for step in parse_noise(steps):
        texts = _run_step(step, texts, lang, streams)
    return texts


def apply_noise(text: str, lang: str, steps, rng) -> str:
    """Run the steps of a parsed spec over `text`, in order (a one-text `noise_batch`)."""
    return noise_batch([text], lang, steps, rng)[0]


def suite_specs(suite: str, lang: str | None = None) -> list[str]:
    """The specs of a named suite, keeping only those whose every family applies to `lang` when given."""
    if suite not in SUITES:
        raise unknown("noise suite", suite, SUITES)
    specs = SUITES[suite]
    if lang is None:
        return list(specs)
    return [s for s in specs if all(supported(lang, step[0]) for step in parse_noise(s))]
