"""Frozen bottom layers, computed once per input: `freeze_layers: k` freezes the embeddings and the first k
transformer layers and keeps their output per token sequence in a process-wide cache.

Why: when every run of a grid freezes the same bottom layers (every arm, every seed, every phase), their output
for a given input never changes, so computing it again in each run is pure waste. Training the top layers of a
6-layer encoder with 5 frozen costs a third of training all six, and evaluation a sixth.

How: the encoder's `forward` is replaced (on the instance, so parameters, state_dict and save_pretrained are
untouched) by one that
  1. looks every row up by (fingerprint of the frozen weights, autocast dtype, its real token ids, its token
     type ids); rows not found run through the embeddings and the first k layers in eval mode (no dropout)
     and without gradients, in one batch;
  2. runs the model's own forward on those hidden states with the embeddings swapped for a pass-through and
     only the top layers in the layer list, so masks and layer calls stay the library's own code.
Rows holding the tokenizer's mask token are never stored (masked-LM inputs change every step), nor anything
once the cache holds INTERMEZZO_FROZEN_CACHE_MB megabytes (default 2048; 0 turns storing off); both are still
computed, so results never depend on what is cached. Calls asking for every layer's hidden states or
attentions, or passing inputs_embeds, run the plain forward.

Differences from training the same layers frozen without this: the frozen layers never apply dropout (they
run in eval mode), which is also what a frozen feature extractor should do.
"""

from __future__ import annotations

import contextlib
import hashlib
import os

import torch
from torch import nn

from intermezzo.errors import UserError

_STORE: dict[tuple, torch.Tensor] = {}
_STATS = {"hits": 0, "misses": 0, "stored_bytes": 0, "not_stored": 0}
PLAIN_KWARGS = ("output_hidden_states", "output_attentions", "inputs_embeds", "position_ids", "head_mask")


def cache_limit_bytes() -> int:
    """How much the cache may hold: $INTERMEZZO_FROZEN_CACHE_MB megabytes (default 2048)."""
    raw = os.environ.get("INTERMEZZO_FROZEN_CACHE_MB", "2048")
    try:
        return max(0, int(float(raw) * 2**20))
    except ValueError:
        raise UserError(f"INTERMEZZO_FROZEN_CACHE_MB={raw!r}: not a number; set megabytes, e.g. 2048") from None


def stats() -> dict:
    """Counters since the last clear(): rows found, rows computed, bytes held, rows computed but not stored."""
    return {**_STATS, "entries": len(_STORE)}


def clear() -> None:
    """Empty the cache and reset its counters."""
    _STORE.clear()
    _STATS.update(hits=0, misses=0, stored_bytes=0, not_stored=0)


class _PassThrough(nn.Module):
    """Stands in for the embeddings while the top layers run: the hidden states come in as inputs_embeds."""

    def forward(self, input_ids=None, inputs_embeds=None, **kwargs):
        return inputs_embeds


