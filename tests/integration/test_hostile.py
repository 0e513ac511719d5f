"""Hostile inputs (issue 14), kept as a fixed set: each is one line on stderr, exit 2, no traceback, nothing
half-written (docs/errors.md). Inputs are generated in tmp folders; rows owned by other areas are strict xfails
until their fix is merged."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

import pytest
import yaml
from support.grids import small_grid

from intermezzo import cli as cli_module

FAKE_CLI = Path(__file__).resolve().parents[1] / "support" / "fake_cli.py"
# A Python exception's name in a message means an unexpected error was relabelled, not explained to the user.
PY_ERROR = re.compile(r"\b[A-Z]\w*(Error|Exception)\b:")


def run_cli(monkeypatch, capsys, *args) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `intermezzo ARGS` run in-process through the real entry point."""
    monkeypatch.setattr(cli_module, "quiet_hub", lambda: None)  # keep the test process's environment as it is
    monkeypatch.setattr(sys, "argv", ["intermezzo", *map(str, args)])
    try:
        cli_module.main()
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:  # noqa: BLE001 - an escaped exception is exactly what these tests look for
        traceback.print_exc()
        code = 1
    out = capsys.readouterr()
    return code, out.out, out.err


def tree(root: Path) -> dict[str, tuple]:
    """Every entry under `root` with its kind, size and modification time."""
    return {str(p.relative_to(root)): (p.is_dir(), p.lstat().st_size, p.lstat().st_mtime_ns)
            for p in sorted(root.rglob("*"))}


def assert_user_error(code: int, out: str, err: str, expect: str = "") -> None:
    """Exit 2 and one actionable line on stderr, without a traceback or a Python exception's name."""
    assert code == 2, f"exit {code}\nstdout: {out}\nstderr: {err}"
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("intermezzo: error: "), err
    assert "Traceback" not in err and not PY_ERROR.search(err), err
    assert expect in err, err


def _grid(tmp: Path, name: str = "grid.yaml", **kw) -> Path:
    path = tmp / name
    path.write_text(yaml.safe_dump(small_grid(**{"seeds": [1], **kw})), encoding="utf-8")
    return path


