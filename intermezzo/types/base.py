"""The contract every task type fulfils: featurize -> head -> forward -> loss -> decode -> score.

Canonical example schemas (what intermezzo.data readers produce and noise/phases consume):
  classification   {"id", <spec.fields...>: str, "label": str}          (label one of spec.labels)
  multiple_choice  {"id", "context": str, "question": str, "choices": [str], "label": int}
  tagging          {"id", "tokens": [str], "tags": [str]}                 (tags from spec.labels)
  extractive_qa    {"id", "context", "question", "answers": {"text": [str], "answer_start": [int]}}
                   (empty answer lists = SQuAD 2.0 no-answer)
  retrieval        queries   {"id", "kind": "query", "text": str, "gold": [candidate ids]}
                   candidates {"id", "kind": "candidate", "text": str}
                   training pairs {"id", "kind": "pair", "text": str, "positive": str}
Unlabelled test data simply lacks the label keys ("label", "tags", "answers" texts, "gold").
"""

from __future__ import annotations

from typing import Any


class TaskType:
    """Base class; one subclass per type, registered in intermezzo.types.TYPES."""

    name: str = ""

    def featurize(self, spec, examples: list[dict], tokenizer, max_length: int, doc_stride: int = 128) -> list[dict]:
        """One or more features per example: dicts of Python lists with input_ids, attention_mask,
        "example_index" (position in `examples`) and the targets the loss reads (when labelled)."""
        raise NotImplementedError

    def collate(self, features: list[dict], pad_token_id: int) -> dict[str, Any]:
        """Pad features to the longest in the batch and stack them into tensors."""
        raise NotImplementedError

    def build_head(self, spec, hidden_size: int):
        """A fresh torch.nn.Module head for `spec` on an encoder of `hidden_size`."""
        raise NotImplementedError

    def forward(self, encoder, head, batch: dict):
        """Encoder + head on a collated batch; returns what loss() and decode() read."""
        raise NotImplementedError

    def loss(self, outputs, batch: dict):
        """Mean training loss of the batch (a scalar tensor)."""
        raise NotImplementedError

    def decode(self, spec, examples: list[dict], features: list[dict], outputs: list) -> list:
        """Per-feature outputs (feature order, on CPU) -> one prediction per example, in the form the
        official submission file holds for this task (label, tag list, answer text, ranked ids, ...)."""
        raise NotImplementedError

    def score(self, spec, predictions: list, examples: list[dict], lang: str) -> dict[str, float]:
        """The official metric(s) of one language (0-100), computed by intermezzo.metrics."""
        raise NotImplementedError

    def references(self, spec, examples: list[dict]) -> list:
        """The gold of `examples` in the shape intermezzo.metrics pairs with the predictions."""
        raise NotImplementedError

    def example_scores(self, spec, predictions: list, examples: list[dict], lang: str) -> list[float]:
        """A per-example score (accuracy 0/1, token or answer F1, reciprocal rank) for paired statistics."""
        raise NotImplementedError

    def example_parts(self, spec, predictions: list, examples: list[dict], lang: str) -> list[list[float]]:
        """intermezzo.metrics.example_parts rows, one per example: reduce_parts(spec.metric, rows) is the
        headline, so resampling them resamples the official metric."""
        from intermezzo.metrics import example_parts

        return example_parts(spec.metric, predictions, self.references(spec, examples), lang)
