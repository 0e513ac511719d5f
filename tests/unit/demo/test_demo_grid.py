"""The demo grid's helpers: MT filled in ahead with every core, precision forced, physical cores counted."""

import pytest

from intermezzo.data.fixtures import write_fixtures
from intermezzo.demo import grid
from intermezzo.demo.commands import physical_cores
from intermezzo.errors import UserError


class Counting:
    """A stand-in MT engine that records how it was built and what it was asked."""

    made, asked = [], []
    name = "counting"

    def __init__(self, model=None, threads=1, **kwargs):
        Counting.made.append(threads)

    def translate(self, texts, src, tgt):
        Counting.asked.extend(texts)
        return [t.upper() for t in texts]


def test_pretranslate_fills_the_cache_the_intermediate_phase_reads(tmp_path, monkeypatch):
    from intermezzo import mt
    from intermezzo.phases.intermediate import task_examples
    from intermezzo.phases.params import validate

    monkeypatch.setitem(mt.TRANSLATORS, "counting", Counting)
    monkeypatch.setenv("INTERMEZZO_CACHE", str(tmp_path / "cache"))
    Counting.made.clear(), Counting.asked.clear()
    source = str(write_fixtures("vitaminc", tmp_path / "data"))
    raw = {"sources": {"vitaminc": source}, "hparams": {"intermediate": {}},
           "conditions": {"none": {"kind": "none"},
                          "pt_nli": {"kind": "target_lang", "tasks": ["vitaminc"], "source": "translate",
                                     "translate": {"engine": "counting", "model": "m", "tgt_lang": "pt"}}}}
    done = grid.pretranslate(raw, threads=2, log=lambda *a: None)
    assert done["examples"] > 0 and Counting.made == [2] and Counting.asked
    # the phase, translating the same examples, finds every text cached: the engine is asked for nothing new
    Counting.asked.clear()
    cfg = validate("intermediate", {"tasks": [{"task": "vitaminc", "lang": "en", "source": source,
                                               "translate": {"engine": "counting", "model": "m", "tgt_lang": "pt"}}]})
    from intermezzo.phases import distributed
    examples, report = task_examples(cfg.tasks[0], cfg, distributed.setup("cpu"))
    assert Counting.asked == [] and examples and examples[0]["premise"].isupper()
    # and so does its validation on the translated dev split
    from intermezzo.phases.dev import dev_examples
    from intermezzo.phases.translate import translate_entry
    from intermezzo.tasks import get_task

    dev = dev_examples(get_task("vitaminc"), "en", source, None)
    translated, _ = translate_entry(get_task("vitaminc"), dev, cfg.tasks[0].translate)
    assert dev and Counting.asked == [] and translated[0]["hypothesis"].isupper()


def test_precision_is_forced_in_every_phase():
    raw = grid.template(False)
    grid.set_precision(raw, "fp32")
    assert {p["precision"] for p in raw["hparams"].values()} == {"fp32"}
    with pytest.raises(UserError, match="choose one of fp32, bf16, auto"):
        grid.set_precision(raw, "fp8")


def test_physical_cores_counts_each_core_once():
    import os

    n = physical_cores()
    allowed = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert 1 <= n <= allowed


def test_only_the_data_sets_the_grid_reads_are_converted():
    raw = grid.template(False)
    assert grid.data_needed(raw) == ("multiemo", "epistemic_reasoning")
    raw["conditions"]["mlm"] = {"kind": "mlm", "mlm": {"texts": {}}}
    raw["conditions"]["en_qa"] = {"kind": "english", "tasks": ["squad_shifts_dev"]}
    assert grid.data_needed(raw) == ("multiemo", "epistemic_reasoning", "squad_shifts_dev", "mlm_text")
