"""Masked-LM as a task of the loop (80/10/10 masking, tied head) and the `mlm` phase."""

from __future__ import annotations

from pathlib import Path

import torch
from torch.nn import functional as F

from intermezzo.data.formats import read_lines
from intermezzo.errors import UserError
from intermezzo.phases.lifecycle import Outcome, PhaseRun, SavedModel, run_phase
from intermezzo.phases.loop import MultiTaskModel, TrainTask, train
from intermezzo.phases.summaries import MLMSummary

MLM = "mlm"


def read_texts(texts: dict[str, str], limit: int | None = None) -> list[str]:
    """Non-blank lines of every language's file (at most `limit` per language)."""
    lines = []
    for lang, path in texts.items():
        if not Path(path).is_file():
            raise UserError(f"mlm texts['{lang}'] = {path}: file not found; give a UTF-8 text file per language")
        kept = [line.strip() for line in read_lines(path) if line.strip()]
        lines.extend(kept[:limit] if limit else kept)
    return lines


class MaskingCollator:
    """Pads token ids and masks `probability` of the real tokens: 80% <mask>, 10% random, 10% kept."""

    def __init__(self, tokenizer, probability: float):
        if tokenizer.mask_token_id is None:
            raise UserError("mlm: the tokenizer has no mask token; use an MLM-pretrained encoder")
        self.pad, self.mask, self.vocab = tokenizer.pad_token_id, tokenizer.mask_token_id, len(tokenizer)
        self.special = torch.tensor(sorted(set(tokenizer.all_special_ids)))
        self.probability = probability

    def __call__(self, features: list[dict]) -> dict:
        width = max(len(f["input_ids"]) for f in features)
        ids = torch.full((len(features), width), self.pad, dtype=torch.long)
        for i, f in enumerate(features):
            ids[i, :len(f["input_ids"])] = torch.tensor(f["input_ids"])
        attention = (ids != self.pad).long()
        candidates = ~torch.isin(ids, self.special)
        # Draws come from torch's CPU generator, whose state the checkpoint keeps, so resumes are exact.
        chosen = (torch.rand(ids.shape) < self.probability) & candidates
        labels = torch.where(chosen, ids, torch.full_like(ids, -100))
        roll = torch.rand(ids.shape)
        inputs = torch.where(chosen & (roll < 0.8), torch.full_like(ids, self.mask), ids)
        random_ids = torch.randint(self.vocab, ids.shape)
        inputs = torch.where(chosen & (roll >= 0.8) & (roll < 0.9), random_ids, inputs)
        return {"input_ids": inputs, "attention_mask": attention, "labels": labels}


def mlm_loss(encoder, head, batch: dict) -> torch.Tensor:
    """Cross-entropy on the masked positions only (the vocabulary projection is the costly part)."""
    hidden = encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    picked = batch["labels"] != -100
    logits = head(hidden[picked])
    if logits.shape[0] == 0:  # nothing masked in this batch: a zero that still touches the graph
        return hidden.sum() * 0.0
    return F.cross_entropy(logits.float(), batch["labels"][picked])


def mlm_task(encoder, tokenizer, texts: dict[str, str], probability: float, max_length: int,
             limit: int | None = None, checkpoint: Path | None = None, head=None) -> TrainTask:
    """The MLM TrainTask: tokenized lines, masking collator, tied head (from `checkpoint` when it has one)."""
    from intermezzo.modeling import add_mlm_head

    lines = read_texts(texts, limit)
    if not lines:
        raise UserError(f"mlm texts {sorted(texts)}: every file is empty; give text, one sentence per line")
    ids = tokenizer(lines, truncation=True, max_length=max_length)["input_ids"]
    features = [{"input_ids": x} for x in ids if len(x) > 2]
    head = head if head is not None else add_mlm_head(encoder, checkpoint)
    return TrainTask(name=MLM, features=features, collate=MaskingCollator(tokenizer, probability),
                     loss=mlm_loss, head=head)


def saved_mlm_head(src: Path | None, encoder):
    """The MLM head a previous phase saved in `src` (heads.json kind mlm), or None."""
    from intermezzo.modeling import load_heads

    if src is None:
        return None
    heads = load_heads(src, encoder=encoder, names=[MLM])
    return heads.get(MLM)


def _local_copy(name: str) -> Path | None:
    """The folder holding `name`'s weights: itself, or its hub cache snapshot (for the pretrained LM head)."""
    if Path(name).is_dir():
        return Path(name)
    try:
        from transformers.utils import cached_file
        found = cached_file(name, "model.safetensors", _raise_exceptions_for_missing_entries=False)
    except (OSError, ValueError):
        return None
    return Path(found).parent if found else None


def run_mlm(params: dict, out_dir: Path, inputs: dict[str, Path]) -> dict:
    """Continued masked-LM training on raw text per language; leaves out_dir/model/ with an `mlm` head."""
    return run_phase("mlm", params, out_dir, inputs, train_mlm)


def train_mlm(run: PhaseRun) -> Outcome:
    """The mlm phase's work: the tied LM head (the handed-over or pretrained one) trained on the texts."""
    cfg = run.cfg
    encoder, tokenizer, source = run.load_encoder()
    src = run.input_model or _local_copy(source)
    task = mlm_task(encoder, tokenizer, cfg.texts, cfg.mlm_probability, cfg.max_length, cfg.max_train_samples,
                    checkpoint=src, head=saved_mlm_head(src, encoder))
    result = train(MultiTaskModel(encoder, [task]), [task], cfg, run.folder.root, run.d)
    summary = MLMSummary(encoder=source, tasks={MLM: len(task.features)},
                         **{k: result[k] for k in ("steps", "train_loss", "first_loss", "resumed_from")})
    return Outcome(summary, SavedModel(encoder, tokenizer, {MLM: task.head}, {MLM: {"kind": "mlm"}}))
