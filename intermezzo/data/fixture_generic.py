"""Fixtures of tasks without an official reader: `{split}-{lang}.jsonl` folders of canonical examples, by type.

Any spec works (the demo tasks, tasks added later): fields, labels and languages come from the spec, and
each label gets its own sentence template, so the data stays learnable. A parallel task's evaluation splits
say the same items in every language, under the same ids.
"""

from __future__ import annotations

import random

from intermezzo.data import fixture_text as T
from intermezzo.tasks.spec import TaskSpec

FACTS = ("lives", "works", "never", "lives_alt")
LATIN, NON_LATIN = ("en", "de", "fr", "es", "it", "tr"), ("ru", "ar", "zh", "ja")


def pick_langs(spec: TaskSpec) -> tuple[str, ...]:
    """Up to three of the spec's languages: two in Latin script (English first), one not, where it has them."""
    if len(spec.langs) == 1:
        return spec.langs
    chosen = [lang for lang in LATIN if lang in spec.langs][:2] + [lang for lang in NON_LATIN if lang in spec.langs][:1]
    chosen += [lang for lang in spec.langs if lang not in chosen]
    return tuple(chosen[:3])


def example_id(spec: TaskSpec, split: str, lang: str, i: int) -> str:
    """A fixture id; a parallel task's leaves the language out, so the id names one item in every language."""
    return f"{spec.name}-{split}-{i}" if spec.parallel and split != "train" else f"{spec.name}-{split}-{lang}-{i}"


def _classification(spec: TaskSpec, lang: str, rng: random.Random, n: int, split: str) -> list[dict]:
    # Label k = template k % 4 said of a person from group k // 4, so no text carries two labels (up to 24).
    groups = min(6, -(-len(spec.labels) // len(FACTS)))
    rows = []
    for i in range(n):
        k, c = i % len(spec.labels), rng.randrange(6)
        p = rng.choice([q for q in range(6) if q % groups == (k // len(FACTS)) % groups])
        texts = [T.sentence(lang, FACTS[k % len(FACTS)], p, c), T.sentence(lang, "lives", p, c)]
        rows.append({"id": example_id(spec, split, lang, i), **dict(zip(spec.fields, texts)), "label": spec.labels[k]})
    rng.shuffle(rows)
    return rows


def _multiple_choice(spec: TaskSpec, lang: str, rng: random.Random, n: int, split: str) -> list[dict]:
    n_choices, rows = spec.n_choices or 3, []
    for i in range(n):
        p, q = rng.sample(range(6), 2)
        c = rng.randrange(6)
        right = T.sentence(lang, "works", p, c)
        choices = [right] + [T.sentence(lang, "never", q, (c + k) % 6) for k in range(1, n_choices)]
        rng.shuffle(choices)
        rows.append({"id": example_id(spec, split, lang, i), "context": T.sentence(lang, "lives", p, c),
                     "question": "?", "choices": choices, "label": choices.index(right)})
    return rows


def _tagging(spec: TaskSpec, lang: str, rng: random.Random, n: int, split: str) -> list[dict]:
    rows = []
    for i in range(n):
        p, c = rng.randrange(6), rng.randrange(6)
        tokens = T.sentence(lang, "lives", p, c).rstrip(".").split() + ["."]
        city = T.city(lang, c)
        # The city's token gets the second label, everything else the first: learnable, and valid for any set.
        tags = [spec.labels[1] if tok == city else spec.labels[0] for tok in tokens]
        rows.append({"id": example_id(spec, split, lang, i), "tokens": tokens, "tags": tags})
    return rows


def _extractive_qa(spec: TaskSpec, lang: str, rng: random.Random, n: int, split: str) -> list[dict]:
    qlang = lang if lang in T.QUESTIONS else "en"
    rows = []
    for i in range(n):
        p1, p2 = rng.sample(range(6), 2)
        c1, c2 = rng.sample(range(6), 2)
        first = T.sentence(qlang, "lives", p1, c1)
        context = f"{first} {T.sentence(qlang, 'works', p2, c2)}"
        answer = T.city(qlang, c1)
        rows.append({"id": example_id(spec, split, lang, i), "context": context,
                     "question": T.QUESTIONS[qlang]["lives"].format(p=T.person(qlang, p1)),
                     "answers": {"text": [answer], "answer_start": [first.index(answer)]}})
    return rows


def _retrieval(spec: TaskSpec, lang: str, rng: random.Random, n: int, split: str) -> list[dict]:
    facts = rng.sample([(f, p, c) for f in FACTS[:3] for p in range(6) for c in range(6)], n)
    if split == "train":
        return [{"id": f"{spec.name}-pair-{i}", "kind": "pair", "text": T.sentence(lang, *f),
                 "positive": T.sentence("en", *f)} for i, f in enumerate(facts)]
    queries = [{"id": f"{lang}-{i}", "kind": "query", "text": T.sentence(lang, *f), "gold": [f"en-{i}"]}
               for i, f in enumerate(facts)]
    return queries + [{"id": f"en-{i}", "kind": "candidate", "text": T.sentence("en", *f)}
                      for i, f in enumerate(facts)]


GENERATORS = {"classification": _classification, "multiple_choice": _multiple_choice, "tagging": _tagging,
              "extractive_qa": _extractive_qa, "retrieval": _retrieval}
