"""noise_examples: noisy copies of canonical examples with labels kept (tags aligned, QA offsets recomputed).

What an example's text is and how its labels follow an edit is the task schema's business
(intermezzo/tasks/schema.py); this module only draws the noise, for all pieces of all examples in one batch.
"""

from __future__ import annotations

import copy
import json

from intermezzo.errors import UserError
from intermezzo.noise.draws import named_streams
from intermezzo.noise.registry import check_noise, noise_batch, parse_noise
from intermezzo.tasks.schema import schema_of

# Families that may split a word in two, which would give one tag two tokens.
SPLITS_WORDS = frozenset({"whitespace"})


def _key(example: dict) -> str:
    key = example.get("id")
    if key is None:  # no id: the example's content identifies it
        return json.dumps(example, sort_keys=True, ensure_ascii=False, default=str)
    return str(key)


def noise_examples(examples: list[dict], task, lang: str, noise, seed: int, fields=None) -> list[dict]:
    """New examples with `noise` on their text, labels kept; the inputs are never mutated.

    `task` is a TaskSpec (its schema and text fields) or a task type name (the type's default fields).
    `fields` narrows the noised fields to some of the task's text fields. Each piece of text (a field, one
    token, one choice, one stretch of a QA context between answer boundaries) draws from its own stream, keyed
    by (seed, example id, field, position), so an example's noise depends neither on the order of the examples
    nor on which others are noised with it."""
    schema = schema_of(task)
    spec = None if isinstance(task, str) else task
    steps = parse_noise(noise)
    check_noise(steps, lang)
    if schema.align == "tokens" and any(s[0] in SPLITS_WORDS for s in steps):
        raise UserError(f"noise: {', '.join(sorted(SPLITS_WORDS))} noise cannot be used on a tagging task (each tag "
                        "belongs to one token); drop it from the spec")
    chosen = schema.check_fields(fields, spec) if fields is not None else None
    if not steps:
        return copy.deepcopy(examples)
    plans, names = [], []
    for ex in examples:
        pieces = schema.pieces(ex, chosen or schema.text_fields(spec, ex))
        key = _key(ex)
        names += [f"{key}\x1f{p.field}\x1f{'' if p.index is None else p.index}" for p in pieces]
        plans.append(pieces)
    noisy = noise_batch([p.text for pieces in plans for p in pieces], lang, steps, named_streams(seed, names))
    out, start = [], 0
    for ex, pieces in zip(examples, plans):
        out.append(schema.realign(ex, pieces, noisy[start:start + len(pieces)]))
        start += len(pieces)
    return out
