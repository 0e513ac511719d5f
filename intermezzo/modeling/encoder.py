"""Load any Hugging Face encoder (hub id or local folder), optionally truncated and with frozen embeddings."""

from __future__ import annotations

import json
import os
import pickle
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


SAFETENSORS = ("model.safetensors", "model.safetensors.index.json")
PICKLES = ("pytorch_model.bin", "pytorch_model.bin.index.json")
CONVERT = ("convert it to model.safetensors where you trust it (transformers: AutoModel.from_pretrained(folder)"
           ".save_pretrained(folder)), or set the encoder option allow_pickle: true to load it with "
           "torch.load(weights_only=True)")


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


def check_weights(folder: Path, allow_pickle: bool = False) -> None:
    """Refuse, in one line each, a model folder whose safetensors are truncated or unreadable, and one that
    holds only a pickle checkpoint (unpickling can run code) unless `allow_pickle`."""
    from safetensors import SafetensorError, safe_open

    index = folder / "model.safetensors.index.json"
    shards = sorted(set(json.loads(index.read_text(encoding="utf-8")).get("weight_map", {}).values())) \
        if index.is_file() else ["model.safetensors"] if (folder / "model.safetensors").is_file() else []
    for shard in shards:
        path = folder / shard
        if not path.is_file():
            raise UserError(f"{path}: missing, though {index.name} lists it; copy the whole model folder again")
        try:
            with safe_open(str(path), framework="pt"):
                pass
        except (SafetensorError, OSError) as e:
            raise UserError(f"{path}: unreadable safetensors ({_first_line(e)}; the file is truncated or "
                            "damaged); copy or download the model folder again") from None
    pickles = [name for name in PICKLES if (folder / name).is_file()]
    if not shards and pickles and not allow_pickle:
        raise UserError(f"{folder / pickles[0]}: a pickle checkpoint and no safetensors; intermezzo loads no "
                        f"pickles by default (unpickling can run code): {CONVERT}")


def _from_pretrained(loader, name: str, what: str, **kwargs):
    """Call `loader.from_pretrained`, turning missing folders and an unreachable hub into a UserError."""
    from safetensors import SafetensorError

    local = Path(name).expanduser()
    if local.exists() and not (local / "config.json").is_file():
        raise UserError(f"{local}: not a model folder (no config.json); point to a saved Hugging Face model")
    try:
        return loader.from_pretrained(str(local) if local.exists() else name, **kwargs)
    except pickle.UnpicklingError:  # allow_pickle, and torch.load(weights_only=True) met more than tensors
        # torch's own message suggests weights_only=False, which is exactly what must not be done here
        raise UserError(f"{name}: its pickle checkpoint holds objects other than tensors, which "
                        "torch.load(weights_only=True) refuses; unpickling it could run code: do not load it "
                        "(ask its provider for safetensors)") from None
    except SafetensorError as e:
        raise UserError(f"{name}: unreadable safetensors ({_first_line(e)}); "
                        "download or copy the model again") from None
    except (OSError, ValueError) as e:
        if local.exists():
            raise UserError(f"{local}: could not load the {what} ({_first_line(e)}); "
                            "re-save the folder with save_model") from None
        offline = os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false")
        why = "the hub is disabled (HF_HUB_OFFLINE=1)" if offline else \
            "the hub is unreachable, has no such model, or has no safetensors weights for it"
        raise UserError(f"{name}: could not load the {what} from the Hugging Face hub: {why} "
                        f"(no local folder of that name either); check the name and network, pass a folder, or "
                        "for a pickle-only model set allow_pickle: true") from None


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
                 freeze_embeddings: bool = False, dtype=None, allow_pickle: bool = False,
                 freeze_layers: int | None = None):
    """(encoder, tokenizer) from a hub id or a local folder, via AutoModel/AutoTokenizer (fast tokenizer).

    dtype: None = float32 (training precision), "float16", "bfloat16", or "auto" (as the checkpoint stores it).
    Weights load from safetensors only; allow_pickle=True also accepts a pickle checkpoint
    (pytorch_model.bin), read with torch.load(weights_only=True), which refuses anything but tensors.
    freeze_layers: freeze the embeddings and the first N layers and cache their outputs (modeling.frozen).
    """
    from transformers import AutoModel, AutoTokenizer

    name = str(name_or_path)
    local = Path(name).expanduser()
    if (local / "config.json").is_file():
        check_weights(local, allow_pickle)
    tokenizer = _from_pretrained(AutoTokenizer, name, "tokenizer", trust_remote_code=trust_remote_code)
    if not getattr(tokenizer, "is_fast", False):
        raise UserError(f"{name}: tokenizer is not a fast (Rust) tokenizer; offsets need one - "
                        "save a tokenizer.json with the model")
    weights = {"use_safetensors": None, "weights_only": True} if allow_pickle else {"use_safetensors": True}
    encoder = _from_pretrained(AutoModel, name, "encoder", trust_remote_code=trust_remote_code,
                               dtype=_resolve_dtype(dtype), **weights)
    if keep_layers is not None:
        truncate_layers(encoder, keep_layers)
    if freeze_embeddings:
        freeze_embedding_params(encoder)
    if freeze_layers:
        from intermezzo.modeling.frozen import freeze_layers as freeze

        freeze(encoder, freeze_layers, tokenizer.mask_token_id)
    return encoder, tokenizer

