"""Mewsli-X queries mark their mention as XTREME-R's utils_mewslix.preprocess_mention does."""

import torch

from intermezzo.tasks import get_task
from intermezzo.types import TYPES
from intermezzo.types.mention import fitted_query, mention_query

RET = TYPES["retrieval"]


def test_the_query_format_of_utils_mewslix():
    assert mention_query("The verdict came back for Smith, who resigned.", "Smith") == \
        "Smith: The verdict came back for { Smith } , who resigned."
    # markers already in the text are escaped, newlines become spaces, and double spaces are replaced once
    # (str.replace, not a collapse: three spaces leave two, as in the official code)
    assert mention_query("A {note}\nabout Paris.", "Paris", 14) == "Paris: A (note) about { Paris } ."
    assert mention_query("about  Paris", "Paris") == "Paris: about  { Paris }"
    # the offset tells two occurrences apart
    assert mention_query("Paris or Paris", "Paris", 9) == "Paris: Paris or { Paris }"


def test_two_mentions_in_one_sentence_encode_differently(tiny):
    encoder, tok = tiny
    spec = get_task("mewslix")
    text = "Paris and Berlin signed the treaty."
    examples = [{"id": "m1", "kind": "query", "text": text, "mention": "Paris", "gold": ["Q1"]},
                {"id": "m2", "kind": "query", "text": text, "mention": "Berlin", "mention_start": 10,
                 "gold": ["Q2"]}]
    features = RET.featurize(spec, examples, tok, 64)
    assert features[0]["input_ids"] != features[1]["input_ids"]
    assert tok.decode(features[1]["input_ids"], skip_special_tokens=True).startswith("Berlin:")
    head = RET.build_head(spec, encoder.config.hidden_size)
    with torch.no_grad():
        emb = RET.forward(encoder, head, RET.collate(features, tok.pad_token_id))["embeddings"]
    assert not torch.allclose(emb[0], emb[1])


def test_a_long_context_is_cut_around_the_mention(tiny):
    _, tok = tiny
    left = " ".join(f"word{i}" for i in range(150))
    right = " ".join(f"tail{i}" for i in range(150))
    text = f"{left} Berlin {right}."
    query = fitted_query(text, "Berlin", tok, 48, start=len(left) + 1)
    ids = tok(query)["input_ids"]
    assert len(ids) <= 48 and "{ Berlin }" in query and query.startswith("Berlin:")
    assert "word149" in query and "tail0" in query   # the context kept is the mention's neighbourhood
    features = RET.featurize(get_task("mewslix"), [{"id": "m", "kind": "query", "text": text, "mention": "Berlin"}],
                             tok, 48)
    assert "{ Berlin }" in tok.decode(features[0]["input_ids"])


def test_the_reader_says_where_each_mention_starts():
    from support.fixtures import fixture_examples, fixture_langs

    spec = get_task("mewslix")
    queries = [ex for ex in fixture_examples("mewslix", "test", fixture_langs(spec)[0]) if ex["kind"] == "query"]
    assert queries and all(ex["text"][ex["mention_start"]:][:len(ex["mention"])] == ex["mention"] for ex in queries)
