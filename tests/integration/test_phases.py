"""MLM -> multi-task intermediate (classification + QA) -> target -> zero-shot evaluation, with the tiny model."""

import json
import random

import pytest

from intermezzo.data.formats import write_jsonl
from intermezzo.io import is_done
from intermezzo.experiments import train as runner
from intermezzo.phases import checkpoint, loop
from intermezzo.phases import target as target_module

LANGS = ("de", "en", "fr")
CITIES = {"en": ("Berlin", "London"), "de": ("Berlin", "London"), "fr": ("Berlin", "Londres")}
FILLER = {"en": "the house is near the river and the park", "de": "das Haus ist nahe am Fluss und am Park",
          "fr": "la maison est près de la rivière et du parc"}


def learnable_pawsx(folder, n_train=96, n_test=16):
    """Canonical JSONL for pawsx whose label is '1' exactly when sentence1 names Berlin (in every language)."""
    rng = random.Random(0)

    def rows(lang, n, split):
        out = []
        for i in range(n):
            label = i % 2
            words = FILLER[lang].split()
            words.insert(rng.randrange(len(words)), CITIES[lang][0 if label else 1])
            out.append({"id": f"{lang}-{split}-{i}", "sentence1": " ".join(words),
                        "sentence2": FILLER[lang], "label": str(label)})
        return out

    write_jsonl(folder / "train-en.jsonl", rows("en", n_train, "train"))
    write_jsonl(folder / "validation-en.jsonl", rows("en", n_test, "validation"))
    for lang in LANGS:
        write_jsonl(folder / f"test-{lang}.jsonl", rows(lang, n_test, "test"))
    return folder


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    from intermezzo.data.fixtures import write_fixtures
    from intermezzo.modeling.tiny import BUILTIN_TEXT, build_tiny_model

    root = tmp_path_factory.mktemp("phases")
    tiny = build_tiny_model(tmp_path_factory.getbasetemp() / "tiny-model")
    for task in ("mnli", "squad"):
        write_fixtures(task, root / "data")
    pawsx = learnable_pawsx((root / "pawsx"))
    (root / "en.txt").write_text(BUILTIN_TEXT, encoding="utf-8")
    (root / "de.txt").write_text("\n".join(FILLER["de"] for _ in range(20)), encoding="utf-8")
    fast = {"batch_size": 8, "grad_accum": 1, "max_length": 48, "log_every": 5, "save_every": 10, "lr": 2e-3}
    config = {
        "encoder": str(tiny), "common": {**fast, "seed": 1},
        "phases": {
            "mlm": {"texts": {"en": str(root / "en.txt"), "de": str(root / "de.txt")}, "max_steps": 6},
            "intermediate": {"max_steps": 12, "sampler": {"kind": "temperature", "temperature": 2.0},
                             "tasks": [{"task": "mnli", "source": str(root / "data")},
                                       {"task": "squad", "source": str(root / "data")}]},
            "target": {"task": "pawsx", "source": str(pawsx), "max_steps": 60, "eval_every": 20, "patience": 3,
                       "lr": 5e-3},
            "evaluate": {"task": "pawsx", "source": str(pawsx), "langs": list(LANGS), "noise": ["keyboard:0.1"]},
        },
    }
    summaries = runner.run_config(config, root / "run")
    return root, config, summaries


def test_pipeline_trains_and_scores_every_language(setup):
    root, _, s = setup
    run = root / "run"
    assert all(is_done(run / name) for name in ("mlm", "intermediate", "target", "evaluate"))
    assert set(s["intermediate"]["tasks"]) == {"mnli", "squad"}
    assert sum(s["intermediate"]["steps_per_task"].values()) == 12
    assert s["target"]["train_loss"] < s["target"]["first_loss"]  # the fixture is learnable
    assert s["target"]["best"]["value"] >= 75.0
    heads = json.loads((run / "intermediate" / "model" / "heads.json").read_text())
    assert set(heads) == {"mnli", "squad"}
    scores = json.loads((run / "evaluate" / "scores.json").read_text())
    assert set(scores) == {"clean", "keyboard:0.1"} and all(set(scores[n]) == set(LANGS) for n in scores)
    assert scores["clean"]["en"]["accuracy"] >= 75.0
    rows = [json.loads(line) for line in (run / "evaluate" / "example_scores.jsonl").read_text().splitlines()]
    assert len(rows) == 2 * len(LANGS) * 16 and {r["noise"] for r in rows} == {"clean", "keyboard:0.1"}
    for noise in scores:
        for lang in LANGS:
            lines = (run / "evaluate" / "predictions" / noise / "pawsx" / f"test-{lang}.tsv").read_text().split()
            assert len(lines) == 16 and set(lines) <= {"0", "1"}
            mean = sum(r["score"] for r in rows if r["lang"] == lang and r["noise"] == noise) / 16
            assert mean == pytest.approx(scores[noise][lang]["accuracy"])


def test_rerun_reuses_finished_phases(setup, monkeypatch):
    root, config, _ = setup

    def no_training(*a, **k):
        raise AssertionError("a finished phase trained again")

    for module in (loop, target_module):
        monkeypatch.setattr(module, "train", no_training)
    again = runner.run_config(config, root / "run")
    assert all(summary["reused"] for summary in again.values())


