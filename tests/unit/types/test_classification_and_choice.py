"""Classification and multiple choice: featurize, dynamic padding, decode, and learning on a toy set."""

import pytest
import torch

from intermezzo.errors import UserError
from intermezzo.tasks.spec import TaskSpec
from intermezzo.types import TYPES

PAIR = TaskSpec(name="toy_nli", type="classification", langs=("en",), metric="accuracy", citation="-",
                fields=("premise", "hypothesis"), labels=("entailment", "neutral", "contradiction"))
SINGLE = TaskSpec(name="toy_sent", type="classification", langs=("en",), metric="accuracy", citation="-",
                  fields=("text",), labels=("neg", "pos"))
CHOICE = TaskSpec(name="toy_copa", type="multiple_choice", langs=("en",), metric="accuracy", citation="-")
CLS, MC = TYPES["classification"], TYPES["multiple_choice"]


def test_pair_featurize_truncates_longest_first_and_maps_labels(tiny):
    _, tok = tiny
    long = "The quick brown fox jumps over the lazy dog " * 10
    ex = [{"id": "a", "premise": long, "hypothesis": "A dog.", "label": "neutral"},
          {"id": "b", "premise": "Hi", "hypothesis": "Yes", "label": "contradiction"}]
    feats = CLS.featurize(PAIR, ex, tok, max_length=24)
    assert len(feats[0]["input_ids"]) == 24
    # longest_first cuts the long premise, so the short hypothesis survives whole, before the final </s>
    assert feats[0]["input_ids"][-len(tok("A dog.")["input_ids"]) + 1:] == tok("A dog.")["input_ids"][1:]
    assert [f["labels"] for f in feats] == [1, 2] and [f["example_index"] for f in feats] == [0, 1]
    with pytest.raises(UserError, match="not one of"):
        CLS.featurize(PAIR, [{**ex[1], "label": "maybe"}], tok, 24)
    with pytest.raises(UserError, match="hypothesis"):
        CLS.featurize(PAIR, [{"id": "c", "premise": "x"}], tok, 24)


def test_collate_pads_to_longest_in_batch_not_max_length(tiny):
    _, tok = tiny
    ex = [{"id": "1", "text": "Hello"}, {"id": "2", "text": "Hello world, how are you"}]
    feats = CLS.featurize(SINGLE, ex, tok, max_length=128)
    batch = CLS.collate(feats, tok.pad_token_id)
    longest = max(len(f["input_ids"]) for f in feats)
    assert batch["input_ids"].shape == (2, longest) < (2, 128)
    short = len(feats[0]["input_ids"])
    assert (batch["input_ids"][0, short:] == tok.pad_token_id).all() and batch["attention_mask"][0, short:].sum() == 0
    assert "labels" not in batch  # unlabelled data collates without targets


def test_decode_maps_argmax_to_label_strings():
    feats = [{"example_index": 1}, {"example_index": 0}]
    out = [torch.tensor([[0.1, 0.9], [2.0, -1.0]])]  # one batch output, feature order
    assert CLS.decode(SINGLE, [{}, {}], feats, out) == ["neg", "pos"]
    assert CLS.decode(SINGLE, [{}, {}], feats, list(out[0])) == ["neg", "pos"]  # per-feature form


def test_a_few_steps_lower_the_classification_loss(tiny_model_dir):
    from intermezzo.modeling import load_encoder

    torch.manual_seed(0)
    encoder, tok = load_encoder(tiny_model_dir)
    ex = [{"id": str(i), "text": t, "label": lab} for i, (t, lab) in enumerate(
        [("good great fine", "pos"), ("bad awful poor", "neg"), ("great good", "pos"), ("awful bad", "neg")])]
    head = CLS.build_head(SINGLE, encoder.config.hidden_size)
    batch = CLS.collate(CLS.featurize(SINGLE, ex, tok, 32), tok.pad_token_id)
    params = list(encoder.parameters()) + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=3e-3)
    encoder.train(), head.train()
    losses = []
    for _ in range(12):
        loss = CLS.loss(CLS.forward(encoder, head, batch), batch)
        opt.zero_grad(), loss.backward(), opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    encoder.eval(), head.eval()
    with torch.no_grad():
        preds = CLS.decode(SINGLE, ex, CLS.featurize(SINGLE, ex, tok, 32), [CLS.forward(encoder, head, batch)])
    assert preds == [e["label"] for e in ex]


def test_multiple_choice_shapes_and_ragged_choices(tiny):
    encoder, tok = tiny
    ex = [{"id": "a", "context": "The man broke his toe.", "question": "cause",
           "choices": ["He dropped a hammer on his foot.", "He got a hole in his sock."], "label": 0},
          {"id": "b", "context": "It rained.", "question": "effect", "choices": ["Wet.", "Dry.", "Both."],
           "label": 2}]
    feats = MC.featurize(CHOICE, ex, tok, max_length=32)
    assert [len(f["input_ids"]) for f in feats] == [2, 3]
    batch = MC.collate(feats, tok.pad_token_id)
    longest = max(len(r) for f in feats for r in f["input_ids"])
    assert batch["input_ids"].shape == (2, 3, longest)
    assert batch["choice_mask"].tolist() == [[True, True, False], [True, True, True]]
    head = MC.build_head(CHOICE, encoder.config.hidden_size).eval()
    with torch.no_grad():
        scores = MC.forward(encoder, head, batch)
    assert scores.shape == (2, 3) and scores[0, 2] < -1e3  # the padded-in choice can never win
    assert torch.isfinite(MC.loss(scores, batch))
    assert MC.decode(CHOICE, ex, feats, [torch.tensor([[0.0, 1.0, 9.0], [3.0, 1.0, 2.0]])]) == ["1", "0"]
    with pytest.raises(UserError, match="choice index"):
        MC.featurize(CHOICE, [{**ex[0], "label": 5}], tok, 32)
