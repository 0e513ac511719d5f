"""Canonical examples of the retrieval fixtures (Tatoeba, BUCC 2018, Mewsli-X, LAReQA); their layouts write them.

Generators are `make(spec, split, lang, rng, n)`, seeded by their own keys so that every language of one item
(a Tatoeba pair, an XQuAD-R paragraph) comes from the same draw.
"""

from __future__ import annotations

import random
import zlib

from intermezzo.data import fixture_text as T
from intermezzo.tasks.spec import TaskSpec

FACTS = ("lives", "works", "never")
PARAGRAPHS = 6  # XQuAD-R paragraphs per language


def _rng(key: str) -> random.Random:
    return random.Random(zlib.crc32(key.encode()))


def _facts(n: int, rng: random.Random) -> list[tuple[str, int, int]]:
    """n distinct (fact, person, city) triples: distinct so that every query has one right answer."""
    pool = [(f, p, c) for f in FACTS for p in range(6) for c in range(6)]
    return rng.sample(pool, n)


def tatoeba(spec: TaskSpec, split: str, lang: str, rng, n: int) -> list[dict]:
    """n sentences in `lang` and their English translations (gold = the translation)."""
    facts = _facts(n, _rng(f"tatoeba/{lang}"))
    return [{"id": f"{lang}-{i}", "kind": "query", "text": T.sentence(lang, *f), "gold": [f"en-{i}"]}
            for i, f in enumerate(facts)] + [{"id": f"en-{i}", "kind": "candidate", "text": T.sentence("en", *f)}
                                             for i, f in enumerate(facts)]


def bucc(spec: TaskSpec, split: str, lang: str, rng, n: int) -> list[dict]:
    """Two monolingual sides of n sentences in which only n/2 pairs are translations (the rest distractors);
    ids as BUCC's (de-000000001)."""
    disk = {"validation": "dev"}.get(split, split)
    rng = _rng(f"bucc/{lang}/{disk}")
    facts = _facts(2 * n, rng)
    src, tgt = facts[:n], facts[: n // 2] + facts[n:]  # only the first n/2 are parallel
    rng.shuffle(tgt)
    queries = []
    for i, f in enumerate(src):
        q = {"id": f"{lang}-{i + 1:09d}", "kind": "query", "text": T.sentence(lang, *f)}
        q["gold"] = [f"en-{tgt.index(f) + 1:09d}"] if f in tgt else []
        queries.append(q)
    return queries + [{"id": f"en-{j + 1:09d}", "kind": "candidate", "text": T.sentence("en", *f)}
                      for j, f in enumerate(tgt)]


def _mention(lang: str, fact: str, p: int, c: int, example_id: str, kind: str) -> dict:
    text, name = T.sentence(lang, fact, p, c), T.city(lang, c)
    return {"id": example_id, "kind": kind, "text": text, "mention": name, "mention_start": text.index(name),
            "document_title": f"News {example_id}", "document_url": f"https://example.org/{example_id}"}


def _entity_text(c: int) -> str:
    city = T.city("en", c)
    return f"{city}. {city} is the {T.CITY_DESCRIPTIONS[c]}."


def mewslix(spec: TaskSpec, split: str, lang: str, rng, n: int) -> list[dict]:
    """Train: English Wikipedia mention -> entity pairs. Evaluation: WikiNews mentions of a city in `lang`
    against the six-entity candidate set."""
    if split == "train":
        return [{**_mention("en", f, p, c, f"wp-train-{k}", "pair"), "positive": _entity_text(c),
                 "positive_id": T.CITY_QIDS[c]} for k, (f, p, c) in enumerate(_facts(n, _rng("mewslix/train")))]
    disk = {"validation": "dev"}.get(split, split)
    queries = [{**_mention(lang, f, p, c, f"wn-{lang}-{disk}-{k}", "query"), "gold": [T.CITY_QIDS[c]]}
               for k, (f, p, c) in enumerate(_facts(n, _rng(f"mewslix/{lang}/{disk}")))]
    return queries + [{"id": q, "kind": "candidate", "text": _entity_text(c)} for c, q in enumerate(T.CITY_QIDS)]


def lareqa(spec: TaskSpec, split: str, lang: str, rng, n: int, langs: tuple[str, ...] = ()) -> list[dict]:
    """Test: XQuAD-R paragraphs (two sentences, two questions each) parallel across `langs`; a question's gold
    is its answer sentence in every language. Train: SQuAD v1.1 examples."""
    rng = _rng("lareqa")
    paragraphs = [(rng.sample(range(6), 2), rng.sample(range(6), 2)) for _ in range(PARAGRAPHS)]
    if split == "train":  # drawn after the paragraphs, from the same generator
        train = []
        for k in range(n):
            p1, p2 = rng.sample(range(6), 2)
            c1, c2 = rng.sample(range(6), 2)
            s1 = T.sentence("en", "lives", p1, c1)
            train.append({"id": f"squad-{k}", "title": "Cities", "context": f"{s1} {T.sentence('en', 'works', p2, c2)}",
                          "question": T.QUESTIONS["en"]["lives"].format(p=T.person("en", p1)),
                          "answers": {"text": [T.city("en", c1)], "answer_start": [s1.index(T.city("en", c1))]}})
        return train
    queries, pool = [], []
    for other in langs:
        qlang = other if other in T.QUESTIONS else "en"
        for k, ((p1, p2), (c1, c2)) in enumerate(paragraphs):
            pool += [{"id": f"{other}-{k}-0-0", "kind": "candidate", "text": T.sentence(qlang, "lives", p1, c1)},
                     {"id": f"{other}-{k}-0-1", "kind": "candidate", "text": T.sentence(qlang, "works", p2, c2)}]
            if other == lang:
                for j, (fact, p, c) in enumerate((("lives", p1, c1), ("works", p2, c2))):
                    queries.append({"id": f"{lang}-q{k}-{j}", "kind": "query",
                                    "text": T.QUESTIONS[qlang][fact].format(p=T.person(qlang, p)),
                                    "gold": [f"{x}-{k}-0-{j}" for x in langs], "answer": T.city(qlang, c)})
    return queries + pool


GENERATORS = {"tatoeba": tatoeba, "bucc": bucc, "mewslix": mewslix, "lareqa": lareqa}
