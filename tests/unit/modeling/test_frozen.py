"""freeze_layers: the frozen bottom is computed once per input, and the results equal the plain forward's."""

import pytest
import torch

from intermezzo.errors import UserError
from intermezzo.modeling import frozen, load_encoder


@pytest.fixture(autouse=True)
def empty_cache():
    frozen.clear()
    yield
    frozen.clear()


def _batch(tokenizer, texts):
    enc = tokenizer(texts, padding=True, return_tensors="pt")
    return enc["input_ids"], enc["attention_mask"]


TEXTS = ["a short one", "a somewhat longer sentence than the first one", "third"]


def test_cached_forward_equals_the_plain_forward_and_reuses_rows(tiny_model_dir):
    plain, tok = load_encoder(tiny_model_dir)
    cached, _ = load_encoder(tiny_model_dir, freeze_layers=1)
    plain.eval(), cached.eval()
    ids, mask = _batch(tok, TEXTS)
    with torch.no_grad():
        want = plain(input_ids=ids, attention_mask=mask).last_hidden_state
        got = cached(input_ids=ids, attention_mask=mask).last_hidden_state
        assert frozen.stats()["misses"] == 3 and frozen.stats()["hits"] == 0
        # the same sentences in another batch (other padding width): every row comes from the cache
        ids2, mask2 = _batch(tok, TEXTS[:1] + TEXTS[2:])
        again = cached(input_ids=ids2, attention_mask=mask2).last_hidden_state
    real = mask.bool()
    assert torch.allclose(got[real], want[real], atol=1e-5)
    assert frozen.stats()["hits"] == 2 and frozen.stats()["entries"] == 3
    assert torch.allclose(again[0, :int(mask2[0].sum())], want[0, :int(mask[0].sum())], atol=1e-5)


def test_only_the_top_layers_train_and_get_gradients(tiny_model_dir):
    enc, tok = load_encoder(tiny_model_dir, freeze_layers=1)
    trainable = {n for n, p in enc.named_parameters() if p.requires_grad}
    assert trainable and all(n.startswith(("encoder.layer.1.", "pooler.")) for n in trainable)
    enc.train()
    ids, mask = _batch(tok, TEXTS)
    enc(input_ids=ids, attention_mask=mask).last_hidden_state.sum().backward()
    assert enc.encoder.layer[1].attention.self.query.weight.grad is not None
    assert enc.encoder.layer[0].attention.self.query.weight.grad is None
    # the layer list and the embeddings are back in place after the call; saving sees the whole model
    assert len(enc.encoder.layer) == 2 and "embeddings.word_embeddings.weight" in enc.state_dict()


def test_other_frozen_weights_or_precision_do_not_share_entries(tiny_model_dir):
    a, tok = load_encoder(tiny_model_dir, freeze_layers=1)
    b, _ = load_encoder(tiny_model_dir, freeze_layers=1)
    with torch.no_grad():
        b.encoder.layer[0].output.dense.bias.add_(1.0)
    b.frozen_prefix.key = frozen.fingerprint([b.embeddings, b.encoder.layer[0]])
    ids, mask = _batch(tok, TEXTS)
    with torch.no_grad():
        a(input_ids=ids, attention_mask=mask)
        b(input_ids=ids, attention_mask=mask)
        assert frozen.stats()["hits"] == 0
        with torch.autocast("cpu", dtype=torch.bfloat16):
            a(input_ids=ids, attention_mask=mask)
    assert frozen.stats()["hits"] == 0 and frozen.stats()["entries"] == 9


def test_masked_lm_inputs_and_a_full_cache_are_computed_not_stored(tiny_model_dir, monkeypatch):
    enc, tok = load_encoder(tiny_model_dir, freeze_layers=1)
    ids, mask = _batch(tok, TEXTS)
    masked = ids.clone()
    masked[0, 1] = tok.mask_token_id
    with torch.no_grad():
        enc(input_ids=masked, attention_mask=mask)
        assert frozen.stats()["entries"] == 2 and frozen.stats()["not_stored"] == 1
        frozen.clear()
        monkeypatch.setenv("INTERMEZZO_FROZEN_CACHE_MB", "0")
        out = enc(input_ids=ids, attention_mask=mask).last_hidden_state
    assert frozen.stats()["entries"] == 0 and out.shape[:2] == ids.shape


def test_hidden_states_of_every_layer_come_from_the_plain_forward(tiny_model_dir):
    enc, tok = load_encoder(tiny_model_dir, freeze_layers=1)
    ids, mask = _batch(tok, TEXTS)
    with torch.no_grad():
        out = enc(input_ids=ids, attention_mask=mask, output_hidden_states=True)
    assert len(out.hidden_states) == 3 and frozen.stats()["misses"] == 0


def test_freeze_layers_out_of_range_is_a_user_error(tiny_model_dir):
    with pytest.raises(UserError, match="freeze_layers=5: the encoder has 2 layers"):
        load_encoder(tiny_model_dir, freeze_layers=5)
