"""Load any Hugging Face encoder (hub id or local folder), optionally truncated and with frozen embeddings."""

from __future__ import annotations

import os
from pathlib import Path

from intermezzo.errors import UserError

DTYPES = ("float32", "float16", "bfloat16", "auto")

# (path to the layer list, config attribute holding its length), for the layouts we know how to truncate.
LAYER_LAYOUTS = (
    ("encoder.layer", "num_hidden_layers"),      # BERT, XLM-R, RoBERTa, ELECTRA, mE5
    ("transformer.layer", "n_layers"),           # DistilBERT
    ("encoder.layers", "num_hidden_layers"),
    ("encoder.block", "num_layers"),             # T5/mT5 encoders
    ("layers", "num_hidden_layers"),
)


def _resolve_dtype(dtype):
    import torch

    # float32 by default, whatever the checkpoint holds: weights train in full precision (autocast does the
    # rest); "auto" keeps the checkpoint's dtype (transformers 5's own default).
    if dtype is None:
        return torch.float32
    if isinstance(dtype, torch.dtype):
        return dtype
    if dtype not in DTYPES:
        raise UserError(f"dtype '{dtype}' is not supported; use one of {', '.join(DTYPES)}")
    return dtype if dtype == "auto" else getattr(torch, dtype)


def _from_pretrained(loader, name: str, what: str, **kwargs):
    """Call `loader.from_pretrained`, turning missing folders and an unreachable hub into a UserError."""
    local = Path(name).expanduser()
    if local.exists() and not (local / "config.json").is_file():
        raise UserError(f"{local}: not a model folder (no config.json); point to a saved Hugging Face model")
    try:
        return loader.from_pretrained(str(local) if local.exists() else name, **kwargs)
    except (OSError, ValueError) as e:
        if local.exists():
            reason = (str(e).strip().splitlines() or [type(e).__name__])[0]
            raise UserError(f"{local}: could not load the {what} ({reason}); "
                            "re-save the folder with save_model") from None
        offline = os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false")
        why = "the hub is disabled (HF_HUB_OFFLINE=1)" if offline else "the hub is unreachable or has no such model"
        raise UserError(f"{name}: could not load the {what} from the Hugging Face hub: {why}; "
                        "(no local folder of that name either); check the name and network, or pass a folder") from None


def find_layers(encoder):
    """(parent module, attribute name, layer list, config key) of the encoder's layers, or None if unknown."""
    for path, config_key in LAYER_LAYOUTS:
        *parents, attr = path.split(".")
        parent = encoder
        for part in parents:
            parent = getattr(parent, part, None)
        layers = getattr(parent, attr, None) if parent is not None else None
        if layers is not None and hasattr(layers, "__len__") and hasattr(layers, "__getitem__"):
            return parent, attr, layers, config_key
    return None


def truncate_layers(encoder, keep_layers: int) -> None:
    """Keep the bottom `keep_layers` transformer layers (in place), updating the config to match."""
    import torch

    found = find_layers(encoder)
    if found is None:
        raise UserError(f"keep_layers: unknown layer layout for {type(encoder).__name__}; "
                        f"supported: {', '.join(p for p, _ in LAYER_LAYOUTS)}; drop keep_layers")
    parent, attr, layers, config_key = found
    if not 1 <= keep_layers <= len(layers):
        raise UserError(f"keep_layers={keep_layers}: the encoder has {len(layers)} layers; "
                        f"choose 1..{len(layers)}")
    setattr(parent, attr, torch.nn.ModuleList(list(layers)[:keep_layers]))
    setattr(encoder.config, config_key, keep_layers)
    if config_key != "num_hidden_layers" and hasattr(encoder.config, "num_hidden_layers"):
        encoder.config.num_hidden_layers = keep_layers


def freeze_embedding_params(encoder) -> int:
    """Stop gradients into the embeddings (word, position, type, norm); returns the parameters frozen."""
    module = getattr(encoder, "embeddings", None) or encoder.get_input_embeddings()
    frozen = 0
    for p in module.parameters():
        p.requires_grad_(False)
        frozen += p.numel()
    return frozen


def load_encoder(name_or_path: str | os.PathLike, trust_remote_code: bool = False, keep_layers: int | None = None,
                 freeze_embeddings: bool = False, dtype=None, freeze_layers: int | None = None):
    """(encoder, tokenizer) from a hub id or a local folder, via AutoModel/AutoTokenizer (fast tokenizer).

    dtype: None = float32 (training precision), "float16", "bfloat16", or "auto" (as the checkpoint stores it).
    freeze_layers: freeze the embeddings and the first N layers and cache their outputs (modeling.frozen).
    """
    from transformers import AutoModel, AutoTokenizer

    name = str(name_or_path)
    tokenizer = _from_pretrained(AutoTokenizer, name, "tokenizer", trust_remote_code=trust_remote_code)
    if not getattr(tokenizer, "is_fast", False):
        raise UserError(f"{name}: tokenizer is not a fast (Rust) tokenizer; offsets need one - "
                        "save a tokenizer.json with the model")
    encoder = _from_pretrained(AutoModel, name, "encoder", trust_remote_code=trust_remote_code,
                               dtype=_resolve_dtype(dtype))
    if keep_layers is not None:
        truncate_layers(encoder, keep_layers)
    if freeze_embeddings:
        freeze_embedding_params(encoder)
    if freeze_layers:
        from intermezzo.modeling.frozen import freeze_layers as freeze

        freeze(encoder, freeze_layers, tokenizer.mask_token_id)
    return encoder, tokenizer

