"""Executors: run a plan's pending phases in DAG order - here, on one worker per GPU, or through submitit/SLURM."""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import queue
import shutil
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from intermezzo.errors import UserError
from intermezzo.experiments.dag import Node, input_dirs, node_dir
from intermezzo.io import atomic_write_text, is_done, mark_done

OnDone = Callable[[str, dict], None]
OnStart = Callable[[Node], None]


class PhaseFailed(UserError):
    """A phase raised; the message names the phase and its log file."""


@contextlib.contextmanager
def _folder_lock(out: Path, wait: bool = True):
    """An exclusive lock per phase folder, so two runners sharing a run folder never train one phase at once.

    Yields False (lock not taken) when `wait` is off and another process holds it."""
    locks = out.parent / ".locks"
    locks.mkdir(parents=True, exist_ok=True)
    with open(locks / f"{out.name}.lock", "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


@contextlib.contextmanager
def _capture(log_path: Path):
    """Send prints and log records of the phase to its log file."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "a", encoding="utf-8", buffering=1) as f:
        handler = logging.StreamHandler(f)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        root = logging.getLogger()
        old_level = root.level
        root.addHandler(handler)
        root.setLevel(min(old_level, logging.INFO) if old_level else logging.INFO)
        try:
            with contextlib.redirect_stdout(f), contextlib.redirect_stderr(f):
                yield f
        finally:
            root.removeHandler(handler)
            root.setLevel(old_level)


def running_log(run_dir: str | Path, node: Node) -> Path:
    """Where a phase's log is written while it runs (it moves into the phase folder as log.txt when done)."""
    out = node_dir(run_dir, node)
    return out.parent / ".logs" / f"{out.name}.txt"


def _settle_log(log: Path, out: Path) -> None:
    """Move a finished phase's log from .logs into its folder (racing runners write the same text)."""
    try:
        text = log.read_text(encoding="utf-8")
    except FileNotFoundError:
        return
    if not (out / "log.txt").exists():
        atomic_write_text(out / "log.txt", text)
    log.unlink(missing_ok=True)


def settle_logs(run_dir: str | Path, nodes) -> None:
    """Logs left in .logs by a runner killed after its phase finished: move them where they belong."""
    for node in nodes:
        log, out = running_log(run_dir, node), node_dir(run_dir, node)
        if log.is_file() and is_done(out):
            _settle_log(log, out)


def done_summary(out: Path, node: Node) -> dict:
    """The summary of a finished phase folder, marked reused; a UserError when it was finished from other params
    or inputs than `node`'s (a train config's named folder run again after an edit)."""
    path = out / "summary.json"
    try:
        summary = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, json.JSONDecodeError):
        summary = {}
    found, expected = summary.get("fingerprint"), node.key.split("-", 1)[1]
    if found and found != expected:
        raise UserError(f"{out}: holds a finished {node.kind} run with other params or inputs; write to a new "
                        "output folder or delete this one")
    return {**summary, "reused": True}


def execute_node(run_dir: str | Path, node: Node, phases: dict, wait: bool = True,
                 on_start: OnStart | None = None) -> dict | None:
    """Run one phase into its folder unless it is already done; its log ends up in log.txt there.

    Returns the phase's summary (with "reused": True when it was done already). With `wait` off, returns None at
    once when another runner is running this phase. `on_start(node)` is called when the phase really starts."""
    run_dir = Path(run_dir)
    out = node_dir(run_dir, node)
    with _folder_lock(out, wait) as locked:
        if not locked:
            return None
        if is_done(out):
            return done_summary(out, node)
        # We hold the folder's lock, so temp folders beside it are from a runner that died: clear them. The
        # unfinished folder itself stays: a training phase resumes from its out_dir/checkpoint/.
        for stale in out.parent.glob(f".{out.name}.*"):
            shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
        out.mkdir(parents=True, exist_ok=True)
        # A killed attempt's log is kept: this attempt appends to it (the phase resumes from its checkpoint).
        log = running_log(run_dir, node)
        resumed = log.is_file()
        inputs = input_dirs(run_dir, node)
        if on_start is not None:
            on_start(node)
        start = time.time()
        with _capture(log) as f:
            if resumed:
                print("--- the attempt above stopped before the phase finished; resuming", file=f)
            print(f"phase {node.key} ({node.kind}) pid {os.getpid()} "
                  f"CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES', '')}\nparams {node.params}", file=f)
            try:
                summary = phases[node.kind](dict(node.params), out, inputs) or {}
            except BaseException as e:
                traceback.print_exc(file=f)
                if not any(out.iterdir()):  # nothing to resume from: leave no empty folder behind
                    out.rmdir()
                if isinstance(e, UserError):
                    raise PhaseFailed(f"phase {node.key} ({node.kind}): {e}; see {log}") from None
                if isinstance(e, Exception):
                    raise PhaseFailed(f"phase {node.key} ({node.kind}) failed: {type(e).__name__}: "
                                      f"{str(e).splitlines()[0] if str(e) else ''}; see {log}") from None
                raise
        summary = {**summary, "seconds": round(time.time() - start, 3)}
        if not is_done(out):
            mark_done(out, summary)
        _settle_log(log, out)
        return summary


