"""Length-grouped training batches sharded over processes, token-budget inference batches, the task sampler."""

from __future__ import annotations

import math

import numpy as np


def length_grouped_batches(lengths: list[int], batch_size: int, rng: np.random.Generator,
                           group_factor: int = 50) -> list[list[int]]:
    """Shuffle, sort each window of batch_size*group_factor by length, cut into batches, shuffle the batches.

    Neighbours in a batch have near-equal lengths, so dynamic padding wastes almost nothing, while the
    windows and the final shuffle keep the order random from epoch to epoch.
    """
    order = rng.permutation(len(lengths))
    window = batch_size * group_factor
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start:start + window], key=lambda i: -lengths[i])
        batches.extend([int(i) for i in chunk[b:b + batch_size]] for b in range(0, len(chunk), batch_size))
    return [batches[i] for i in rng.permutation(len(batches))]


def longest_first(widths: list[int]) -> list[int]:
    """Feature indices by decreasing width (ties keep their order): neighbours pad little, memory peaks first."""
    return sorted(range(len(widths)), key=lambda i: -widths[i])


def cut_batch(order: list[int], start: int, widths: list[int], rows: list[int], budget: int,
              max_rows: int | None = None, slack: float = 0.1) -> int:
    """End of the inference batch that begins at order[start]: as many features as fit `budget` padded tokens.

    `order` is longest first, so the batch's padded size is (its rows) x (the width of its first feature).
    Once the batch holds an eighth of the budget, it also ends where the next feature is more than `slack`
    narrower than its first (so padding stays under `slack` where lengths spread out). A batch holds at least
    one feature however long, and at most `max_rows` rows (a multiple-choice feature counts one per choice)."""
    width, used, end = max(widths[order[start]], 1), 0, start
    while end < len(order):
        more = rows[order[end]]
        if end > start and ((used + more) * width > budget or (max_rows and used + more > max_rows)
                            or (used * width >= budget // 8 and widths[order[end]] < (1 - slack) * width)):
            break
        used, end = used + more, end + 1
    return end


class BatchStream:
    """Endless batches of one task for one process; its position is (epoch, index) so it can resume."""

    def __init__(self, lengths: list[int], batch_size: int, seed: int, rank: int = 0, world: int = 1):
        self.lengths, self.batch_size, self.seed = lengths, batch_size, seed
        self.rank, self.world = rank, world
        self.epoch, self.index = 0, 0
        self._batches = self._epoch_batches(0)

    def _epoch_batches(self, epoch: int) -> list[list[int]]:
        # Every rank derives the same global order from (seed, epoch) and keeps every world-th batch,
        # cut to a multiple of world so that all ranks take the same number of steps.
        batches = length_grouped_batches(self.lengths, self.batch_size, np.random.default_rng([self.seed, epoch]))
        usable = len(batches) // self.world * self.world or len(batches)
        return batches[:usable][self.rank::self.world] or batches[:1]

    def batches_per_epoch(self) -> int:
        """Batches this process draws per pass over the task's data."""
        return len(self._batches)

    def next(self) -> list[int]:
        """Feature indices of the next batch (a new epoch reshuffles)."""
        if self.index >= len(self._batches):
            self.epoch, self.index = self.epoch + 1, 0
            self._batches = self._epoch_batches(self.epoch)
        self.index += 1
        return self._batches[self.index - 1]

    def state(self) -> dict:
        """JSON-able position."""
        return {"epoch": self.epoch, "index": self.index}

    def load_state(self, state: dict) -> None:
        """Resume at a saved position."""
        self.epoch, self.index = int(state["epoch"]), int(state["index"])
        self._batches = self._epoch_batches(self.epoch)


def sampling_weights(sizes: list[int], kind: str, temperature: float = 1.0, cap: int | None = None) -> np.ndarray:
    """Task probabilities: proportional to size, size ** (1/temperature), or uniform; sizes capped at `cap`."""
    n = np.array([min(s, cap) if cap else s for s in sizes], dtype=np.float64)
    if kind == "uniform":
        w = np.ones_like(n)
    elif kind == "proportional":
        w = n
    elif kind == "temperature":
        w = n ** (1.0 / temperature)
    else:
        raise ValueError(f"unknown sampler kind {kind}")
    return w / w.sum()


class TaskSampler:
    """Draws the task of each optimizer step; seeded, identical on every rank, resumable."""

    def __init__(self, names: list[str], probabilities: np.ndarray, seed: int):
        self.names, self.probabilities = list(names), np.asarray(probabilities, dtype=np.float64)
        self._rng = np.random.default_rng([seed, 7])

    def next(self) -> str:
        """Name of the next task."""
        if len(self.names) == 1:
            return self.names[0]
        return self.names[int(self._rng.choice(len(self.names), p=self.probabilities))]

    def state(self) -> dict:
        """JSON-able generator state."""
        return self._rng.bit_generator.state

    def load_state(self, state: dict) -> None:
        """Resume the draw sequence."""
        self._rng.bit_generator.state = state


def total_steps(batches_per_epoch: int, grad_accum: int, epochs: float, max_steps: int | None) -> int:
    """Optimizer steps of a run: max_steps, else epochs over all tasks' batches."""
    if max_steps:
        return max_steps
    return max(1, math.ceil(epochs * batches_per_epoch / grad_accum))
