"""noise_examples: noisy copies of canonical examples with labels kept (tags aligned, QA offsets recomputed)."""

from __future__ import annotations

import copy
import hashlib
import json

import numpy as np

from intermezzo.errors import UserError, unknown
from intermezzo.noise.registry import apply_noise, check_noise, parse_noise

NOT_TEXT = frozenset({"id", "label", "kind", "title", "lang", "gold", "positive", "tags", "answers"})
DEFAULT_FIELDS = {
    "multiple_choice": ("context", "question", "choices"),
    "extractive_qa": ("context", "question"),
    "retrieval": ("text",),
    "tagging": ("tokens",),
}


def example_rng(seed: int, example: dict, field: str) -> np.random.Generator:
    """A generator for one field of one example, from (seed, id, field): results don't depend on order."""
    key = example.get("id")
    if key is None:  # no id: the example's content identifies it
        key = json.dumps(example, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.blake2b(f"{key}\x1f{field}".encode(), digest_size=8).digest()
    return np.random.default_rng([int(seed), int.from_bytes(digest, "little")])


def _noise_tokens(tokens: list[str], lang: str, steps, rng) -> list[str]:
    out = []
    for token in tokens:
        new = apply_noise(token, lang, steps, rng)
        # One token in, one token out: a result that is empty or would split on whitespace keeps the original.
        out.append(new if new and new.split() == [new] else token)
    return out


def _locate(ex: dict, context: str, text: str, start: int) -> int:
    if context[start:start + len(text)] == text:
        return start
    found, i = [], context.find(text) if text else -1
    while i >= 0:
        found.append(i)
        i = context.find(text, i + 1)
    if not found:
        raise UserError(f"example {ex.get('id')}: answer '{text}' is not in its context; fix the data set")
    return min(found, key=lambda i: abs(i - start))  # the occurrence nearest the stated offset


def _noise_qa(ex: dict, lang: str, steps, seed: int) -> None:
    """Noise the context piece by piece between answer boundaries, so every answer maps to its new span."""
    context, answers = ex["context"], ex.get("answers") or {"text": [], "answer_start": []}
    spans = [(s, s + len(t)) for t, s in
             ((t, _locate(ex, context, t, int(s))) for t, s in zip(answers["text"], answers["answer_start"]))]
    cuts = sorted({0, len(context), *(b for span in spans for b in span)})
    pieces = [context[a:b] for a, b in zip(cuts, cuts[1:])]
    rng = example_rng(seed, ex, "context")
    noisy = [apply_noise(p, lang, steps, rng) for p in pieces]
    for a, b in spans:
        i, j = cuts.index(a), cuts.index(b)
        if a < b and not "".join(noisy[i:j]).strip():  # an answer must not vanish: keep its original text
            noisy[i:j] = pieces[i:j]
    moved = dict(zip(cuts, np.cumsum([0, *(len(p) for p in noisy)]).tolist()))  # old cut -> new offset
    ex["context"] = "".join(noisy)
    ex["answers"] = {**answers, "text": [ex["context"][moved[a]:moved[b]] for a, b in spans],
                     "answer_start": [moved[a] for a, _ in spans]}


def _fields_of(task_type: str, ex: dict, fields) -> tuple[str, ...]:
    if fields is not None:
        return tuple(fields)
    if task_type in DEFAULT_FIELDS:
        return DEFAULT_FIELDS[task_type]
    return tuple(k for k, v in ex.items() if isinstance(v, str) and k not in NOT_TEXT)


def _noise_one(ex: dict, task_type: str, lang: str, steps, seed: int, fields) -> dict:
    new = copy.deepcopy(ex)
    if task_type == "retrieval" and ex.get("kind") != "query":
        return new  # candidates are the index being searched: they stay clean
    for field in _fields_of(task_type, ex, fields):
        if field == "context" and task_type == "extractive_qa":
            _noise_qa(new, lang, steps, seed)
            continue
        value = ex.get(field)
        rng = example_rng(seed, ex, field)
        if isinstance(value, str):
            new[field] = apply_noise(value, lang, steps, rng)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            new[field] = (_noise_tokens(value, lang, steps, rng) if task_type == "tagging"
                          else [apply_noise(v, lang, steps, rng) for v in value])
        elif value is not None:
            raise UserError(f"example {ex.get('id')}: field '{field}' is not text; choose text fields to noise")
    return new


TASK_TYPES = ("classification", "multiple_choice", "tagging", "extractive_qa", "retrieval")


def noise_examples(examples: list[dict], task_type: str, lang: str, spec, seed: int,
                   fields=None) -> list[dict]:
    """New examples with `spec` noise on their text fields, labels kept; the inputs are never mutated."""
    if task_type not in TASK_TYPES:
        raise unknown("task type", task_type, TASK_TYPES)
    steps = parse_noise(spec)
    check_noise(steps, lang)
    if task_type == "tagging" and any(s[0] == "whitespace" for s in steps):
        raise UserError("noise: whitespace noise cannot be used on a tagging task (each tag belongs to one "
                        "token); drop `whitespace` from the spec")
    if not steps:
        return copy.deepcopy(examples)
    return [_noise_one(ex, task_type, lang, steps, seed, fields) for ex in examples]
