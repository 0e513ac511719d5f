"""Example schemas: every task's canonical examples fit its type's schema; realignment keeps labels right."""

from __future__ import annotations

import pytest

from intermezzo.data.fixtures import fixture_langs, write_fixtures
from intermezzo.data.load import load_examples
from intermezzo.errors import UserError
from intermezzo.tasks import TASKS, get_task
from intermezzo.tasks.schema import SCHEMAS, schema_of
from intermezzo.types import TYPES


def test_every_type_has_a_schema():
    assert set(SCHEMAS) == set(TYPES)
    assert {s.align for s in SCHEMAS.values()} == {"free", "tokens", "spans", "queries"}


@pytest.mark.parametrize("task", sorted(TASKS))
def test_fixture_examples_fit_the_schema(task, tmp_path):
    spec = get_task(task)
    schema = schema_of(spec)
    split = next(s for s in ("validation", "test", "train") if s in spec.splits)  # labelled first
    lang = spec.train_lang if split == "train" else fixture_langs(spec)[0]
    examples = load_examples(task, split, lang, source=write_fixtures(task, tmp_path))
    assert examples
    for ex in examples:
        assert set(schema.required_fields(spec)) <= set(ex), (task, ex)
        for field in schema.text_fields(spec):
            value = ex.get(field)
            assert value is None or isinstance(value, str) or all(isinstance(v, str) for v in value), field
        texts = [p.text for p in schema.pieces(ex, schema.text_fields(spec))]
        assert schema.realign(ex, schema.pieces(ex, schema.text_fields(spec)), texts) == ex  # identity edit
    labelled = [ex for ex in examples if ex.get("kind", "query") == "query"]
    assert any(any(k in ex for k in schema.labels) for ex in labelled), "fixtures are labelled"


def test_copa_question_is_a_template_not_text():
    for task in ("xcopa", "copa"):
        assert schema_of(get_task(task)).text_fields(get_task(task)) == ("context", "choices")
    assert SCHEMAS["multiple_choice"].text_fields(get_task("siqa")) == ("context", "question", "choices")


def test_tokens_realign_one_token_per_tag():
    schema = SCHEMAS["tagging"]
    ex = {"id": "s", "tokens": ["New", "York", "."], "tags": ["B-LOC", "I-LOC", "O"]}
    pieces = schema.pieces(ex, ("tokens",))
    assert [(p.field, p.index, p.text) for p in pieces] == [("tokens", 0, "New"), ("tokens", 1, "York"),
                                                            ("tokens", 2, ".")]
    new = schema.realign(ex, pieces, ["Nwe", "Yo rk", ""])  # a split and an emptied token keep the original
    assert new == {"id": "s", "tokens": ["Nwe", "York", "."], "tags": ["B-LOC", "I-LOC", "O"]}
    assert ex["tokens"] == ["New", "York", "."]


def test_answer_spans_follow_every_edit():
    schema = SCHEMAS["extractive_qa"]
    ex = {"id": "q", "context": "Rome is in Italy.", "question": "Where?",
          "answers": {"text": ["Italy", "Rome"], "answer_start": [11, 0]}}
    pieces = schema.pieces(ex, ("context", "question"))
    assert [p.text for p in pieces] == ["Rome", " is in ", "Italy", ".", "Where?"]
    new = schema.realign(ex, pieces, ["Roome", " iz inn ", "Itlay", "..", "Wehre?"])
    assert new["context"] == "Roome iz inn Itlay.." and new["question"] == "Wehre?"
    assert new["answers"] == {"text": ["Itlay", "Roome"], "answer_start": [13, 0]}
    erased = schema.realign(ex, pieces, ["", " is in ", " ", ".", "Where?"])  # answers never vanish
    assert erased["answers"]["text"] == ["Italy", "Rome"] and erased["context"] == ex["context"]


def test_retrieval_edits_queries_only_and_the_mention_follows():
    schema = SCHEMAS["retrieval"]
    candidate = {"id": "c", "kind": "candidate", "text": "Paris is a city."}
    assert schema.pieces(candidate, ("text",)) == []
    query = {"id": "m", "kind": "query", "text": "She flew to Paris today.", "mention": "Paris", "gold": ["Q90"]}
    pieces = schema.pieces(query, ("text",))
    assert [p.text for p in pieces] == ["She flew to ", "Paris", " today."]
    new = schema.realign(query, pieces, ["Sh flew to ", "Parris", " tdoay."])
    assert new["text"] == "Sh flew to Parris tdoay." and new["mention"] == "Parris" and new["gold"] == ["Q90"]


def test_check_fields_names_the_valid_ones():
    xnli = get_task("xnli")
    assert schema_of(xnli).check_fields(["hypothesis"], xnli) == ("hypothesis",)
    with pytest.raises(UserError, match="unknown field 'foo' for task xnli; its text fields are premise, hypothesis"):
        schema_of(xnli).check_fields(["foo"], xnli)
    with pytest.raises(UserError, match="unknown task type"):
        schema_of("tagger")
