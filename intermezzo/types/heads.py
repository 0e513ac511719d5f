"""The sentence-level head of classification and multiple choice: pooling, then a RoBERTa-style classifier."""

from __future__ import annotations

import torch
from torch import nn

from intermezzo.errors import UserError

POOLINGS = ("cls", "mean")


def pool_sentence(hidden: torch.Tensor, attention_mask: torch.Tensor | None, pooling: str = "cls") -> torch.Tensor:
    """One vector per row of (rows, tokens, hidden): the first token, or the mean over real tokens (padding,
    where attention_mask is 0, left out, so a sentence pools the same alone and padded in a batch)."""
    if pooling == "cls" or attention_mask is None:
        return hidden[:, 0]
    mask = attention_mask.to(hidden.device, hidden.dtype).unsqueeze(-1)
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)


class SentenceHead(nn.Sequential):
    """The RoBERTa-style classifier (dropout, dense, tanh, dropout, projection) on a pooled sentence vector.

    A Sequential with the layout heads had before pooling existed, so those load unchanged; `pooling` travels
    in heads.json through `saved_attrs`.
    """

    def __init__(self, hidden_size: int, n_out: int, pooling: str = "cls", dropout: float = 0.1):
        super().__init__(nn.Dropout(dropout), nn.Linear(hidden_size, hidden_size), nn.Tanh(), nn.Dropout(dropout),
                         nn.Linear(hidden_size, n_out))
        if pooling not in POOLINGS:
            raise UserError(f"pooling '{pooling}': use one of {', '.join(POOLINGS)}")
        self.pooling = pooling

    @property
    def saved_attrs(self) -> dict:
        """What save_model records in heads.json to rebuild this head."""
        return {"pooling": self.pooling}

    def pool(self, hidden: torch.Tensor, attention_mask: torch.Tensor | None) -> torch.Tensor:
        """The sentence vector this head reads."""
        return pool_sentence(hidden, attention_mask, self.pooling)
