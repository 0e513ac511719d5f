"""Sequence tagging (PAN-X, UDPOS): a tag on the first sub-word of each word, mapped back to one per word.

Words cut off by max_length (and words the tokenizer turns into no sub-word at all) get the default tag:
"O" when the label set has it (NER), else the first label of spec.labels.
"""

from __future__ import annotations

import torch

from intermezzo.errors import UserError
from intermezzo.types.base import TaskType
from intermezzo.types.common import (stack_scalars, IGNORE_INDEX, label_index, metric_example_scores, metric_scores, pad_lists,
                                     pad_tokens, per_feature, require_labels, run_encoder, token_fields)


def default_tag(spec) -> str:
    """The tag given to words the model never saw (truncated or empty): "O" if present, else labels[0]."""
    return "O" if "O" in spec.labels else spec.labels[0]


class Tagging(TaskType):
    """One feature per sentence; `word_starts[j]` is the word that token j starts (None elsewhere)."""

    name = "tagging"

    def featurize(self, spec, examples, tokenizer, max_length, doc_stride=128):
        if not examples:  # tokenizers fail on an empty batch
            return []
        words = [list(ex["tokens"]) for ex in examples]
        enc = tokenizer(words, is_split_into_words=True, truncation=True, max_length=max_length)
        features = []
        for i, ex in enumerate(examples):
            word_ids = enc.word_ids(i)
            # Only the first sub-word of a word carries its tag; later pieces and specials are ignored.
            starts = [w if w is not None and (j == 0 or word_ids[j - 1] != w) else None
                      for j, w in enumerate(word_ids)]
            feat = {**token_fields(enc, i), "example_index": i, "word_starts": starts}
            tags = ex.get("tags")
            if tags is not None:
                if len(tags) != len(words[i]):
                    raise UserError(f"{spec.name} example {ex.get('id', i)}: {len(words[i])} tokens but "
                                    f"{len(tags)} tags; fix the data")
                ids = [label_index(spec, self._known(spec, t), f"example {ex.get('id', i)}") for t in tags]
                feat["labels"] = [ids[w] if w is not None else IGNORE_INDEX for w in starts]
            features.append(feat)
        return features

    @staticmethod
    def _known(spec, tag: str) -> str:
        """`tag`, or spec.unknown_tag (CCG's UNK) when the label set lacks it and the task has one."""
        unknown = spec.unknown_tag
        return unknown if unknown and tag not in spec.labels else tag

    def collate(self, features, pad_token_id):
        batch = {**pad_tokens(features, pad_token_id), **stack_scalars(features, "example_index")}
        if all("labels" in f for f in features):
            batch["labels"] = pad_lists([f["labels"] for f in features], IGNORE_INDEX)
        return batch

    def build_head(self, spec, hidden_size):
        return torch.nn.Sequential(torch.nn.Dropout(0.1), torch.nn.Linear(hidden_size, len(spec.labels)))

    def forward(self, encoder, head, batch):
        return head(run_encoder(encoder, batch))

    def loss(self, outputs, batch):
        labels = batch["labels"].to(outputs.device)
        return torch.nn.functional.cross_entropy(outputs.reshape(-1, outputs.shape[-1]), labels.reshape(-1),
                                                 ignore_index=IGNORE_INDEX)

    def decode(self, spec, examples, features, outputs):
        logits = per_feature(outputs, 2)
        fallback = default_tag(spec)
        predictions = [[fallback] * len(ex["tokens"]) for ex in examples]
        for feat, row in zip(features, logits):
            best = torch.as_tensor(row).argmax(-1).tolist()
            tags = predictions[feat["example_index"]]
            for pos, word in enumerate(feat["word_starts"]):
                if word is not None:
                    tags[word] = spec.labels[best[pos]]
        return predictions

    def references(self, spec, examples):
        """Gold tag lists."""
        require_labels(spec, examples, "tags")
        return [list(ex["tags"]) for ex in examples]

    def score(self, spec, predictions, examples, lang):
        return metric_scores(spec, predictions, self.references(spec, examples), lang)

    def example_scores(self, spec, predictions, examples, lang):
        return metric_example_scores(spec, predictions, self.references(spec, examples), lang)
