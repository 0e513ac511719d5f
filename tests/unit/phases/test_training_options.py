"""Options every user needs: head_lr, pooling (cls|mean), dev scores in the summaries, early stopping."""

import json
import logging

import pytest
import torch
from phases_toy import ToyEncoder, toy_task

from intermezzo.phases import PHASES, distributed, loop
from intermezzo.phases.loop import MultiTaskModel, Validator, train
from intermezzo.phases.params import EVALUATIONS, validate
from intermezzo.tasks import get_task
from intermezzo.types import TYPES

CPU = distributed.Dist(rank=0, world=1, device=torch.device("cpu"))
FAST = {"batch_size": 4, "grad_accum": 1, "lr": 1e-3, "max_length": 48, "log_every": 2, "save_every": 100}


def cfg(**kw):
    base = {"task": "pawsx", "batch_size": 8, "grad_accum": 1, "lr": 1e-2, "max_steps": 40, "log_every": 5,
            "save_every": 1000}
    return validate("target", {**base, **kw})


def test_heads_get_their_own_learning_rate(tmp_path):
    torch.manual_seed(0)
    tasks = [toy_task("a"), toy_task("b", seed=1)]
    model = MultiTaskModel(ToyEncoder(), tasks)
    opt = loop.build_optimizer(model, cfg(lr=1e-5, head_lr=1e-3), torch.device("cpu"))
    names = {id(p): n for n, p in model.named_parameters()}
    lr_of = {names[id(p)]: g["lr"] for g in opt.param_groups for p in g["params"]}
    assert set(lr_of) == set(names.values())  # every trainable parameter once
    assert {n: lr for n, lr in lr_of.items() if n.startswith("heads.")} == \
        {n: 1e-3 for n in lr_of if n.startswith("heads.")}
    assert {lr for n, lr in lr_of.items() if n.startswith("encoder.")} == {1e-5}
    decay = {names[id(p)]: g["weight_decay"] for g in opt.param_groups for p in g["params"]}
    assert decay["heads.a.weight"] > 0 and decay["heads.a.bias"] == 0 and decay["encoder.norm.weight"] == 0
    sched = loop.linear_schedule(opt, total=10, warmup_ratio=0.0)
    opt.step()
    sched.step()
    lrs = sorted({g["lr"] for g in opt.param_groups})
    assert lrs[1] / lrs[0] == pytest.approx(100)  # the schedule scales both alike
    one = loop.build_optimizer(model, cfg(lr=1e-5), torch.device("cpu"))
    assert {g["lr"] for g in one.param_groups} == {1e-5} and len(one.param_groups) == 2


def _pooled(encoder, tokenizer, spec, texts, pooling):
    ttype = TYPES[spec.type]
    head = ttype.build_head(spec, encoder.config.hidden_size, pooling=pooling).eval()
    examples = [{"id": str(i), "sentence1": t, "sentence2": "ok", "label": "0"} for i, t in enumerate(texts)]
    batch = ttype.collate(ttype.featurize(spec, examples, tokenizer, 64), tokenizer.pad_token_id)
    from intermezzo.types.common import run_encoder

    with torch.no_grad():
        return head.pool(run_encoder(encoder, batch), batch["attention_mask"]), batch["attention_mask"]


def test_mean_pooling_ignores_padding(tiny):
    encoder, tokenizer = tiny
    spec = get_task("pawsx")
    short, long = "Berlin is big.", "The house is near the river and the park, far from the old town hall."
    alone, _ = _pooled(encoder, tokenizer, spec, [short], "mean")
    padded, mask = _pooled(encoder, tokenizer, spec, [short, long], "mean")
    assert mask[0].sum() < mask.shape[1]  # the short sentence really is padded in the batch
    torch.testing.assert_close(padded[0], alone[0], atol=1e-5, rtol=1e-5)
    cls, _ = _pooled(encoder, tokenizer, spec, [short], "cls")
    assert not torch.allclose(cls[0], alone[0])


