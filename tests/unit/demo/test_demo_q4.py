"""The Q4_0 dequantiser against hand-computed values, and the E5S1 reader on a tiny synthetic file."""

import struct

import numpy as np
import pytest

from intermezzo.demo import q4
from intermezzo.errors import UserError
from demo_q4_fixture import PIECES, TINY, tiny_tensors, write_q4_file


def test_one_block_dequantises_as_computed_by_hand():
    # scale 0.5 (fp16 0x3800); byte j = low nibble j, high nibble 15 - j
    qs = bytes((j & 0x0F) | ((15 - j) << 4) for j in range(16))
    block = struct.pack("<H", 0x3800) + qs
    got = q4.dequantize_q4_0(block, 1, 32)[0]
    want = [(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)]
    assert got.tolist() == want


def test_two_rows_keep_their_own_scales():
    row0 = struct.pack("<H", 0x3C00) + bytes([0x98] * 16)   # d = 1: low 8 -> 0, high 9 -> 1
    row1 = struct.pack("<H", 0x4000) + bytes([0x0F] * 16)   # d = 2: low 15 -> 14, high 0 -> -16
    got = q4.dequantize_q4_0(row0 + row1, 2, 32)
    assert got[0].tolist() == [0.0] * 16 + [1.0] * 16
    assert got[1].tolist() == [14.0] * 16 + [-16.0] * 16


def test_quantise_round_trip_is_within_half_a_step():
    w = np.random.default_rng(0).normal(size=(4, 64)).astype(np.float32)
    back = q4.dequantize_q4_0(q4.quantize_q4_0(w), 4, 64)
    steps = np.abs(w.reshape(-1, 32)).max(axis=1) / 8
    err = np.abs(back - w).reshape(-1, 32).max(axis=1)
    # the max element may clip at +7 steps (it needs +8): allow one step there
    assert np.all(err <= steps * 1.0 + 1e-3)
    assert np.abs(back - w).mean() < steps.mean() / 2


def test_tiny_file_reads_back_config_vocab_and_tensors(tmp_path):
    tensors = tiny_tensors()
    path = write_q4_file(tmp_path / "tiny.bin", tensors=tensors)
    buf = path.read_bytes()
    header = q4.read_header(buf, path)
    assert {k: header.config[k] for k in TINY} == TINY
    assert header.pieces == PIECES and header.specials == {"bos": 0, "eos": 2, "pad": 1, "unk": 3}
    got = q4.read_tensors(buf, header)
    assert got["emb.ln.w"].shape == (32,) and np.array_equal(got["emb.ln.w"], tensors["emb.ln.w"])
    assert got["l1.fi.w"].shape == (64, 32) and got["l1.fo.w"].shape == (32, 64) and got["l0.fi.b"].shape == (64,)
    want = q4.dequantize_q4_0(q4.quantize_q4_0(tensors["l0.q.w"]), 32, 32)
    assert np.array_equal(got["l0.q.w"], want)
    assert np.abs(got["emb.word"] - tensors["emb.word"]).max() < 0.05


def test_state_dict_names_and_shapes_match_a_bert_model(tmp_path):
    from transformers import BertConfig, BertModel

    path = write_q4_file(tmp_path / "tiny.bin")
    buf = path.read_bytes()
    header = q4.read_header(buf, path)
    sd = q4.hf_state_dict(q4.read_tensors(buf, header), TINY["num_hidden_layers"])
    model = BertModel(BertConfig(**TINY))
    want = {k: tuple(v.shape) for k, v in model.state_dict().items() if not k.startswith("pooler")
            and "position_ids" not in k and "token_type_ids" not in k}
    assert {k: v.shape for k, v in sd.items()} == want


def test_bad_magic_and_truncation_are_user_errors(tmp_path):
    path = write_q4_file(tmp_path / "tiny.bin")
    with pytest.raises(UserError, match="bad magic"):
        q4.read_header(b"GGUF" + path.read_bytes()[4:], path)
    for cut in (60, 100, 200):   # inside the sizes, the piece offsets, the scores
        with pytest.raises(UserError, match="truncated"):
            q4.read_header(path.read_bytes()[:cut], path)
    data = bytearray(path.read_bytes())
    header = q4.read_header(bytes(data), path)
    cut = bytes(data[:header.tensors["l1.oln.b"].offset])
    with pytest.raises(UserError):
        q4.read_header(cut, path)
