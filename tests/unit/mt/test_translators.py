"""The MT registry and the HF seq2seq backend: engines are found by name, batches keep their order."""

import pytest

from intermezzo.errors import UserError
from intermezzo.mt import TRANSLATORS, get_translator


def test_engines_are_checked():
    with pytest.raises(UserError, match="unknown translation engine 'hff'; did you mean hf"):
        get_translator("hff", "m")
    assert "hf" in TRANSLATORS


def test_the_core_does_not_import_the_demo():
    import subprocess
    import sys

    code = ("import sys, intermezzo.mt, intermezzo.phases.translate, intermezzo.phases.intermediate; "
            "print(sorted(m for m in sys.modules if m.startswith('intermezzo.demo')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_hf_backend_batches_and_restores_order(tmp_path, tiny_model_dir):
    import torch
    from transformers import AutoTokenizer, BartConfig, BartForConditionalGeneration

    tok = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    config = BartConfig(vocab_size=len(tok), d_model=16, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
                        decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32, max_position_embeddings=64,
                        pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                        decoder_start_token_id=tok.eos_token_id, forced_bos_token_id=None)
    torch.manual_seed(0)
    BartForConditionalGeneration(config).save_pretrained(tmp_path / "mt")
    tok.save_pretrained(tmp_path / "mt")
    mt = get_translator("hf", str(tmp_path / "mt"), batch_size=2, max_length=8)
    texts = ["a", "The quick brown fox jumps", "Berlin", "Who wrote the book?", "no"]
    together = mt.translate(texts, "en", "de")
    assert len(together) == 5 and all(isinstance(t, str) for t in together)
    assert together == [mt.translate([t], "en", "de")[0] for t in texts]
    assert mt.name == f"hf:{tmp_path / 'mt'}"
