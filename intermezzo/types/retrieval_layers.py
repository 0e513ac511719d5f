"""Which encoder layer and pooling make retrieval embeddings: XTREME's scripts per model family, else the
encoder's own recipe when it was trained as a sentence embedder; a config value overrides either.

Layers are indices into Hugging Face `hidden_states` (0 = the embedding output, n = the last of n layers;
-1 = the last). XTREME's third_party/evaluate_retrieval.py keeps `all_layer_outputs[-num_layers:]`, i.e. it
drops the embedding output, so its `--specific_layer k` is `hidden_states[k + 1]`. Checked against
google-research/xtreme's scripts/run_tatoeba.sh, scripts/run_bucc2018.sh and third_party/evaluate_retrieval.py:

| encoder (layers)           | Tatoeba (run_tatoeba.sh)                  | BUCC 2018 (run_bucc2018.sh)          |
|----------------------------|-------------------------------------------|--------------------------------------|
| mBERT (12)                 | --specific_layer 7 = hidden_states[8], mean | --specific_layer 7 = [8], cls      |
| XLM-R large (24)           | --specific_layer 13 = hidden_states[14], mean | --specific_layer 7 = [8], cls    |
| XLM-R base (12)            | hidden_states[8], mean (1)                | hidden_states[8], cls                |
| other MLM encoders (n)     | hidden_states[min(n // 2 + 2, n)], mean (2) | hidden_states[min(8, n)], cls      |
| sentence embedders (below) | the last layer, the model's own pooling   | the same                             |
(1) the script gives XLM-R base LAYER=13 too, past its 12 layers (it only runs for large); we use the 12-layer
value. (2) the rule that gives XTREME's own values: 8 of 12 and 14 of 24 layers.

XTREME's "mean" averages over the attention mask, [CLS] and [SEP] included (no --pool_skip_special_token),
as RetrievalHead does; jiant hard-codes hidden_states[14] (its XLM-R large setting) for every model.

Sentence embedders (SENTENCE_EMBEDDERS, matched in the model's name or path, or in the base model a saved
intermezzo model records as `intermezzo_base_model`; or a sentence-transformers folder, whose Pooling module
config says the pooling) use their last layer and their own pooling: XTREME's middle layer is right for
MLM-pretrained encoders and wrong for these (multilingual-e5-small on real Tatoeba: de 95.3 / ar 66.5 /
ja 73.0 at the middle layer, 98.5 / 80.6 / 87.5 at the last, issue 11).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from intermezzo.errors import UserError

POOLINGS = ("mean", "cls")
BUCC_LAYER = 8  # run_bucc2018.sh passes --specific_layer 7 for every model it runs

# (pattern in the name, pooling, family): encoders trained to produce sentence embeddings.
SENTENCE_EMBEDDERS = (
    (r"(^|[/_.-])(multilingual-)?e5([/_.-]|$)", "mean", "E5 (Wang et al. 2022; mean pooling)"),
    (r"labse", "cls", "LaBSE (Feng et al. 2022; [CLS] pooling)"),
    (r"(^|[/_.-])bge([/_.-]|$)", "cls", "BGE ([CLS] pooling)"),
    (r"(^|[/_.-])gte([/_.-]|$)", "mean", "GTE (mean pooling)"),
    (r"simcse", "cls", "SimCSE ([CLS] pooling)"),
    (r"(^|/)sentence-transformers/", "mean", "sentence-transformers (mean pooling)"),
)
# Files a sentence-transformers model folder has beside the HF ones.
ST_FILES = ("modules.json", "config_sentence_transformers.json", "sentence_bert_config.json")


def n_layers_of(config) -> int:
    """The number of transformer layers a Hugging Face config declares."""
    for key in ("num_hidden_layers", "n_layers", "num_layers"):
        if isinstance(getattr(config, key, None), int):
            return getattr(config, key)
    raise UserError(f"{type(config).__name__}: no layer count (num_hidden_layers); set retrieval_layer explicitly")


def xtreme_layer(n_layers: int, task: str | None = None) -> int:
    """XTREME's hidden_states index for an n-layer encoder (see the table above)."""
    if task == "bucc2018":
        return min(BUCC_LAYER, n_layers)
    return min(n_layers // 2 + 2, n_layers)


def xtreme_pooling(task: str | None = None) -> str:
    """XTREME's pooling: run_bucc2018.sh passes --pool_type cls; run_tatoeba.sh keeps the default mean."""
    return "cls" if task == "bucc2018" else "mean"


def _st_pooling(folder: Path) -> str | None:
    """The pooling a sentence-transformers folder declares (its Pooling module's config), if any."""
    configs = [folder / "1_Pooling" / "config.json"]
    if (folder / "modules.json").is_file():
        try:
            modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
            configs = [folder / m.get("path", "") / "config.json" for m in modules
                       if str(m.get("type", "")).endswith("Pooling")] + configs
        except (ValueError, AttributeError):
            pass
    for path in configs:
        if path.is_file():
            try:
                modes = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                continue
            if modes.get("pooling_mode_cls_token"):
                return "cls"
            return "mean"  # mean, and the modes RetrievalHead lacks (max, weighted mean) fall back to it
    return None


def sentence_embedder(config, name_or_path) -> tuple[str, str] | None:
    """(pooling, why) when the encoder is a known sentence embedder, else None."""
    folder = Path(str(name_or_path)).expanduser()
    if folder.is_dir() and any((folder / f).is_file() for f in ST_FILES):
        pooling = _st_pooling(folder) or "mean"
        return pooling, f"a sentence-transformers folder ({pooling} pooling from its Pooling config)"
    names = [model_name(name_or_path), model_name(getattr(config, "intermezzo_base_model", None))]
    for pattern, pooling, family in SENTENCE_EMBEDDERS:
        for name in names:
            if name and re.search(pattern, name.lower()):
                return pooling, f"{name} is a sentence embedder: {family}"
    return None


def model_name(name_or_path) -> str:
    """A hub id as given; a local folder by its own name only, so that a user's directory names (a run
    folder called "e5_vs_xlmr", say) never decide the family."""
    if not name_or_path:
        return ""
    path = Path(str(name_or_path)).expanduser()
    return path.name if path.exists() else str(name_or_path)


def _check_layer(layer: int, n: int) -> int:
    if not -n - 1 <= layer <= n:
        raise UserError(f"retrieval_layer {layer}: the encoder has {n} layers, so hidden_states 0..{n} "
                        f"(0 = embeddings, -1 = last); choose one in that range")
    return layer % (n + 1)


def resolve_retrieval(encoder_config, name_or_path, layer: int | None = None, pooling: str | None = None,
                      task: str | None = None) -> tuple[int, str, str]:
    """(hidden_states index, pooling, reason) of encoder-only retrieval embeddings for `task`.

    `layer` / `pooling` (the evaluate params retrieval_layer / retrieval_pooling) override the default:
    a known sentence embedder's last layer and own pooling, else XTREME's scripts' layer and pooling.
    """
    if pooling is not None and pooling not in POOLINGS:
        raise UserError(f"retrieval_pooling '{pooling}': use 'mean' or 'cls'")
    n = n_layers_of(encoder_config)
    embedder = sentence_embedder(encoder_config, name_or_path)
    if embedder is not None:
        default_layer, (default_pooling, why) = n, embedder
        why = f"last layer and own pooling: {why}"
    else:
        default_layer, default_pooling = xtreme_layer(n, task), xtreme_pooling(task)
        script = "run_bucc2018.sh" if task == "bucc2018" else "run_tatoeba.sh"
        why = (f"XTREME's {script} setting (evaluate_retrieval.py --specific_layer {default_layer - 1} "
               "after dropping the embedding output)")
    index = default_layer if layer is None else _check_layer(layer, n)
    pooled = default_pooling if pooling is None else pooling
    chosen = [what for what, given in (("layer", layer), ("pooling", pooling)) if given is not None]
    if len(chosen) == 2:
        why = "both set in config"
    elif chosen:
        why = f"{chosen[0]} set in config; the other: {why}"
    return index, pooled, f"hidden_states[{index}] of {n} layers, {pooled} pooling ({why})"
