"""torch.distributed helpers: one code path for one process and for torchrun / accelerate launch (DDP)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class Dist:
    """Where this process sits: rank, world size, and its device."""

    rank: int
    world: int
    device: torch.device

    @property
    def main(self) -> bool:
        """Only the main process writes files and prints."""
        return self.rank == 0


def setup(device: str | None = None) -> Dist:
    """Join the process group torchrun/accelerate describe in the environment (if any) and pick a device."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if world > 1 and not dist.is_initialized():
        backend = "nccl" if torch.cuda.is_available() and device != "cpu" else "gloo"
        dist.init_process_group(backend)
    if dist.is_initialized():
        world, rank = dist.get_world_size(), dist.get_rank()
    else:
        world, rank = 1, 0
    if device is None:
        device = f"cuda:{local_rank}" if torch.cuda.is_available() else "cpu"
    dev = torch.device(device)
    if dev.type == "cuda":
        torch.cuda.set_device(dev)
    return Dist(rank=rank, world=world, device=dev)


def mean(t: torch.Tensor, d: Dist) -> torch.Tensor:
    """Average a tensor over ranks (a no-op in one process)."""
    if d.world > 1:
        t = t.clone()
        dist.all_reduce(t, op=dist.ReduceOp.SUM)
        t /= d.world
    return t


def total(t: torch.Tensor, d: Dist) -> torch.Tensor:
    """Sum a tensor over ranks (a no-op in one process)."""
    if d.world > 1:
        t = t.clone()
        dist.all_reduce(t, op=dist.ReduceOp.SUM)
    return t


def minimum(t: torch.Tensor, d: Dist) -> torch.Tensor:
    """Elementwise minimum over ranks (a no-op in one process)."""
    if d.world > 1:
        t = t.clone()
        dist.all_reduce(t, op=dist.ReduceOp.MIN)
    return t


def barrier(d: Dist) -> None:
    """Wait for every rank (so that no rank reads what rank 0 has not written yet)."""
    if d.world > 1:
        dist.barrier()

