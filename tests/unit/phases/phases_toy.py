"""A toy encoder and a learnable toy task for loop tests: no tokenizer, runs in milliseconds."""

from __future__ import annotations

import random

import torch
from torch import nn

from intermezzo.phases.loop import TrainTask

VOCAB, KEY = 40, 7  # label 1 exactly when token KEY occurs


class ToyEncoder(nn.Module):
    """Embedding + masked mean: a stand-in for a transformer encoder."""

    def __init__(self, hidden: int = 16):
        super().__init__()
        self.embeddings = nn.Embedding(VOCAB, hidden)
        self.norm = nn.LayerNorm(hidden)

    def forward(self, input_ids, attention_mask):
        mask = attention_mask.unsqueeze(-1).float()
        return self.norm((self.embeddings(input_ids) * mask).sum(1) / mask.sum(1))


def toy_features(n: int, seed: int = 0) -> list[dict]:
    """Sequences of 3-12 tokens from 1..VOCAB-1; label 1 when KEY occurs."""
    rng = random.Random(seed)
    feats = []
    for _ in range(n):
        ids = [rng.randrange(1, VOCAB) for _ in range(rng.randrange(3, 13))]
        if rng.random() < 0.5:
            ids = [t if t != KEY else KEY + 1 for t in ids]
        feats.append({"input_ids": ids, "labels": int(KEY in ids)})
    return feats


def toy_collate(features: list[dict]) -> dict:
    width = max(len(f["input_ids"]) for f in features)
    ids = torch.zeros(len(features), width, dtype=torch.long)
    for i, f in enumerate(features):
        ids[i, :len(f["input_ids"])] = torch.tensor(f["input_ids"])
    return {"input_ids": ids, "attention_mask": (ids != 0).long(),
            "labels": torch.tensor([f["labels"] for f in features])}


def toy_loss(encoder, head, batch):
    return nn.functional.cross_entropy(head(encoder(batch["input_ids"], batch["attention_mask"])), batch["labels"])


def toy_task(name: str = "toy", n: int = 64, seed: int = 0, loss=toy_loss, hidden: int = 16) -> TrainTask:
    """A learnable classification TrainTask."""
    torch.manual_seed(seed)
    return TrainTask(name=name, features=toy_features(n, seed), collate=toy_collate, loss=loss,
                     head=nn.Linear(hidden, 2))
