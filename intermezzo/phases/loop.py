"""The one training loop: multi-task, AdamW + linear warmup/decay, accumulation, autocast, DDP, resume."""

from __future__ import annotations

import contextlib
import json
import logging
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from intermezzo.errors import UserError
from intermezzo.io import atomic_dir, atomic_write_text
from intermezzo.phases import distributed
from intermezzo.phases.batching import BatchStream, TaskSampler, total_steps
from intermezzo.phases.checkpoint import has_checkpoint, load_checkpoint, save_checkpoint
from intermezzo.phases.folder import PhaseFolder
from intermezzo.phases.params import EVALUATIONS, fingerprint

log = logging.getLogger("intermezzo.phases")

NEVER = 1 << 62  # "no bad step" in the NaN bookkeeping
DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}


class TrainingDiverged(UserError):
    """The loss became NaN or infinite."""


@dataclass
class TrainTask:
    """One task of the mix: its featurized data, how to batch it, its head and its loss."""

    name: str
    features: list[dict]
    collate: Callable[[list[dict]], dict]
    loss: Callable[[nn.Module, nn.Module, dict], torch.Tensor]  # (encoder, head, batch) -> mean loss
    head: nn.Module
    lengths: list[int] = field(default_factory=list)

    def __post_init__(self):
        if not self.features:
            raise UserError(f"task {self.name}: no training features; check its data source and max_train_samples")
        self.lengths = self.lengths or [len(f["input_ids"]) for f in self.features]


class MultiTaskModel(nn.Module):
    """A shared encoder with one head per task; forward(task, batch) returns that task's loss."""

    def __init__(self, encoder: nn.Module, tasks: list[TrainTask]):
        super().__init__()
        self.encoder = encoder
        self.heads = nn.ModuleDict({t.name: t.head for t in tasks})
        self._losses = {t.name: t.loss for t in tasks}

    def forward(self, task: str, batch: dict) -> torch.Tensor:
        return self._losses[task](self.encoder, self.heads[task], batch)


@dataclass
class Validator:
    """Early stopping: `evaluate(model)` (higher is better) every `every` steps (None: EVALUATIONS times per
    run); stop after `patience` validations in a row without improvement (jiant's no_improvements_for_n_evals)."""

    evaluate: Callable[[MultiTaskModel], float]
    every: int | None = None
    patience: int | None = None


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch (CPU and CUDA)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def to_device(batch: dict, device: torch.device) -> dict:
    """Tensors of a batch moved to `device` without blocking the host."""
    return {k: v.to(device, non_blocking=True) if torch.is_tensor(v) else v for k, v in batch.items()}


def resolve_precision(device: torch.device, precision: str) -> str:
    """"auto" -> bf16 where the device computes it natively (CUDA with bf16, AVX512-BF16/AMX CPUs), else fp32."""
    if precision != "auto":
        return precision
    if device.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    if device.type == "cpu":
        # Private probes, hence the getattr: without native bf16, CPU autocast emulates it and runs slower.
        native = any(getattr(torch.cpu, probe, lambda: False)()
                     for probe in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"))
        return "bf16" if native else "fp32"
    return "fp32"


def autocast(device: torch.device, precision: str):
    """The autocast context of a precision name (a no-op for fp32; "auto" picks bf16 where native)."""
    precision = resolve_precision(device, precision)
    if precision == "fp32":
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=DTYPES[precision])


def build_optimizer(model: nn.Module, cfg, device: torch.device) -> torch.optim.AdamW:
    """AdamW with no weight decay on biases and normalization weights; the heads in groups of their own at
    `head_lr` when it is set (a fresh head wants a larger step than the pretrained encoder)."""
    separate = cfg.head_lr is not None and cfg.head_lr != cfg.lr
    kinds: dict[tuple[bool, bool], list] = {}  # (is a head, no decay) -> parameters
    for name, p in model.named_parameters():  # a head weight tied to the encoder is listed under the encoder
        if p.requires_grad:
            head = separate and name.startswith("heads.")
            kinds.setdefault((head, name.endswith("bias") or "norm" in name.lower()), []).append(p)
    groups = [{"params": params, "weight_decay": 0.0 if no_decay else cfg.weight_decay,
               "lr": cfg.head_lr if head else cfg.lr}
              for (head, no_decay), params in sorted(kinds.items())]
    # Fused: one kernel per step instead of a dozen per parameter tensor (CPU and CUDA both have it).
    return torch.optim.AdamW(groups, lr=cfg.lr, eps=cfg.adam_epsilon, fused=device.type in ("cuda", "cpu"))


