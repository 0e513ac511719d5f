"""Optional experiment loggers (TensorBoard, Weights & Biases offline): every stored score, as it lands."""

from __future__ import annotations

from pathlib import Path

from intermezzo.errors import UserError, unknown
from intermezzo.experiments.dag import Cell

INSTALL = "pip install 'intermezzo[logging]'"


def _tag(cell: Cell, row: dict) -> str:
    encoder = cell.encoder.rstrip("/").rsplit("/", 1)[-1]
    return f"{encoder}/{cell.condition}/{cell.target}/{row['lang']}/{row['noise']}/{row['metric']}"


class TensorBoardLogger:
    """Scalars under run_dir/tensorboard, tagged encoder/condition/target/lang/noise/metric, step = seed."""

    module = "torch.utils.tensorboard"

    def __init__(self, run_dir: Path, run_name: str) -> None:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            raise UserError(f"--log tensorboard: the tensorboard package is not installed; {INSTALL}") from None
        self.writer = SummaryWriter(log_dir=str(Path(run_dir) / "tensorboard"))

    def log_cell(self, cell: Cell, rows: list[dict]) -> None:
        """Write one evaluated cell's scores."""
        for row in rows:
            self.writer.add_scalar(_tag(cell, row), row["value"], global_step=cell.seed)
        self.writer.flush()

    def close(self) -> None:
        """Flush and close the event file."""
        self.writer.close()


class WandbLogger:
    """One offline W&B run per grid run (sync later with `wandb sync`); each cell's scores as one log call."""

    module = "wandb"

    def __init__(self, run_dir: Path, run_name: str) -> None:
        try:
            import wandb
        except ImportError:
            raise UserError(f"--log wandb: the wandb package is not installed; {INSTALL}") from None
        # Offline: never talks to a server from a training job; the user syncs when they choose.
        self.run = wandb.init(project="intermezzo", name=run_name, dir=str(run_dir), mode="offline")

    def log_cell(self, cell: Cell, rows: list[dict]) -> None:
        """Log one evaluated cell's scores."""
        self.run.log({_tag(cell, row): row["value"] for row in rows})

    def close(self) -> None:
        """Finish the run."""
        self.run.finish()


LOGGERS = {"tensorboard": TensorBoardLogger, "wandb": WandbLogger}


def check_loggers(names: list[str]) -> None:
    """Every logger named exists and its package imports (checked before the run folder is written)."""
    import importlib

    for name in names:
        if name not in LOGGERS:
            raise unknown("logger", name, LOGGERS)
        try:
            importlib.import_module(LOGGERS[name].module)
        except ImportError:
            raise UserError(f"--log {name}: the {name} package is not installed; {INSTALL}") from None


def make_loggers(names: list[str], run_dir: Path, run_name: str) -> list:
    """The loggers named (each checked to be installed before any training starts)."""
    out = []
    for name in names:
        if name not in LOGGERS:
            raise unknown("logger", name, LOGGERS)
        out.append(LOGGERS[name](run_dir, run_name))
    return out
