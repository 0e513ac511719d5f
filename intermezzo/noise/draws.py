"""Where the families' random draws come from: one numpy Generator, or one independent stream per text.

Every family draws exactly one array of uniforms per text per call, as many as the text has units (clusters,
words, marks, spaces + words). That makes two batch contracts hold exactly:

- with a `numpy.random.Generator`, a batch call draws `sum(counts)` uniforms at once, which is what the loop of
  one-text calls draws in turn (PCG64 fills arrays from one sequential stream), so
  `batch(texts, rng) == [one(t, rng) for t in texts]` and the generator ends in the same state;
- with `Streams`, text i draws from its own stream only, so `batch(texts, s) == [one(t, s.child(i)) ...]`
  whatever the neighbours, the batch size or the order. `noise_batch` spawns one stream per text from a
  Generator, so a multi-step spec (where steps would interleave on one generator) keeps that contract too.
"""

from __future__ import annotations

import hashlib

import numpy as np

# SplitMix64 (Steele, Lea and Flood 2014, "Fast splittable pseudorandom number generators", OOPSLA; the
# generator behind Java's SplittableRandom): state key + k*GAMMA, finalised by two xor-shift-multiply rounds.
# Counter-based, so thousands of per-text streams cost a few vectorised numpy operations, where building one
# numpy Generator per text costs ~10 us, more than noising a sentence.
_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)


def _mix(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


class Streams:
    """One stream of uniforms per text: draw k of stream i is a pure function of (keys[i], k)."""

    def __init__(self, keys):
        self.keys = np.array(keys, dtype=np.uint64).reshape(-1)
        self.used = np.zeros(len(self.keys), dtype=np.uint64)

    def __len__(self) -> int:
        return len(self.keys)

    def child(self, i: int) -> Streams:
        """Stream i alone, at its current position (what a one-text call of text i draws from)."""
        one = Streams(self.keys[i:i + 1])
        one.used[:] = self.used[i:i + 1]
        return one

    def draw(self, counts) -> np.ndarray:
        """`counts[i]` uniforms in [0, 1) from stream i, concatenated in text order."""
        counts = np.asarray(counts, dtype=np.int64)
        if len(counts) != len(self.keys):
            raise ValueError(f"{len(counts)} texts drew from {len(self.keys)} streams; give one stream per text")
        owner = np.repeat(np.arange(len(counts)), counts)
        starts = np.cumsum(counts) - counts
        step = (np.arange(int(counts.sum()), dtype=np.int64) - starts[owner]).astype(np.uint64)
        z = _mix(self.keys[owner] + (step + self.used[owner] + np.uint64(1)) * _GAMMA)
        self.used += counts.astype(np.uint64)
        return (z >> _S11).astype(np.float64) * 2.0 ** -53


def named_streams(seed: int, names: list[str]) -> Streams:
    """One stream per name, keyed by (seed, name): e.g. (example id, field, piece) for order-free noise."""
    prefix = f"{int(seed)}\x1f".encode()
    return Streams([int.from_bytes(hashlib.blake2b(prefix + n.encode(), digest_size=8).digest(), "little")
                    for n in names])


def spawn(rng: np.random.Generator, n: int) -> Streams:
    """`n` child streams whose keys are the generator's next `n` 64-bit draws."""
    return Streams(rng.integers(0, 2 ** 64, size=n, dtype=np.uint64))


def uniforms(rng, counts: list[int]) -> np.ndarray:
    """`counts[i]` uniforms for text i, concatenated: from one Generator in order, or from per-text Streams."""
    if isinstance(rng, Streams):
        return rng.draw(counts)
    return rng.random(int(sum(counts)))


def hits(counts: list[int], level: float, rng) -> list[list[tuple[int, float]]]:
    """Per text, (position in the text, pick) of its units hit at rate `level`, from one draw for the batch."""
    u = uniforms(rng, counts)
    where = (u < level).nonzero()[0]
    # Given a hit, u / level is again uniform on [0, 1): one draw is both the coin and the choice.
    where, picks = where.tolist(), (u[where] / level).tolist()
    if len(counts) == 1:
        return [list(zip(where, picks))]
    out: list[list[tuple[int, float]]] = [[] for _ in counts]
    if where:
        ends = np.cumsum(counts)
        owner = np.searchsorted(ends, where, side="right")
        for o, w, start, k in zip(owner.tolist(), where, (ends - counts)[owner].tolist(), picks):
            out[o].append((w - start, k))
    return out
