"""Head hand-off: the target phase starts from the intermediate encoder's weights with a fresh head only."""

import torch
from safetensors.torch import load_file

from intermezzo.phases import PHASES
from intermezzo.phases import target as target_module

FAST = {"batch_size": 4, "grad_accum": 1, "lr": 1e-3, "max_length": 48, "log_every": 2, "save_every": 100}


def test_target_starts_from_the_intermediate_encoder(tmp_path, tiny_model_dir, fixture_data, monkeypatch):
    inter = tmp_path / "inter"
    PHASES["intermediate"]({"encoder": str(tiny_model_dir), "max_steps": 4, **FAST,
                            "tasks": [{"task": "mnli", "source": str(fixture_data)},
                                      {"task": "squad", "source": str(fixture_data)}]}, inter, {})
    handed = load_file(str(inter / "model" / "model.safetensors"))
    base = load_file(str(tiny_model_dir / "model.safetensors"))
    seen = {}
    real_train = target_module.train

    def spy(model, tasks, cfg, out_dir, d, **kw):
        seen["encoder"] = {k: v.clone() for k, v in model.encoder.state_dict().items()}
        seen["heads"] = list(model.heads)
        return real_train(model, tasks, cfg, out_dir, d, **kw)

    monkeypatch.setattr(target_module, "train", spy)
    PHASES["target"]({"task": "pawsx", "source": str(fixture_data), "max_steps": 2, "eval_every": 2, **FAST},
                     tmp_path / "target", {"encoder": inter})
    assert seen["heads"] == ["pawsx"]  # the mnli and squad heads stayed behind
    key = "embeddings.word_embeddings.weight"
    torch.testing.assert_close(seen["encoder"][key], handed[key])
    assert not torch.equal(handed[key], base[key])  # intermediate training moved the weights
    heads = load_file(str(tmp_path / "target" / "model" / "heads.safetensors"))
    assert {k.split(".")[0] for k in heads} == {"pawsx"}


def test_translated_intermediate_data_outside_the_task_languages(tmp_path, tiny_model_dir):
    """Option (a): MNLI in German as canonical JSONL trains, although German is not an MNLI language."""
    from intermezzo.data.formats import write_jsonl

    rows = [{"id": str(i), "premise": "Ich wohne in Berlin.", "hypothesis": "Berlin ist gross.",
             "label": ("entailment", "neutral", "contradiction")[i % 3]} for i in range(12)]
    write_jsonl(tmp_path / "data" / "train-de.jsonl", rows)
    summary = PHASES["intermediate"]({"encoder": str(tiny_model_dir), "max_steps": 2, **FAST,
                                      "tasks": [{"task": "mnli", "lang": "de", "source": str(tmp_path / "data")}]},
                                     tmp_path / "inter", {})
    assert summary["tasks"] == {"mnli": 12} and summary["steps"] == 2


def test_machine_translated_intermediate_task_through_the_phase(tmp_path, tiny_model_dir, fixture_data, monkeypatch):
    """Option (b): a registered engine translates the English data; the phase reports and caches it."""
    import json

    from intermezzo.mt import TRANSLATORS

    calls = []

    class Reverse:
        def __init__(self, model, batch_size=16):
            self.name = f"reverse:{model}"

        def translate(self, texts, src, tgt):
            calls.append(len(texts))
            return [" ".join(reversed(t.split())) for t in texts]

    monkeypatch.setitem(TRANSLATORS, "reverse", Reverse)
    monkeypatch.setenv("INTERMEZZO_CACHE", str(tmp_path / "cache"))
    params = {"encoder": str(tiny_model_dir), "max_steps": 2, **FAST,
              "tasks": [{"task": "squad", "source": str(fixture_data),
                         "translate": {"engine": "reverse", "model": "m", "tgt_lang": "de"}}]}
    summary = PHASES["intermediate"](params, tmp_path / "a", {})
    report = summary["translation"]["squad"]
    assert report["engine"] == "reverse:m" and report["tgt"] == "de"
    assert report["kept"] + sum(report["dropped"].values()) == 48 and report["kept"] > 0
    assert json.loads((tmp_path / "a" / "translation.json").read_text())["squad"] == report
    # Learned or not is judged on the dev split translated the same way, in the language trained on.
    dev = summary["validation"]["squad"]
    assert dev["lang"] == "de" and dev["translated"] is True and dev["examples"] > 0
    first = sum(calls)
    PHASES["intermediate"](params, tmp_path / "b", {})  # same texts again: all from the cache
    assert sum(calls) == first
