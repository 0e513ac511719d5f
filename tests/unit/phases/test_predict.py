"""Inference: longest-first batches cut by a token budget, outputs back in the original order, no gradients."""

import random

import pytest
import torch

from intermezzo.phases import predict as predict_module
from intermezzo.phases.predict import Budget, feature_shape, infer, predict
from intermezzo.tasks import get_task

CPU = torch.device("cpu")
WORDS = "the house is near the river and the park where people walk their dogs every morning".split()


def sentences(n: int, seed: int = 0) -> list[dict]:
    """PAWS-X-shaped pairs of very different lengths, in random order."""
    rng = random.Random(seed)
    return [{"id": f"p{i}", "sentence1": " ".join(rng.choices(WORDS, k=rng.choice([2, 3, 20, 40]))),
             "sentence2": " ".join(rng.choices(WORDS, k=rng.randrange(1, 8))), "label": str(rng.randrange(2))}
            for i in range(n)]


def test_multiple_choice_features_count_one_row_per_choice():
    assert feature_shape({"input_ids": [[1, 2, 3], [1, 2], [1, 2, 3, 4, 5]]}) == (5, 3)
    assert feature_shape({"input_ids": [1, 2, 3]}) == (3, 1)


def test_predictions_come_back_in_the_original_order_whatever_the_batching(tiny, monkeypatch):
    from intermezzo.types import TYPES

    encoder, tokenizer = tiny
    spec = get_task("pawsx")
    torch.manual_seed(0)
    head = TYPES["classification"].build_head(spec, encoder.config.hidden_size)
    examples = sentences(40)
    seen = []
    collate = TYPES["classification"].collate

    def spy(features, pad_token_id):
        seen.append((len(features), max(len(f["input_ids"]) for f in features), torch.is_inference_mode_enabled()))
        return collate(features, pad_token_id)

    monkeypatch.setattr(TYPES["classification"], "collate", spy)
    _, budgeted = infer(spec, examples, encoder, head, tokenizer, 64, None, CPU, batch_tokens=96)
    batches, seen[:] = list(seen), []
    _, one_by_one = infer(spec, examples, encoder, head, tokenizer, 64, 1, CPU)
    assert len(seen) == len(examples)
    for a, b in zip(budgeted, one_by_one):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)
    assert all(inference for _, _, inference in batches)  # no autograd bookkeeping at all
    assert all(n == 1 or n * width <= 96 for n, width, _ in batches)
    assert max(n for n, _, _ in batches) > min(n for n, _, _ in batches)
    labels = predict(spec, examples, encoder, head, tokenizer, 64, None, CPU, batch_tokens=96)
    assert labels == [spec.labels[int(row.argmax())] for row in one_by_one]


def test_qa_windows_of_different_questions_share_batches(tiny, monkeypatch):
    from intermezzo.types import TYPES

    encoder, tokenizer = tiny
    spec = get_task("squad")
    rng = random.Random(3)
    examples = [{"id": f"q{i}", "question": "Where does the dog walk?",
                 "context": " ".join(rng.choices(WORDS, k=rng.choice([6, 60, 120]))),
                 "answers": {"text": [], "answer_start": []}} for i in range(12)]
    torch.manual_seed(0)
    head = TYPES["extractive_qa"].build_head(spec, encoder.config.hidden_size)
    mixed = []
    collate = TYPES["extractive_qa"].collate

    def spy(features, pad_token_id):
        mixed.append(len({f["example_index"] for f in features}))
        return collate(features, pad_token_id)

    monkeypatch.setattr(TYPES["extractive_qa"], "collate", spy)
    features, budgeted = infer(spec, examples, encoder, head, tokenizer, 48, None, CPU, batch_tokens=48 * 6)
    assert len(features) > len(examples)  # long contexts became several windows
    assert max(mixed) > 1
    _, single = infer(spec, examples, encoder, head, tokenizer, 48, 1, CPU)
    for (s1, e1), (s2, e2) in zip(budgeted, single):
        n = min(len(s1), len(s2))
        torch.testing.assert_close(s1[:n], s2[:n], atol=1e-4, rtol=1e-4)
        torch.testing.assert_close(e1[:n], e2[:n], atol=1e-4, rtol=1e-4)