def _drive(todo: list[Node], capacity: int, start: Callable[[Node], None],
           collect: Callable[[], list[tuple[str, bool, object]]], on_done: OnDone,
           on_start: OnStart | None = None) -> None:
    """Start nodes whose parents are finished, up to `capacity` at once; stop starting after a failure."""
    pending = {n.key: n for n in todo}
    running: set[str] = set()
    failure = None
    while (pending and failure is None) or running:
        if failure is None:
            for key, node in list(pending.items()):
                if len(running) >= capacity:
                    break
                if not any(p in pending or p in running for p in node.inputs.values()):
                    start(node)
                    if on_start is not None:
                        on_start(node)
                    running.add(key)
                    del pending[key]
        for key, ok, value in collect():
            running.discard(key)
            if ok:
                on_done(key, value)
            elif failure is None:
                failure = value
    if failure is not None:
        raise failure if isinstance(failure, BaseException) else PhaseFailed(str(failure))


class LocalExecutor:
    """One phase after another in this process (the default)."""

    name = "local"

    def run(self, run_dir: Path, todo: list[Node], phases: dict, on_done: OnDone,
            on_start: OnStart | None = None) -> None:
        """Run `todo` (parents first) and call on_done(key, summary) after each.

        A phase another runner is busy with is passed over for one that is free, so two runners on one
        folder share the work instead of queueing behind each other's locks."""
        pending = {n.key: n for n in todo}
        while pending:
            ready = [n for n in pending.values() if not any(p in pending for p in n.inputs.values())]
            progressed = False
            for node in ready:
                summary = execute_node(run_dir, node, phases, wait=False, on_start=on_start)
                if summary is not None:
                    del pending[node.key]
                    on_done(node.key, summary)
                    progressed = True
            if not progressed:
                node = ready[0]
                on_done(node.key, execute_node(run_dir, node, phases, on_start=on_start))
                del pending[node.key]


def _gpu_worker(run_dir: str, phases: dict, device: str, tasks, results) -> None:
    os.environ["CUDA_VISIBLE_DEVICES"] = device
    while (node := tasks.get()) is not None:
        try:
            results.put((node.key, True, execute_node(run_dir, node, phases)))
        except BaseException as e:  # noqa: BLE001 - any failure is reported to the scheduler, not raised here
            results.put((node.key, False, f"{e}" if isinstance(e, UserError) else f"{type(e).__name__}: {e}"))


def visible_gpus() -> list[str]:
    """GPU ids this process may use: CUDA_VISIBLE_DEVICES, else every device torch sees."""
    env = os.environ.get("CUDA_VISIBLE_DEVICES")
    if env is not None:
        return [d.strip() for d in env.split(",") if d.strip() and d.strip() != "-1"]
    import torch

    return [str(i) for i in range(torch.cuda.device_count())]