def test_killed_target_phase_resumes_from_its_checkpoint(setup, monkeypatch):
    root, config, _ = setup
    params = dict(runner.phase_plan(config)[2][2])
    real = checkpoint.save_checkpoint

    def save_then_die(folder, *args, **kw):
        real(folder, *args, **kw)
        raise KeyboardInterrupt("simulated kill after the first checkpoint")

    monkeypatch.setattr(loop, "save_checkpoint", save_then_die)
    out = root / "resume"
    with pytest.raises(KeyboardInterrupt):
        target_module.run_target(params, out, {"encoder": root / "run" / "intermediate"})
    assert checkpoint.has_checkpoint(out) and not is_done(out)
    monkeypatch.setattr(loop, "save_checkpoint", real)
    summary = target_module.run_target(params, out, {"encoder": root / "run" / "intermediate"})
    assert summary["resumed_from"] == 10 and summary["steps"] >= 20 and is_done(out)
    assert not (out / "checkpoint").exists() and (out / "model" / "heads.safetensors").is_file()


def test_qa_head_and_encoder_only_retrieval_are_scored(setup, tmp_path):
    from intermezzo.data.fixtures import fixture_langs, write_fixtures
    from intermezzo.phases import PHASES
    from intermezzo.tasks import get_task

    root, config, _ = setup
    qa = PHASES["evaluate"]({"task": "squad", "source": str(root / "data"), "split": "validation", "langs": ["en"]},
                            tmp_path / "qa", {"model": root / "run" / "intermediate"})
    answers = json.loads((tmp_path / "qa" / "predictions" / "clean" / "squad" / "test-en.json").read_text())
    assert isinstance(answers, dict) and answers and set(qa["scores"]["clean"]["en"]) >= {"f1"}
    data = write_fixtures("tatoeba", tmp_path / "data")
    langs = list(fixture_langs(get_task("tatoeba")))[:2]
    out = PHASES["evaluate"]({"task": "tatoeba", "source": str(data.parent), "langs": langs}, tmp_path / "tatoeba",
                             {"encoder": config["encoder"]})
    assert set(out["scores"]["clean"]) == set(langs)
    assert all(0.0 <= s["accuracy"] <= 100.0 for s in out["scores"]["clean"].values())


def test_train_command_runs_a_yaml_with_overrides(setup, tmp_path):
    import yaml
    from typer.testing import CliRunner

    from intermezzo.cli import app

    root, config, _ = setup
    small = {"encoder": config["encoder"], "common": config["common"],
             "phases": {"target": {**config["phases"]["target"], "max_steps": 40},
                        "evaluate": {**config["phases"]["evaluate"], "noise": []}}}
    path = tmp_path / "train.yaml"
    path.write_text(yaml.safe_dump(small, sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(app, ["train", str(path), "--out", str(tmp_path / "out"), "phases.target.max_steps=4",
                                      "phases.evaluate.langs=[en]"])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "out" / "target" / "summary.json").read_text())["steps"] == 4
    assert list(json.loads((tmp_path / "out" / "evaluate" / "scores.json").read_text())["clean"]) == ["en"]
    assert "outputs in" in result.output


def test_finished_folder_with_other_params_is_refused(setup):
    from intermezzo.errors import UserError

    root, config, _ = setup
    changed = {**config, "phases": {**config["phases"], "target": {**config["phases"]["target"], "lr": 1e-4}}}
    with pytest.raises(UserError, match="finished target run with other params"):
        runner.run_config(changed, root / "run")


def test_a_kill_while_writing_a_checkpoint_leaves_nothing_in_the_finished_folder(setup, monkeypatch):
    from intermezzo.phases.folder import PhaseFolder

    root, config, _ = setup
    params = {**dict(runner.phase_plan(config)[2][2]), "max_steps": 20}
    real = checkpoint.save_checkpoint

    def killed_mid_write(folder, *args, **kw):
        stale = folder.parent / f".{folder.name}.k1ll.tmp"  # what atomic_dir holds while it writes
        stale.mkdir(parents=True)
        (stale / "model.safetensors").write_bytes(b"half")
        raise KeyboardInterrupt("SIGKILL while the checkpoint was being written")

    monkeypatch.setattr(loop, "save_checkpoint", killed_mid_write)
    out = root / "killed-mid-write"
    with pytest.raises(KeyboardInterrupt):
        target_module.run_target(params, out, {"encoder": root / "run" / "intermediate"})
    assert PhaseFolder(out).leftovers()
    monkeypatch.setattr(loop, "save_checkpoint", real)
    target_module.run_target(params, out, {"encoder": root / "run" / "intermediate"})
    assert is_done(out) and PhaseFolder(out).leftovers() == []
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def test_evaluate_cleans_up_a_killed_attempts_predictions(setup, tmp_path):
    from intermezzo.phases import PHASES
    from intermezzo.phases.folder import PhaseFolder

    root, config, _ = setup
    out = tmp_path / "eval"
    stale = out / ".predictions.k1ll.tmp" / "clean" / "pawsx"
    stale.mkdir(parents=True)
    (stale / "test-de.tsv").write_text("0\n")
    params = {**config["phases"]["evaluate"], "noise": [], "langs": ["en"]}
    PHASES["evaluate"](params, out, {"model": root / "run" / "target"})
    assert is_done(out) and PhaseFolder(out).leftovers() == []
