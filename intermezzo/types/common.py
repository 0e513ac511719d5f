"""Helpers shared by the task types: padding, running the encoder, per-feature outputs, metric calls."""

from __future__ import annotations

import torch

from intermezzo.errors import UserError

IGNORE_INDEX = -100  # positions the loss skips (torch's CrossEntropyLoss default)
ENCODER_KEYS = ("input_ids", "attention_mask", "token_type_ids")


def pad_lists(rows: list[list[int]], value: int) -> torch.Tensor:
    """Stack int lists into a (rows, longest) tensor, right-padded with `value`."""
    longest = max((len(r) for r in rows), default=0)
    out = torch.full((len(rows), longest), value, dtype=torch.long)
    for i, r in enumerate(rows):
        out[i, :len(r)] = torch.tensor(r, dtype=torch.long)
    return out


def pad_tokens(features: list[dict], pad_token_id: int, prefix: str = "") -> dict[str, torch.Tensor]:
    """input_ids/attention_mask(/token_type_ids) of `features` (keys with `prefix`) padded to the longest."""
    batch = {prefix + "input_ids": pad_lists([f[prefix + "input_ids"] for f in features], pad_token_id),
             prefix + "attention_mask": pad_lists([f[prefix + "attention_mask"] for f in features], 0)}
    if all(prefix + "token_type_ids" in f for f in features):
        batch[prefix + "token_type_ids"] = pad_lists([f[prefix + "token_type_ids"] for f in features], 0)
    return batch


def stack_scalars(features: list[dict], *keys: str) -> dict[str, torch.Tensor]:
    """One tensor per scalar key (example_index, labels, answer positions) that every feature has."""
    return {k: torch.tensor([f[k] for f in features]) for k in keys if all(k in f for f in features)}


def token_fields(encoding, i: int | None = None) -> dict[str, list[int]]:
    """The encoder inputs of one tokenizer output row (token_type_ids only where the tokenizer makes them)."""
    row = {k: (encoding[k][i] if i is not None else encoding[k]) for k in ENCODER_KEYS if k in encoding}
    return {k: list(v) for k, v in row.items()}


def run_encoder(encoder, batch: dict, prefix: str = "", all_layers: bool = False):
    """The encoder on the batch's inputs (keys with `prefix`); last hidden state, or every layer's."""
    inputs = {k: batch[prefix + k] for k in ENCODER_KEYS if prefix + k in batch}
    device = next(encoder.parameters()).device
    inputs = {k: v.to(device) for k, v in inputs.items()}
    out = encoder(**inputs, output_hidden_states=all_layers, return_dict=True)
    return out.hidden_states if all_layers else out.last_hidden_state


def per_feature(outputs: list, feature_ndim: int) -> list:
    """Flatten outputs given per batch or per feature into one item per feature (tuples stay tuples)."""
    items = []
    for out in outputs:
        first = out[0] if isinstance(out, (tuple, list)) else out
        first = torch.as_tensor(first)
        if first.dim() == feature_ndim:
            items.append(out)
        elif first.dim() == feature_ndim + 1:  # a batch: split along its first dimension
            if isinstance(out, (tuple, list)):
                items.extend(zip(*[torch.as_tensor(o).detach().cpu() for o in out]))
            else:
                items.extend(torch.as_tensor(out).detach().cpu())
        else:
            raise ValueError(f"output of shape {tuple(first.shape)} is neither one feature nor a batch")
    return items


def label_index(spec, label: str, where: str) -> int:
    """Position of `label` in spec.labels, or a UserError naming the example."""
    try:
        return spec.labels.index(label)
    except ValueError:
        raise UserError(f"{spec.name} {where}: label '{label}' is not one of {', '.join(spec.labels)}; "
                        "fix the data or the task's labels") from None


def require_labels(spec, examples: list[dict], key: str) -> None:
    """A UserError when examples lack the gold labels a score needs."""
    missing = [ex.get("id", i) for i, ex in enumerate(examples) if ex.get(key) in (None, "")]
    if missing:
        raise UserError(f"{spec.name}: {len(missing)} examples have no '{key}' (e.g. id {missing[0]}); "
                        "score on a labelled split")


def metric_scores(spec, predictions: list, references: list, lang: str) -> dict[str, float]:
    """intermezzo.metrics.METRICS[spec.metric] on predictions vs references."""
    from intermezzo.metrics import METRICS

    return METRICS[spec.metric](predictions, references, lang)


def metric_example_scores(spec, predictions: list, references: list, lang: str) -> list[float]:
    """intermezzo.metrics.example_scores for spec.metric."""
    from intermezzo.metrics import example_scores

    return example_scores(spec.metric, predictions, references, lang)
