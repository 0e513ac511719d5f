"""Retrieval: ranking on hand-made embeddings, BUCC mining and threshold tuning, the contrastive loss."""

import pytest
import torch

from intermezzo.errors import UserError
from intermezzo.tasks.spec import RetrievalOptions, TaskSpec
from intermezzo.types import TYPES
from intermezzo.types.retrieval import RetrievalHead, cosine, mine_pairs, top_candidates, tune_threshold

RET = TYPES["retrieval"]


def _spec(metric, **options):
    return TaskSpec(name=f"toy_{metric}", type="retrieval", langs=("de",), metric=metric, citation="-",
                    retrieval=RetrievalOptions(**options))


EXAMPLES = [{"id": "q1", "kind": "query", "text": "a", "gold": ["c2"]},
            {"id": "q2", "kind": "query", "text": "b", "gold": ["c1"]},
            {"id": "c1", "kind": "candidate", "text": "x"},
            {"id": "c2", "kind": "candidate", "text": "y"},
            {"id": "c3", "kind": "candidate", "text": "z"}]
FEATURES = [{"example_index": i} for i in range(5)]
# q1 is closest to c2 then c3; q2 closest to c1 then c3
EMB = torch.tensor([[0.0, 1.0, 0.2], [1.0, 0.0, 0.1], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.3, 0.3, 1.0]])


def test_ranked_ids_by_cosine_for_mrr_and_nearest_for_accuracy():
    ranked = RET.decode(_spec("mrr@20"), EXAMPLES, FEATURES, [{"embeddings": EMB}])
    assert ranked == [["c2", "c3", "c1"], ["c1", "c3", "c2"]]
    assert RET.decode(_spec("map@20", top_k=2), EXAMPLES, FEATURES, [EMB]) == [["c2", "c3"], ["c1", "c3"]]
    assert RET.decode(_spec("accuracy"), EXAMPLES, FEATURES, list(EMB)) == ["c2", "c1"]
    # cosine, not dot product: scaling a candidate does not change the ranking
    scaled = EMB.clone()
    scaled[4] *= 100
    assert RET.decode(_spec("mrr@20"), EXAMPLES, FEATURES, [scaled]) == ranked
    assert RET.references(_spec("mrr@20"), EXAMPLES) == [["c2"], ["c1"]]
    assert RET.references(_spec("accuracy"), EXAMPLES) == ["c2", "c1"]


def test_tune_threshold_picks_the_f1_best_cut():
    gold = {("a", "1"), ("b", "2"), ("c", "3")}
    scored = [("a", "1", 0.9), ("x", "9", 0.8), ("b", "2", 0.7), ("c", "3", 0.6), ("y", "8", 0.5), ("z", "7", 0.4)]
    threshold, f1 = tune_threshold(scored, gold)
    # keeping >= 0.6: 3 correct of 4 kept, all 3 gold found -> F1 = 6/7, the best cut
    assert threshold == 0.6 and f1 == pytest.approx(100 * 6 / 7)
    assert tune_threshold([("x", "9", 0.9)], gold)[1] == 0.0
    with pytest.raises(UserError):
        tune_threshold(scored, set())


def test_bucc_mining_keeps_pairs_above_the_threshold():
    # distinct texts: a sentence repeated within a side has no single id and is dropped, as XTREME does
    ex = [{"id": "de-1", "kind": "query", "text": "s1", "gold": ["en-2"]},
          {"id": "de-2", "kind": "query", "text": "s2"},            # no translation in the pool
          {"id": "en-1", "kind": "candidate", "text": "t1"}, {"id": "en-2", "kind": "candidate", "text": "t2"}]
    emb = torch.tensor([[0.0, 1.0], [0.7, 0.7], [1.0, 0.05], [0.05, 1.0]])
    feats = [{"example_index": i} for i in range(4)]
    pairs = RET.decode(_spec("bucc_f1"), ex, feats, [emb])  # tuned on these (labelled) examples
    assert pairs == [("de-1", "en-2")]
    assert RET.references(_spec("bucc_f1"), ex) == [("de-1", "en-2")]
    threshold = RET.tune_bucc_threshold(_spec("bucc_f1"), ex, feats, [emb])
    assert RET.decode(_spec("bucc_f1", threshold=threshold), ex, feats, [emb]) == pairs
    everything = RET.decode(_spec("bucc_f1", threshold=-1.0), ex, feats, [emb])
    assert len(everything) == 2
    scored = mine_pairs(["de-1", "de-2"], ["en-1", "en-2"], emb[:2], emb[2:], k=2)
    assert scored[0][:2] == ("de-1", "en-2") and scored[0][2] > scored[1][2]


