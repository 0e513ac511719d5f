"""Saving a model folder (encoder, tokenizer, task heads) as safetensors, rebuilding heads, and the MLM head."""

from __future__ import annotations

import json
import os
from pathlib import Path

import torch
from torch import nn

from intermezzo.errors import UserError
from intermezzo.io import atomic_dir, atomic_write_json

HEADS_WEIGHTS = "heads.safetensors"
HEADS_JSON = "heads.json"


class MLMHead(nn.Module):
    """RoBERTa-style LM head (dense, GELU, LayerNorm, decoder) whose decoder weight is the input embedding."""

    def __init__(self, hidden_size: int, vocab_size: int, eps: float = 1e-5):
        super().__init__()
        self.dense = nn.Linear(hidden_size, hidden_size)
        self.layer_norm = nn.LayerNorm(hidden_size, eps=eps)
        self.decoder = nn.Linear(hidden_size, vocab_size, bias=False)
        self.bias = nn.Parameter(torch.zeros(vocab_size))

    def tie(self, encoder) -> None:
        """Share the decoder weight with the encoder's input embeddings (as the pretrained LM head does)."""
        self.decoder.weight = encoder.get_input_embeddings().weight

    def forward(self, hidden_states):
        x = self.layer_norm(nn.functional.gelu(self.dense(hidden_states)))
        return self.decoder(x) + self.bias


# Where pretrained checkpoints keep their LM head: RoBERTa/XLM-R names, then BERT/mBERT names (ours <- theirs).
LM_HEAD_NAMES = (
    {"dense.weight": "lm_head.dense.weight", "dense.bias": "lm_head.dense.bias",
     "layer_norm.weight": "lm_head.layer_norm.weight", "layer_norm.bias": "lm_head.layer_norm.bias",
     "bias": "lm_head.bias"},
    {"dense.weight": "cls.predictions.transform.dense.weight", "dense.bias": "cls.predictions.transform.dense.bias",
     "layer_norm.weight": "cls.predictions.transform.LayerNorm.weight",
     "layer_norm.bias": "cls.predictions.transform.LayerNorm.bias", "bias": "cls.predictions.bias"},
)


def _checkpoint_tensors(folder: Path, wanted: set[str]) -> dict:
    """The tensors named in `wanted` that a safetensors checkpoint folder holds (single file or shards)."""
    from safetensors import safe_open

    index = folder / "model.safetensors.index.json"
    if index.is_file():
        weight_map = json.loads(index.read_text(encoding="utf-8")).get("weight_map", {})
        files = sorted({weight_map[k] for k in wanted if k in weight_map})
    else:
        files = ["model.safetensors"] if (folder / "model.safetensors").is_file() else []
    found = {}
    for name in files:
        with safe_open(str(folder / name), framework="pt") as f:
            found.update({k: f.get_tensor(k) for k in wanted & set(f.keys())})
    return found


def add_mlm_head(encoder, checkpoint: str | os.PathLike | None = None) -> MLMHead:
    """An LM head tied to the input embeddings, with the pretrained LM head's weights when `checkpoint`
    (a local model folder) has them (RoBERTa/XLM-R or BERT names), else freshly initialised."""
    emb = encoder.get_input_embeddings()
    eps = getattr(encoder.config, "layer_norm_eps", 1e-5)
    head = MLMHead(emb.weight.shape[1], emb.weight.shape[0], eps=eps)
    head.tie(encoder)
    if checkpoint is not None and Path(checkpoint).is_dir():
        for names in LM_HEAD_NAMES:
            found = _checkpoint_tensors(Path(checkpoint), set(names.values()))
            if len(found) == len(names):
                head.load_state_dict({ours: found[theirs] for ours, theirs in names.items()}, strict=False)
                break
    return head.to(dtype=emb.weight.dtype, device=emb.weight.device)


def unwrap(module):
    """The model inside DistributedDataParallel / torch.compile wrappers (what gets saved)."""
    for attr in ("module", "_orig_mod"):
        while isinstance(getattr(module, attr, None), nn.Module):
            module = getattr(module, attr)
    return module


def _head_state(head: nn.Module, shared: set[int]) -> tuple[dict, list[str]]:
    """Head tensors to store, and the names left out because they are encoder parameters (tied)."""
    state, tied = {}, []
    for key, value in head.state_dict().items():
        if value.data_ptr() in shared:
            tied.append(key)
        else:
            state[key] = value.detach().cpu().contiguous()
    return state, tied


