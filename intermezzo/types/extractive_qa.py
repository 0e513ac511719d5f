"""Extractive QA (XQuAD, MLQA, TyDiQA-GoldP, SQuAD 1.1/2.0): answer spans over doc-stride windows.

Featurizing splits a long context into overlapping windows; decoding searches the n-best start/end
pairs of every window (answers at most `max_answer_length` tokens) and maps the best back to characters.
`doc_stride` is the overlap between windows in tokens (as in HF's run_qa), capped at half the context room.
With spec.version_2_with_negative, the [CLS] score answers "no answer" when it beats the best span.
"""

from __future__ import annotations

import torch

from intermezzo.errors import UserError
from intermezzo.types.base import TaskType
from intermezzo.types.common import (stack_scalars, metric_example_scores, metric_scores, pad_tokens, per_feature, require_labels,
                                     run_encoder, token_fields)

MAX_QUERY_TOKENS = 64     # XTREME's max_query_length
MAX_ANSWER_TOKENS = 30
N_BEST = 20


def _cut_questions(questions: list[str], tokenizer, limit: int = MAX_QUERY_TOKENS) -> tuple[list[str], int]:
    """Questions cut to their first `limit` tokens (at a token boundary), and the longest one's token count."""
    # Leading spaces make some tokenizers emit empty tokens (as HF's run_qa notes).
    questions = [q.lstrip() for q in questions]
    offsets = tokenizer(questions, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    cut = [q if len(o) <= limit else q[:o[limit - 1][1]] for q, o in zip(questions, offsets)]
    return cut, min(limit, max((len(o) for o in offsets), default=0))


def _gold_tokens(offsets, start_char: int, end_char: int) -> tuple[int, int]:
    """Token positions of the answer chars [start_char, end_char) in one window, or (0, 0) if not inside."""
    inside = [j for j, o in enumerate(offsets) if o is not None]
    if not inside or offsets[inside[0]][0] > start_char or offsets[inside[-1]][1] < end_char:
        return 0, 0
    start = next(j for j in inside if offsets[j][1] > start_char)
    end = next(j for j in reversed(inside) if offsets[j][0] < end_char)
    return start, end


class ExtractiveQA(TaskType):
    """Features are windows: input ids plus `offsets` (chars of context tokens; None for question/specials)."""

    name = "extractive_qa"

    def featurize(self, spec, examples, tokenizer, max_length, doc_stride=128):
        if not examples:  # tokenizers fail on an empty batch
            return []
        questions, q_len = _cut_questions([ex["question"] for ex in examples], tokenizer)
        room = max_length - q_len - tokenizer.num_special_tokens_to_add(pair=True)
        if room < 8:
            raise UserError(f"{spec.name}: max_length {max_length} leaves {room} tokens of context beside "
                            f"{q_len}-token questions; raise max_length (XTREME uses 384)")
        # The tokenizer's stride is the overlap between windows; it must stay below the window's context room.
        stride = max(0, min(doc_stride, room // 2))
        enc = tokenizer(questions, [ex["context"] for ex in examples], truncation="only_second",
                        max_length=max_length, stride=stride, return_overflowing_tokens=True,
                        return_offsets_mapping=True)
        features = []
        for f, i in enumerate(enc["overflow_to_sample_mapping"]):
            seq_ids = enc.sequence_ids(f)
            offsets = [list(o) if s == 1 else None for o, s in zip(enc["offset_mapping"][f], seq_ids)]
            feat = {**token_fields(enc, f), "example_index": int(i), "offsets": offsets}
            answers = examples[i].get("answers")
            if answers is not None and answers.get("text") is not None:
                if answers["text"]:
                    start_char = int(answers["answer_start"][0])
                    feat["start_positions"], feat["end_positions"] = _gold_tokens(
                        offsets, start_char, start_char + len(answers["text"][0]))
                else:  # SQuAD 2.0 no-answer: both point at [CLS]
                    feat["start_positions"] = feat["end_positions"] = 0
            features.append(feat)
        return features

    def collate(self, features, pad_token_id):
        return {**pad_tokens(features, pad_token_id),
                **stack_scalars(features, "example_index", "start_positions", "end_positions")}

    def build_head(self, spec, hidden_size):
        return torch.nn.Linear(hidden_size, 2)

    def forward(self, encoder, head, batch):
        logits = head(run_encoder(encoder, batch))
        mask = batch["attention_mask"].to(logits.device) == 0
        start, end = logits.unbind(-1)
        return start.masked_fill(mask, -1e4), end.masked_fill(mask, -1e4)

    def loss(self, outputs, batch):
        start, end = outputs
        ce = torch.nn.functional.cross_entropy
        return (ce(start, batch["start_positions"].to(start.device))
                + ce(end, batch["end_positions"].to(end.device))) / 2

    def decode(self, spec, examples, features, outputs, max_answer_length: int = MAX_ANSWER_TOKENS,
               n_best: int = N_BEST):
        with_negative = spec.version_2_with_negative
        best = [(-float("inf"), "") for _ in examples]     # (score, text) of the best span
        null = [float("inf")] * len(examples)               # the lowest [CLS] score over windows, as in SQuAD 2.0
        for feat, (start, end) in zip(features, per_feature(outputs, 1)):
            n = len(feat["input_ids"])
            start, end = torch.as_tensor(start)[:n].float(), torch.as_tensor(end)[:n].float()
            i, offsets = feat["example_index"], feat["offsets"]
            null[i] = min(null[i], float(start[0] + end[0]))
            top_s = torch.topk(start, min(n_best, n)).indices.tolist()
            top_e = torch.topk(end, min(n_best, n)).indices.tolist()
            for s in top_s:
                for e in top_e:
                    if offsets[s] is None or offsets[e] is None or not 0 <= e - s < max_answer_length:
                        continue
                    score = float(start[s] + end[e])
                    if score > best[i][0]:
                        best[i] = (score, examples[i]["context"][offsets[s][0]:offsets[e][1]])
        return ["" if with_negative and null[i] > best[i][0] else best[i][1] for i in range(len(examples))]

    def references(self, spec, examples):
        """Gold answer strings per question ([""] for a SQuAD 2.0 no-answer)."""
        require_labels(spec, examples, "answers")
        return [list(ex["answers"]["text"]) or [""] for ex in examples]

    def score(self, spec, predictions, examples, lang):
        return metric_scores(spec, predictions, self.references(spec, examples), lang)

    def example_scores(self, spec, predictions, examples, lang):
        return metric_example_scores(spec, predictions, self.references(spec, examples), lang)
