"""load_examples: official folders, JSONL folders and files, split names, limits, the hub (offline and faked)."""

import pytest

from intermezzo.data.fixtures import write_fixtures
from intermezzo.data.formats import write_jsonl
from intermezzo.data.load import canonical_split, load_examples
from intermezzo.errors import UserError
from intermezzo.tasks import get_task
from support.fixtures import fixture_examples


def test_official_folder_and_its_parent_both_work(tmp_path):
    folder = write_fixtures("xnli", tmp_path)
    direct = load_examples("xnli", "test", "ru", source=folder)
    assert direct == load_examples("xnli", "test", "ru", source=tmp_path) == fixture_examples("xnli", "test", "ru")


def test_split_aliases():
    spec = get_task("xcopa")
    assert canonical_split(spec, "dev") == canonical_split(spec, "val") == "validation"
    with pytest.raises(UserError, match="no train split; it has validation, test"):
        canonical_split(spec, "train")
    with pytest.raises(UserError, match="did you mean test"):
        canonical_split(spec, "tset")


def test_jsonl_folder_source_with_dev_name(tmp_path):
    rows = [{"id": "a", "premise": "p", "hypothesis": "h", "label": "neutral"},
            {"premise": "p2", "hypothesis": "h2", "label": "entailment"}]
    write_jsonl(tmp_path / "dev-de.jsonl", rows)
    got = load_examples("xnli", "validation", "de", source=tmp_path)
    assert [ex["id"] for ex in got] == ["a", "dev-de-2"] and got[1]["label"] == "entailment"


def test_single_jsonl_file_source_and_its_schema_check(tmp_path):
    path = tmp_path / "mine.jsonl"
    write_jsonl(path, [{"id": "1", "tokens": ["a"], "tags": ["O"]}])
    assert load_examples("panx", "test", "de", source=path)[0]["tokens"] == ["a"]
    write_jsonl(path, [{"id": "1", "tokens": ["a"]}, {"id": "2", "words": ["b"]}])
    with pytest.raises(UserError, match=r"mine\.jsonl:2: a tagging example needs tokens"):
        load_examples("panx", "test", "de", source=path)
    other = tmp_path / "data.tsv"
    other.write_text("x\n")
    with pytest.raises(UserError, match="must be .jsonl"):
        load_examples("panx", "test", "de", source=other)


def test_missing_source_and_bad_names(tmp_path):
    with pytest.raises(UserError, match="no such file or folder"):
        load_examples("xnli", "test", "de", source=tmp_path / "nope")
    with pytest.raises(UserError, match="did you mean xnli"):
        load_examples("xnl", "test", "de", source=tmp_path)
    with pytest.raises(UserError, match="did you mean de"):
        load_examples("xnli", "test", "deu", source=tmp_path)


def test_limit_cuts_queries_but_keeps_the_candidate_pool(tmp_path):
    write_fixtures("tatoeba", tmp_path)
    full = load_examples("tatoeba", "test", "ru", source=tmp_path)
    cut = load_examples("tatoeba", "test", "ru", source=tmp_path, limit=3)
    assert sum(ex["kind"] == "query" for ex in cut) == 3
    assert [ex for ex in cut if ex["kind"] == "candidate"] == [ex for ex in full if ex["kind"] == "candidate"]
    assert len(load_examples("xnli", "test", "de", source=write_fixtures("xnli", tmp_path), limit=5)) == 5


