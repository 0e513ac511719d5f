"""The training loop: loss falls, NaN stops with step and task, resume is exact, early stopping keeps the best."""

import math

import pytest
import torch
from phases_toy import ToyEncoder, toy_loss, toy_task

from intermezzo.phases import checkpoint as ckpt
from intermezzo.phases import distributed, loop
from intermezzo.phases.loop import MultiTaskModel, TrainingDiverged, Validator, linear_schedule, train
from intermezzo.phases.params import validate

CPU = distributed.Dist(rank=0, world=1, device=torch.device("cpu"))


def cfg(**kw):
    base = {"task": "pawsx", "batch_size": 8, "grad_accum": 2, "lr": 1e-2, "max_steps": 40, "log_every": 5,
            "save_every": 1000, "warmup_ratio": 0.1, "weight_decay": 0.01}
    return validate("target", {**base, **kw})


def fresh(seed=0, tasks=("toy",)):
    torch.manual_seed(seed)
    encoder = ToyEncoder()
    ts = [toy_task(name, seed=i) for i, name in enumerate(tasks)]
    return MultiTaskModel(encoder, ts), ts


def test_loss_falls_on_a_learnable_task(tmp_path):
    model, tasks = fresh()
    result = train(model, tasks, cfg(max_steps=60), tmp_path, CPU)
    assert result["steps"] == 60
    assert result["train_loss"] < 0.6 * result["first_loss"]
    rows = [r for r in result["history"] if "loss" in r]
    assert len(rows) == 12 and all(r["tokens_per_s"] > 0 for r in rows)
    assert (tmp_path / "log.jsonl").is_file()


def test_nan_loss_stops_with_step_and_task(tmp_path):
    calls = {"n": 0}

    def poisoned(encoder, head, batch):
        calls["n"] += 1
        loss = toy_loss(encoder, head, batch)
        return loss * float("nan") if calls["n"] > 6 else loss  # micro-batch 7 = step 4 with grad_accum 2

    model, _ = fresh()
    task = toy_task("nli_en", loss=poisoned)
    model = MultiTaskModel(ToyEncoder(), [task])
    with pytest.raises(TrainingDiverged, match=r"step 4, task nli_en: the loss is NaN or infinite"):
        train(model, [task], cfg(log_every=10), tmp_path, CPU)


def test_schedule_warms_up_then_decays_to_zero():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    sched = linear_schedule(opt, total=10, warmup_ratio=0.2)
    lrs = []
    for _ in range(10):
        lrs.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    assert lrs[0] == pytest.approx(0.5) and lrs[1] == pytest.approx(1.0)
    assert lrs[1:] == sorted(lrs[1:], reverse=True) and sched.get_last_lr()[0] == 0.0


def test_no_decay_on_bias_and_norm():
    model, _ = fresh()
    opt = loop.build_optimizer(model, cfg(), torch.device("cpu"))
    decayed = {id(p) for p in opt.param_groups[0]["params"]}
    names = {n for n, p in model.named_parameters() if id(p) in decayed}
    assert "encoder.embeddings.weight" in names and "heads.toy.weight" in names
    assert not any(n.endswith("bias") or "norm" in n for n in names)


def test_killed_run_resumes_to_the_same_weights(tmp_path, monkeypatch):
    c = cfg(max_steps=12, save_every=4, log_every=2)
    model, tasks = fresh(tasks=("a", "b"))
    train(model, tasks, c, tmp_path / "straight", CPU, probabilities=[0.5, 0.5])
    expected = {k: v.clone() for k, v in model.state_dict().items()}

    real = ckpt.save_checkpoint

    def save_then_die(folder, *args, **kw):
        real(folder, *args, **kw)
        if args[3]["step"] == 8:
            raise KeyboardInterrupt("killed")

    monkeypatch.setattr(loop, "save_checkpoint", save_then_die)
    model, tasks = fresh(tasks=("a", "b"))
    with pytest.raises(KeyboardInterrupt):
        train(model, tasks, c, tmp_path / "killed", CPU, probabilities=[0.5, 0.5])
    assert ckpt.has_checkpoint(tmp_path / "killed")
    # A new process: fresh weights and RNG, everything else comes from the checkpoint.
    torch.manual_seed(123)
    model, tasks = fresh(seed=5, tasks=("a", "b"))
    result = train(model, tasks, c, tmp_path / "killed", CPU, probabilities=[0.5, 0.5])
    assert result["resumed_from"] == 8 and result["steps"] == 12
    for k, v in model.state_dict().items():
        torch.testing.assert_close(v, expected[k], msg=k)


