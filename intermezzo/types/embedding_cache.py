"""Inference-time cache of retrieval embeddings: a text is encoded once per model, whatever asks for it again.

An evaluate phase scores every language clean and under each noise variant. Noise touches the queries only,
so the candidate side (Tatoeba's English sentences, BUCC's English pool, Mewsli-X's entity descriptions that
all eleven languages share, LAReQA's pool of every language) would otherwise be re-encoded for every variant
and language. Rows are keyed by their exact token ids plus the head's layer and pooling and the autocast
precision; the cache belongs to the encoder object (it goes when the encoder goes, i.e. with its phase) and
is emptied whenever the encoder's weights change in place (an optimizer step bumps every parameter's version
counter). It is used only without gradients on an encoder in eval mode: training never sees a cached row.
"""

from __future__ import annotations

import weakref

import torch

from intermezzo.types.common import ENCODER_KEYS

_STORES: "weakref.WeakKeyDictionary[torch.nn.Module, dict]" = weakref.WeakKeyDictionary()


def _weights_state(encoder) -> tuple[int, int]:
    params = list(encoder.parameters())
    return sum(p._version for p in params), sum(p.data_ptr() for p in params)


def _precision(encoder) -> tuple:
    device = next(encoder.parameters()).device.type
    if torch.is_autocast_enabled(device):
        return device, torch.get_autocast_dtype(device)
    return device, None


def _rows(encoder) -> dict:
    """The cached rows of `encoder`, emptied first if its weights changed since they were stored."""
    state = _weights_state(encoder)
    store = _STORES.get(encoder)
    if store is None or store["state"] != state:
        store = {"state": state, "rows": {}}
        _STORES[encoder] = store
    return store["rows"]


def clear(encoder) -> None:
    """Forget every cached row of `encoder` (benchmarks time each pass from an empty cache)."""
    _STORES.pop(encoder, None)


def cacheable(encoder) -> bool:
    """Whether embeddings may come from the cache: no gradients wanted and the encoder in eval mode."""
    return not torch.is_grad_enabled() and not encoder.training


def cached_embed(encoder, head, batch: dict, prefix: str, embed) -> torch.Tensor:
    """`embed(sub_batch)` for the rows of `batch` (keys with `prefix`) not cached yet; the rest from the cache.

    `embed` maps a batch with the same keys to (rows, dim) embeddings.
    """
    rows = _rows(encoder)
    ids, mask = batch[prefix + "input_ids"], batch[prefix + "attention_mask"]
    setting = (head.layer, head.pooling, _precision(encoder))
    keys = [(setting, tuple(t for t, m in zip(r, mr) if m)) for r, mr in zip(ids.tolist(), mask.tolist())]
    todo = list(dict.fromkeys(k for k in keys if k not in rows))
    if todo:
        first = [keys.index(k) for k in todo]
        longest = int(mask[first].sum(1).max())
        sub = {prefix + k: batch[prefix + k][first, :longest] for k in ENCODER_KEYS if prefix + k in batch}
        fresh = embed(sub)
        for n, key in enumerate(todo):
            rows[key] = fresh[n].detach().to("cpu", copy=True)
    out = torch.stack([rows[k] for k in keys])
    return out.to(ids.device)
