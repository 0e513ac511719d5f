"""What the terminal shows during a run: a bar naming the running phase and its log, or one line per finished phase."""

from __future__ import annotations

import sys
from pathlib import Path

from intermezzo.experiments.dag import Node, label, node_dir
from intermezzo.experiments.executors import running_log


class Console:
    """Progress of a plan's pending phases on stderr (the phases' own output goes to their log files).

    With `progress` on a terminal a bar shows how many phases are done and names the running one with its log
    file; otherwise (--no-progress, or output to a file or pipe) one line per finished phase: what it was,
    reused or how long it took, and where its log is."""

    def __init__(self, run_dir: str | Path, total: int, progress: bool = True, stream=None) -> None:
        self.run_dir, self.total, self.done = Path(run_dir), total, 0
        self.stream = stream or sys.stderr
        self.bar = None
        if progress and total and getattr(self.stream, "isatty", lambda: False)():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="phases", unit="phase", file=self.stream, dynamic_ncols=True)

    def started(self, node: Node) -> None:
        """A phase began: the bar names it and the file its log is being written to."""
        if self.bar is not None:
            self.bar.set_postfix_str(f"{label(node)} log {running_log(self.run_dir, node)}", refresh=True)

    def finished(self, node: Node, summary: dict) -> None:
        """A phase ended (or another runner had finished it)."""
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
            return
        how = "reused" if summary.get("reused") else f"done in {summary.get('seconds', 0):.1f} s"
        print(f"phase {self.done}/{self.total} {how}: {label(node)}; log {node_dir(self.run_dir, node) / 'log.txt'}",
              file=self.stream, flush=True)

    def close(self) -> None:
        """Close the bar (its last state stays on screen)."""
        if self.bar is not None:
            self.bar.close()

    def __enter__(self) -> Console:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