def linear_schedule(optimizer, total: int, warmup_ratio: float) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warmup over warmup_ratio of the steps, then linear decay to zero."""
    warmup = int(total * warmup_ratio)

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


class Loop:
    """State of one training run; `train()` below drives it."""

    def __init__(self, model: MultiTaskModel, tasks: list[TrainTask], cfg, out_dir: Path, d: distributed.Dist,
                 probabilities=None, validator: Validator | None = None):
        self.model, self.tasks, self.cfg, self.d = model, {t.name: t for t in tasks}, cfg, d
        self.folder, self.validator = PhaseFolder(out_dir), validator
        model.to(d.device)
        self.ddp = model
        if d.world > 1:
            # Unused parameters are normal here: other tasks' heads, the pooler, frozen embeddings.
            self.ddp = nn.parallel.DistributedDataParallel(
                model, device_ids=[d.device] if d.device.type == "cuda" else None, find_unused_parameters=True)
        self.streams = {t.name: BatchStream(t.lengths, cfg.batch_size, cfg.seed + i, d.rank, d.world)
                        for i, t in enumerate(tasks)}
        per_epoch = sum(s.batches_per_epoch() for s in self.streams.values())
        self.total = total_steps(per_epoch, cfg.grad_accum, cfg.epochs, cfg.max_steps)
        self.eval_every = (validator.every or max(1, self.total // EVALUATIONS)) if validator else None
        if probabilities is None:
            probabilities = np.ones(len(tasks)) / len(tasks)
        self.sampler = TaskSampler(list(self.tasks), probabilities, cfg.seed)
        self.optimizer = build_optimizer(model, cfg, d.device)
        self.scheduler = linear_schedule(self.optimizer, self.total, cfg.warmup_ratio)
        self.scaler = torch.amp.GradScaler(d.device.type, enabled=cfg.precision == "fp16")
        self.step, self.stopped, self.history = 0, False, []
        self.best = {"value": None, "step": None, "misses": 0}
        self._reset_window()

    # -- one optimizer step ---------------------------------------------------------------------------------
    def train_step(self) -> None:
        """Draw a task, run grad_accum micro-batches of it, clip, step the optimizer and the schedule."""
        name, cfg = self.sampler.next(), self.cfg
        task = self.tasks[name]
        step_loss = torch.zeros((), device=self.d.device)
        for micro in range(cfg.grad_accum):
            idx = self.streams[name].next()
            self.window_tokens += sum(task.lengths[i] for i in idx)
            batch = to_device(task.collate([task.features[i] for i in idx]), self.d.device)
            last = micro == cfg.grad_accum - 1
            sync = contextlib.nullcontext() if last or self.d.world == 1 else self.ddp.no_sync()
            with sync:
                with autocast(self.d.device, cfg.precision):
                    loss = self.ddp(name, batch) / cfg.grad_accum
                self.scaler.scale(loss).backward()
            step_loss += loss.detach().float()
        if cfg.max_grad_norm > 0:
            self.scaler.unscale_(self.optimizer)
            nn.utils.clip_grad_norm_(self.model.parameters(), cfg.max_grad_norm)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        # Device-side bookkeeping only: the host reads these at log time, not every step.
        self.window_loss += step_loss
        self.first_bad = torch.where((self.first_bad < 0) & ~torch.isfinite(step_loss), self.step, self.first_bad)
        self.window_tasks.append(name)
        self.step += 1

    def _reset_window(self) -> None:
        self.window_loss = torch.zeros((), device=self.d.device)
        self.first_bad = torch.full((), -1, dtype=torch.long, device=self.d.device)
        self.window_tokens, self.window_tasks, self.window_start = 0, [], time.perf_counter()

    # -- the host looks every log_every steps ----------------------------------------------------------------
    def flush_log(self) -> dict | None:
        """Check for NaN/inf, average the window's loss over ranks and steps, log a line."""
        steps = len(self.window_tasks)
        if not steps:
            return None
        # The earliest bad step (counted from 1) of any rank; NEVER when every rank is healthy.
        first = torch.where(self.first_bad >= 0, self.first_bad + 1, NEVER)
        bad = int(distributed.minimum(first, self.d).item())
        if bad != NEVER:
            name = self.window_tasks[bad - 1 - (self.step - steps)]
            raise TrainingDiverged(f"step {bad}, task {name}: the loss is NaN or infinite; lower lr, use "
                                   "fp32 or bf16 instead of fp16, or check the task's data")
        loss = float(distributed.mean(self.window_loss, self.d).item()) / steps
        tokens = float(distributed.total(torch.tensor(float(self.window_tokens), device=self.d.device), self.d))
        seconds = max(time.perf_counter() - self.window_start, 1e-9)
        row = {"step": self.step, "loss": round(loss, 6), "lr": self.scheduler.get_last_lr()[0],
               "tokens_per_s": round(tokens / seconds, 1), "tasks": dict(Counter(self.window_tasks))}
        self.history.append(row)
        if self.d.main:
            log.info("step %d/%d loss %.4f lr %.2e %.0f tok/s", self.step, self.total, loss, row["lr"],
                     row["tokens_per_s"])
        self._reset_window()
        return row

    def validate(self) -> None:
        """Run the validator; keep the best weights; count misses towards patience."""
        self.model.eval()
        with torch.no_grad():
            value = float(self.validator.evaluate(self.model))
        self.model.train()
        self.history.append({"step": self.step, "validation": value})
        if self.best["value"] is None or value > self.best["value"]:
            self.best = {"value": value, "step": self.step, "misses": 0}
            if self.d.main:
                # Only what training changes: with frozen embeddings and layers the whole model is mostly
                # frozen weights (e5-small: 384 of 470 MB), and this runs every time dev improves.
                from safetensors.torch import save_file
                with atomic_dir(self.folder.best) as tmp:
                    save_file(trainable_state(self.model), str(tmp / BEST_FILE))
        else:
            self.best["misses"] += 1
        patience = self.validator.patience
        self.stopped = patience is not None and self.best["misses"] >= patience
        distributed.barrier(self.d)

    # -- resume ----------------------------------------------------------------------------------------------
    def save(self) -> None:
        """A resumable checkpoint (rank 0 writes; everyone waits)."""
        if self.d.main:
            state = {"params": fingerprint(self.cfg), "step": self.step, "stopped": self.stopped, "best": self.best, "history": self.history,
                     "streams": {k: s.state() for k, s in self.streams.items()}, "sampler": self.sampler.state()}
            save_checkpoint(self.folder.checkpoint, self.model, self.optimizer, self.scheduler, state,
                            self.scaler)
        distributed.barrier(self.d)

    def resume(self) -> bool:
        """Continue from out_dir/checkpoint when one exists."""
        if not has_checkpoint(self.folder.root):
            return False
        state = json.loads((self.folder.checkpoint / "state.json").read_text(encoding="utf-8"))["loop"]
        if state.get("params") != fingerprint(self.cfg):
            raise UserError(f"{self.folder.checkpoint}: written by a run with other params; rerun with the same "
                            "params to resume, or delete the folder to start over")
        state = load_checkpoint(self.folder.checkpoint, self.model, self.optimizer, self.scheduler, self.scaler)
        self.step, self.stopped, self.best, self.history = state["step"], state["stopped"], state["best"], \
            state["history"]
        for k, s in self.streams.items():
            s.load_state(state["streams"][k])
        self.sampler.load_state(state["sampler"])
        if self.d.main:
            log.info("resumed from step %d", self.step)
        return True

    def finish(self) -> None:
        """Load the best validated weights (if any; warn when they are the last ones) and write log.jsonl."""
        if self.validator is not None and self._load_best():
            if self.d.main and not self.stopped and self.best["step"] == self.step:
                log.warning("validation still improved at the last step (%d): the model may be undertrained; "
                            "raise epochs or max_steps", self.step)
        if self.d.main:
            atomic_write_text(self.folder.history, "".join(f"{_json(r)}\n" for r in self.history))

    def _load_best(self) -> bool:
        """Put the weights of best/ into the model; False when there are none."""
        from safetensors.torch import load_file, load_model

        best, whole = self.folder.best / BEST_FILE, self.folder.best / "model.safetensors"
        if not best.is_file():
            if whole.is_file():  # a phase resumed from a checkpoint of 0.1.0, which saved the whole model
                load_model(self.model, str(whole), device=str(self.d.device))
            return whole.is_file()
        saved = load_file(str(best), device=str(self.d.device))
        params = dict(self.model.named_parameters())
        trained = {n for n, p in params.items() if p.requires_grad}
        if set(saved) != trained:  # a best/ of another model shape: refuse rather than mix weights
            odd = sorted(set(saved) ^ trained)
            raise UserError(f"{best}: its tensors differ from the trained ones ({len(odd)}, e.g. {odd[0]}); "
                            "delete the phase folder and rerun")
        with torch.no_grad():
            for name, value in saved.items():
                params[name].copy_(value)
        return True