def _checksum(t: torch.Tensor) -> int:
    """sum(word_i * m_i) mod 2**64 over the tensor's bytes as 64-bit words, m_i odd pseudo-random multipliers:
    any accidental change of the values changes it (a collision has probability ~2**-64), and it runs at
    memory speed where a cryptographic hash of the 400 MB of a 250k-word embedding takes over a second."""
    import numpy as np

    raw = t.detach().cpu().contiguous().view(-1).view(torch.uint8).numpy()
    tail = raw[len(raw) // 8 * 8:]
    words = raw[:len(raw) // 8 * 8].view(np.uint64)
    mult = np.random.default_rng(0).integers(1, 2**63, size=1 << 16, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    total = np.uint64(int.from_bytes(tail.tobytes(), "little"))
    with np.errstate(over="ignore"):
        for start in range(0, len(words), len(mult)):
            chunk = words[start:start + len(mult)]
            total += np.dot(chunk, mult[:len(chunk)])
    return int(total)


def fingerprint(modules: list[nn.Module]) -> str:
    """A hash of every value of the frozen parameters and buffers (so two encoders share entries only when
    their frozen parts are equal)."""
    h = hashlib.blake2b(digest_size=16)
    for module in modules:
        for name, t in [*module.named_parameters(), *module.named_buffers()]:
            h.update(f"{name}:{tuple(t.shape)}:{t.dtype}:{_checksum(t)}".encode())
    return h.hexdigest()


class FrozenPrefix:
    """The replacement forward of one encoder whose embeddings and first `k` layers are frozen."""

    def __init__(self, encoder: nn.Module, k: int, mask_token_id: int | None = None):
        from intermezzo.modeling.encoder import find_layers

        found = find_layers(encoder)
        embeddings = getattr(encoder, "embeddings", None)
        if found is None or not isinstance(embeddings, nn.Module):
            raise UserError(f"freeze_layers: {type(encoder).__name__} has no embeddings module or no known layer "
                            "list; drop freeze_layers for this encoder")
        self.parent, self.attr, layers, _ = found
        if not 1 <= k <= len(layers):
            raise UserError(f"freeze_layers={k}: the encoder has {len(layers)} layers; choose 1..{len(layers)}")
        self.encoder, self.k, self.mask_token_id = encoder, k, mask_token_id
        self.layers = list(layers)
        self.plain = encoder.forward  # the class's forward, bound to this encoder
        for module in (embeddings, *self.layers[:k]):
            for p in module.parameters():
                p.requires_grad_(False)
        self.key = fingerprint([embeddings, *self.layers[:k]])

    @contextlib.contextmanager
    def _swapped(self, layers: list[nn.Module], embeddings: nn.Module | None = None):
        """The encoder with another layer list (and embeddings) for the duration of one call."""
        old_layers, old_emb = getattr(self.parent, self.attr), self.encoder.embeddings
        setattr(self.parent, self.attr, nn.ModuleList(layers))
        if embeddings is not None:
            self.encoder.embeddings = embeddings
        try:
            yield
        finally:
            setattr(self.parent, self.attr, old_layers)
            self.encoder.embeddings = old_emb

    def _bottom(self, input_ids, attention_mask, token_type_ids) -> torch.Tensor:
        """Embeddings + the first k layers, eval mode, no gradients: [rows, width, hidden]."""
        modules = [self.encoder.embeddings, *self.layers[:self.k]]
        modes = [m.training for m in modules]
        extra = {} if token_type_ids is None else {"token_type_ids": token_type_ids}
        try:
            for m in modules:
                m.train(False)
            with torch.no_grad(), self._swapped(self.layers[:self.k]):
                return self.plain(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state
        finally:
            for m, mode in zip(modules, modes):
                m.train(mode)

    def hidden(self, input_ids, attention_mask, token_type_ids=None) -> torch.Tensor:
        """The frozen layers' output for a right-padded batch, from the cache where it has the rows."""
        lengths = attention_mask.sum(dim=1).tolist()
        dtype = torch.get_autocast_dtype(input_ids.device.type) \
            if torch.is_autocast_enabled(input_ids.device.type) else None
        ids, types = input_ids.tolist(), token_type_ids.tolist() if token_type_ids is not None else None
        keys = [(self.key, str(dtype), tuple(ids[i][:n]), tuple(types[i][:n]) if types else None)
                for i, n in enumerate(lengths)]
        found = [_STORE.get(k) for k in keys]
        missing = [i for i, f in enumerate(found) if f is None]
        _STATS["hits"] += len(keys) - len(missing)
        _STATS["misses"] += len(missing)
        if missing:
            rows = torch.tensor(missing, device=input_ids.device)
            computed = self._bottom(input_ids[rows], attention_mask[rows],
                                    None if token_type_ids is None else token_type_ids[rows])
            limit = cache_limit_bytes()
            for j, i in enumerate(missing):
                found[i] = computed[j, :lengths[i]]
                size = found[i].numel() * found[i].element_size()
                masked = self.mask_token_id is not None and self.mask_token_id in keys[i][2]
                if masked or _STATS["stored_bytes"] + size > limit:
                    _STATS["not_stored"] += 1
                    continue
                _STORE[keys[i]] = found[i].detach().to("cpu", copy=True)
                _STATS["stored_bytes"] += size
        width, device = input_ids.shape[1], input_ids.device
        out = torch.zeros(len(keys), width, found[0].shape[-1], dtype=found[0].dtype, device=device)
        for i, row in enumerate(found):
            out[i, :row.shape[0]] = row.to(device)
        return out

    def __call__(self, input_ids=None, attention_mask=None, token_type_ids=None, **kwargs):
        if input_ids is None or any(kwargs.get(k) is not None and kwargs.get(k) is not False for k in PLAIN_KWARGS):
            return self.plain(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids,
                              **kwargs)
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        lengths = attention_mask.sum(dim=1, keepdim=True)
        positions = torch.arange(attention_mask.shape[1], device=attention_mask.device)
        if not bool((attention_mask.bool() == (positions < lengths)).all()):
            # left padding or holes: the cache keys on a prefix of real tokens, so compute it plainly
            return self.plain(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids,
                              **kwargs)
        states = self.hidden(input_ids, attention_mask, token_type_ids)
        with self._swapped(self.layers[self.k:], _PassThrough()):
            return self.plain(inputs_embeds=states, attention_mask=attention_mask, **kwargs)


def freeze_layers(encoder: nn.Module, k: int, mask_token_id: int | None = None) -> FrozenPrefix:
    """Freeze the embeddings and the first `k` layers of `encoder` and cache their outputs (see the module doc)."""
    prefix = FrozenPrefix(encoder, k, mask_token_id)
    encoder.forward = prefix  # an instance attribute: nn.Module.__call__ finds it before the class's forward
    encoder.frozen_prefix = prefix
    return prefix
