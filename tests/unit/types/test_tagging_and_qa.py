"""Tagging (first-sub-word alignment, word mapping back) and extractive QA (doc stride, offsets, no-answer)."""

import torch

from intermezzo.tasks.spec import TaskSpec
from intermezzo.types import TYPES
from intermezzo.types.common import IGNORE_INDEX

NER = TaskSpec(name="toy_ner", type="tagging", langs=("en",), metric="seqeval_f1", citation="-",
               labels=("O", "B-PER", "I-PER", "B-LOC", "I-LOC"))
QA = TaskSpec(name="toy_qa", type="extractive_qa", langs=("en",), metric="squad", citation="-")
QA2 = TaskSpec(name="toy_qa2", type="extractive_qa", langs=("en",), metric="squad", citation="-",
               version_2_with_negative=True)
TAG, EQA = TYPES["tagging"], TYPES["extractive_qa"]


def test_tags_sit_on_the_first_sub_word_only(tiny):
    _, tok = tiny
    ex = [{"id": "s", "tokens": ["Xylophone", "Smith", "lives", "in", "Москве"],
           "tags": ["O", "B-PER", "O", "O", "B-LOC"]}]
    feat = TAG.featurize(NER, ex, tok, max_length=64)[0]
    word_ids = tok(ex[0]["tokens"], is_split_into_words=True).word_ids()
    assert len(feat["labels"]) == len(feat["input_ids"]) == len(word_ids)
    for j, w in enumerate(word_ids):
        first = w is not None and (j == 0 or word_ids[j - 1] != w)
        expected = NER.labels.index(ex[0]["tags"][w]) if first else IGNORE_INDEX
        assert feat["labels"][j] == expected
    assert word_ids.count(0) > 1  # "Xylophone" really splits, so the -100 path is exercised
    assert sum(lab != IGNORE_INDEX for lab in feat["labels"]) == 5


def test_decode_maps_gold_logits_back_to_one_tag_per_word(tiny):
    _, tok = tiny
    ex = [{"id": "a", "tokens": ["John", "Smith", "visited", "Berlin"], "tags": ["B-PER", "I-PER", "O", "B-LOC"]},
          {"id": "b", "tokens": ["Я", "живу", "в", "Москве"], "tags": ["O", "O", "O", "B-LOC"]}]
    feats = TAG.featurize(NER, ex, tok, max_length=64)
    batch = TAG.collate(feats, tok.pad_token_id)
    # logits that put the gold label on every labelled position and junk (I-LOC) elsewhere
    logits = torch.full((*batch["labels"].shape, len(NER.labels)), 0.0)
    logits[..., NER.labels.index("I-LOC")] = 1.0
    gold = batch["labels"].clamp(min=0)
    logits.scatter_(-1, gold.unsqueeze(-1), 5.0)
    assert TAG.decode(NER, ex, feats, [logits]) == [e["tags"] for e in ex]


def test_words_beyond_max_length_get_the_default_tag(tiny):
    _, tok = tiny
    words = ["Berlin"] * 40
    ex = [{"id": "long", "tokens": words, "tags": ["B-LOC"] * 40}]
    feats = TAG.featurize(NER, ex, tok, max_length=16)
    assert len(feats[0]["input_ids"]) == 16
    seen = {w for w in feats[0]["word_starts"] if w is not None}
    logits = torch.zeros(16, len(NER.labels))
    logits[:, NER.labels.index("B-LOC")] = 1.0
    pred = TAG.decode(NER, ex, feats, [logits])[0]
    assert len(pred) == 40 and 0 < len(seen) < 40
    assert pred == ["B-LOC" if i in seen else "O" for i in range(40)]


def _qa_example(tok):
    filler = "The river flows through the old city and past the market. " * 6
    context = filler + "The tower was built by Gustave Eiffel in 1889. " + filler
    answer = "Gustave Eiffel"
    return {"id": "q1", "question": "Who built the tower?", "context": context,
            "answers": {"text": [answer], "answer_start": [context.index(answer)]}}


