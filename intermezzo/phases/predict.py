"""Inference for validation and evaluation: length-sorted batches, outputs handed to the type's decode."""

from __future__ import annotations

import torch

from intermezzo.phases.loop import autocast, to_device


def split_rows(outputs, n: int) -> list:
    """Per-row items of a batch's outputs on the CPU: a tensor, a tuple of tensors, or a dict of them."""
    if torch.is_tensor(outputs):
        return list(outputs.detach().float().cpu().unbind(0))
    if isinstance(outputs, (tuple, list)):
        columns = [split_rows(o, n) for o in outputs]
        return [tuple(c[i] for c in columns) for i in range(n)]
    if isinstance(outputs, dict):
        columns = {k: split_rows(v, n) if torch.is_tensor(v) else [v] * n for k, v in outputs.items()}
        return [{k: c[i] for k, c in columns.items()} for i in range(n)]
    raise TypeError(f"cannot split model outputs of type {type(outputs).__name__}")


@torch.no_grad()
def predict(spec, examples: list[dict], encoder, head, tokenizer, max_length: int, batch_size: int,
            device: torch.device, precision: str = "fp32") -> list:
    """One prediction per example, in the form the official submission file holds."""
    from intermezzo.types import TYPES

    if not examples:
        return []
    features, per_feature = infer(spec, examples, encoder, head, tokenizer, max_length, batch_size, device, precision)
    return TYPES[spec.type].decode(spec, examples, features, per_feature)


@torch.no_grad()
def infer(spec, examples: list[dict], encoder, head, tokenizer, max_length: int, batch_size: int,
          device: torch.device, precision: str = "fp32") -> tuple[list[dict], list]:
    """(features, per-feature outputs on the CPU) of `examples`, before the type decodes them."""
    from intermezzo.types import TYPES

    ttype = TYPES[spec.type]
    features = ttype.featurize(spec, examples, tokenizer, max_length)
    encoder.to(device).eval()
    head.to(device).eval()
    # Longest first: similar lengths share a batch (little padding) and memory peaks at the start.
    order = sorted(range(len(features)), key=lambda i: -len(features[i]["input_ids"]))
    per_feature: list = [None] * len(features)
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        batch = to_device(ttype.collate([features[i] for i in idx], tokenizer.pad_token_id), device)
        with autocast(device, precision):
            outputs = ttype.forward(encoder, head, batch)
        for i, row in zip(idx, split_rows(outputs, len(idx))):
            per_feature[i] = row
    return features, per_feature


def labelled(spec, examples: list[dict]) -> bool:
    """Whether every example carries the gold its type scores against."""
    key = {"classification": "label", "multiple_choice": "label", "tagging": "tags",
           "extractive_qa": "answers", "retrieval": None}.get(spec.type)
    if key is None:
        return any(ex.get("gold") for ex in examples if ex.get("kind", "query") == "query") \
            if spec.type == "retrieval" else True
    return bool(examples) and all(ex.get(key) is not None for ex in examples)
