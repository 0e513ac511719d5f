"""Evaluation runs the model as trained: its training max length (512 for encoder-only retrieval, as XTREME),
the layers the training arms keep, the retrieval layer and pooling asked for, recorded in the summary."""

import json

import pytest
import torch

from intermezzo.data.fixtures import write_fixtures
from intermezzo.phases import PHASES
from intermezzo.phases.lifecycle import Outcome, run_phase
from intermezzo.tasks import get_task


@pytest.fixture
def featurized(monkeypatch):
    """The max_length every featurize call of the evaluate phase receives."""
    from intermezzo.types import TYPES

    lengths = []
    for ttype in {type(t) for t in TYPES.values()}:
        original = ttype.featurize

        def spy(self, spec, examples, tokenizer, max_length, *args, _original=original, **kwargs):
            lengths.append(max_length)
            return _original(self, spec, examples, tokenizer, max_length, *args, **kwargs)

        monkeypatch.setattr(ttype, "featurize", spy)
    return lengths


def trained_phase(folder, tiny_model_dir, task: str, max_length: int):
    """A finished training phase's folder: model/ with the task's head, summary.json with its max_length."""
    from intermezzo.modeling import load_encoder, save_model
    from intermezzo.types import TYPES

    spec = get_task(task)
    encoder, tokenizer = load_encoder(tiny_model_dir)
    torch.manual_seed(0)
    head = TYPES[spec.type].build_head(spec, encoder.config.hidden_size)
    save_model(folder / "model", encoder, tokenizer, heads={task: head},
               head_meta={task: {"type": spec.type, "task": spec.train_source or task}})
    (folder / "summary.json").write_text(json.dumps({"phase": "target", "max_length": max_length}))
    return folder


def test_xquad_trained_at_384_is_evaluated_at_384(tmp_path, tiny_model_dir, featurized):
    data = write_fixtures("xquad", tmp_path / "data")
    model = trained_phase(tmp_path / "target", tiny_model_dir, "xquad", 384)
    out = PHASES["evaluate"]({"task": "xquad", "source": str(data.parent), "langs": ["de"]}, tmp_path / "eval",
                             {"model": model})
    assert set(featurized) == {384} and out["max_length"] == 384
    assert "training max length" in out["max_length_from"]
    # An explicit evaluate param still wins.
    featurized.clear()
    out = PHASES["evaluate"]({"task": "xquad", "source": str(data.parent), "langs": ["de"], "max_length": 128},
                             tmp_path / "eval-128", {"model": model})
    assert set(featurized) == {128} and out["max_length_from"] == "evaluate params"


def test_encoder_only_retrieval_is_evaluated_at_512(tmp_path, tiny_model_dir, featurized):
    data = write_fixtures("tatoeba", tmp_path / "data")
    out = PHASES["evaluate"]({"task": "tatoeba", "source": str(data.parent), "langs": ["de"]}, tmp_path / "eval",
                             {"encoder": tiny_model_dir})
    assert set(featurized) == {512} and out["max_length"] == 512


def test_training_phases_record_their_max_length(tmp_path):
    summary = run_phase("target", {"task": "xquad", "max_length": 384}, tmp_path, {},
                        lambda run: Outcome({"phase": "target"}))
    assert summary["max_length"] == 384
    assert json.loads((tmp_path / "summary.json").read_text())["max_length"] == 384


def test_encoder_only_evaluation_keeps_the_layers_the_training_arms_keep(tmp_path, tiny_model_dir, monkeypatch):
    from intermezzo.types.retrieval import RetrievalHead

    depths = []
    forward = RetrievalHead.forward

    def spy(self, hidden_states, attention_mask):
        depths.append(len(hidden_states) - 1)
        return forward(self, hidden_states, attention_mask)

    monkeypatch.setattr(RetrievalHead, "forward", spy)
    data = write_fixtures("tatoeba", tmp_path / "data")
    params = {"task": "tatoeba", "source": str(data.parent), "langs": ["de"]}
    full = PHASES["evaluate"](params, tmp_path / "full", {"encoder": tiny_model_dir})
    assert set(depths) == {2} and full["encoder_layers"] == 2 and full["retrieval"]["layer"] == 2
    depths.clear()
    cut = PHASES["evaluate"]({**params, "keep_layers": 1}, tmp_path / "cut", {"encoder": tiny_model_dir})
    assert set(depths) == {1} and cut["encoder_layers"] == 1
    assert cut["retrieval"]["layer"] == 1  # the middle-layer rule on the kept layers, not the full encoder's


def test_retrieval_layer_and_pooling_are_applied_and_recorded(tmp_path, tiny_model_dir, monkeypatch):
    from intermezzo.types.retrieval import RetrievalHead

    used = []
    forward = RetrievalHead.forward

    def spy(self, hidden_states, attention_mask):
        used.append((self.layer, self.pooling))
        return forward(self, hidden_states, attention_mask)

    monkeypatch.setattr(RetrievalHead, "forward", spy)
    data = write_fixtures("tatoeba", tmp_path / "data")
    out = PHASES["evaluate"]({"task": "tatoeba", "source": str(data.parent), "langs": ["de"], "retrieval_layer": 0,
                              "retrieval_pooling": "cls"}, tmp_path / "eval", {"encoder": tiny_model_dir})
    assert set(used) == {(0, "cls")}
    assert {k: out["retrieval"][k] for k in ("layer", "pooling")} == {"layer": 0, "pooling": "cls"}
    assert "set in config" in out["retrieval"]["reason"]
    from intermezzo.errors import UserError

    with pytest.raises(UserError, match="retrieval_layer 7"):
        PHASES["evaluate"]({"task": "tatoeba", "source": str(data.parent), "langs": ["de"], "retrieval_layer": 7},
                           tmp_path / "bad", {"encoder": tiny_model_dir})


def test_example_rows_keep_their_score_and_id(tmp_path, tiny_model_dir):
    data = write_fixtures("xquad", tmp_path / "data")
    model = trained_phase(tmp_path / "target", tiny_model_dir, "xquad", 64)
    PHASES["evaluate"]({"task": "xquad", "source": str(data.parent), "langs": ["de", "en"], "noise": ["char_swap:0.3"]},
                       tmp_path / "eval", {"model": model})
    rows = [json.loads(line) for line in (tmp_path / "eval" / "example_scores.jsonl").read_text().splitlines()]
    assert [(r["noise"], r["lang"]) for r in rows] == sorted(
        [(r["noise"], r["lang"]) for r in rows], key=lambda k: (k[0] != "clean", k[1] != "de"))
    assert all(set(r) >= {"noise", "lang", "id", "score"} and 0 <= r["score"] <= 100 for r in rows)
