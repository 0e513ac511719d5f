"""The types with a WordPiece (mBERT-like) tokenizer and BertModel: token_type_ids, other special tokens."""

import torch

from support.fixtures import fixture_examples
from intermezzo.tasks import TASKS
from intermezzo.types import TYPES


def test_tokenizer_is_wordpiece_with_token_types(tiny_bert):
    _, tok = tiny_bert
    enc = tok("Berlin", "Moscow")
    assert tok.cls_token == "[CLS]" and enc["token_type_ids"][-1] == 1


def test_pair_classification_passes_token_type_ids(tiny_bert):
    encoder, tok = tiny_bert
    spec, ttype = TASKS["xnli"], TYPES["classification"]
    examples = fixture_examples("xnli", "test", "de")[:4]
    batch = ttype.collate(ttype.featurize(spec, examples, tok, 48), tok.pad_token_id)
    assert "token_type_ids" in batch and batch["token_type_ids"].max() == 1
    head = ttype.build_head(spec, encoder.config.hidden_size)
    assert torch.isfinite(ttype.loss(ttype.forward(encoder, head, batch), batch))


def test_tagging_and_qa_round_trip_with_wordpiece(tiny_bert):
    _, tok = tiny_bert
    tag, qa = TYPES["tagging"], TYPES["extractive_qa"]
    spec = TASKS["panx"]
    examples = fixture_examples("panx", "test", "ru")
    feats = tag.featurize(spec, examples, tok, 64)
    gold = [torch.nn.functional.one_hot(torch.tensor(f["labels"]).clamp(min=0), len(spec.labels)).float()
            for f in feats]
    assert tag.decode(spec, examples, feats, gold) == [ex["tags"] for ex in examples]

    spec = TASKS["xquad"]
    examples = fixture_examples("xquad", "test", "de")
    feats = qa.featurize(spec, examples, tok, 64, doc_stride=16)
    outputs = []
    for f in feats:
        start, end = torch.zeros(len(f["input_ids"])), torch.zeros(len(f["input_ids"]))
        start[f["start_positions"]] = end[f["end_positions"]] = 10.0
        outputs.append((start, end))
    assert qa.decode(spec, examples, feats, outputs) == [ex["answers"]["text"][0] for ex in examples]