def test_hub_offline_is_a_clear_user_error(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    with pytest.raises(UserError) as e:
        load_examples("pawsx", "test", "de")
    msg = str(e.value)
    assert "unreachable" in msg and "folder" in msg and "google/xtreme" in msg and "\n" not in msg


def test_tasks_without_a_hub_copy_say_so():
    with pytest.raises(UserError, match="no Hugging Face copy"):
        load_examples("mewslix", "test", "de")


def test_script_datasets_need_an_explicit_opt_in(monkeypatch):
    import datasets

    seen = {}

    def fake(*args, **kwargs):
        seen.update(kwargs)
        raise ConnectionError("offline")

    monkeypatch.setattr(datasets, "load_dataset", fake)
    with pytest.raises(UserError):
        load_examples("siqa", "validation", "en")
    assert "trust_remote_code" not in seen


def _fake_hub(monkeypatch, table):
    import datasets

    def fake(hub_id, config=None, split=None, **kwargs):
        return table[(hub_id, config, split)]

    monkeypatch.setattr(datasets, "load_dataset", fake)


def test_hub_rows_are_converted_with_label_names(monkeypatch):
    import datasets

    ner = datasets.ClassLabel(names=["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"])
    panx = datasets.Dataset.from_dict({"tokens": [["Anna", "in", "Wien"]], "ner_tags": [[1, 0, 5]]},
                                      features=datasets.Features({"tokens": datasets.Sequence(datasets.Value("string")),
                                                                  "ner_tags": datasets.Sequence(ner)}))
    xnli = datasets.Dataset.from_dict({"language": ["de", "fr"], "sentence1": ["a", "b"], "sentence2": ["c", "d"],
                                       "gold_label": ["neutral", "entailment"]})
    tydi = datasets.Dataset.from_dict({"id": ["arabic-1", "russian-2"], "context": ["x y", "u v"],
                                       "question": ["q1", "q2"],
                                       "answers": [{"text": ["y"], "answer_start": [2]},
                                                   {"text": ["v"], "answer_start": [2]}]})
    tatoeba = datasets.Dataset.from_dict({"source_sentence": ["Hallo", "Danke"], "target_sentence": ["Hi", "Thanks"],
                                          "source_lang": ["deu", "deu"], "target_lang": ["eng", "eng"]})
    _fake_hub(monkeypatch, {("google/xtreme", "PAN-X.de", "test"): panx, ("google/xtreme", "XNLI", "test"): xnli,
                            ("google/xtreme", "tydiqa", "validation"): tydi,
                            ("google/xtreme", "tatoeba.deu", "validation"): tatoeba})
    assert load_examples("panx", "test", "de")[0]["tags"] == ["B-PER", "O", "B-LOC"]
    # XNLI is parallel: the id is the row, the same in every language (as the official files number them)
    assert load_examples("xnli", "test", "de") == [{"id": "test-0", "premise": "a", "hypothesis": "c",
                                                     "label": "neutral"}]
    ru = load_examples("tydiqa", "test", "ru")
    assert [ex["id"] for ex in ru] == ["russian-2"] and ru[0]["answers"]["text"] == ["v"]
    tat = load_examples("tatoeba", "test", "de")
    assert tat[1] == {"id": "de-1", "kind": "query", "text": "Danke", "gold": ["en-1"]}
    assert tat[3] == {"id": "en-1", "kind": "candidate", "text": "Thanks"}


def test_hub_multiple_choice_conversion(monkeypatch):
    import datasets

    siqa = datasets.Dataset.from_dict({"context": ["c"], "question": ["q"], "answerA": ["a"], "answerB": ["b"],
                                       "answerC": ["c"], "label": ["3"]})
    csqa = datasets.Dataset.from_dict({"id": ["x"], "question": ["q"], "answerKey": ["B"],
                                       "choices": [{"label": ["A", "B"], "text": ["t1", "t2"]}]})
    _fake_hub(monkeypatch, {("allenai/social_i_qa", None, "validation"): siqa,
                            ("tau/commonsense_qa", None, "train"): csqa})
    assert load_examples("siqa", "validation", "en")[0]["label"] == 2
    assert load_examples("commonsenseqa", "train", "en")[0] == {"id": "x", "context": "", "question": "q",
                                                                "choices": ["t1", "t2"], "label": 1}


def test_xcopa_official_jsonl_and_canonical_jsonl_share_a_name_and_both_load(tmp_path):
    official = {"premise": "p", "choice1": "a", "choice2": "b", "question": "effect", "label": 0, "idx": 3}
    write_jsonl(tmp_path / "official" / "test-it.jsonl", [official])
    got = load_examples("xcopa", "test", "it", source=tmp_path / "official")
    # XCOPA's idx names the item in every language, so the id leaves the language out
    assert got == [{"id": "test-3", "context": "p", "question": "What was the effect?",
                    "choices": ["a", "b"], "label": 0}]
    write_jsonl(tmp_path / "canonical" / "test-it.jsonl", got)
    assert load_examples("xcopa", "test", "it", source=tmp_path / "canonical") == got


def test_a_folder_without_the_split_names_what_is_missing(tmp_path):
    with pytest.raises(UserError, match=r"dev-de\.tsv: no validation file for xnli/de"):
        load_examples("xnli", "validation", "de", source=tmp_path)


def test_hub_anli_plus_joins_three_datasets_and_drops_no_consensus_rows(monkeypatch):
    import datasets

    nli = datasets.ClassLabel(names=["entailment", "neutral", "contradiction"])

    def part(premises, labels):
        return datasets.Dataset.from_dict({"premise": premises, "hypothesis": ["h"] * len(labels), "label": labels},
                                          features=datasets.Features({"premise": datasets.Value("string"),
                                                                      "hypothesis": datasets.Value("string"),
                                                                      "label": nli}))

    table = {("stanfordnlp/snli", "plain_text", "validation"): part(["s1", "s2"], [0, -1]),
             ("nyu-mll/glue", "mnli", "validation_matched"): part(["m"], [2])}
    table.update({("facebook/anli", "plain_text", f"dev_r{r}"): part([f"a{r}"], [1]) for r in (1, 2, 3)})
    _fake_hub(monkeypatch, table)
    rows = load_examples("anli_plus", "validation", "en")
    assert [(r["premise"], r["label"]) for r in rows] == [("s1", "entailment"), ("m", "contradiction"),
                                                         ("a1", "neutral"), ("a2", "neutral"), ("a3", "neutral")]


def test_hub_limit_asks_for_a_slice_only_where_rows_map_one_to_one(monkeypatch):
    import datasets

    asked = []

    def fake(hub_id, config=None, split=None, **kwargs):
        asked.append(split)
        return datasets.Dataset.from_dict({"sentence1": ["a", "b"], "sentence2": ["c", "d"], "label": ["0", "1"],
                                           "language": ["de", "de"], "gold_label": ["neutral", "neutral"]})

    monkeypatch.setattr(datasets, "load_dataset", fake)
    assert len(load_examples("pawsx", "test", "de", limit=1)) == 1
    assert len(load_examples("xnli", "test", "de", limit=1)) == 1
    assert asked == ["test[:1]", "test"]  # XNLI filters by language after loading, so it loads the split
