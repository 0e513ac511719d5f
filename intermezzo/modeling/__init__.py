"""Models: load encoders (hub id or folder), truncate/freeze them, save and reload heads, the MLM head."""

from intermezzo.modeling.encoder import freeze_embedding_params, load_encoder, truncate_layers
from intermezzo.modeling.heads import MLMHead, add_mlm_head, load_heads, save_model

__all__ = ["MLMHead", "add_mlm_head", "freeze_embedding_params", "load_encoder", "load_heads", "save_model",
           "truncate_layers"]
