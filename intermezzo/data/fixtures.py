"""Tiny, deterministic, learnable data sets for every task, written in the task's official on-disk layout
(canonical `{split}-{lang}.jsonl` files for tasks that have none).

`write_fixtures(task, folder)` writes `folder/<task>/`; `fixture_examples(task, split, lang)` reads a
fixture back through the task's real reader. Labels follow surface cues (same fact -> entailment, ...),
so a tiny model can learn them; test sets are labelled (unlike XTREME's) so that scoring can be tested.
"""

from __future__ import annotations

import atexit
import copy
import csv
import functools
import io
import random
import shutil
import tempfile
import zlib
from pathlib import Path

from intermezzo.data import fixture_retrieval as R
from intermezzo.data import fixture_text as T
from intermezzo.data.fixture_generic import pick_langs, write_jsonl_fixture
from intermezzo.data.formats import write_jsonl, write_squad_json, write_tsv
from intermezzo.errors import UserError
from intermezzo.io import atomic_dir, atomic_write_text
from intermezzo.tasks import get_task
from intermezzo.tasks.spec import TaskSpec

N_TRAIN, N_EVAL = 48, 12
# Languages each fixture holds: English (or the first language) plus two more, one in a non-Latin script.
FIXTURE_LANGS = {
    "xnli": ("en", "de", "ru"), "pawsx": ("en", "de", "ja"), "xcopa": ("it", "tr", "zh"),
    "udpos": ("en", "de", "ru"), "panx": ("en", "de", "ru"), "xquad": ("en", "de", "ru"),
    "mlqa": ("en", "de", "ar"), "tydiqa": ("en", "ru", "ar"), "tatoeba": ("de", "ru", "ar"),
    "bucc2018": ("de", "fr", "zh"), "mewslix": ("en", "de", "ar"), "lareqa": ("en", "de", "ru"),
}


def fixture_langs(spec: TaskSpec) -> tuple[str, ...]:
    """The languages the fixture of `spec` holds."""
    return FIXTURE_LANGS.get(spec.name) or pick_langs(spec)


def _rng(spec: TaskSpec, split: str, lang: str) -> random.Random:
    # crc32, not hash(): Python salts str hashes per process, and fixtures must be identical across runs.
    return random.Random(zlib.crc32(f"{spec.name}/{split}/{lang}".encode()))


def _plan(spec: TaskSpec) -> list[tuple[str, str, int]]:
    """(split, lang, size) of every file: train in English only, the rest in every fixture language."""
    out = []
    for split in spec.splits:
        langs = (spec.train_lang,) if split == "train" else fixture_langs(spec)
        out += [(split, lang, N_TRAIN if split == "train" else N_EVAL) for lang in langs]
    return out


