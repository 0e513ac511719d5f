"""Noisy test sets are made once per grid: a second model (condition, seed) reads them from the cache."""

import json

import pytest

import intermezzo.noise
from intermezzo.data.fixtures import write_fixtures
from intermezzo.phases import PHASES
from intermezzo.phases.noisy_inputs import NotApplicable, NoisyInputs
from intermezzo.tasks import get_task

EXAMPLES = [{"id": f"e{i}", "sentence1": f"The quick brown fox number {i} jumps.", "sentence2": "A lazy dog.",
             "label": "1"} for i in range(5)]


@pytest.fixture
def noise_calls(monkeypatch):
    """Count calls of the noise function every noisy input goes through."""
    calls = []
    original = intermezzo.noise.noise_examples

    def counting(examples, task_type, lang, spec, seed, fields=None):
        calls.append((lang, spec, seed))
        return original(examples, task_type, lang, spec, seed, fields=fields)

    monkeypatch.setattr(intermezzo.noise, "noise_examples", counting)
    return calls


def test_a_variant_is_made_once_and_read_back_by_the_next_phase(tmp_path, noise_calls):
    spec = get_task("pawsx")
    first = NoisyInputs(tmp_path).get(EXAMPLES, spec, "en", "keyboard:0.3", 1)
    again = NoisyInputs(tmp_path)           # another phase: another condition or seed of the grid
    assert again.get(EXAMPLES, spec, "en", "keyboard:0.3", 1) == first
    assert len(noise_calls) == 1 and again.stats() == {"cached": True, "hits": 1, "made": 0}
    assert first != EXAMPLES and EXAMPLES[0]["sentence1"] == "The quick brown fox number 0 jumps."
    # The seed, the spec, the language and the data are the key; the model never is.
    again.get(EXAMPLES, spec, "en", "keyboard:0.3", 2)
    again.get(EXAMPLES, spec, "en", "keyboard:0.2", 1)
    again.get(EXAMPLES[:3], spec, "en", "keyboard:0.3", 1)
    assert len(noise_calls) == 4


def test_without_a_folder_nothing_is_kept(tmp_path, noise_calls):
    noisy = NoisyInputs(None)
    spec = get_task("pawsx")
    assert noisy.get(EXAMPLES, spec, "en", "keyboard:0.3", 1) == noisy.get(EXAMPLES, spec, "en", "keyboard:0.3", 1)
    assert len(noise_calls) == 2 and noisy.stats()["cached"] is False


def test_a_noise_that_does_not_fit_the_script_is_remembered(tmp_path, noise_calls):
    spec = get_task("pawsx")
    for _ in range(2):
        with pytest.raises(NotApplicable, match="keyboard"):
            NoisyInputs(tmp_path).get(EXAMPLES, spec, "ja", "keyboard:0.1", 1)
    assert len(noise_calls) == 1


def test_text_with_line_separators_survives_the_cache(tmp_path):
    spec = get_task("pawsx")
    odd = [{**EXAMPLES[0], "sentence1": "one\u2028two\u2029three"}]
    made = NoisyInputs(tmp_path).get(odd, spec, "en", "punctuation:0.0", 1)
    assert NoisyInputs(tmp_path).get(odd, spec, "en", "punctuation:0.0", 1) == made


def test_a_second_condition_evaluates_from_the_cache_without_noising(tmp_path, tiny_model_dir, noise_calls):
    data = write_fixtures("tatoeba", tmp_path / "data")
    cache = tmp_path / "run" / "noise-cache"
    params = {"task": "tatoeba", "source": str(data.parent), "langs": ["de", "ru"], "noise": ["char_swap:0.2"]}
    first = PHASES["evaluate"](params, tmp_path / "a", {"encoder": tiny_model_dir, "noise_cache": cache})
    assert len(noise_calls) == 2 and first["noise_inputs"]["made"] == 2
    # Another condition: another model (here the same encoder cut to one layer) on the same noisy data.
    second = PHASES["evaluate"]({**params, "keep_layers": 1}, tmp_path / "b",
                                {"encoder": tiny_model_dir, "noise_cache": cache})
    assert len(noise_calls) == 2
    assert second["noise_inputs"] == {"cached": True, "hits": 2, "made": 0}
    assert set(second["scores"]["char_swap:0.2"]) == {"de", "ru"}
    noisy_a = (tmp_path / "a" / "predictions" / "char_swap:0.2").rglob("*")
    assert any(p.is_file() for p in noisy_a)


def test_where_the_cache_lies_is_not_part_of_the_fingerprint(tmp_path, tiny_model_dir):
    data = write_fixtures("tatoeba", tmp_path / "data")
    params = {"task": "tatoeba", "source": str(data.parent), "langs": ["de"], "noise": ["char_swap:0.2"]}
    out = tmp_path / "eval"
    PHASES["evaluate"](params, out, {"encoder": tiny_model_dir, "noise_cache": tmp_path / "c1"})
    again = PHASES["evaluate"](params, out, {"encoder": tiny_model_dir, "noise_cache": tmp_path / "c2"})
    assert again["reused"] is True
    assert json.loads((out / "summary.json").read_text())["fingerprint"] == again["fingerprint"]