BEST_FILE = "trainable.safetensors"


def trainable_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """The parameters training updates (requires_grad), as contiguous CPU tensors keyed by name."""
    return {n: p.detach().to("cpu").contiguous() for n, p in model.named_parameters() if p.requires_grad}


def _json(row: dict) -> str:
    return json.dumps(row, ensure_ascii=False)


def train(model: MultiTaskModel, tasks: list[TrainTask], cfg, out_dir: Path, d: distributed.Dist,
          probabilities=None, validator: Validator | None = None) -> dict:
    """Train `model` on `tasks` per `cfg` (a TrainParams); returns {steps, train_loss, best, resumed_from}."""
    loop = Loop(model, tasks, cfg, Path(out_dir), d, probabilities, validator)
    resumed = loop.step if loop.resume() else None
    model.train()
    bar = tqdm(total=loop.total, initial=loop.step, disable=not d.main or None, desc="train", leave=False)
    while loop.step < loop.total and not loop.stopped:
        loop.train_step()
        bar.update(1)
        done = loop.step == loop.total
        if loop.step % cfg.log_every == 0 or done:
            loop.flush_log()
        if validator is not None and (loop.step % loop.eval_every == 0 or done):
            loop.flush_log()
            loop.validate()
        if loop.step % cfg.save_every == 0 and not done and not loop.stopped:
            loop.flush_log()
            loop.save()
    bar.close()
    loop.flush_log()
    loop.finish()
    losses = [r["loss"] for r in loop.history if "loss" in r]
    return {"steps": loop.step, "total_steps": loop.total, "train_loss": losses[-1] if losses else None,
            "first_loss": losses[0] if losses else None, "best": loop.best if validator else None,
            "resumed_from": resumed, "history": loop.history}
