"""Small finished grids (the fake phases) for the report's tests, with training-phase validation written in."""

import json
from pathlib import Path

import pytest

from intermezzo.experiments.config import validate
from support.grids import small_grid

from intermezzo.experiments.fake import FAKE_PHASES
from intermezzo.experiments.runner import run_experiment
from intermezzo.report.render import build_report

# English dev scores of the target phases: 'multi' is best on dev, though not on test (selection is on dev).
DEV = {"none": 61.0, "mnli": 66.0, "mnli-mt": 64.0, "multi": 71.0}


def write_validation(run_dir: Path, dev: dict[str, float] = DEV) -> int:
    """Give every training phase of a finished fake run the summary.json `validation` the real phases write."""
    plan = json.loads((run_dir / "plan.json").read_text())
    nodes = {n["key"]: n for n in plan["nodes"]}
    written = 0
    for cell in plan["cells"]:
        target = nodes[nodes[cell["key"]]["inputs"]["model"]]
        chance = {"xnli": 100 / 3, "pawsx": 50.0}[cell["target"]]
        entries = {target["key"]: {cell["target"]: {"metric": "accuracy", "score": dev[cell["condition"]],
                                                    "chance": chance, "best_step": 2, "steps": 4}}}
        parent = nodes.get(target["inputs"].get("encoder", ""))
        if parent is not None:
            entries[parent["key"]] = {parent["params"]["tasks"][0]["task"]: {
                "metric": "accuracy", "score": 55.0, "chance": 100 / 3, "best_step": 4, "steps": 4}}
        for key, validation in entries.items():
            path = run_dir / "phases" / key / "summary.json"
            path.write_text(json.dumps({"phase": nodes[key]["kind"], "validation": validation}))
            written += 1
    return written


def finished_run(path: Path, validation: bool = True, **overrides) -> Path:
    """Run the small fake grid into `path` (with its training validation unless told otherwise)."""
    raw = small_grid(**overrides)
    run_experiment(validate(raw), path, phases=FAKE_PHASES, progress=False)
    if validation:
        write_validation(path)
    return path


@pytest.fixture(scope="package")
def run_dir(tmp_path_factory):
    """The small grid (2 seeds, xnli + pawsx, English and target-language arms, keyboard and diacritics noise)."""
    return finished_run(tmp_path_factory.mktemp("run"),
                        reference={"mnli": {"xnli": {"value": 7.5}}, "best": {"average": {"value": 5.4}}})


@pytest.fixture(scope="package")
def report(run_dir):
    """Its report (few bootstrap replicates: the example level is a small share of the variance)."""
    return build_report(run_dir, n_resamples=300)


@pytest.fixture
def make_run(tmp_path):
    """finished_run into this test's tmp folder."""
    return lambda **overrides: finished_run(tmp_path, **overrides)
