"""Fixture writers of the retrieval tasks (Tatoeba, BUCC 2018, Mewsli-X, LAReQA) in their official layouts."""

from __future__ import annotations

import random
import zlib
from pathlib import Path

from intermezzo.data import fixture_text as T
from intermezzo.data.formats import write_jsonl, write_squad_json, write_tsv
from intermezzo.io import atomic_write_json, atomic_write_text
from intermezzo.tasks.spec import TaskSpec

FACTS = ("lives", "works", "never")


def _rng(key: str) -> random.Random:
    return random.Random(zlib.crc32(key.encode()))


def _facts(n: int, rng: random.Random) -> list[tuple[str, int, int]]:
    """n distinct (fact, person, city) triples: distinct so that every query has one right answer."""
    pool = [(f, p, c) for f in FACTS for p in range(6) for c in range(6)]
    return rng.sample(pool, n)


def write_tatoeba(spec: TaskSpec, folder: Path, langs: tuple[str, ...], n: int) -> None:
    """LASER's aligned layout `tatoeba.{l3}-eng.{l3}` / `.eng` (XTREME's download starts from it)."""
    for lang in langs:
        l3 = spec.extra["hub_lang"][lang]
        facts = _facts(n, _rng(f"tatoeba/{lang}"))
        atomic_write_text(folder / f"tatoeba.{l3}-eng.{l3}", "".join(T.sentence(lang, *f) + "\n" for f in facts))
        atomic_write_text(folder / f"tatoeba.{l3}-eng.eng", "".join(T.sentence("en", *f) + "\n" for f in facts))


def write_bucc(spec: TaskSpec, folder: Path, langs: tuple[str, ...], n: int) -> None:
    """`{lang}-en.{dev,test}.{lang,en,gold}`: half the foreign sentences have an English translation."""
    for lang in langs:
        for disk in ("dev", "test"):
            rng = _rng(f"bucc/{lang}/{disk}")
            facts = _facts(2 * n, rng)
            src, tgt = facts[:n], facts[: n // 2] + facts[n:]  # only the first n/2 are parallel
            rng.shuffle(tgt)
            src_rows = [[f"{lang}-{i:06d}", T.sentence(lang, *f)] for i, f in enumerate(src)]
            tgt_rows = [[f"en-{j:06d}", T.sentence("en", *f)] for j, f in enumerate(tgt)]
            gold = [[f"{lang}-{i:06d}", f"en-{tgt.index(f):06d}"] for i, f in enumerate(src) if f in tgt]
            write_tsv(folder / f"{lang}-en.{disk}.{lang}", src_rows)
            write_tsv(folder / f"{lang}-en.{disk}.en", tgt_rows)
            write_tsv(folder / f"{lang}-en.{disk}.gold", gold)


def _mention(lang: str, fact: str, p: int, c: int, example_id: str) -> tuple[dict, dict]:
    text = T.sentence(lang, fact, p, c)
    name = T.city(lang, c)
    start = text.index(name)
    context = {"document_title": f"News {example_id}", "document_url": f"https://example.org/{example_id}",
               "document_id": example_id, "language": lang, "text": text,
               "sentence_spans": [{"start": 0, "end": len(text)}]}
    mention = {"example_id": example_id, "mention_span": {"start": start, "end": start + len(name), "text": name},
               "entity_id": T.CITY_QIDS[c]}
    return context, mention


def write_mewslix(spec: TaskSpec, folder: Path, langs: tuple[str, ...], n: int) -> None:
    """Mewsli-X after XTREME's preprocessing: entities, English Wikipedia pairs, WikiNews mentions + labels."""
    write_jsonl(folder / "candidate_set_entities.jsonl", [
        {"entity_id": q, "title": T.city("en", i), "description": f"{T.city('en', i)} is the {d}.",
         "description_language": "en", "description_url": f"https://en.wikipedia.org/wiki/{T.city('en', i)}",
         "sentence_spans": [{"start": 0, "end": len(T.city("en", i)) + len(d) + 8}]}
        for i, (q, d) in enumerate(zip(T.CITY_QIDS, T.CITY_DESCRIPTIONS))])
    for disk, size in (("train", 4 * n), ("dev", n)):
        rows = []
        for k, (f, p, c) in enumerate(_facts(size, _rng(f"mewslix/{disk}"))):
            context, mention = _mention("en", f, p, c, f"wp-{disk}-{k}")
            rows.append({"context": context, "mention": mention})
        write_jsonl(folder / f"wikipedia_pairs-{disk}.jsonl", rows)
    for lang in langs:
        for disk in ("dev", "test"):
            rows, labels = [], {}
            for k, (f, p, c) in enumerate(_facts(n, _rng(f"mewslix/{lang}/{disk}"))):
                context, mention = _mention(lang, f, p, c, f"wn-{lang}-{disk}-{k}")
                labels[mention["example_id"]] = [mention["entity_id"]]
                if disk == "test":  # XTREME blanks test labels in the inputs; they live in wikinews_labels/
                    mention["entity_id"] = ""
                rows.append({"context": context, "mentions": [mention]})
            write_jsonl(folder / "wikinews_mentions" / f"{disk}-{lang}.jsonl", rows)
            atomic_write_json(folder / "wikinews_labels" / f"{disk}-{lang}.json", labels)


def write_lareqa(spec: TaskSpec, folder: Path, langs: tuple[str, ...], n: int) -> None:
    """XQuAD-R `xquad-r/{lang}.json` (parallel, with sentence_breaks) and SQuAD v1.1 `train-v1.1.json`."""
    rng = _rng("lareqa")
    paragraphs = [(rng.sample(range(6), 2), rng.sample(range(6), 2)) for _ in range(n // 2)]
    for lang in langs:
        qlang = lang if lang in T.QUESTIONS else "en"
        data = []
        for k, ((p1, p2), (c1, c2)) in enumerate(paragraphs):
            s1, s2 = T.sentence(qlang, "lives", p1, c1), T.sentence(qlang, "works", p2, c2)
            context = f"{s1} {s2}"
            qas = [{"id": f"q{k}-{j}", "question": T.QUESTIONS[qlang][fact].format(p=T.person(qlang, p)),
                    "answers": [{"text": T.city(qlang, c), "answer_start": off + sent.index(T.city(qlang, c))}]}
                   for j, (fact, p, c, sent, off) in enumerate(
                       (("lives", p1, c1, s1, 0), ("works", p2, c2, s2, len(s1) + 1)))]
            data.append({"title": f"Cities {k}", "paragraphs": [{
                "context": context, "qas": qas, "sentences": [s1, s2],
                "sentence_breaks": [[0, len(s1)], [len(s1) + 1, len(context)]]}]})
        atomic_write_json(folder / "xquad-r" / f"{lang}.json", {"version": "1.1", "data": data}, indent=None)
    train = []
    for k in range(4 * n):
        p1, p2 = rng.sample(range(6), 2)
        c1, c2 = rng.sample(range(6), 2)
        s1 = T.sentence("en", "lives", p1, c1)
        context = f"{s1} {T.sentence('en', 'works', p2, c2)}"
        train.append({"id": f"squad-{k}", "title": "Cities", "context": context,
                      "question": T.QUESTIONS["en"]["lives"].format(p=T.person("en", p1)),
                      "answers": {"text": [T.city("en", c1)], "answer_start": [s1.index(T.city("en", c1))]}})
    write_squad_json(folder / "train-v1.1.json", train)