def _nli(lang: str, rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    rows = []
    for i in range(n):
        p, c, label = rng.randrange(6), rng.randrange(6), ("entailment", "neutral", "contradiction")[i % 3]
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


def write_pair_tsv(spec: TaskSpec, folder: Path) -> None:
    """XNLI / PAWS-X: `{split}-{lang}.tsv` rows of text, text, label."""
    make = _nli if spec.name == "xnli" else _paraphrase
    for split, lang, n in _plan(spec):
        disk = {"validation": "dev"}.get(split, split)
        write_tsv(folder / f"{disk}-{lang}.tsv", [list(r) for r in make(lang, _rng(spec, split, lang), n)])


def write_glue_tsv(spec: TaskSpec, folder: Path) -> None:
    """MNLI / QQP in the GLUE layout, with a header row."""
    files = spec.extra["files"]
    for split, lang, n in _plan(spec):
        rng = _rng(spec, split, lang)
        if spec.name == "mnli":
            header = ["index", "promptID", "pairID", "genre", "sentence1", "sentence2", "label1", "gold_label"]
            rows = [[str(i), str(100 + i), f"{100 + i}e", "fiction", s1, s2, lab, lab]
                    for i, (s1, s2, lab) in enumerate(_nli("en", rng, n))]
        else:
            header = ["id", "qid1", "qid2", "question1", "question2", "is_duplicate"]
            rows = []
            for i in range(n):
                p, dup = rng.randrange(6), i % 2 == 0
                q2 = f"In which city does {T.person('en', p)} live?" if dup else T.QUESTIONS["en"]["works"]
                rows.append([str(i), str(2 * i), str(2 * i + 1), T.QUESTIONS["en"]["lives"].format(p=T.person("en", p)),
                             q2.format(p=T.person("en", p)), "1" if dup else "0"])
        if split == "test":  # GLUE test files carry no labels
            header, rows = header[:-1], [r[:-1] for r in rows]
        write_tsv(folder / files[split], [header, *rows])


def write_anli_plus(spec: TaskSpec, folder: Path) -> None:
    """SNLI, MNLI and ANLI R1-R3 in their own layouts, a third of the examples each."""
    short = {"entailment": "e", "neutral": "n", "contradiction": "c"}
    for split, lang, n in _plan(spec):
        disk, rng = {"validation": "dev"}.get(split, split), _rng(spec, split, lang)
        rows = _nli("en", rng, n)
        third = len(rows) // 3
        write_jsonl(folder / "snli_1.0" / f"snli_1.0_{disk}.jsonl",
                    [{"sentence1": a, "sentence2": b, "gold_label": c} for a, b, c in rows[:third]])
        mnli = {"train": "train.tsv", "validation": "dev_matched.tsv", "test": "test_matched.tsv"}[split]
        write_tsv(folder / "MNLI" / mnli, [["index", "sentence1", "sentence2", "gold_label"],
                                           *[[str(i), a, b, c] for i, (a, b, c) in enumerate(rows[third:2 * third])]])
        for r in (1, 2, 3):
            part = rows[2 * third:][r - 1::3]
            write_jsonl(folder / "anli_v1.0" / f"R{r}" / f"{disk}.jsonl",
                        [{"uid": f"r{r}-{i}", "context": a, "hypothesis": b, "label": short[c]}
                         for i, (a, b, c) in enumerate(part)])


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


def write_tag_tsv(spec: TaskSpec, folder: Path) -> None:
    """PAN-X (raw `lang:token` prefixes kept), UD-POS and CCG: `token<TAB>tag`, blank line between sentences."""
    tagset = {"panx": "ner", "udpos": "upos", "ccg": "upos"}[spec.name]
    for split, lang, n in _plan(spec):
        rng, lines = _rng(spec, split, lang), []
        for _ in range(n):
            for word, tag in _tag_sentence(lang, rng, tagset):
                word = f"{lang}:{word}" if spec.name == "panx" else word
                lines.append(f"{word}\t{_CCG[tag] if spec.name == 'ccg' else tag}\n")
            lines.append("\n")
        disk = {"validation": "dev"}.get(split, split)
        atomic_write_text(folder / f"{disk}-{lang}.tsv", "".join(lines))


def _qa_examples(spec: TaskSpec, lang: str, rng: random.Random, n: int, prefix: str) -> list[dict]:
    qlang = lang if lang in T.QUESTIONS else "en"
    out = []
    for i in range(n):
        p1, p2 = rng.sample(range(6), 2)
        c1, c2 = rng.sample(range(6), 2)
        context = f"{T.sentence(qlang, 'lives', p1, c1)} {T.sentence(qlang, 'works', p2, c2)}"
        ask, p, c = (("lives", p1, c1), ("works", p2, c2))[i % 2]
        if spec.name == "squad_v2" and i % 4 == 3:
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


def write_squad_layout(spec: TaskSpec, folder: Path) -> None:
    """SQuAD-format JSON files at the spec's paths (XQuAD, MLQA, TyDiQA-GoldP, SQuAD v1.1/v2.0)."""
    for split, lang, n in _plan(spec):
        pattern = spec.extra.get("files", {}).get(split, "{split}-{lang}.json")
        path = folder / pattern.format(lang=lang, split={"validation": "dev"}.get(split, split))
        # XQuAD/MLQA ids are shared across languages (parallel questions); the rest are per file.
        prefix = "q" if spec.name in ("xquad", "mlqa") else f"{lang}-{split}-"
        examples = _qa_examples(spec, lang, _rng(spec, split, "all" if prefix == "q" else lang), n, prefix)
        write_squad_json(path, examples, version="2.0" if spec.name == "squad_v2" else "1.1")


def _mc_rows(spec: TaskSpec, lang: str, rng: random.Random, n: int) -> list[dict]:
    """Generic English multiple-choice items; the right choice always keeps the context's person."""
    rows = []
    for i in range(n):
        p, q = rng.sample(range(6), 2)
        c = rng.randrange(6)
        who, other = T.person("en", p), T.person("en", q)
        right = f"{who} visits friends in {T.city('en', c)}."
        wrong = [f"{other} sells a car.", f"{other} paints a wall.", f"{other} fixes a bike.",
                 f"{other} loses a shoe."]
        choices = [right] + wrong[:spec.extra["n_choices"] - 1]
        rng.shuffle(choices)
        rows.append({"context": T.sentence("en", "lives", p, c), "question": f"What does {who} do next?",
                     "choices": choices, "label": choices.index(right), "i": i})
    return rows


def write_copa(spec: TaskSpec, folder: Path) -> None:
    """COPA / XCOPA JSONL: `{train,val,test}-{lang}.jsonl` (XTREME's names)."""
    plan = _plan(spec) + ([("train", "en", N_TRAIN)] if spec.name == "xcopa" else [])
    for split, lang, n in plan:
        rng, rows = _rng(spec, split, lang), []
        for i in range(n):
            premise, question, right, wrong = rng.choice(T.COPA[lang])
            p = T.person(lang if lang in T.PEOPLE else "en", rng.randrange(6))
            label = rng.randrange(2)
            choices = [wrong, right] if label else [right, wrong]
            rows.append({"premise": premise.format(p=p), "choice1": choices[0].format(p=p),
                         "choice2": choices[1].format(p=p), "question": question, "label": label, "idx": i})
        write_jsonl(folder / f"{ {'validation': 'val'}.get(split, split)}-{lang}.jsonl", rows)


def write_mc(spec: TaskSpec, folder: Path) -> None:
    """SIQA, HellaSwag, Cosmos QA and CommonsenseQA, each in its own release layout."""
    for split, lang, n in _plan(spec):
        rows = _mc_rows(spec, lang, _rng(spec, split, lang), n)
        labelled = not (spec.name == "commonsenseqa" and split == "test")
        if spec.name == "siqa":
            disk = {"train": "trn", "validation": "dev", "test": "tst"}[split]
            write_jsonl(folder / f"socialIQa_v1.4_{disk}.jsonl", [
                {"context": r["context"], "question": r["question"], "answerA": r["choices"][0],
                 "answerB": r["choices"][1], "answerC": r["choices"][2], "correct": "ABC"[r["label"]]}
                for r in rows])
        elif spec.name == "hellaswag":
            disk = {"validation": "val"}.get(split, split)
            write_jsonl(folder / f"hellaswag_{disk}.jsonl", [
                {"ind": r["i"], "activity_label": "Visiting", "ctx_a": r["context"], "ctx_b": r["question"],
                 "ctx": f"{r['context']} {r['question']}", "endings": r["choices"], "split": disk,
                 "label": r["label"] if split != "test" else ""} for r in rows])
        elif spec.name == "cosmosqa":
            recs = [{"id": f"cosmos-{split}-{r['i']}", "context": r["context"], "question": r["question"],
                     **{f"answer{k}": r["choices"][k] for k in range(4)}, "label": str(r["label"])} for r in rows]
            if split == "test":
                write_jsonl(folder / "test.jsonl", [{k: v for k, v in rec.items() if k != "label"} for rec in recs])
            else:
                buf = io.StringIO()
                writer = csv.DictWriter(buf, fieldnames=list(recs[0]), lineterminator="\n")
                writer.writeheader()
                writer.writerows(recs)
                atomic_write_text(folder / {"train": "train.csv", "validation": "valid.csv"}[split], buf.getvalue())
        else:
            name = {"train": "train_rand_split.jsonl", "validation": "dev_rand_split.jsonl",
                    "test": "test_rand_split_no_answers.jsonl"}[split]
            recs = []
            for r in rows:
                stem = f"{r['context']} {r['question']}"  # CommonsenseQA has no context field
                rec = {"id": f"csqa-{split}-{r['i']}", "question": {"question_concept": "city", "stem": stem,
                       "choices": [{"label": "ABCDE"[k], "text": t} for k, t in enumerate(r["choices"])]}}
                if labelled:
                    rec["answerKey"] = "ABCDE"[r["label"]]
                recs.append(rec)
            write_jsonl(folder / name, recs)


def _retrieval(write):
    return lambda spec, folder: write(spec, folder, fixture_langs(spec), N_EVAL)


WRITERS = {
    "pair_tsv": write_pair_tsv, "glue_tsv": write_glue_tsv, "anli_plus": write_anli_plus,
    "tag_tsv": write_tag_tsv, "squad_json": write_squad_layout, "copa_jsonl": write_copa,
    "siqa": write_mc, "hellaswag": write_mc, "cosmosqa": write_mc, "commonsenseqa": write_mc,
    "tatoeba": _retrieval(R.write_tatoeba), "bucc": _retrieval(R.write_bucc),
    "mewslix": _retrieval(R.write_mewslix), "lareqa": _retrieval(R.write_lareqa),
}


def write_fixtures(task: str, folder: str | Path) -> Path:
    """Write the fixture of `task` into `folder/<task>/` (atomically, replacing an old one); return that path."""
    spec = get_task(task)
    if spec.reader is not None and spec.reader not in WRITERS:
        raise UserError(f"task {task}: no fixture writer for reader '{spec.reader}'")
    target = Path(folder) / spec.name
    with atomic_dir(target) as tmp:
        if spec.reader is None:  # no official layout: canonical `{split}-{lang}.jsonl` files
            write_jsonl_fixture(spec, tmp, _plan(spec), _rng)
        else:
            WRITERS[spec.reader](spec, tmp)
    return target


@functools.cache
def _fixture_root() -> Path:
    root = Path(tempfile.mkdtemp(prefix="intermezzo-fixtures-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)  # one per process; leave no litter in /tmp
    return root


@functools.cache
def _read_fixture(task: str, split: str, lang: str) -> list[dict]:
    from intermezzo.data.load import load_examples

    spec = get_task(task)
    folder = _fixture_root() / spec.name
    if not folder.is_dir():
        write_fixtures(task, _fixture_root())
    return load_examples(task, split, lang, source=folder)


def fixture_examples(task: str, split: str, lang: str) -> list[dict]:
    """Canonical examples of the fixture of `task` (written once per process to a temp folder, read back
    through the task's official reader); a fresh copy each call, so callers may mutate it."""
    return copy.deepcopy(_read_fixture(task, split, lang))