def save_model(folder: str | os.PathLike, encoder, tokenizer, heads: dict[str, nn.Module] | None = None,
               head_meta: dict[str, dict] | None = None) -> Path:
    """Write encoder + tokenizer (HF folder, safetensors) and heads (heads.safetensors + heads.json) atomically.

    `head_meta[name]` says how to rebuild a head: {"type": <TYPES key>, "task": <TASKS key>} for task heads,
    {"kind": "mlm"} for the MLM head; anything else needs `build=` in load_heads.
    """
    from safetensors.torch import save_file

    heads, head_meta = {k: unwrap(h) for k, h in (heads or {}).items()}, head_meta or {}
    encoder = unwrap(encoder)
    shared = {p.data_ptr() for p in encoder.parameters()}
    tensors, described = {}, {}
    for name, head in heads.items():
        if "." in name:
            raise UserError(f"head name '{name}': must not contain '.'; rename it")
        state, tied = _head_state(head, shared)
        tensors.update({f"{name}.{k}": v for k, v in state.items()})
        meta = dict(head_meta.get(name, {}))
        if isinstance(head, MLMHead):
            meta.setdefault("kind", "mlm")
        described[name] = {**meta, "class": type(head).__name__, "tied": tied,
                           "attrs": dict(getattr(head, "saved_attrs", {}) or {}),
                           "hidden_size": encoder.config.hidden_size}
    folder = Path(folder)
    _record_base_model(encoder.config)
    with atomic_dir(folder) as tmp:
        encoder.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        if heads:
            save_file(tensors, str(tmp / HEADS_WEIGHTS), metadata={"format": "pt"})
            atomic_write_json(tmp / HEADS_JSON, described)
    return folder


def _record_base_model(config) -> None:
    """Keep the name of the model training started from in config.json (`intermezzo_base_model`), so that
    retrieval defaults that depend on the model family (a sentence embedder's own layer and pooling) apply
    to every model trained from it alike: arms of one comparison must read the same layer."""
    from intermezzo.types.retrieval_layers import model_name

    if not getattr(config, "intermezzo_base_model", None):
        config.intermezzo_base_model = model_name(getattr(config, "_name_or_path", "")) or None


def _rebuild(name: str, meta: dict, encoder, build):
    if build is not None:
        head = build(name, meta)
        if head is not None:
            return head
    if meta.get("kind") == "mlm":
        if encoder is None:
            raise UserError(f"head '{name}': an MLM head needs the encoder to tie to; pass encoder=")
        return add_mlm_head(encoder)
    if "type" in meta and "task" in meta:
        from intermezzo.tasks import get_task
        from intermezzo.types import TYPES

        head = TYPES[meta["type"]].build_head(get_task(meta["task"]), meta["hidden_size"])
        for key, value in meta.get("attrs", {}).items():
            setattr(head, key, value)
        return head
    raise UserError(f"head '{name}': heads.json does not say how to rebuild it (no type/task or kind); "
                    "pass build= to load_heads")


def load_heads(folder: str | os.PathLike, encoder=None, build=None, names=None) -> dict[str, nn.Module]:
    """Rebuild the heads saved in `folder` and load their weights; {} when the folder has none."""
    from safetensors.torch import load_file

    folder = Path(folder)
    if not (folder / HEADS_JSON).is_file():
        return {}
    described = json.loads((folder / HEADS_JSON).read_text(encoding="utf-8"))
    tensors = load_file(str(folder / HEADS_WEIGHTS)) if (folder / HEADS_WEIGHTS).is_file() else {}
    heads = {}
    for name, meta in described.items():
        if names is not None and name not in names:
            continue
        head = _rebuild(name, meta, encoder, build)
        state = {k[len(name) + 1:]: v for k, v in tensors.items() if k.startswith(name + ".")}
        missing, unexpected = head.load_state_dict(state, strict=False)
        missing = [k for k in missing if k not in meta.get("tied", [])]
        if missing or unexpected:
            raise UserError(f"{folder / HEADS_WEIGHTS}: head '{name}' does not match its weights "
                            f"(missing {missing[:3]}, unexpected {unexpected[:3]}); re-save the model")
        heads[name] = head
    return heads
