"""The contract over every registered task: fixture -> featurize -> head -> forward -> loss -> decode -> score."""

import math

import pytest
import torch

from support.fixtures import fixture_examples, fixture_langs
from intermezzo.metrics import reduce_parts
from intermezzo.tasks import TASKS
from intermezzo.types import TYPES

LABEL_KEYS = ("label", "tags", "gold")
BATCH = 8  # small, so every task decodes outputs from several batches


def _labelled(ex: dict) -> bool:
    if "answers" in ex:
        return ex["answers"].get("text") is not None
    if ex.get("kind") == "candidate":
        return True
    return any(ex.get(k) not in (None, "") for k in LABEL_KEYS)


def _eval_examples(spec):
    """A labelled evaluation split of the fixture, in its last (often non-Latin) language."""
    lang = fixture_langs(spec)[-1]
    for split in ("test", "validation"):
        if split in spec.splits:
            examples = fixture_examples(spec.name, split, lang)
            if examples and all(_labelled(ex) for ex in examples):
                return examples, lang
    pytest.fail(f"{spec.name}: no labelled test or validation fixture in {lang}")


def _run(ttype, encoder, head, features, pad_token_id):
    outputs = []
    with torch.no_grad():
        for start in range(0, len(features), BATCH):
            batch = ttype.collate(features[start:start + BATCH], pad_token_id)
            out = ttype.forward(encoder, head, batch)
            outputs.append(out["embeddings"] if isinstance(out, dict) else out)
    return outputs


def _train_batch(spec, ttype, examples, tokenizer):
    """A labelled training batch: the eval examples, or for trained retrieval the task's "pair" examples."""
    if spec.type != "retrieval":
        return ttype.collate(ttype.featurize(spec, examples[:BATCH], tokenizer, 64), tokenizer.pad_token_id)
    if spec.train_source is None:
        return None  # Tatoeba, BUCC: scored straight from the encoder, never trained
    pairs = [ex for ex in fixture_examples(spec.name, "train", spec.train_lang) if ex.get("kind") == "pair"]
    assert pairs, f"{spec.name}: a trained retrieval task needs 'pair' training examples"
    return ttype.collate(ttype.featurize(spec, pairs[:BATCH], tokenizer, 64), tokenizer.pad_token_id)


@pytest.mark.parametrize("task", sorted(TASKS))
def test_task_runs_end_to_end_on_the_tiny_model(task, tiny):
    encoder, tokenizer = tiny
    spec = TASKS[task]
    assert spec.type in TYPES, f"{task}: unknown type {spec.type}"
    ttype = TYPES[spec.type]
    examples, lang = _eval_examples(spec)
    torch.manual_seed(0)
    head = ttype.build_head(spec, encoder.config.hidden_size).eval()

    train = _train_batch(spec, ttype, examples, tokenizer)
    if train is not None:
        loss = ttype.loss(ttype.forward(encoder, head, train), train)
        assert loss.dim() == 0 and math.isfinite(loss.item()), f"{task}: loss {loss}"

    features = ttype.featurize(spec, examples, tokenizer, max_length=64)
    assert all(len(f["input_ids"]) <= 64 or spec.type == "multiple_choice" for f in features)
    assert {f["example_index"] for f in features} == set(range(len(examples)))
    predictions = ttype.decode(spec, examples, features, _run(ttype, encoder, head, features, tokenizer.pad_token_id))
    n_queries = sum(ex.get("kind") == "query" for ex in examples)
    if spec.metric != "bucc_f1":
        assert len(predictions) == (n_queries if spec.type == "retrieval" else len(examples))

    scores = ttype.score(spec, predictions, examples, lang)
    assert scores and all(0.0 <= v <= 100.0 for v in scores.values()), scores
    per_example = ttype.example_scores(spec, predictions, examples, lang)
    assert per_example and all(0.0 <= v <= 100.0 for v in per_example)
    parts = ttype.example_parts(spec, predictions, examples, lang)   # rows reduce to the headline metric
    headline_key = "f1" if "f1" in scores else next(iter(scores))
    assert reduce_parts(spec.metric, parts) == pytest.approx(scores[headline_key], abs=1e-9)


@pytest.mark.parametrize("task", sorted(TASKS))
def test_unlabelled_examples_featurize_and_decode(task, tiny):
    encoder, tokenizer = tiny
    spec = TASKS[task]
    ttype = TYPES[spec.type]
    examples, _ = _eval_examples(spec)
    bare = []
    for ex in examples:
        ex = {k: v for k, v in ex.items() if k not in LABEL_KEYS}
        if "answers" in ex:
            ex.pop("answers")
        bare.append(ex)
    features = ttype.featurize(spec, bare, tokenizer, max_length=64)
    assert not any(k in f for f in features for k in ("labels", "start_positions"))
    head = ttype.build_head(spec, encoder.config.hidden_size).eval()
    predictions = ttype.decode(spec, bare, features, _run(ttype, encoder, head, features, tokenizer.pad_token_id))
    assert predictions is not None


@pytest.mark.parametrize("type_name", sorted(TYPES))
def test_no_examples_give_no_features(type_name, tiny):
    spec = next(s for s in TASKS.values() if s.type == type_name)
    assert TYPES[type_name].featurize(spec, [], tiny[1], max_length=32) == []
