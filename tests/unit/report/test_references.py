"""Published figures shown beside ours say where they come from, and which are unverified."""

from pathlib import Path

from intermezzo.experiments.config import load_config

CONFIGS = Path(__file__).resolve().parents[3] / "configs"


def test_phang2020_reference_deltas_name_their_source():
    exp = load_config(CONFIGS / "phang2020.yaml")
    refs = {cond: r["average"] for cond, r in exp.reference.items()}
    assert {c: r.value for c, r in refs.items()} == {"squad": 8.2, "mnli": 7.5, "hellaswag": 7.0,
                                                     "multitask": 8.7, "best": 5.4}
    for cond, ref in refs.items():
        assert "2005.13013" in ref.source, cond
        # Only the abstract's own figure is stated as checked; the rest say they are not.
        assert ("abstract" in ref.source and "unverified" not in ref.source) == (cond == "best"), ref.source
    assert refs["best"].split == "test" and all(r.split == "dev" for c, r in refs.items() if c != "best")
