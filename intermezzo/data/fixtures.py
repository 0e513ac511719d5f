"""Tiny, deterministic, learnable data sets for every task, written by the task's own layout in its official
on-disk structure (canonical `{split}-{lang}.jsonl` files for tasks that have none).

`write_fixtures(task, folder)` writes `folder/<task>/`. Test sets are labelled by default (XTREME's downloads
strip them) so that scoring can be tested; `test_labels=False` writes them as XTREME leaves them. The test
sets of a parallel task translate the same items, under the same ids, in every language.
"""

from __future__ import annotations

import functools
import random
import zlib
from pathlib import Path

from intermezzo.data import fixture_retrieval as R
from intermezzo.data import fixture_tasks as F
from intermezzo.data.fixture_generic import GENERATORS as GENERIC, pick_langs
from intermezzo.data.layouts import layout_of
from intermezzo.errors import UserError
from intermezzo.io import atomic_dir
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
GENERATORS = {**F.GENERATORS, **R.GENERATORS}
LABEL_KEYS = ("label", "tags", "gold", "answers")
# Tasks whose own release has an unlabelled test split (GLUE's, HellaSwag's, Cosmos QA's, CommonsenseQA's).
UNLABELLED_RELEASES = {"mnli", "qqp", "hellaswag", "cosmosqa", "commonsenseqa"}


def fixture_langs(spec: TaskSpec) -> tuple[str, ...]:
    """The languages the fixture of `spec` holds."""
    return FIXTURE_LANGS.get(spec.name) or pick_langs(spec)


def _rng(spec: TaskSpec, split: str, lang: str) -> random.Random:
    # crc32, not hash(): Python salts str hashes per process, and fixtures must be identical across runs.
    # A parallel task draws its evaluation items once, for its first language, and says them in every language.
    key = fixture_langs(spec)[0] if spec.parallel and split != "train" else lang
    return random.Random(zlib.crc32(f"{spec.name}/{split}/{key}".encode()))


def _plan(spec: TaskSpec) -> list[tuple[str, str, int]]:
    """(split, lang, size) of every file: train in English only, the rest in every fixture language."""
    out = []
    for split in spec.splits:
        langs = (spec.train_lang,) if split == "train" else fixture_langs(spec)
        out += [(split, lang, N_TRAIN if split == "train" else N_EVAL) for lang in langs]
    if spec.name == "xcopa":  # XTREME's download puts COPA's English train file beside XCOPA's
        out.append(("train", "en", N_TRAIN))
    return out


def _unlabelled(examples: list[dict]) -> list[dict]:
    return [{k: v for k, v in ex.items() if k not in LABEL_KEYS} for ex in examples]


def fixture_split(spec: TaskSpec, split: str, lang: str, n: int) -> list[dict]:
    """The canonical examples a fixture file of (split, lang) holds."""
    make = GENERATORS.get(spec.layout)
    if make is None:  # no official layout, or a new one: the type's own examples, written by the layout
        return GENERIC[spec.type](spec, lang, _rng(spec, split, lang), n, split)
    if spec.layout == "lareqa":
        make = functools.partial(make, langs=fixture_langs(spec))
    return make(spec, split, lang, _rng(spec, split, lang), n)


def write_fixtures(task: str, folder: str | Path, test_labels: bool = True) -> Path:
    """Write the fixture of `task` into `folder/<task>/` (atomically, replacing an old one); return that path."""
    spec = get_task(task)
    target = Path(folder) / spec.name
    if Path(folder).exists() and not Path(folder).is_dir():
        raise UserError(f"{folder}: not a folder; pass a folder to write the fixtures into")
    if target.exists() and not target.is_dir():
        raise UserError(f"{target}: a file is in the way of the fixture folder; remove it or choose another folder")
    layout = layout_of(spec)
    with atomic_dir(target) as tmp:
        for split, lang, n in _plan(spec):
            examples = fixture_split(spec, split, lang, n)
            if split == "test" and (not test_labels or spec.name in UNLABELLED_RELEASES):
                examples = _unlabelled(examples)
            if spec.layout == "glue_tsv":  # the release's full header, extra columns included
                layout.write_file(spec, layout.path(spec, tmp, split, lang, must_exist=False), examples, split,
                                  lang, header=F.glue_header(spec, split))
            else:
                layout.write(spec, tmp, split, lang, examples)
    return target