def _second_condition_typo(tmp):
    raw = small_grid(seeds=[1])
    raw["conditions"]["mnli"]["hparams"] = {"target": {"eval_evry": 2}}  # mnli is the second condition
    (tmp / "grid.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    return ["run", tmp / "grid.yaml", "--dry-run"]


def _run_folder(tmp):
    from intermezzo.experiments.store import Store

    Store(tmp / "run" / "results.sqlite").close()
    return tmp / "run"


def _noise_input(tmp):
    src = tmp / "test-de.tsv"
    src.write_text("Anna wohnt in Moskau.\tAnna war noch nie in Moskau.\tcontradiction\n", encoding="utf-8")
    return ["noise", "--task", "xnli", "--lang", "de", "--noise", "char_substitute:0.5", "--input", src]


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


def _touch(path: Path) -> Path:
    path.write_text("mine\n", encoding="utf-8")
    return path


def _nonutf8(tmp):
    (tmp / "grid.yaml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    return ["run", tmp / "grid.yaml", "--dry-run"]


def _bad_yaml(tmp):
    (tmp / "grid.yaml").write_text("name: x\nseeds: [1, 2\n", encoding="utf-8")
    return ["run", tmp / "grid.yaml", "--dry-run"]


def _train(tmp, phases, **top):
    path = tmp / "train.yaml"
    path.write_text(yaml.safe_dump({**top, "phases": phases}), encoding="utf-8")
    return path


# id -> (setup(tmp) -> argv, text the message must contain). Rows are issue 14's table; "minor" its minor items.
CASES = {
    "row1-second-condition-hparams-typo": (_second_condition_typo, "did you mean eval_every"),
    "row2-langs-en-xx": (lambda t: ["run", _grid(t), "--dry-run", "langs=[en,xx]"], "'xx' is not a language"),
    "row2-langs-xx": (lambda t: ["run", _grid(t), "--dry-run", "langs=[xx]"], "'xx' is not a language"),
    "row2-langs-ja-on-xnli": (lambda t: ["run", _grid(t, targets=["xnli"]), "--dry-run", "langs=[ja]"],
                              "'ja' is not a language of any target (xnli)"),
    "row2-target-without-any-lang": (lambda t: ["run", _grid(t), "--dry-run", "langs=[sw]"],
                                     "pawsx has none of the languages"),
    "row2-condition-lang": (lambda t: ["run", _grid(t), "--dry-run", "conditions.mnli-mt.langs=[de,qq]"],
                            "conditions.mnli-mt.langs: 'qq'"),
    "row3-unclosed-list-override": (lambda t: ["run", _grid(t), "--dry-run", "seeds=[1,2"],
                                    "override 'seeds=[1,2': not a valid YAML value"),
    "row3-yaml-syntax-in-config": (_bad_yaml, "grid.yaml:3: not valid YAML"),
    "row5-score-output-in-proc": (lambda t: ["score", "--example", "--output", "/proc/nope/s.json"],
                                  "/proc/nope/s.json: cannot write here"),
    "row6-noise-output-read-only": (lambda t: [*_noise_input(t), "--output", "/sys/intermezzo-noisy.tsv"],
                                    "cannot write here"),
    "row7-noise-output-folder": (lambda t: [*_noise_input(t), "--output", _mkdir(t / "out.tsv")], "is a folder"),
    "row8-export-to-folder": (lambda t: ["export", _run_folder(t), _mkdir(t / "a_folder.csv")], "is a folder"),
    "row9-run-out-existing-file": (lambda t: ["run", _grid(t), "--out", _touch(t / "afile"), "--fake-phases"],
                                   "is a file, not a folder"),
    "row10-fixtures-existing-file": (lambda t: ["data", "--task", "xnli", "--fixtures", _touch(t / "afile")],
                                     "is a file, not a folder"),
    "row18-tiny-model-existing-file": (lambda t: ["tiny-model", _touch(t / "afile")], "is a file, not a folder"),
    "minor-dry-run-missing-encoder": (lambda t: ["run", _grid(t), "--dry-run", f"encoders=[{t / 'no-model'}]"],
                                      "not found"),
    "minor-dry-run-missing-source": (lambda t: ["run", _grid(t), "--dry-run", f"sources.xnli={t / 'no-data'}"],
                                     "not found"),
    "minor-executor-foo": (lambda t: ["run", _grid(t), "--out", t / "run", "--executor", "foo"], "unknown executor"),
    "minor-tasks-benchmark-foo": (lambda t: ["tasks", "--benchmark", "foo"], "unknown benchmark 'foo'"),
    "override-without-equals": (lambda t: ["run", _grid(t), "--dry-run", "seeds"], "expected key=value"),
    "override-list-index": (lambda t: ["run", _grid(t), "--dry-run", "seeds.x=1"], "is not an index"),
    "unknown-top-level-key": (lambda t: ["run", _grid(t), "--dry-run", "tagrets=[x]"], "did you mean 'targets'"),
    "hparams-set-by-the-grid": (lambda t: ["run", _grid(t), "--dry-run", "hparams.target.seed=3"],
                                "set by the grid from seeds"),
    "hparams-out-of-bounds": (lambda t: ["run", _grid(t), "--dry-run", "hparams.target.lr=-1"],
                              "hparams.target.lr"),
    "unknown-task": (lambda t: ["run", _grid(t), "--dry-run", "targets=[xnlii]"], "did you mean xnli"),
    "unknown-preset": (lambda t: ["run", _grid(t), "--dry-run", "preset=phang"], "did you mean phang2020"),
    "config-missing": (lambda t: ["run", t / "none.yaml", "--dry-run"], "config file not found"),
    "config-is-a-folder": (lambda t: ["run", t, "--dry-run"], "is a folder"),
    "config-not-a-mapping": (lambda t: ["run", _touch(t / "list.yaml"), "--dry-run"], "expected a YAML mapping"),
    "config-not-utf8": (_nonutf8, "not UTF-8"),
    "unknown-logger": (lambda t: ["run", _grid(t), "--out", t / "run", "--fake-phases", "--log", "tensorbord"],
                       "did you mean tensorboard"),
    "slurm-without-equals": (lambda t: ["run", _grid(t), "--out", t / "run", "--slurm", "partition"],
                             "expected key=value"),
    "run-out-under-a-file": (lambda t: ["run", _grid(t), "--out", _touch(t / "afile") / "run", "--fake-phases"],
                             "is a file, not a folder"),
    "export-unknown-format": (lambda t: ["export", _run_folder(t), t / "scores.xlsx"], "use .csv or .parquet"),
    "export-no-results": (lambda t: ["export", t, t / "scores.csv"], "no results.sqlite"),
    "score-output-folder": (lambda t: ["score", "--example", "--output", t], "is a folder"),
    "data-out-folder": (lambda t: ["data", "--task", "xnli", "--out", t], "is a folder"),
    "train-unknown-param": (lambda t: ["train", _train(t, {"target": {"task": "xnli", "lrr": 1}}), "--out", t / "o"],
                            "unknown target param 'lrr'; did you mean lr?"),
    "train-unknown-common-key": (lambda t: ["train", _train(t, {"target": {"task": "xnli"}}, common={"sed": 1}),
                                            "--out", t / "o"], "unknown common param 'sed'; did you mean seed"),
    "train-yaml-syntax": (lambda t: ["train", _train(t, {"target": {"task": "xnli"}}), "phases.target.lr=[1"],
                          "not a valid YAML value"),
    "train-missing-data": (lambda t: ["train", _train(t, {"target": {"task": "pawsx", "source": str(t / "nope")}}),
                                      "--out", t / "o"], "not found"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_user_error_is_one_line_exit_2_and_nothing_written(case, tmp_path, monkeypatch, capsys):
    setup, expect = CASES[case]
    if "/proc/" in expect and not Path("/proc").is_dir() or case.startswith("row6") and not Path("/sys").is_dir():
        pytest.skip("needs Linux's /proc and /sys")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    args = setup(work)
    before = tree(work)
    code, out, err = run_cli(monkeypatch, capsys, *args)
    assert_user_error(code, out, err, expect)
    assert tree(work) == before, "the failed command left files behind or changed some"
    if case.startswith("row5"):
        assert out == "", "the output path is checked before any result is printed"


def test_bare_command_prints_the_help_and_succeeds(monkeypatch, capsys):
    code, out, err = run_cli(monkeypatch, capsys)
    assert code == 0 and err == ""
    assert out.startswith("Usage:") and "run" in out and "train" in out


def test_fake_results_are_flagged_and_never_reused_by_a_real_run(tmp_path, monkeypatch, capsys):
    """Row 15: `run --fake-phases` then `run` in the same folder."""
    config, out = _grid(tmp_path, targets=["xnli"]), tmp_path / "run"
    code, stdout, err = run_cli(monkeypatch, capsys, "run", config, "--out", out, "--fake-phases", "--no-progress")
    assert code == 0, err
    assert "(stand-in phases: fake results)" in stdout
    assert json.loads((out / "plan.json").read_text())["fake_phases"] is True
    code, stdout, err = run_cli(monkeypatch, capsys, "run", config, "--out", out, "--dry-run")
    assert code == 0, err
    assert "to reuse: 0" in stdout and "to train: 0" not in stdout


def test_sigint_exits_130_with_one_line_on_how_to_resume(tmp_path):
    """Row 14: Ctrl-C during `run`; the rerun the message names finishes the grid."""
    config, out = _grid(tmp_path, targets=["xnli"]), tmp_path / "run"
    cmd = [sys.executable, str(FAKE_CLI), "0.2", "run", str(config), "--out", str(out), "--fake-phases",
           "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not any((out / "phases").glob("*/DONE")) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("intermezzo: interrupted;") and f"--out {out}" in last and "resume" in last
    assert not [p for p in out.rglob("*.tmp")], "an interrupted run leaves no temp files"
    rerun = subprocess.run([sys.executable, "-m", "intermezzo.cli", *cmd[3:]], capture_output=True, text=True,
                           timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert "reused 0" not in rerun.stdout  # the phases finished before Ctrl-C were kept


# ---- rows owned by other areas: strict xfails, flipped at merge ----

def _xfail(owner: str):
    return pytest.mark.xfail(strict=True, reason=f"owned by the {owner} helper; fixed at merge")


def _tiny_copy(tiny_model_dir: Path, dest: Path) -> Path:
    shutil.copytree(tiny_model_dir, dest, ignore=shutil.ignore_patterns("DONE"))
    return dest


def _train_target(tmp: Path, encoder: Path, **target) -> Path:
    from intermezzo.data.fixtures import write_fixtures

    write_fixtures("pawsx", tmp / "data")
    params = {"task": "pawsx", "source": str(tmp / "data"), "max_steps": 2, "batch_size": 4, "grad_accum": 1,
              "max_length": 32, "max_train_samples": 8, "max_eval_samples": 4, "eval_every": 1, **target}
    return _train(tmp, {"target": params}, encoder=str(encoder))


def test_row4_a_huge_tsv_field_is_read_or_refused_in_one_line(tmp_path, monkeypatch, capsys):
    from intermezzo.data.fixtures import write_fixtures

    write_fixtures("xnli", tmp_path)
    path = tmp_path / "xnli" / "test-de.tsv"
    rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(["x" * 10**6 + rows[0][rows[0].index("\t"):], *rows[1:]]) + "\n", encoding="utf-8")
    code, out, err = run_cli(monkeypatch, capsys, "data", "--task", "xnli", "--split", "test", "--lang", "de",
                             "--source", tmp_path)
    assert code == 0 or (code == 2 and len(err.strip().splitlines()) == 1), err
    assert "Traceback" not in err


def test_row11_truncated_safetensors_is_one_actionable_line(tmp_path, monkeypatch, capsys, tiny_model_dir):
    enc = _tiny_copy(tiny_model_dir, tmp_path / "enc")
    weights = enc / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    code, out, err = run_cli(monkeypatch, capsys, "train", _train_target(tmp_path, enc), "--out", tmp_path / "o")
    assert_user_error(code, out, err, "model.safetensors")


def _pickle_only(enc: Path, payload) -> None:
    import torch

    (enc / "model.safetensors").unlink()
    torch.save(payload, enc / "pytorch_model.bin")


def test_row12_plain_pickle_checkpoint_is_refused(tmp_path, monkeypatch, capsys, tiny_model_dir):
    from safetensors.torch import load_file

    enc = _tiny_copy(tiny_model_dir, tmp_path / "enc")
    _pickle_only(enc, load_file(enc / "model.safetensors"))
    code, out, err = run_cli(monkeypatch, capsys, "train", _train_target(tmp_path, enc), "--out", tmp_path / "o")
    assert_user_error(code, out, err, "safetensors")


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_row13_malicious_pickle_is_refused_and_never_run(tmp_path, monkeypatch, capsys, tiny_model_dir):
    enc = _tiny_copy(tiny_model_dir, tmp_path / "enc")
    marker = tmp_path / "pwned"
    _pickle_only(enc, {"weights": _Payload(marker)})
    code, out, err = run_cli(monkeypatch, capsys, "train", _train_target(tmp_path, enc), "--out", tmp_path / "o")
    assert not marker.exists()
    assert_user_error(code, out, err, "safetensors")


def test_row16_noise_fields_are_checked_and_honoured(tmp_path, monkeypatch, capsys):
    args = _noise_input(tmp_path)
    code, out, err = run_cli(monkeypatch, capsys, *args, "--fields", "foo", "--output", tmp_path / "a.tsv")
    assert_user_error(code, out, err, "foo")
    code, out, err = run_cli(monkeypatch, capsys, *args, "--fields", "hypothesis", "--output", tmp_path / "b.tsv")
    assert code == 0, err
    premise, hypothesis, _ = (tmp_path / "b.tsv").read_text(encoding="utf-8").rstrip("\n").split("\t")
    assert premise == "Anna wohnt in Moskau." and hypothesis != "Anna war noch nie in Moskau."


def test_row17_an_empty_test_file_is_an_error_not_a_missing_language(tmp_path, monkeypatch, capsys):
    from intermezzo.data.fixtures import write_fixtures

    write_fixtures("xnli", tmp_path)
    (tmp_path / "xnli" / "test-de.tsv").write_text("", encoding="utf-8")
    code, out, err = run_cli(monkeypatch, capsys, "data", "--task", "xnli", "--split", "test", "--lang", "de",
                             "--source", tmp_path)
    assert_user_error(code, out, err, "test-de")


def test_row19_a_resume_clears_what_a_killed_attempt_left(tmp_path, monkeypatch, capsys, tiny_model_dir):
    config = _train_target(tmp_path, tiny_model_dir)
    left = tmp_path / "o" / "target" / ".checkpoint.killed.tmp"  # a checkpoint being written when SIGKILL came
    left.mkdir(parents=True)
    (left / "model.safetensors").write_bytes(b"half")
    code, out, err = run_cli(monkeypatch, capsys, "train", config, "--out", tmp_path / "o")
    assert code == 0, err
    assert not list((tmp_path / "o" / "target").glob(".*.tmp"))