def test_gold_span_is_recovered_from_token_positions_across_windows(tiny):
    _, tok = tiny
    ex = _qa_example(tok)
    feats = EQA.featurize(QA, [ex], tok, max_length=64, doc_stride=16)
    assert len(feats) > 3 and all(len(f["input_ids"]) <= 64 for f in feats)
    holding = [f for f in feats if f["start_positions"] > 0]
    assert holding and len(holding) < len(feats)  # some windows hold the answer, the others point at CLS
    for f in holding:
        s, e = f["start_positions"], f["end_positions"]
        assert ex["context"][f["offsets"][s][0]:f["offsets"][e][1]] == "Gustave Eiffel"
    # decode with one-hot logits on the gold positions of a window recovers the answer text
    outputs = []
    for f in feats:
        start, end = torch.zeros(len(f["input_ids"])), torch.zeros(len(f["input_ids"]))
        start[f["start_positions"]] += 10
        end[f["end_positions"]] += 10
        outputs.append((start, end))
    assert EQA.decode(QA, [ex], feats, outputs) == ["Gustave Eiffel"]
    assert EQA.decode(QA2, [ex], feats, outputs) == ["Gustave Eiffel"]  # the span beats CLS (same 20 vs min)


def test_no_answer_when_cls_beats_every_span(tiny):
    _, tok = tiny
    ex = {"id": "n", "question": "Who?", "context": "Nothing here helps at all.",
          "answers": {"text": [], "answer_start": []}}
    feats = EQA.featurize(QA2, [ex], tok, max_length=64)
    assert (feats[0]["start_positions"], feats[0]["end_positions"]) == (0, 0)
    n = len(feats[0]["input_ids"])
    start, end = torch.zeros(n), torch.zeros(n)
    start[0], end[0] = 5.0, 5.0
    ctx = [j for j, o in enumerate(feats[0]["offsets"]) if o is not None]
    start[ctx[0]], end[ctx[1]] = 3.0, 3.0
    assert EQA.decode(QA2, [ex], feats, [(start, end)]) == [""]
    assert EQA.decode(QA, [ex], feats, [(start, end)]) == ["Nothing here"[:feats[0]["offsets"][ctx[1]][1]]]
    # a correct abstention scores as the official SQuAD 2.0 script does: EM 1 and F1 1
    assert EQA.score(QA2, [""], [ex], "en") == {"exact_match": 100.0, "f1": 100.0}
    assert EQA.example_parts(QA2, [""], [ex], "en") == [[100.0]]


def test_answers_longer_than_30_tokens_are_never_chosen(tiny):
    _, tok = tiny
    ex = {"id": "l", "question": "What?", "context": " ".join(["word"] * 80)}
    feats = EQA.featurize(QA, [ex], tok, max_length=128)
    ctx = [j for j, o in enumerate(feats[0]["offsets"]) if o is not None]
    n = len(feats[0]["input_ids"])
    start, end = torch.zeros(n), torch.zeros(n)
    offsets = feats[0]["offsets"]
    third = next(j for j in ctx if offsets[j][1] == len("word word word"))
    assert ctx[0] + 30 < ctx[-1]
    start[ctx[0]], end[ctx[0] + 30], end[third] = 9.0, 9.0, 1.0  # 31 tokens: too long, despite its score
    assert EQA.decode(QA, [ex], feats, [(start, end)]) == ["word word word"]


def test_qa_forward_and_loss_on_the_tiny_model(tiny):
    encoder, tok = tiny
    ex = _qa_example(tok)
    feats = EQA.featurize(QA, [ex], tok, max_length=64, doc_stride=16)
    batch = EQA.collate(feats, tok.pad_token_id)
    head = EQA.build_head(QA, encoder.config.hidden_size)
    start, end = EQA.forward(encoder, head, batch)
    assert start.shape == batch["input_ids"].shape and torch.isfinite(EQA.loss((start, end), batch))
    assert isinstance(EQA.decode(QA, [ex], feats, [(start.detach(), end.detach())])[0], str)
