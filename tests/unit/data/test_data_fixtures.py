"""Fixtures: every task's fixture reads back through its real reader into the canonical schema."""

import unicodedata
from pathlib import Path

import pytest

from intermezzo.data.fixtures import fixture_langs, write_fixtures
from intermezzo.data.load import load_examples
from intermezzo.tasks import TASKS
from support.fixtures import fixture_examples

OURS = sorted(TASKS)  # every registered task, those without an official layout (JSONL fixtures) included
# Test splits whose official release has no labels; their fixtures leave labels out too.
UNLABELLED_TESTS = {"mnli", "qqp", "hellaswag", "cosmosqa", "commonsenseqa"}
LABEL_KEYS = ("label", "tags")


def _cases():
    for name in OURS:
        spec = TASKS[name]
        for split in spec.splits:
            for lang in ((spec.train_lang,) if split == "train" else fixture_langs(spec)):
                yield name, split, lang


def check_canonical(spec, examples):
    """Assert the canonical schema of intermezzo/types/base.py, labels included (fixtures are labelled)."""
    assert examples, "empty split"
    ids = [ex["id"] for ex in examples]
    assert len(set(ids)) == len(ids), "ids must be unique within a split"
    if spec.type == "classification":
        for ex in examples:
            assert all(isinstance(ex[f], str) and ex[f] for f in spec.fields)
            assert ex["label"] in spec.labels
    elif spec.type == "multiple_choice":
        for ex in examples:
            assert isinstance(ex["context"], str) and ex["question"] and len(ex["choices"]) >= 2
            assert isinstance(ex["label"], int) and 0 <= ex["label"] < len(ex["choices"])
    elif spec.type == "tagging":
        for ex in examples:
            assert len(ex["tokens"]) == len(ex["tags"]) > 0
            assert set(ex["tags"]) <= set(spec.labels)
    elif spec.type == "extractive_qa":
        for ex in examples:
            ans = ex["answers"]
            assert len(ans["text"]) == len(ans["answer_start"])
            for text, start in zip(ans["text"], ans["answer_start"]):
                assert ex["context"][start:start + len(text)] == text
    else:
        kinds = {ex["kind"] for ex in examples}
        if kinds == {"pair"}:
            assert all(ex["text"] and ex["positive"] for ex in examples)
            return
        assert kinds == {"query", "candidate"}
        candidates = {ex["id"] for ex in examples if ex["kind"] == "candidate"}
        queries = [ex for ex in examples if ex["kind"] == "query"]
        assert all(set(q["gold"]) <= candidates for q in queries)
        assert sum(bool(q["gold"]) for q in queries) >= len(queries) // 2


@pytest.mark.parametrize("task,split,lang", list(_cases()))
def test_fixture_reads_back_in_the_canonical_schema(task, split, lang):
    examples = fixture_examples(task, split, lang)
    if split == "test" and task in UNLABELLED_TESTS:
        assert examples and not any(k in ex for ex in examples for k in LABEL_KEYS)
        # the schema check below needs labels: give each a valid one
        examples = [dict(ex, label=0 if "choices" in ex else TASKS[task].labels[0]) for ex in examples]
    check_canonical(TASKS[task], examples)


@pytest.mark.parametrize("task", OURS)
def test_fixture_is_deterministic(task, tmp_path):
    a, b = write_fixtures(task, tmp_path / "a"), write_fixtures(task, tmp_path / "b")
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file()) and files_a
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files_a)


def _non_latin(text: str) -> bool:
    return any(ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN") for ch in text)


@pytest.mark.parametrize("task", sorted(n for n in OURS if len(TASKS[n].langs) > 1))
def test_multilingual_fixtures_have_three_languages_one_non_latin(task):
    spec = TASKS[task]
    langs = fixture_langs(spec)
    assert len(langs) == 3 and set(langs) <= set(spec.langs)
    split = "test" if "test" in spec.splits else spec.splits[-1]
    texts = [str(ex) for lang in langs for ex in fixture_examples(task, split, lang) if ex.get("kind") != "candidate"]
    assert any(_non_latin(t) for t in texts)


@pytest.mark.parametrize("task", sorted(n for n in OURS if "train" in TASKS[n].splits))
def test_train_split_is_english_and_covers_every_label(task):
    spec = TASKS[task]
    train = fixture_examples(task, "train", "en")
    assert len(train) >= 24
    if spec.type == "classification":
        assert {ex["label"] for ex in train} == set(spec.labels)
    if spec.type == "multiple_choice":
        assert len({ex["label"] for ex in train}) >= 2  # the right answer moves around


def test_fixture_examples_are_fresh_copies():
    first = fixture_examples("xnli", "test", "de")
    first[0]["label"] = "mutated"
    assert fixture_examples("xnli", "test", "de")[0]["label"] != "mutated"


def test_panx_fixture_is_xtreme_s_file_and_a_raw_language_prefix_is_cut(tmp_path):
    # XTREME's panx_preprocess cuts WikiANN's "de:" prefix; a raw file with it reads the same.
    folder = write_fixtures("panx", tmp_path)
    raw = (folder / "test-de.tsv").read_text(encoding="utf-8")
    assert not raw.startswith("de:")
    prefixed = "".join(f"de:{line}\n" if line else "\n" for line in raw.split("\n")[:-1])
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "test-de.tsv").write_text(prefixed, encoding="utf-8")
    assert prefixed.startswith("de:")
    assert load_examples("panx", "test", "de", source=tmp_path / "raw") == fixture_examples("panx", "test", "de")
    assert not any(t.startswith("de:") for ex in fixture_examples("panx", "test", "de") for t in ex["tokens"])


def test_write_fixtures_returns_the_task_folder(tmp_path):
    folder = write_fixtures("xquad", tmp_path)
    assert folder == tmp_path / "xquad" and (folder / "xquad.ru.json").is_file()
    assert isinstance(folder, Path)


@pytest.mark.parametrize("ttype,options", [("classification", {}), ("tagging", {}),
                                           ("multiple_choice", {"n_choices": 4}), ("extractive_qa", {}),
                                           ("retrieval", {})])
def test_any_new_task_gets_a_canonical_jsonl_fixture(ttype, options, monkeypatch, tmp_path):
    from intermezzo.tasks.spec import TaskSpec

    labels = {"classification": ("a", "b", "c", "d", "e"), "tagging": ("O", "X-NAME")}.get(ttype, ())
    spec = TaskSpec(name=f"new_{ttype}", type=ttype, langs=("en", "pl", "ja", "de"), metric="accuracy",
                    citation="test", train_source=f"new_{ttype}", fields=("text",), labels=labels, **options)
    monkeypatch.setitem(TASKS, spec.name, spec)
    folder = write_fixtures(spec.name, tmp_path)
    assert fixture_langs(spec) == ("en", "de", "ja")
    assert (folder / "train-en.jsonl").is_file() and (folder / "test-ja.jsonl").is_file()
    check_canonical(spec, fixture_examples(spec.name, "test", "ja"))
    train = fixture_examples(spec.name, "train", "en")
    check_canonical(spec, train)
    if ttype == "classification":
        # learnable: each label has its own template, so a text never appears under two labels
        by_text = {}
        for ex in train:
            by_text.setdefault(ex["text"], set()).add(ex["label"])
        assert all(len(v) == 1 for v in by_text.values()) and {ex["label"] for ex in train} == set(labels)
