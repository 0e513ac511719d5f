"""resolve_retrieval: XTREME's layer per model family (12 and 24 layers), sentence embedders, config overrides."""

import json

import pytest
import torch
from transformers import BertConfig, XLMRobertaConfig

from intermezzo.errors import UserError
from intermezzo.tasks import get_task
from intermezzo.types import TYPES
from intermezzo.types.retrieval import resolve_retrieval

MBERT = BertConfig(num_hidden_layers=12)
XLMR_LARGE = XLMRobertaConfig(num_hidden_layers=24, hidden_size=1024)


def test_xtreme_tatoeba_layers_for_12_and_24_layers():
    # run_tatoeba.sh: --specific_layer 7 (12 layers) / 13 (XLM-R large) after evaluate_retrieval.py drops
    # the embedding output, i.e. hidden_states[8] and hidden_states[14]; mean pooling
    index, pooling, why = resolve_retrieval(MBERT, "bert-base-multilingual-cased", task="tatoeba")
    assert (index, pooling) == (8, "mean") and "run_tatoeba.sh" in why and "--specific_layer 7" in why
    index, pooling, why = resolve_retrieval(XLMR_LARGE, "xlm-roberta-large", task="tatoeba")
    assert (index, pooling) == (14, "mean") and "--specific_layer 13" in why
    assert resolve_retrieval(XLMRobertaConfig(num_hidden_layers=12), "xlm-roberta-base")[:2] == (8, "mean")


def test_xtreme_bucc_reads_specific_layer_7_with_cls_for_every_model():
    assert resolve_retrieval(MBERT, "bert-base-multilingual-cased", task="bucc2018")[:2] == (8, "cls")
    assert resolve_retrieval(XLMR_LARGE, "xlm-roberta-large", task="bucc2018")[:2] == (8, "cls")


def test_shallow_and_truncated_encoders_stay_in_range():
    assert resolve_retrieval(BertConfig(num_hidden_layers=4), "my-encoder")[0] == 4
    assert resolve_retrieval(BertConfig(num_hidden_layers=6), "my-encoder")[0] == 5
    assert resolve_retrieval(BertConfig(num_hidden_layers=2), "tiny", task="bucc2018")[0] == 2


@pytest.mark.parametrize("name, pooling", [
    ("intfloat/multilingual-e5-small", "mean"), ("intfloat/e5-base-v2", "mean"), ("setu4993/LaBSE", "cls"),
    ("sentence-transformers/paraphrase-multilingual-mpnet-base-v2", "mean"), ("BAAI/bge-m3", "cls"),
])
def test_sentence_embedders_use_their_last_layer_and_own_pooling(name, pooling):
    index, pooled, why = resolve_retrieval(MBERT, name, task="tatoeba")
    assert (index, pooled) == (12, pooling) and "sentence embedder" in why and "hidden_states[12]" in why


def test_a_folder_is_known_by_its_own_name_or_its_sentence_transformers_files(tmp_path):
    run = tmp_path / "e5_vs_xlmr" / "xlmr"          # a user's folder names never decide the family
    run.mkdir(parents=True)
    assert resolve_retrieval(MBERT, run)[0] == 8
    e5 = tmp_path / "multilingual-e5-small"
    e5.mkdir()
    assert resolve_retrieval(MBERT, e5)[:2] == (12, "mean")
    st = tmp_path / "my-model"
    (st / "1_Pooling").mkdir(parents=True)
    (st / "modules.json").write_text(json.dumps([{"idx": 1, "name": "1", "path": "1_Pooling",
                                                  "type": "sentence_transformers.models.Pooling"}]))
    (st / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True}))
    assert resolve_retrieval(MBERT, st)[:2] == (12, "cls")
    trained = BertConfig(num_hidden_layers=4, intermezzo_base_model="multilingual-e5-small")
    assert resolve_retrieval(trained, tmp_path / "model")[:2] == (4, "mean")


def test_config_overrides_layer_pooling_or_both():
    assert resolve_retrieval(MBERT, "intfloat/multilingual-e5-small", 8, "cls")[:2] == (8, "cls")
    index, pooling, why = resolve_retrieval(MBERT, "intfloat/multilingual-e5-small", layer=-1)
    assert (index, pooling) == (12, "mean") and "layer set in config" in why
    assert resolve_retrieval(XLMR_LARGE, "xlm-roberta-large", pooling="cls", task="tatoeba")[:2] == (14, "cls")
    assert resolve_retrieval(MBERT, "x", layer=0)[0] == 0   # the embedding output
    with pytest.raises(UserError, match="retrieval_layer 13: the encoder has 12 layers"):
        resolve_retrieval(MBERT, "x", layer=13)
    with pytest.raises(UserError, match="retrieval_pooling 'max'"):
        resolve_retrieval(MBERT, "x", pooling="max")


def test_the_scoring_head_reads_the_resolved_hidden_state():
    torch.manual_seed(0)
    from transformers import BertModel

    config = BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=12, num_attention_heads=2,
                        intermediate_size=8)
    encoder = BertModel(config).eval()
    spec = get_task("tatoeba")
    head, why = TYPES["retrieval"].scoring_head(spec, encoder, "bert-base-multilingual-cased")
    assert (head.layer, head.pooling) == (8, "mean") and why.startswith("hidden_states[8] of 12 layers")
    batch = {"input_ids": torch.tensor([[1, 5, 7, 2, 0]]), "attention_mask": torch.tensor([[1, 1, 1, 1, 0]])}
    with torch.no_grad():
        states = encoder(**batch, output_hidden_states=True).hidden_states
        emb = TYPES["retrieval"].forward(encoder, head, batch)["embeddings"]
    assert torch.allclose(emb[0], states[8][0, :4].mean(0), atol=1e-6)
    # built without resolution (no config at hand), a head still takes XTREME's layer for the depth
    assert torch.allclose(TYPES["retrieval"].build_head(spec, 8)(states, batch["attention_mask"]), emb, atol=1e-6)
    assert TYPES["retrieval"].build_head(get_task("bucc2018"), 8).pooling == "cls"


def test_saved_models_remember_their_base_model(tiny, tmp_path):
    from intermezzo.modeling import load_encoder, save_model

    encoder, tok = tiny
    before = encoder.config._name_or_path, getattr(encoder.config, "intermezzo_base_model", None)
    encoder.config._name_or_path = str(tmp_path / "multilingual-e5-small")  # as if loaded from that folder
    encoder.config.intermezzo_base_model = None
    (tmp_path / "multilingual-e5-small").mkdir()
    try:
        save_model(tmp_path / "run" / "model", encoder, tok)
    finally:
        encoder.config._name_or_path, encoder.config.intermezzo_base_model = before
    trained, _ = load_encoder(tmp_path / "run" / "model")
    assert trained.config.intermezzo_base_model == "multilingual-e5-small"
    index, pooling, why = resolve_retrieval(trained.config, tmp_path / "run" / "model")
    assert (index, pooling) == (2, "mean") and "multilingual-e5-small is a sentence embedder" in why
    # a model trained from the trained one keeps the first base, not "model"
    save_model(tmp_path / "run2" / "model", trained, tok)
    assert load_encoder(tmp_path / "run2" / "model")[0].config.intermezzo_base_model == "multilingual-e5-small"
