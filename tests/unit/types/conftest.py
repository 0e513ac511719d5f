"""Session fixtures of the type tests (the tiny model itself is in tests/conftest.py)."""

import pytest


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory):
    """A tiny mBERT-like model (WordPiece, token_type_ids, BertModel), to prove the types are tokenizer-agnostic."""
    import torch
    from tokenizers import Tokenizer, normalizers, pre_tokenizers
    from tokenizers.models import WordPiece
    from tokenizers.trainers import WordPieceTrainer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    from intermezzo.modeling import load_encoder
    from intermezzo.modeling.tiny import BUILTIN_TEXT

    folder = tmp_path_factory.getbasetemp() / "tiny-bert"
    if not (folder / "config.json").is_file():
        wp = Tokenizer(WordPiece(unk_token="[UNK]"))
        wp.normalizer = normalizers.BertNormalizer(lowercase=False)
        wp.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        wp.train_from_iterator(BUILTIN_TEXT.splitlines(), WordPieceTrainer(
            vocab_size=800, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], show_progress=False))
        tok = BertTokenizerFast(vocab=wp.get_vocab(), do_lower_case=False)
        torch.manual_seed(0)
        model = BertModel(BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                                     intermediate_size=64, max_position_embeddings=128))
        model.save_pretrained(folder)
        tok.save_pretrained(folder)
    encoder, tokenizer = load_encoder(folder)
    return encoder.eval(), tokenizer
