"""Resumable training checkpoints: tensors as safetensors, everything else as JSON; never pickle."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import load_file, load_model, save_file, save_model

from intermezzo.io import atomic_dir, atomic_write_json
from intermezzo.phases.folder import PhaseFolder


def _optimizer_split(optimizer: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict]:
    state = optimizer.state_dict()
    tensors, scalars = {}, {}
    for idx, slots in state["state"].items():
        for name, value in slots.items():
            if torch.is_tensor(value):
                tensors[f"{idx}.{name}"] = value.detach().cpu().contiguous()
            else:
                scalars[f"{idx}.{name}"] = value
    return tensors, {"param_groups": state["param_groups"], "scalars": scalars}


def _optimizer_join(tensors: dict[str, torch.Tensor], meta: dict) -> dict:
    state: dict[int, dict] = {}
    for key, value in [*tensors.items(), *meta["scalars"].items()]:
        idx, name = key.split(".", 1)
        state.setdefault(int(idx), {})[name] = value
    return {"state": state, "param_groups": meta["param_groups"]}


def rng_tensors() -> dict[str, torch.Tensor]:
    """torch's CPU (and CUDA) generator states, which MLM masking and dropout draw from."""
    out = {"rng.cpu": torch.get_rng_state()}
    if torch.cuda.is_available():
        for i, s in enumerate(torch.cuda.get_rng_state_all()):
            out[f"rng.cuda.{i}"] = s
    return out


def set_rng(tensors: dict[str, torch.Tensor]) -> None:
    """Restore the generator states saved by rng_tensors()."""
    torch.set_rng_state(tensors["rng.cpu"])
    cuda = [tensors[k] for k in sorted(k for k in tensors if k.startswith("rng.cuda."))]
    if cuda and torch.cuda.is_available() and len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(cuda)


def save_checkpoint(folder: Path, model: torch.nn.Module, optimizer, scheduler, state: dict,
                    scaler=None) -> Path:
    """Write model, optimizer, scheduler, RNG and loop `state` into `folder` atomically."""
    with atomic_dir(folder) as tmp:
        # save_model (not save_file) because an MLM decoder shares its weight with the embeddings.
        save_model(model, str(tmp / "model.safetensors"))
        opt_tensors, opt_meta = _optimizer_split(optimizer)
        save_file(opt_tensors, str(tmp / "optimizer.safetensors"))
        save_file({k: v.contiguous() for k, v in rng_tensors().items()}, str(tmp / "rng.safetensors"))
        meta = {"optimizer": opt_meta, "scheduler": scheduler.state_dict(), "loop": state,
                "scaler": {k: (float(v) if torch.is_tensor(v) else v) for k, v in scaler.state_dict().items()}
                if scaler is not None and scaler.is_enabled() else None}
        atomic_write_json(tmp / "state.json", meta)
    return folder


def load_checkpoint(folder: Path, model: torch.nn.Module, optimizer, scheduler, scaler=None) -> dict:
    """Restore what save_checkpoint wrote; returns the loop state."""
    meta = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    device = next(model.parameters()).device
    load_model(model, str(folder / "model.safetensors"), device=str(device))
    # On CPU: load_state_dict moves moments to their parameters but must leave "step" on the host.
    opt_tensors = load_file(str(folder / "optimizer.safetensors"))
    optimizer.load_state_dict(_optimizer_join(opt_tensors, meta["optimizer"]))
    scheduler.load_state_dict(meta["scheduler"])
    if scaler is not None and meta.get("scaler"):
        scaler.load_state_dict(meta["scaler"])
    set_rng(load_file(str(folder / "rng.safetensors")))
    return meta["loop"]


def has_checkpoint(out_dir: Path) -> bool:
    """True when the phase folder `out_dir` holds a complete checkpoint to resume from."""
    return (PhaseFolder(out_dir).checkpoint / "state.json").is_file()
