"""Multiple choice (XCOPA, HellaSwag, SIQA, ...): score each (context + question, choice); pick the best."""

from __future__ import annotations

import torch

from intermezzo.errors import UserError
from intermezzo.types.heads import SentenceHead
from intermezzo.types.base import TaskType
from intermezzo.types.common import (stack_scalars, metric_example_scores, metric_scores, pad_lists, per_feature,
                                     require_labels, run_encoder)

MASKED = -1e4  # score of a padded-in choice (examples in one batch may have different choice counts)


class MultipleChoice(TaskType):
    """One feature per example holding one token row per choice; the head scores each row's pooled vector."""

    name = "multiple_choice"
    sentence_level = True  # build_head takes `pooling`

    def featurize(self, spec, examples, tokenizer, max_length, doc_stride=128):
        if not examples:  # tokenizers fail on an empty batch
            return []
        firsts, seconds, spans = [], [], []
        for i, ex in enumerate(examples):
            choices = ex.get("choices") or []
            if len(choices) < 2:
                raise UserError(f"{spec.name} example {ex.get('id', i)}: needs at least 2 choices, has "
                                f"{len(choices)}; fix the data")
            # The question ("cause", "What happens next?") goes with each choice, the context stays first.
            spans.append((len(firsts), len(firsts) + len(choices)))
            firsts += [ex.get("context", "")] * len(choices)
            seconds += [f"{ex.get('question', '')} {c}".strip() for c in choices]
        enc = tokenizer(firsts, seconds, truncation="longest_first", max_length=max_length)
        keys = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in enc]
        features = []
        for i, (ex, (a, b)) in enumerate(zip(examples, spans)):
            feat = {k: [list(r) for r in enc[k][a:b]] for k in keys}
            feat["example_index"] = i
            if ex.get("label") is not None:
                label = int(ex["label"])
                if not 0 <= label < b - a:
                    raise UserError(f"{spec.name} example {ex.get('id', i)}: label {label} is not a choice index "
                                    f"(0..{b - a - 1}); fix the data")
                feat["labels"] = label
            features.append(feat)
        return features

    def collate(self, features, pad_token_id):
        n_choices = max(len(f["input_ids"]) for f in features)
        batch = {}
        for key, value in (("input_ids", pad_token_id), ("attention_mask", 0), ("token_type_ids", 0)):
            if not all(key in f for f in features):
                continue
            rows = [r for f in features for r in f[key] + [[value]] * (n_choices - len(f[key]))]
            batch[key] = pad_lists(rows, value).view(len(features), n_choices, -1)
        batch["choice_mask"] = torch.tensor([[c < len(f["input_ids"]) for c in range(n_choices)] for f in features])
        return {**batch, **stack_scalars(features, "example_index", "labels")}

    def build_head(self, spec, hidden_size, pooling: str = "cls"):
        return SentenceHead(hidden_size, 1, pooling)

    def forward(self, encoder, head, batch):
        n, c, seq = batch["input_ids"].shape
        flat = {k: batch[k].reshape(n * c, seq) for k in ("input_ids", "attention_mask", "token_type_ids")
                if k in batch}
        scores = head(head.pool(run_encoder(encoder, flat), flat.get("attention_mask"))).view(n, c)
        return scores.masked_fill(~batch["choice_mask"].to(scores.device), MASKED)

    def loss(self, outputs, batch):
        return torch.nn.functional.cross_entropy(outputs, batch["labels"].to(outputs.device))

    def decode(self, spec, examples, features, outputs):
        scores = per_feature(outputs, 1)
        predictions = [None] * len(examples)
        for feat, row in zip(features, scores):
            row = torch.as_tensor(row)[:len(feat["input_ids"])]
            predictions[feat["example_index"]] = str(int(row.argmax()))
        return predictions

    def references(self, spec, examples):
        """Gold choice indices, as strings (the accuracy metric compares labels as strings)."""
        require_labels(spec, examples, "label")
        return [str(int(ex["label"])) for ex in examples]

    def score(self, spec, predictions, examples, lang):
        return metric_scores(spec, predictions, self.references(spec, examples), lang)

    def example_scores(self, spec, predictions, examples, lang):
        return metric_example_scores(spec, predictions, self.references(spec, examples), lang)
