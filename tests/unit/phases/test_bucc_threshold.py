"""BUCC is mined with a threshold tuned on the language's dev split, never on the split being scored."""

from intermezzo.data.fixtures import write_fixtures
from intermezzo.phases import PHASES


def test_bucc_threshold_comes_from_dev(tmp_path, tiny_model_dir, monkeypatch):
    from intermezzo.types.retrieval import Retrieval

    seen = []
    original = Retrieval.tune_bucc_threshold

    def spy(self, spec, examples, features, outputs):
        seen.append({ex["id"] for ex in examples})
        return original(self, spec, examples, features, outputs)

    monkeypatch.setattr(Retrieval, "tune_bucc_threshold", spy)
    data = write_fixtures("bucc2018", tmp_path / "data")
    out = PHASES["evaluate"]({"task": "bucc2018", "source": str(data.parent), "langs": ["de"], "batch_size": 8},
                             tmp_path / "eval", {"encoder": tiny_model_dir})
    assert len(seen) == 1  # once per language, shared by every noise condition
    from intermezzo.data.load import load_examples

    dev_ids = {ex["id"] for ex in load_examples("bucc2018", "validation", "de", source=data.parent)}
    assert seen[0] == dev_ids
    assert isinstance(out["thresholds"]["de"], float)
    assert 0.0 <= out["scores"]["clean"]["de"]["f1"] <= 100.0
