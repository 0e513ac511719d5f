"""Canonical examples of the fixture tasks with an official layout (classification, tagging, QA, multiple choice).

Each generator is `make(spec, split, lang, rng, n) -> list[dict]`; the task's layout writes them to disk. Labels
follow surface cues (same fact -> entailment, ...), so a tiny model can learn them.
"""

from __future__ import annotations

import random

from intermezzo.data import fixture_text as T
from intermezzo.data.fixture_generic import GENERATORS as GENERIC
from intermezzo.data.layouts.choice import COPA_QUESTION
from intermezzo.tasks.spec import TaskSpec

NLI = ("entailment", "neutral", "contradiction")


def _nli(lang: str, rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    rows = []
    for i in range(n):
        p, c, label = rng.randrange(6), rng.randrange(6), NLI[i % 3]
        fact = {"entailment": "lives_alt", "neutral": "works", "contradiction": "never"}[label]
        c2 = c if label != "neutral" else (c + 1 + rng.randrange(5)) % 6
        rows.append((T.sentence(lang, "lives", p, c), T.sentence(lang, fact, p, c2), label))
    rng.shuffle(rows)
    return rows


def _paraphrase(lang: str, rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    rows = []
    for i in range(n):
        p, c, same = rng.randrange(6), rng.randrange(6), i % 2 == 0
        p2 = p if same else (p + 1 + rng.randrange(5)) % 6
        rows.append((T.sentence(lang, "lives", p, c), T.sentence(lang, "lives_alt", p2, c), "1" if same else "0"))
    rng.shuffle(rows)
    return rows


def pairs(spec: TaskSpec, split: str, lang: str, rng: random.Random, n: int) -> list[dict]:
    """XNLI-like (NLI labels) or PAWS-X-like (0/1) rows, ids as the pair_tsv layout numbers them; any other
    label set gets the type's generic examples."""
    make = {NLI: _nli, ("0", "1"): _paraphrase}.get(tuple(spec.labels))
    if make is None:
        rows = GENERIC["classification"](spec, lang, rng, n, split)
        return [dict(ex, id=f"{split}-{i}") for i, ex in enumerate(rows)]
    a, b = spec.fields
    return [{"id": f"{split}-{i}", a: x, b: y, "label": label} for i, (x, y, label) in enumerate(make(lang, rng, n))]


# The GLUE releases' columns (MNLI's train file has label1 only; dev has label1..label5; test none).
MNLI_HEADER = ["index", "promptID", "pairID", "genre", "sentence1_binary_parse", "sentence2_binary_parse",
               "sentence1_parse", "sentence2_parse", "sentence1", "sentence2", "label1", "gold_label"]
QQP_HEADER = ["id", "qid1", "qid2", "question1", "question2", "is_duplicate"]


def glue(spec: TaskSpec, split: str, lang: str, rng: random.Random, n: int) -> list[dict]:
    """MNLI / QQP rows, with the release's extra columns under their own names."""
    if spec.name == "mnli":
        return [{"id": str(i), "premise": s1, "hypothesis": s2, "label": lab, "promptID": str(100 + i),
                 "pairID": f"{100 + i}e", "genre": "fiction", "label1": lab,
                 "sentence1_binary_parse": f"( {s1} )", "sentence2_binary_parse": f"( {s2} )",
                 "sentence1_parse": f"(ROOT {s1})", "sentence2_parse": f"(ROOT {s2})"}
                for i, (s1, s2, lab) in enumerate(_nli("en", rng, n))]
    rows = []
    for i in range(n):
        p, dup = rng.randrange(6), i % 2 == 0
        q2 = f"In which city does {T.person('en', p)} live?" if dup else T.QUESTIONS["en"]["works"]
        rows.append({"id": str(i), "qid1": str(2 * i), "qid2": str(2 * i + 1),
                     "question1": T.QUESTIONS["en"]["lives"].format(p=T.person("en", p)),
                     "question2": q2.format(p=T.person("en", p)), "label": "1" if dup else "0"})
    return rows


def glue_header(spec: TaskSpec, split: str) -> list[str]:
    header = MNLI_HEADER if spec.name == "mnli" else QQP_HEADER
    if split == "test":  # GLUE test files carry no labels (and QQP's lose the question ids)
        return header[:-2] if spec.name == "mnli" else [header[0], *header[3:5]]
    return header


def anli_plus(spec: TaskSpec, split: str, lang: str, rng: random.Random, n: int) -> list[dict]:
    """A third of the examples from each of SNLI, MNLI and ANLI (rounds 1-3 in turn)."""
    rows = _nli("en", rng, n)
    third = len(rows) // 3
    sources = ["snli"] * third + ["mnli"] * third + [f"anli-r{k % 3 + 1}" for k in range(len(rows) - 2 * third)]
    return [{"id": f"{src}-{i}", "premise": a, "hypothesis": b, "label": c, "source": src}
            for i, ((a, b, c), src) in enumerate(zip(rows, sources))]


def _tag_sentence(lang: str, rng: random.Random, tagset: str) -> list[tuple[str, str]]:
    out = []
    for token, upos, ner in rng.choice(T.TAG_TEMPLATES[lang]):
        words = {"{p}": [T.person(lang, rng.randrange(6))], "{c}": [T.city(lang, rng.randrange(6))],
                 "{o}": rng.choice(T.ORGS[lang]).split()}.get(token, [token])
        for k, w in enumerate(words):
            tag = upos if tagset == "upos" else (ner if ner == "O" else f"{'B' if k == 0 else 'I'}-{ner}")
            out.append((w, tag))
    return out


_CCG = {"PROPN": "N", "VERB": "S[dcl]\\NP", "ADP": "((S\\NP)\\(S\\NP))/NP", "PUNCT": ".", "DET": "NP[nb]/N",
        "ADJ": "N/N", "NOUN": "N", "AUX": "(S[dcl]\\NP)/(S[adj]\\NP)"}


def tags(spec: TaskSpec, split: str, lang: str, rng: random.Random, n: int) -> list[dict]:
    """PAN-X (NER), UD-POS (UPOS) and CCG (supertags from UPOS) sentences."""
    tagset = "ner" if spec.name == "panx" else "upos"
    out = []
    for i in range(n):
        words = _tag_sentence(lang, rng, tagset)
        out.append({"id": f"{lang}-{split}-{i}", "tokens": [w for w, _ in words],
                    "tags": [_CCG[t] if spec.name == "ccg" else t for _, t in words]})
    return out


def qa(spec: TaskSpec, split: str, lang: str, rng: random.Random, n: int) -> list[dict]:
    """Two-sentence contexts with a question about one of them; SQuAD 2.0 gets unanswerable questions.
    XQuAD/MLQA ids are shared across languages (one question, many translations), as in the releases."""
    qlang = lang if lang in T.QUESTIONS else "en"
    prefix = "q" if spec.name in ("xquad", "mlqa") else f"{lang}-{split}-"
    out = []
    for i in range(n):
        p1, p2 = rng.sample(range(6), 2)
        c1, c2 = rng.sample(range(6), 2)
        context = f"{T.sentence(qlang, 'lives', p1, c1)} {T.sentence(qlang, 'works', p2, c2)}"
        ask, p, c = (("lives", p1, c1), ("works", p2, c2))[i % 2]
        if spec.version_2_with_negative and i % 4 == 3:
            unseen = next(k for k in range(6) if k not in (p1, p2))
            out.append({"id": f"{prefix}{i}", "title": "Cities", "context": context,
                        "question": T.QUESTIONS[qlang]["lives"].format(p=T.person(qlang, unseen)),
                        "answers": {"text": [], "answer_start": []}})
            continue
        answer = T.city(qlang, c)
        start = context.index(answer, context.index(T.person(qlang, p)))
        out.append({"id": f"{prefix}{i}", "title": "Cities", "context": context,
                    "question": T.QUESTIONS[qlang][ask].format(p=T.person(qlang, p)),
                    "answers": {"text": [answer], "answer_start": [start]}})
    return out


def copa(spec: TaskSpec, split: str, lang: str, rng: random.Random, n: int) -> list[dict]:
    """(X)COPA items from the phrasebook's templates; XCOPA's carry `changed` as its release does."""
    out = []
    for i in range(n):
        premise, question, right, wrong = rng.choice(T.COPA[lang])
        p = T.person(lang if lang in T.PEOPLE else "en", rng.randrange(6))
        label = rng.randrange(2)
        choices = [wrong, right] if label else [right, wrong]
        ex = {"id": f"{split}-{i}", "context": premise.format(p=p),
              "question": COPA_QUESTION[question],
              "choices": [c.format(p=p) for c in choices], "label": label, "idx": i}
        if spec.name == "xcopa":
            ex["changed"] = False
        out.append(ex)
    return out


def choices(spec: TaskSpec, split: str, lang: str, rng: random.Random, n: int) -> list[dict]:
    """English multiple-choice items; the right choice always keeps the context's person."""
    rows = []
    for i in range(n):
        p, q = rng.sample(range(6), 2)
        c = rng.randrange(6)
        who, other = T.person("en", p), T.person("en", q)
        right = f"{who} visits friends in {T.city('en', c)}."
        wrong = [f"{other} sells a car.", f"{other} paints a wall.", f"{other} fixes a bike.",
                 f"{other} loses a shoe."]
        options = [right] + wrong[:spec.n_choices - 1]
        rng.shuffle(options)
        rows.append({"id": f"{spec.name}-{split}-{i}", "context": T.sentence("en", "lives", p, c),
                     "question": f"What does {who} do next?", "choices": options, "label": options.index(right),
                     "idx": i, "ind": i, "activity_label": "Visiting", "question_concept": "city"})
    if spec.name == "commonsenseqa":  # the release has no context: the stem holds it
        rows = [dict(r, context="", question=f"{r['context']} {r['question']}") for r in rows]
    return rows


GENERATORS = {"pair_tsv": pairs, "glue_tsv": glue, "anli_plus": anli_plus, "tag_tsv": tags, "squad_json": qa,
              "copa_jsonl": copa, "siqa": choices, "hellaswag": choices, "cosmosqa": choices,
              "commonsenseqa": choices}
