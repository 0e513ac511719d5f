"""Fixtures of the metrics tests: small submission folders written with the package's own writers."""

import pytest

from intermezzo.metrics import task_langs, write_labels, write_predictions
from intermezzo.metrics.submission import kind_of

PERFECT = {
    "label": (["1", "0"], ["1", "0"]),
    "choice": ([0, 1], [0, 1]),
    "tags": ([["B-PER", "O"], ["O"]], [["B-PER", "O"], ["O"]]),
    "pairs": ([("s1", "t1")], [("s1", "t1")]),
    "qa": ({"q1": "Paris"}, [{"id": "q1", "context": "Paris is big.", "question": "Where?",
                              "answers": {"text": ["Paris"], "answer_start": [0]}}]),
    "ranking": ({"q1": ["c1", "c2"]}, {"q1": ["c1"]}),
}


def write_submission(root, benchmark, skip=()):
    """Perfect predictions and labels for every task and language of `benchmark`; returns (pred, label)."""
    pred, gold = root / "predictions", root / "labels"
    for task, langs in task_langs(benchmark).items():
        for lang in langs:
            if (task, lang) in skip or task in skip:
                continue
            p, g = PERFECT[kind_of(task)]
            write_predictions(task, lang, p, pred)
            write_labels(task, lang, g, gold)
    return pred, gold


@pytest.fixture
def submission():
    """The write_submission function."""
    return write_submission