class MultiGPUExecutor:
    """One worker process per GPU (CUDA_VISIBLE_DEVICES set per worker); phases start when their parents end."""

    name = "gpus"

    def __init__(self, gpus: list[str] | None = None) -> None:
        self.gpus = list(gpus) if gpus else visible_gpus()
        if not self.gpus:
            raise UserError("--executor gpus: no GPU visible; set CUDA_VISIBLE_DEVICES or use --executor local")

    def run(self, run_dir: Path, todo: list[Node], phases: dict, on_done: OnDone,
            on_start: OnStart | None = None) -> None:
        """Run `todo` over the workers and call on_done(key, summary) after each."""
        import multiprocessing as mp

        ctx = mp.get_context("spawn")  # fork after CUDA init is unsafe; spawn starts each worker clean
        results = ctx.Queue()
        queues, workers, busy = [], [], {}
        saved = os.environ.get("CUDA_VISIBLE_DEVICES")
        try:
            for device in self.gpus:
                q = ctx.Queue()
                # The child inherits the environment at start, before it unpickles (and imports) the phases.
                os.environ["CUDA_VISIBLE_DEVICES"] = device
                p = ctx.Process(target=_gpu_worker, args=(str(run_dir), phases, device, q, results), daemon=True)
                p.start()
                queues.append(q)
                workers.append(p)
        finally:
            os.environ.pop("CUDA_VISIBLE_DEVICES", None) if saved is None else os.environ.update(
                CUDA_VISIBLE_DEVICES=saved)

        def start(node: Node) -> None:
            slot = next(i for i in range(len(workers)) if i not in busy.values())
            busy[node.key] = slot
            queues[slot].put(node)

        def collect():
            while True:
                try:
                    key, ok, value = results.get(timeout=1.0)
                    break
                except queue.Empty:
                    # A worker killed from outside (OOM, signal) never answers: report its phase as failed.
                    dead = [(k, i) for k, i in busy.items() if not workers[i].is_alive()]
                    if dead:
                        key, i = dead[0]
                        ok, value = False, (f"phase {key}: the worker on GPU {self.gpus[i]} died (exit code "
                                            f"{workers[i].exitcode}); see {run_dir / 'phases' / '.logs'}")
                        break
            busy.pop(key, None)
            return [(key, ok, value)]

        try:
            _drive(todo, len(workers), start, collect, on_done, on_start)
        finally:
            for q in queues:
                q.put(None)
            for p in workers:
                p.join(timeout=10)
                if p.is_alive():
                    p.terminate()


class SubmititExecutor:
    """Each phase as a submitit job (SLURM, or submitit's local/debug clusters); submitted when its parents end."""

    name = "slurm"

    def __init__(self, folder: Path, cluster: str | None = None, params: dict | None = None,
                 max_jobs: int = 64, poll_s: float = 0.5) -> None:
        self.folder, self.cluster, self.params = Path(folder), cluster, dict(params or {})
        self.max_jobs, self.poll_s = max_jobs, poll_s

    def run(self, run_dir: Path, todo: list[Node], phases: dict, on_done: OnDone,
            on_start: OnStart | None = None) -> None:
        """Submit `todo` in DAG order and call on_done(key, summary) as jobs finish."""
        import submitit

        ex = submitit.AutoExecutor(folder=self.folder, cluster=self.cluster)
        try:
            ex.update_parameters(**{"timeout_min": 60 * 24, "name": "intermezzo", **self.params})
        except (NameError, AssertionError, ValueError) as e:
            raise UserError(f"--slurm: {str(e).splitlines()[0]}; see submitit's AutoExecutor parameters") from None
        jobs: dict[str, object] = {}

        def start(node: Node) -> None:
            jobs[node.key] = ex.submit(execute_node, str(run_dir), node, phases)

        def collect():
            while True:
                done = [k for k, j in jobs.items() if j.done()]
                if done:
                    break
                time.sleep(self.poll_s)
            out = []
            for key in done:
                job = jobs.pop(key)
                try:
                    out.append((key, True, job.result()))
                except Exception as e:  # noqa: BLE001 - submitit wraps the job's error in its own text
                    ours = [ln for ln in str(e).splitlines() if f"phase {key} (" in ln]
                    if ours:  # execute_node's own one-line message, from the job's traceback
                        out.append((key, False, ours[-1].split("PhaseFailed: ", 1)[-1].strip()))
                    else:  # the job died outside the phase (killed, timed out, lost node)
                        out.append((key, False, f"phase {key} failed: {str(e).strip().splitlines()[0]}; see "
                                                f"{self.folder}"))
            return out

        _drive(todo, self.max_jobs, start, collect, on_done, on_start)


def make_executor(name: str, run_dir: Path, gpus: list[str] | None = None, cluster: str | None = None,
                  slurm: dict | None = None):
    """The executor called `name`: local, gpus or slurm."""
    if name == "local":
        return LocalExecutor()
    if name == "gpus":
        return MultiGPUExecutor(gpus)
    if name == "slurm":
        return SubmititExecutor(Path(run_dir) / "submitit", cluster=cluster, params=slurm)
    raise UserError(f"--executor {name}: unknown executor; use local, gpus or slurm")


EXECUTORS = ("local", "gpus", "slurm")
