"""What a run shows: a bar naming the running phase and its log; Hugging Face's own bars and reports silenced."""

import io
import subprocess
import sys

from intermezzo.experiments.console import Console
from intermezzo.experiments.dag import Node


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_names_the_running_phase_and_its_log(tmp_path):
    stream = _Terminal()
    node = Node("target-abc", "target", {"task": "xnli", "seed": 1})
    with Console(tmp_path, 2, progress=True, stream=stream) as console:
        console.started(node)
        shown = stream.getvalue()
        console.finished(node, {"seconds": 1.0})
    assert "target-abc (target xnli seed=1)" in shown and str(tmp_path / "phases" / ".logs" / "target-abc.txt") in shown
    assert "1/2" in stream.getvalue()


def test_without_a_terminal_there_is_no_bar_only_lines(tmp_path):
    stream = io.StringIO()
    node = Node("evaluate-abc", "evaluate", {"task": "xnli", "langs": ["de"], "noise": []})
    with Console(tmp_path, 1, progress=True, stream=stream) as console:
        console.started(node)
        console.finished(node, {"reused": True})
    assert stream.getvalue() == (f"phase 1/1 reused: evaluate-abc (evaluate xnli langs=de noise=0); "
                                 f"log {tmp_path / 'phases' / 'evaluate-abc' / 'log.txt'}\n")


def test_hugging_face_progress_bars_and_reports_are_off_unless_the_user_says(tmp_path):
    code = ("import os; from intermezzo.cli import quiet_hub; quiet_hub(); "
            "import huggingface_hub, datasets, transformers; from transformers.utils import logging; "
            "print(logging.get_verbosity(), huggingface_hub.utils.are_progress_bars_disabled(), "
            "datasets.utils.is_progress_bar_enabled(), os.environ['HF_HUB_VERBOSITY'])")
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith(("HF_", "TRANSFORMERS_",
                                                                                    "DATASETS_"))}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["40", "True", "False", "error"]  # 40 = logging.ERROR
    env["HF_HUB_VERBOSITY"] = "info"  # the user's own setting wins
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.stdout.split()[-1] == "info"