def test_early_stopping_keeps_the_best_weights(tmp_path):
    model, tasks = fresh()
    values = iter([1.0, 3.0, 2.0, 2.5, 0.5, 9.0])
    snapshots = []

    def evaluate(m):
        snapshots.append(m.heads["toy"].weight.detach().clone())
        return next(values)

    result = train(model, tasks, cfg(max_steps=60), tmp_path, CPU, validator=Validator(evaluate, every=5, patience=3))
    assert result["best"]["step"] == 10 and result["best"]["value"] == 3.0
    assert result["steps"] == 25  # three misses after step 10, then stop
    torch.testing.assert_close(model.heads["toy"].weight, snapshots[1])


def test_best_weights_file_holds_only_trainable_tensors(tmp_path):
    from safetensors.torch import load_file

    model, tasks = fresh()
    model.encoder.embeddings.weight.requires_grad_(False)  # as freeze_layers leaves the embeddings
    frozen = model.encoder.embeddings.weight.detach().clone()
    values = iter([1.0, 3.0, 2.0, 2.5, 0.5])
    snapshots = []

    def evaluate(m):
        snapshots.append({n: p.detach().clone() for n, p in m.named_parameters()})
        return next(values)

    train(model, tasks, cfg(max_steps=60), tmp_path, CPU, validator=Validator(evaluate, every=5, patience=3))
    saved = load_file(str(tmp_path / "best" / loop.BEST_FILE))
    assert "encoder.embeddings.weight" not in saved and "heads.toy.weight" in saved
    assert set(saved) == {n for n, p in model.named_parameters() if p.requires_grad}
    for name, value in model.named_parameters():  # the step-10 weights, frozen ones untouched
        torch.testing.assert_close(value, snapshots[1][name], msg=name)
    torch.testing.assert_close(model.encoder.embeddings.weight, frozen)


def test_best_of_an_older_version_or_another_shape(tmp_path):
    from safetensors.torch import save_file, save_model

    from intermezzo.errors import UserError

    model, tasks = fresh()
    loop_ = loop.Loop(model, tasks, cfg(), tmp_path, CPU, validator=Validator(lambda m: 1.0, every=5))
    target, _ = fresh(seed=7)
    (tmp_path / "best").mkdir()
    save_model(target, str(tmp_path / "best" / "model.safetensors"))  # 0.1.0 saved the whole model here
    assert loop_._load_best()
    for (name, a), b in zip(model.state_dict().items(), target.state_dict().values()):
        torch.testing.assert_close(a, b, msg=name)
    save_file({"heads.toy.weight": torch.zeros(3)}, str(tmp_path / "best" / loop.BEST_FILE))
    with pytest.raises(UserError, match="differ from the trained ones"):
        loop_._load_best()


def test_multi_task_steps_follow_the_sampler(tmp_path):
    model, tasks = fresh(tasks=("a", "b"))
    result = train(model, tasks, cfg(max_steps=400, log_every=400, lr=1e-4), tmp_path, CPU, probabilities=[0.8, 0.2])
    counts = result["history"][-1]["tasks"]
    assert counts["a"] + counts["b"] == 400
    assert math.isclose(counts["a"] / 400, 0.8, abs_tol=0.07)


def test_bf16_autocast_trains_on_cpu(tmp_path):
    model, tasks = fresh()
    result = train(model, tasks, cfg(max_steps=20, precision="bf16"), tmp_path, CPU)
    assert math.isfinite(result["train_loss"]) and result["train_loss"] < result["first_loss"]
    assert all(p.dtype == torch.float32 for p in model.parameters())  # autocast, not a cast of the weights


def test_checkpoint_of_other_params_is_not_resumed(tmp_path, monkeypatch):
    real = ckpt.save_checkpoint

    def save_then_die(folder, *args, **kw):
        real(folder, *args, **kw)
        raise KeyboardInterrupt

    monkeypatch.setattr(loop, "save_checkpoint", save_then_die)
    model, tasks = fresh()
    with pytest.raises(KeyboardInterrupt):
        train(model, tasks, cfg(max_steps=8, save_every=4), tmp_path, CPU)
    monkeypatch.setattr(loop, "save_checkpoint", real)
    model, tasks = fresh()
    with pytest.raises(loop.UserError, match="written by a run with other params"):
        train(model, tasks, cfg(max_steps=8, save_every=4, lr=0.5), tmp_path, CPU)
