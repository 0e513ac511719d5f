"""Against XTREME's own mock submission and the numbers its evaluate_test.py expects (needs a checkout)."""

import os
from pathlib import Path

import pytest

from intermezzo.metrics import score_folders

# Copied from google-research/xtreme evaluate_test.py: the expected per-task averages on mock_test_data.
EXPECTED = {
    "pawsx": {"avg_accuracy": 51.42857142857143},
    "xnli": {"avg_accuracy": 30.666666666666668},
    "panx": {"avg_f1": 57.50793650793652, "avg_precision": 54.729166666666664, "avg_recall": 62.750000000000014},
    "udpos": {"avg_f1": 70.21746048354693, "avg_precision": 71.02232625883823, "avg_recall": 69.54982073976082},
    "bucc2018": {"avg_f1": 55.0, "avg_precision": 55.0, "avg_recall": 55.0},
    "tatoeba": {"avg_accuracy": 53.611111111111114},
    "xquad": {"avg_exact_match": 77.27272727272727, "avg_f1": 79.9586776859504},
    "mlqa": {"avg_exact_match": 57.142857142857146, "avg_f1": 81.76870748299321},
    "tydiqa": {"avg_exact_match": 88.88888888888889, "avg_f1": 97.22222222222223},
}


@pytest.mark.slow
def test_official_mock_submission():
    repo = os.environ.get("XTREME_REPO")
    if not repo:
        pytest.skip("set XTREME_REPO to a checkout of google-research/xtreme")
    mock = Path(repo) / "mock_test_data"
    # the reference numbers were made with seqeval 0.0.12, hence legacy tag parsing
    result = score_folders(mock / "predictions", mock / "labels", "xtreme", seqeval_legacy=True)
    for task, expected in EXPECTED.items():
        for key, value in expected.items():
            assert result[task][key] == pytest.approx(value, abs=1e-9), (task, key)
    mewslix = score_folders(mock / "predictions", mock / "labels", "xtreme-r")["mewslix"]
    assert mewslix["avg_map@20"] == pytest.approx(14.39025156130419, abs=1e-9)
