"""noise_examples keeps labels per task type: tags aligned, QA offsets exact, inputs untouched, order-free."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from noise_samples import cluster_strategy, text_strategy

from intermezzo.errors import UserError
from intermezzo.noise import noise_examples

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SPECS = {"en": "keyboard:0.3,char_delete:0.2,case:0.3,punctuation:0.5",
         "hi": "keyboard:0.3,char_insert:0.2,diacritics:1.0,punctuation:0.5",
         "th": "keyboard:0.3,char_swap:0.3,char_substitute:0.2",
         "ru": "char_delete:0.5,char_swap:0.3,diacritics:1.0,whitespace:0.3"}


@pytest.mark.parametrize("lang", ["en", "hi", "th"])
def test_tagging_keeps_one_token_per_tag(lang):
    word = st.builds("".join, st.lists(cluster_strategy(lang), min_size=1, max_size=5))
    token = st.one_of(word, st.sampled_from([".", ",", "!", "—"]))

    @SETTINGS
    @given(st.lists(st.lists(token, min_size=1, max_size=8), min_size=1, max_size=4), st.integers(0, 99))
    def check(sentences, seed):
        examples = [{"id": f"s{i}", "tokens": toks, "tags": [f"T{j % 3}" for j in range(len(toks))]}
                    for i, toks in enumerate(sentences)]
        before = copy.deepcopy(examples)
        noisy = noise_examples(examples, "tagging", lang, SPECS[lang], seed)
        assert examples == before, "inputs were mutated"
        for ex, new in zip(examples, noisy):
            assert new["tags"] == ex["tags"] and len(new["tokens"]) == len(ex["tokens"])
            assert all(t and not any(ch.isspace() for ch in t) for t in new["tokens"])
    check()


def test_tagging_refuses_whitespace_noise():
    with pytest.raises(UserError, match="whitespace"):
        noise_examples([{"id": "1", "tokens": ["a"], "tags": ["O"]}], "tagging", "en", "whitespace:0.2", 0)


@pytest.mark.parametrize("lang", ["en", "hi", "ru", "th"])
def test_qa_answers_sit_at_their_recomputed_offsets(lang):
    @SETTINGS
    @given(text_strategy(lang, max_words=12), st.lists(st.tuples(st.integers(0, 200), st.integers(1, 30)),
                                                       max_size=3), st.integers(0, 99))
    def check(context, raw_spans, seed):
        spans = [(min(s, len(context) - 1), min(s, len(context) - 1) + n) for s, n in raw_spans]
        spans = [(a, min(b, len(context))) for a, b in spans]
        ex = {"id": "q", "context": context, "question": "What?",
              "answers": {"text": [context[a:b] for a, b in spans], "answer_start": [a for a, _ in spans]}}
        before = copy.deepcopy(ex)
        new = noise_examples([ex], "extractive_qa", lang, SPECS[lang], seed)[0]
        assert ex == before
        assert len(new["answers"]["text"]) == len(spans)
        for old, text, start in zip(ex["answers"]["text"], new["answers"]["text"], new["answers"]["answer_start"]):
            assert new["context"][start:start + len(text)] == text
            assert text.strip() or not old.strip(), "an answer vanished"
    check()


def test_qa_answer_is_noised_like_the_context():
    ex = {"id": "q1", "context": "Die Straße führt über den Fluß nach München.", "question": "Wohin?",
          "answers": {"text": ["nach München", "München"], "answer_start": [31, 36]}}
    new = noise_examples([ex], "extractive_qa", "de", "diacritics:1.0", 0)[0]
    assert new["context"] == "Die Strasse fuhrt uber den Fluss nach Munchen."
    assert new["answers"] == {"text": ["nach Munchen", "Munchen"], "answer_start": [33, 38]}
    context_only = noise_examples([ex], "extractive_qa", "de", "diacritics:1.0", 0, fields=("context",))[0]
    assert context_only["question"] == "Wohin?" and context_only["context"] == new["context"]


def test_qa_answer_with_a_wrong_offset_is_found_or_refused():
    ex = {"id": "q", "context": "abc def abc", "question": "?", "answers": {"text": ["abc"], "answer_start": [7]}}
    new = noise_examples([ex], "extractive_qa", "en", "case:1.0", 0)[0]
    s, t = new["answers"]["answer_start"][0], new["answers"]["text"][0]
    assert s == 8 and new["context"][s:s + len(t)] == t  # the nearest occurrence, at 8
    ex["answers"]["text"] = ["xyz"]
    with pytest.raises(UserError, match="not in its context"):
        noise_examples([ex], "extractive_qa", "en", "case:1.0", 0)


def test_classification_multiple_choice_and_retrieval_rules():
    cls = [{"id": "c", "premise": "the cat sat down", "hypothesis": "a cat is sitting", "label": "entailment"}]
    out = noise_examples(cls, "classification", "en", "char_substitute:0.5", 1)[0]
    assert out["label"] == "entailment" and out["premise"] != cls[0]["premise"]
    assert out["hypothesis"] != cls[0]["hypothesis"]
    only = noise_examples(cls, "classification", "en", "char_substitute:0.5", 1, fields=("premise",))[0]
    assert only["hypothesis"] == cls[0]["hypothesis"] and only["premise"] == out["premise"]

    mc = [{"id": "m", "context": "the river was high", "question": "what happened",
           "choices": ["the boat sank", "the road dried"], "label": 1}]
    out = noise_examples(mc, "multiple_choice", "en", "char_substitute:0.6", 2)[0]
    assert out["label"] == 1 and len(out["choices"]) == 2 and out["choices"] != mc[0]["choices"]

    ret = [{"id": "q1", "kind": "query", "text": "where is the station", "gold": ["c1"]},
           {"id": "c1", "kind": "candidate", "text": "the station is north"}]
    out = noise_examples(ret, "retrieval", "en", "char_substitute:0.6", 3)
    assert out[0]["text"] != ret[0]["text"] and out[0]["gold"] == ["c1"] and out[1] == ret[1]


def test_results_depend_on_seed_and_id_not_on_order():
    exs = [{"id": str(i), "text": f"sentence number {i} with some words", "label": "x"} for i in range(20)]
    a = noise_examples(exs, "classification", "en", "keyboard:0.2", 5)
    b = noise_examples(list(reversed(exs)), "classification", "en", "keyboard:0.2", 5)
    assert a == list(reversed(b))
    c = noise_examples(exs, "classification", "en", "keyboard:0.2", 6)
    assert a != c


def test_clean_spec_and_errors():
    exs = [{"id": "1", "text": "hi there", "label": "a"}]
    out = noise_examples(exs, "classification", "en", "clean", 0)
    assert out == exs and out[0] is not exs[0]
    with pytest.raises(UserError, match="does not apply"):
        noise_examples(exs, "classification", "hi", "case:0.5", 0)
    with pytest.raises(UserError, match="unknown task type"):
        noise_examples(exs, "clasification", "en", "case:0.5", 0)
    with pytest.raises(UserError, match="not text"):
        noise_examples([{"id": "1", "n": 3}], "classification", "en", "case:0.5", 0, fields=("n",))


def test_word_list_families_through_noise_examples(tmp_path):
    lexicon = tmp_path / "de-en.txt"
    lexicon.write_text("haus house\n", encoding="utf-8")
    exs = [{"id": "t", "tokens": ["Das", "Haus", "."], "tags": ["O", "B-LOC", "O"]}]
    out = noise_examples(exs, "tagging", "de", f"codeswitch:1.0@{lexicon}", 0)
    assert out[0]["tokens"] == ["Das", "House", "."] and out[0]["tags"] == exs[0]["tags"]
    with pytest.raises(UserError, match="needs a word list"):
        noise_examples(exs, "tagging", "de", "codeswitch:1.0", 0)