def test_a_batch_that_runs_out_of_memory_is_retried_in_halves(tiny, monkeypatch):
    from intermezzo.types import TYPES

    encoder, tokenizer = tiny
    spec = get_task("pawsx")
    head = TYPES["classification"].build_head(spec, encoder.config.hidden_size)
    examples = sentences(24, seed=2)
    forward = TYPES["classification"].forward
    sizes = []

    def small_memory(encoder, head, batch):
        sizes.append(batch["input_ids"].numel())
        if batch["input_ids"].numel() > 200:
            raise torch.OutOfMemoryError("out of memory (simulated)")
        return forward(encoder, head, batch)

    reference = predict(spec, examples, encoder, head, tokenizer, 64, None, CPU, batch_tokens=10_000)
    monkeypatch.setattr(TYPES["classification"], "forward", small_memory)
    assert predict(spec, examples, encoder, head, tokenizer, 64, None, CPU, batch_tokens=10_000) == reference
    assert sizes[0] > 200 and max(sizes[1:]) <= 10_000


def test_budget_is_fixed_on_a_cpu_and_grows_into_free_cuda_memory(monkeypatch):
    cpu = Budget(CPU)
    cpu.observe(10**6)
    assert cpu.tokens == predict_module.cpu_batch_tokens() == 2048 * torch.get_num_threads()
    assert Budget(CPU, 500).tokens == 500
    gib, start = 1 << 30, predict_module.GPU_START_TOKENS
    per_token = gib / start  # activation memory of a batch, proportional to its tokens
    stats = {"allocated": 2 * gib, "tokens": 0, "free": 20 * gib, "reserved": 4 * gib}
    monkeypatch.setattr(torch.cuda, "memory_allocated", lambda device=None: stats["allocated"])
    monkeypatch.setattr(torch.cuda, "max_memory_allocated",
                        lambda device=None: stats["allocated"] + stats["tokens"] * per_token)
    monkeypatch.setattr(torch.cuda, "memory_reserved", lambda device=None: stats["reserved"])
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (stats["free"], 80 * gib))
    monkeypatch.setattr(torch.cuda, "reset_peak_memory_stats", lambda device=None: None)
    gpu = Budget(torch.device("cuda"))
    stats["tokens"] = start
    gpu.observe(start)                    # 1 GiB for `start` tokens, 22 GiB to spare: grow, at most 4x a batch
    assert gpu.tokens == 4 * start and gpu.growing
    for _ in range(10):
        stats["tokens"] = gpu.tokens
        gpu.observe(gpu.tokens)
    fits = int(predict_module.MEMORY_SHARE * 22 * gib / per_token)
    assert fits < predict_module.MAX_BATCH_TOKENS and gpu.tokens == fits and not gpu.growing
    gpu.shrink(gpu.tokens)
    assert not gpu.growing and gpu.tokens < fits


@pytest.mark.parametrize("task", ["xcopa", "udpos"])
def test_other_types_match_one_by_one_inference(tiny, task):
    from support.fixtures import fixture_examples, fixture_langs
    from intermezzo.types import TYPES

    encoder, tokenizer = tiny
    spec = get_task(task)
    lang = list(fixture_langs(spec))[0]
    examples = fixture_examples(task, "test", lang)
    torch.manual_seed(0)
    head = TYPES[spec.type].build_head(spec, encoder.config.hidden_size)
    together = predict(spec, examples, encoder, head, tokenizer, 64, None, CPU)
    alone = predict(spec, examples, encoder, head, tokenizer, 64, 1, CPU)
    assert together == alone and len(together) == len(examples)


def test_retrieval_runs_only_the_layers_its_head_reads(tiny_model_dir):
    import copy

    from support.fixtures import fixture_examples
    from intermezzo.modeling import load_encoder
    from intermezzo.phases.predict import drop_unread_layers
    from intermezzo.types.retrieval import RetrievalHead

    encoder, tokenizer = load_encoder(tiny_model_dir)
    spec = get_task("tatoeba")
    examples = fixture_examples("tatoeba", "test", "de")
    full_head = RetrievalHead(layer=1)
    _, full = infer(spec, examples, encoder, full_head, tokenizer, 64, None, CPU)
    cut, cut_head = copy.deepcopy(encoder), RetrievalHead(layer=1)
    assert drop_unread_layers(cut, cut_head) == 1 and len(cut.encoder.layer) == 1
    _, fast = infer(spec, examples, cut, cut_head, tokenizer, 64, None, CPU)
    for a, b in zip(full, fast):
        torch.testing.assert_close(a["embeddings"], b["embeddings"])
    last = RetrievalHead(layer=-1)
    assert drop_unread_layers(copy.deepcopy(encoder), last) == 2 and last.layer == -1
    assert drop_unread_layers(copy.deepcopy(encoder), torch.nn.Linear(2, 2)) == 2  # not a retrieval head
