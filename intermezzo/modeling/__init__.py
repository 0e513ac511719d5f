"""Models: load encoders (hub id or folder), truncate/freeze them, save and reload heads, the MLM head.

The names load on first use, so that importing the CLI's commands module does not import torch.
"""

from __future__ import annotations

import importlib

_LAZY = {
    "freeze_embedding_params": "intermezzo.modeling.encoder", "load_encoder": "intermezzo.modeling.encoder",
    "truncate_layers": "intermezzo.modeling.encoder", "MLMHead": "intermezzo.modeling.heads",
    "add_mlm_head": "intermezzo.modeling.heads", "load_heads": "intermezzo.modeling.heads",
    "save_model": "intermezzo.modeling.heads",
}
__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'intermezzo.modeling' has no attribute {name!r}")
