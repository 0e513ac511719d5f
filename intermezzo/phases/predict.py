"""Inference for validation and evaluation: longest-first batches cut by a token budget, under inference_mode.

Features (sentences, sentence pairs, QA windows of any question, sets of choices) are sorted by length and cut
into batches of at most a budget of padded tokens, so a batch of short sentences holds many and one of long
windows few, and padding is nearly nil. Outputs are copied to the host without waiting; the one wait is at
the end, and the type's decode receives them in the original feature order.
"""

from __future__ import annotations

import torch

from intermezzo.phases.batching import cut_batch, longest_first
from intermezzo.phases.loop import autocast, to_device

# Padded tokens per batch on a CPU, per thread: on our 2-core EPYC (benchmarks/eval_throughput.py --sweep,
# 4 x 256 encoder) one thread ran XNLI-like pairs and SQuAD-like windows 10-20% faster at 2048 tokens than at
# 16384-32768 (activations stay in cache), while more threads need bigger batches to share out.
# On CUDA the first batch starts at GPU_START_TOKENS and the budget grows towards MEMORY_SHARE of the free
# memory, measured on the first (widest) batches.
CPU_TOKENS_PER_THREAD = 2048
CPU_MAX_TOKENS = 32768
GPU_START_TOKENS = 32768
MAX_BATCH_TOKENS = 1 << 20
MAX_ROWS = 4096
MEMORY_SHARE = 0.8
OUT_OF_MEMORY = getattr(torch, "OutOfMemoryError", torch.cuda.OutOfMemoryError)  # torch < 2.5 has the CUDA one


def cpu_batch_tokens() -> int:
    """The CPU rule: CPU_TOKENS_PER_THREAD per torch thread, at most CPU_MAX_TOKENS."""
    return min(CPU_MAX_TOKENS, CPU_TOKENS_PER_THREAD * max(1, torch.get_num_threads()))


def feature_shape(feature: dict) -> tuple[int, int]:
    """(width in tokens, rows) of a feature: one row, or one per choice for a multiple-choice feature."""
    ids = feature["input_ids"]
    if ids and isinstance(ids[0], list):
        return max(len(r) for r in ids), len(ids)
    return len(ids), 1