def test_chunked_search_and_margin_match_the_whole_matrix():
    torch.manual_seed(0)
    q, c = torch.randn(37, 8), torch.randn(53, 8)
    sim = cosine(q, c)
    values, index = top_candidates(q, c, 5, chunk=6)
    assert torch.equal(index, sim.topk(5, dim=1).indices) and torch.allclose(values, sim.topk(5, dim=1).values)
    k = 3
    margin = sim / ((sim.topk(k, dim=1).values.mean(1, keepdim=True) + sim.topk(k, dim=0).values.mean(0)) / 2)
    mined = mine_pairs([str(i) for i in range(37)], [str(j) for j in range(53)], q, c, k=k, chunk=5)
    assert [int(b) for _, b, _ in mined] == margin.argmax(1).tolist()
    assert [s for _, _, s in mined] == pytest.approx(margin.max(1).values.tolist(), abs=1e-5)
    plain = mine_pairs([str(i) for i in range(37)], [str(j) for j in range(53)], q, c, k=0, chunk=5)
    assert [s for _, _, s in plain] == pytest.approx(sim.max(1).values.tolist(), abs=1e-5)


def test_head_has_no_parameters_and_reads_the_chosen_layer(tiny):
    encoder, tok = tiny
    spec = _spec("accuracy")
    head = RET.build_head(spec, encoder.config.hidden_size)
    assert list(head.parameters()) == [] and head.layer is None
    ex = [{"id": "1", "kind": "query", "text": "Hello world"}, {"id": "2", "kind": "candidate", "text": "Привет"}]
    batch = RET.collate(RET.featurize(spec, ex, tok, 32), tok.pad_token_id)
    with torch.no_grad():
        states = encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                         output_hidden_states=True).hidden_states
        emb = RET.forward(encoder, head, batch)["embeddings"]
        mask = batch["attention_mask"].unsqueeze(-1).float()
        middle = (states[2] * mask).sum(1) / mask.sum(1)  # 2 layers -> layer 2 (n // 2 + 1)
        assert torch.allclose(emb, middle, atol=1e-6)
        cls = RetrievalHead(layer=1, pooling="cls")
        assert torch.allclose(cls(states, batch["attention_mask"]), states[1][:, 0])
    assert RET.build_head(_spec("accuracy", layer=1, pooling="cls"), 32).saved_attrs["layer"] == 1
    with pytest.raises(UserError, match="pooling"):
        RetrievalHead(pooling="max")


def test_contrastive_training_on_pairs_lowers_the_loss(tiny_model_dir):
    from intermezzo.modeling import load_encoder

    torch.manual_seed(0)
    encoder, tok = load_encoder(tiny_model_dir)
    spec = TaskSpec(name="toy_pairs", type="retrieval", langs=("en",), metric="mrr@20", citation="-",
                    train_source="toy_pairs")
    texts = ["Berlin", "Moscow", "Tokyo", "Cairo"]
    ex = [{"id": str(i), "kind": "pair", "text": t, "positive": f"I live in {t}"} for i, t in enumerate(texts)]
    head = RET.build_head(spec, encoder.config.hidden_size)
    assert head.layer == -1  # fine-tuned retrieval reads the last layer
    batch = RET.collate(RET.featurize(spec, ex, tok, 32), tok.pad_token_id)
    assert batch["pos_input_ids"].shape[0] == 4
    opt = torch.optim.AdamW(encoder.parameters(), lr=3e-3)
    losses = []
    for _ in range(8):
        loss = RET.loss(RET.forward(encoder, head, batch), batch)
        opt.zero_grad(), loss.backward(), opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
