"""Layouts write what they read; parallel test sets share ids; XTREME's label-stripped test files read unlabelled."""

import pytest

from intermezzo.data.fixtures import fixture_langs, write_fixtures
from intermezzo.data.layouts import LAYOUTS, Layout, layout_of
from intermezzo.data.load import load_examples
from intermezzo.tasks import TASKS
from support.fixtures import fixture_examples

GOLD_KEYS = ("label", "tags", "answers")


def _every_split():
    for name, spec in TASKS.items():
        for split in spec.splits:
            for lang in ((spec.train_lang,) if split == "train" else fixture_langs(spec)):
                yield name, split, lang


def test_every_task_has_a_layout_and_every_layout_reads_and_writes():
    assert all(spec.layout is None or spec.layout in LAYOUTS for spec in TASKS.values())
    for layout in LAYOUTS.values():
        cls = type(layout)
        assert cls.read_file is not Layout.read_file or cls.read is not Layout.read, layout.name
        assert cls.write_file is not Layout.write_file or cls.write is not Layout.write, layout.name


@pytest.mark.parametrize("task,split,lang", list(_every_split()))
def test_a_layout_writes_back_what_it_read(task, split, lang, tmp_path):
    spec = TASKS[task]
    examples = fixture_examples(task, split, lang)
    layout = layout_of(spec)
    if spec.layout in ("lareqa", "mewslix") and split != "train":  # the pool spans every language's file
        for other in fixture_langs(spec):
            layout.write(spec, tmp_path, split, other, fixture_examples(task, split, other))
    elif spec.layout == "glue_tsv" or split == "train" and spec.layout == "lareqa":
        pytest.skip("GLUE's header columns and SQuAD-to-pairs are not invertible from canonical examples")
    else:
        layout.write(spec, tmp_path, split, lang, examples)
    again = load_examples(task, split, lang, source=tmp_path)
    if spec.layout == "mewslix":  # the entity set is shared, written in first-seen order
        key = lambda ex: (ex["kind"], ex["id"])  # noqa: E731
        again, examples = sorted(again, key=key), sorted(examples, key=key)
    assert again == examples


@pytest.mark.parametrize("task", sorted(n for n, s in TASKS.items() if s.parallel))
def test_parallel_test_sets_name_one_item_by_one_id_in_every_language(task):
    spec = TASKS[task]
    by_lang = {lang: fixture_examples(task, "test", lang) for lang in fixture_langs(spec)}
    ids = {lang: [ex["id"] for ex in examples] for lang, examples in by_lang.items()}
    first = next(iter(ids.values()))
    assert len(set(first)) == len(first) and all(v == first for v in ids.values()), ids
    if spec.type in ("classification", "multiple_choice"):  # the same item: the same label everywhere
        labels = {lang: [ex["label"] for ex in examples] for lang, examples in by_lang.items()}
        assert all(v == next(iter(labels.values())) for v in labels.values())
    texts = {lang: str(examples[0]) for lang, examples in by_lang.items()}
    assert len(set(texts.values())) == len(texts)  # ... said in different languages


def test_xnli_files_of_two_languages_number_rows_alike(tmp_path):
    for lang in ("de", "ru"):
        (tmp_path / f"test-{lang}.tsv").write_text("a\tb\nc\td\n", encoding="utf-8")
    assert [ex["id"] for ex in load_examples("xnli", "test", "de", source=tmp_path)] == \
        [ex["id"] for ex in load_examples("xnli", "test", "ru", source=tmp_path)] == ["test-0", "test-1"]


@pytest.mark.parametrize("task", sorted(n for n, s in TASKS.items() if "test" in s.splits))
def test_test_files_as_xtreme_strips_them_read_unlabelled(task, tmp_path):
    spec = TASKS[task]
    folder = write_fixtures(task, tmp_path, test_labels=False)
    for lang in fixture_langs(spec):
        examples = load_examples(task, "test", lang, source=folder)
        assert examples
        assert not any(k in ex for ex in examples for k in GOLD_KEYS), (lang, examples[0])
        assert not any(ex.get("gold") for ex in examples)