class Budget:
    """Padded tokens per batch: as given, or a fixed rule on a CPU, or grown to fill free CUDA memory."""

    def __init__(self, device: torch.device, tokens: int | None = None):
        self.device, self.cuda = device, device.type == "cuda"
        self.growing = tokens is None and self.cuda
        self.tokens = tokens or (GPU_START_TOKENS if self.cuda else cpu_batch_tokens())
        if self.growing:
            self.base = torch.cuda.memory_allocated(device)
            torch.cuda.reset_peak_memory_stats(device)

    def observe(self, tokens: int) -> None:
        """After a batch of `tokens` padded tokens: grow (at most 4x) while the memory it used says more fit.

        Reads allocator statistics only (no stream sync); stops once the budget no longer grows."""
        if not self.growing:
            return
        used = max(torch.cuda.max_memory_allocated(self.device) - self.base, 1)
        free, _ = torch.cuda.mem_get_info(self.device)
        room = free + torch.cuda.memory_reserved(self.device) - torch.cuda.memory_allocated(self.device)
        fits = int(MEMORY_SHARE * room / (used / tokens))
        grown = min(fits, 4 * self.tokens, MAX_BATCH_TOKENS)
        self.growing = grown > self.tokens and grown < MAX_BATCH_TOKENS
        self.tokens = max(self.tokens, grown)
        torch.cuda.reset_peak_memory_stats(self.device)

    def shrink(self, tokens: int) -> None:
        """A batch of `tokens` ran out of memory: halve below it and stop growing."""
        self.tokens, self.growing = max(1, min(self.tokens, tokens) // 2), False


def to_host(outputs):
    """Outputs as float32 on the CPU, copied without waiting for the device (the caller waits once)."""
    if torch.is_tensor(outputs):
        out = outputs.detach().float()
        if out.device.type != "cuda":
            return out.cpu()
        host = torch.empty(out.shape, dtype=out.dtype, pin_memory=True)
        return host.copy_(out, non_blocking=True)
    if isinstance(outputs, (tuple, list)):
        return type(outputs)(to_host(o) for o in outputs)
    if isinstance(outputs, dict):
        return {k: to_host(v) for k, v in outputs.items()}
    return outputs


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


def drop_unread_layers(encoder, head) -> int:
    """Cut the encoder (in place) above the layer a retrieval head reads, and return the layers kept.

    Those layers never change the embeddings: Tatoeba and BUCC read layer 8 of XLM-R base's 12 (14 of large's
    24, as XTREME's scripts), so a third or more of the work is skipped. Other heads, and encoders whose layer
    layout is unknown, are left whole."""
    from intermezzo.modeling.encoder import find_layers, truncate_layers

    found = find_layers(encoder)
    layer = getattr(head, "layer", None)
    if found is None or not isinstance(layer, int) or not hasattr(head, "pooling"):
        return len(found[2]) if found else int(encoder.config.num_hidden_layers)
    n = len(found[2])
    layer = layer % (n + 1)  # -1 = the last
    if 1 <= layer < n:
        truncate_layers(encoder, layer)
        head.layer = layer
        return layer
    return n


def predict(spec, examples: list[dict], encoder, head, tokenizer, max_length: int, batch_size: int | None,
            device: torch.device, precision: str = "fp32", batch_tokens: int | None = None) -> list:
    """One prediction per example, in the form the official submission file holds, in the examples' order."""
    from intermezzo.types import TYPES

    if not examples:
        return []
    features, per_feature = infer(spec, examples, encoder, head, tokenizer, max_length, batch_size, device,
                                  precision, batch_tokens=batch_tokens)
    return TYPES[spec.type].decode(spec, examples, features, per_feature)


@torch.inference_mode()
def infer(spec, examples: list[dict], encoder, head, tokenizer, max_length: int, batch_size: int | None,
          device: torch.device, precision: str = "fp32", batch_tokens: int | None = None) -> tuple[list[dict], list]:
    """(features, per-feature outputs on the CPU, in feature order) of `examples`, before the type decodes them.

    batch_size caps the rows of a batch (None: only the token budget does); batch_tokens is the budget of
    padded tokens (None: cpu_batch_tokens() on a CPU, grown to fill the memory on CUDA)."""
    from intermezzo.types import TYPES

    ttype = TYPES[spec.type]
    features = ttype.featurize(spec, examples, tokenizer, max_length)
    encoder.to(device).eval()
    head.to(device).eval()
    shapes = [feature_shape(f) for f in features]
    widths, rows = [w for w, _ in shapes], [r for _, r in shapes]
    order, budget, done, start = longest_first(widths), Budget(device, batch_tokens), [], 0
    cap = min(batch_size or MAX_ROWS, MAX_ROWS)
    # One autocast region for the whole pass: weights are cast to the low precision once, not per batch.
    with autocast(device, precision):
        while start < len(order):
            end = cut_batch(order, start, widths, rows, budget.tokens, cap)
            idx = order[start:end]
            padded = sum(rows[i] for i in idx) * widths[idx[0]]
            try:
                batch = ttype.collate([features[i] for i in idx], tokenizer.pad_token_id)
                if device.type == "cuda":  # pinned, so the copy below does not hold the host up
                    batch = {k: v.pin_memory() if torch.is_tensor(v) else v for k, v in batch.items()}
                batch = to_device(batch, device)
                outputs = to_host(ttype.forward(encoder, head, batch))
            except OUT_OF_MEMORY:
                if len(idx) == 1:
                    raise
                batch = None  # free the failed batch before retrying with half the tokens
                budget.shrink(padded)
                continue
            done.append((idx, outputs))
            budget.observe(padded)
            start = end
    if device.type == "cuda":
        torch.cuda.synchronize(device)  # the host copies above were queued without waiting
    per_feature: list = [None] * len(features)
    for idx, outputs in done:
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
