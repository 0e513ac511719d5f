"""Sentence and sentence-pair classification (XNLI, PAWS-X, MNLI, ...): a label string per example."""

from __future__ import annotations

import torch

from intermezzo.errors import UserError
from intermezzo.types.heads import SentenceHead
from intermezzo.types.base import TaskType
from intermezzo.types.common import (stack_scalars, label_index, metric_example_scores, metric_scores, pad_tokens,
                                     per_feature, require_labels, run_encoder, token_fields)


class Classification(TaskType):
    """One feature per example: [CLS] a [SEP] (b [SEP]); a classifier on the pooled sentence (first token or mean)."""

    name = "classification"
    sentence_level = True  # build_head takes `pooling`

    def featurize(self, spec, examples, tokenizer, max_length, doc_stride=128):
        if not examples:  # tokenizers fail on an empty batch
            return []
        if len(spec.fields) not in (1, 2):
            raise UserError(f"{spec.name}: classification needs 1 or 2 text fields, the spec has {spec.fields}")
        for i, ex in enumerate(examples):
            missing = [f for f in spec.fields if not isinstance(ex.get(f), str)]
            if missing:
                raise UserError(f"{spec.name} example {ex.get('id', i)}: no text in field(s) {', '.join(missing)}; "
                                "fix the data")
        columns = [[ex[f] for ex in examples] for f in spec.fields]
        enc = tokenizer(*columns, truncation="longest_first", max_length=max_length)
        features = []
        for i, ex in enumerate(examples):
            feat = {**token_fields(enc, i), "example_index": i}
            if ex.get("label") is not None:
                feat["labels"] = label_index(spec, str(ex["label"]), f"example {ex.get('id', i)}")
            features.append(feat)
        return features

    def collate(self, features, pad_token_id):
        return {**pad_tokens(features, pad_token_id), **stack_scalars(features, "example_index", "labels")}

    def build_head(self, spec, hidden_size, pooling: str = "cls"):
        return SentenceHead(hidden_size, len(spec.labels), pooling)

    def forward(self, encoder, head, batch):
        return head(head.pool(run_encoder(encoder, batch), batch.get("attention_mask")))

    def loss(self, outputs, batch):
        return torch.nn.functional.cross_entropy(outputs, batch["labels"].to(outputs.device))

    def decode(self, spec, examples, features, outputs):
        logits = per_feature(outputs, 1)
        predictions = [None] * len(examples)
        for feat, row in zip(features, logits):
            predictions[feat["example_index"]] = spec.labels[int(torch.as_tensor(row).argmax())]
        return predictions

    def references(self, spec, examples):
        """Gold label strings."""
        require_labels(spec, examples, "label")
        return [str(ex["label"]) for ex in examples]

    def score(self, spec, predictions, examples, lang):
        return metric_scores(spec, predictions, self.references(spec, examples), lang)

    def example_scores(self, spec, predictions, examples, lang):
        return metric_example_scores(spec, predictions, self.references(spec, examples), lang)