def test_xtreme_stripped_xcopa_file_is_zeros_and_xquad_is_blanked(tmp_path):
    folder = write_fixtures("xcopa", tmp_path / "a", test_labels=False)
    assert all('"label": 0' in line for line in (folder / "test-zh.jsonl").read_text().splitlines())
    folder = write_fixtures("xquad", tmp_path / "b", test_labels=False)
    assert '"answers": [{"answer_start": 0, "text": ""}]' in (folder / "xquad.de.json").read_text()


def test_a_tiny_labelled_xcopa_file_of_zeros_stays_labelled(tmp_path):
    row = '{"premise": "p", "choice1": "a", "choice2": "b", "question": "cause", "label": 0, "idx": %d}\n'
    (tmp_path / "test-it.jsonl").write_text("".join(row % i for i in range(3)))
    assert [ex["label"] for ex in load_examples("xcopa", "test", "it", source=tmp_path)] == [0, 0, 0]


def test_a_new_task_in_an_existing_format_needs_only_its_spec(monkeypatch, tmp_path):
    import datasets

    from intermezzo.tasks.spec import HubSource, TaskSpec

    spec = TaskSpec(name="americasnli", type="classification", langs=("en", "qu", "gn"), metric="accuracy",
                    citation="test", train_source="mnli", layout="pair_tsv", fields=("premise", "hypothesis"),
                    labels=("entailment", "neutral", "contradiction"), parallel=True,
                    hub=HubSource("example/americasnli", "{lang}", columns={"label": "gold"}))
    monkeypatch.setitem(TASKS, spec.name, spec)
    folder = write_fixtures(spec.name, tmp_path)
    assert (folder / "test-qu.tsv").is_file()
    assert [ex["id"] for ex in load_examples(spec.name, "test", "gn", source=tmp_path)][:2] == ["test-0", "test-1"]
    rows = datasets.Dataset.from_dict({"premise": ["a"], "hypothesis": ["b"], "gold": ["neutral"]})
    monkeypatch.setattr(datasets, "load_dataset", lambda *a, **k: rows)
    assert load_examples(spec.name, "test", "qu") == [{"id": "test-0", "premise": "a", "hypothesis": "b",
                                                       "label": "neutral"}]


def test_a_new_format_is_one_layout_class_and_its_fixtures_follow(monkeypatch, tmp_path):
    from intermezzo.data.formats import read_lines
    from intermezzo.io import atomic_write_text
    from intermezzo.tasks.spec import TaskSpec

    class LabelFirst(Layout):
        """`label|text` lines."""

        name = "label_first"
        pattern = "{lang}.{split}.txt"

        def read_file(self, spec, path, split="test", lang="en"):
            return [{"id": f"{split}-{i}", "text": t, "label": lab}
                    for i, (lab, t) in enumerate(line.split("|", 1) for line in read_lines(path))]

        def write_file(self, spec, path, examples, split="test", lang="en"):
            return atomic_write_text(path, "".join(f"{ex['label']}|{ex['text']}\n" for ex in examples))

    spec = TaskSpec(name="sentiment_x", type="classification", langs=("en", "de"), metric="accuracy",
                    citation="test", train_source="sentiment_x", layout="label_first", fields=("text",),
                    labels=("neg", "pos"))
    monkeypatch.setitem(LAYOUTS, "label_first", LabelFirst())
    monkeypatch.setitem(TASKS, spec.name, spec)
    folder = write_fixtures(spec.name, tmp_path)
    assert (folder / "de.test.txt").read_text().split("|")[0] in ("neg", "pos")
    examples = load_examples(spec.name, "train", "en", source=tmp_path)
    assert len(examples) == 48 and {ex["label"] for ex in examples} == {"neg", "pos"}
