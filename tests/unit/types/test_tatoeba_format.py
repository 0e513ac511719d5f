"""Tatoeba as XTREME and jiant score it: each sentence of the sorted English side searches the other language,
and a prediction is the 0-based line of the retrieved sentence (the official submission format)."""

import torch

from intermezzo.metrics import METRICS
from intermezzo.tasks import get_task
from intermezzo.types import TYPES

RET = TYPES["retrieval"]
SPEC = get_task("tatoeba")
# LASER's aligned order: de-n translates en-n; the English side sorts to Apple (en-1), Mango (en-2), Zebra (en-0)
EXAMPLES = [{"id": f"de-{n}", "kind": "query", "text": t, "gold": [f"en-{n}"]} for n, t in
            enumerate(["Zebra de", "Apfel", "Mango de"])] + \
           [{"id": f"en-{n}", "kind": "candidate", "text": t} for n, t in enumerate(["Zebra", "Apple", "Mango"])]
FEATURES = [{"example_index": i} for i in range(6)]


def test_references_are_query_lines_per_sorted_english_sentence():
    assert RET.references(SPEC, EXAMPLES) == ["1", "2", "0"]


def test_predictions_search_from_english_and_score_in_query_order():
    # queries de-0, de-1, de-2; English en-0 (Zebra) is nearest to de-0, Apple to de-1, Mango to de-1 (wrong)
    emb = torch.tensor([[1.0, 0, 0], [0, 1.0, 0], [0, 0.2, 1.0],
                        [1.0, 0.1, 0], [0, 1.0, 0.1], [0, 1.0, 0.3]])
    predictions = RET.decode(SPEC, EXAMPLES, FEATURES, [emb])
    assert predictions == ["1", "1", "0"]         # sorted English: Apple -> line 1, Mango -> 1, Zebra -> 0
    assert RET.score(SPEC, predictions, EXAMPLES, "de") == METRICS["accuracy"](predictions, ["1", "2", "0"])
    # per-example rows follow the queries (row n = the English sentence query n translates)
    assert RET.example_scores(SPEC, predictions, EXAMPLES, "de") == [100.0, 100.0, 0.0]
    assert RET.example_parts(SPEC, predictions, EXAMPLES, "de") == [[100.0], [100.0], [0.0]]