def test_pooling_reaches_the_heads_and_survives_saving(tmp_path, tiny_model_dir, fixture_data):
    from intermezzo.modeling import load_encoder, load_heads

    PHASES["intermediate"]({"encoder": str(tiny_model_dir), "max_steps": 2, "pooling": "mean", **FAST,
                            "tasks": [{"task": "mnli", "source": str(fixture_data)},
                                      {"task": "squad", "source": str(fixture_data)}]}, tmp_path / "i", {})
    described = json.loads((tmp_path / "i" / "model" / "heads.json").read_text())
    assert described["mnli"]["attrs"] == {"pooling": "mean"} and described["squad"]["attrs"] == {}
    encoder, _ = load_encoder(tmp_path / "i" / "model")
    assert load_heads(tmp_path / "i" / "model", encoder=encoder)["mnli"].pooling == "mean"
    with pytest.raises(Exception, match="pooling"):
        validate("target", {"task": "xnli", "pooling": "max"})


def test_intermediate_phase_writes_its_dev_scores(tmp_path, tiny_model_dir, fixture_data):
    summary = PHASES["intermediate"]({"encoder": str(tiny_model_dir), "max_steps": 3, **FAST,
                                      "tasks": [{"task": "mnli", "source": str(fixture_data)},
                                                {"task": "squad", "source": str(fixture_data)}]},
                                     tmp_path / "i", {})
    stored = json.loads((tmp_path / "i" / "summary.json").read_text())["validation"]
    assert stored == summary["validation"] and set(stored) == {"mnli", "squad"}
    mnli, squad = stored["mnli"], stored["squad"]
    assert mnli["metric"] == "accuracy" and 0 <= mnli["score"] <= 100 and 0 < mnli["chance"] <= 100
    assert mnli["best_step"] == mnli["steps"] == 3 and mnli["examples"] > 0 and mnli["lang"] == "en"
    assert mnli["translated"] is False
    assert squad["metric"] == "squad" and squad["chance"] is None


def test_target_phase_records_validation_next_to_chance(tmp_path, tiny_model_dir, fixture_data):
    summary = PHASES["target"]({"encoder": str(tiny_model_dir), "task": "pawsx", "source": str(fixture_data),
                                "max_steps": 4, "eval_every": 2, **FAST}, tmp_path / "t", {})
    checked = summary["validation"]["pawsx"]
    assert checked["score"] == summary["best"]["value"] and checked["best_step"] == summary["best"]["step"]
    assert checked["steps"] == 4 and checked["chance"] is not None


def test_default_validation_cadence_and_the_still_improving_warning(tmp_path, caplog):
    torch.manual_seed(0)
    task = toy_task()
    model = MultiTaskModel(ToyEncoder(), [task])
    values = iter(range(100))
    calls = []

    def evaluate(m):
        calls.append(1)
        return float(next(values))  # always improving

    with caplog.at_level(logging.WARNING, logger="intermezzo.phases"):
        result = train(model, [task], cfg(max_steps=40), tmp_path, CPU, validator=Validator(evaluate, patience=3))
    assert len(calls) == EVALUATIONS and result["best"]["step"] == 40
    assert "still improved at the last step" in caplog.text
    assert validate("target", {"task": "xnli"}).patience == 5 and validate("target", {"task": "xnli"}).eval_every \
        is None
    # Patience counts validations in a row, as jiant's no_improvements_for_n_evals.
    caplog.clear()
    torch.manual_seed(0)
    task = toy_task()
    model = MultiTaskModel(ToyEncoder(), [task])
    values = iter([1.0, 2.0, 1.5, 1.8, 1.9, 2.5, 2.4, 2.3, 2.2, 2.1, 9.0])

    with caplog.at_level(logging.WARNING, logger="intermezzo.phases"):
        result = train(model, [task], cfg(max_steps=200), tmp_path / "p", CPU,
                       validator=Validator(lambda m: next(values), every=10, patience=4))
    # Three misses, a new best at step 60 resets the count, four more misses in a row, then stop (counted in
    # total, the seven misses would have stopped at step 70); the best is not the last step.
    assert result["best"]["step"] == 60 and result["steps"] == 100 and result["best"]["misses"] == 4
    assert "still improved" not in caplog.text
