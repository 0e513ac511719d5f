"""Official-exact XTREME / XTREME-R scoring: METRICS, per-example scores, and the submission-folder scorer."""

from intermezzo.metrics.benchmark import BENCHMARKS, GROUPS, TASK_METRICS, score_folders, task_langs
from intermezzo.metrics.parts import PARTS_KIND, example_parts, reduce_parts
from intermezzo.metrics.scorers import METRICS, example_scores, headline, primary_metric
from intermezzo.metrics.submission import (
    file_path,
    read_labels,
    read_predictions,
    write_labels,
    write_predictions,
)

__all__ = [
    "BENCHMARKS", "GROUPS", "METRICS", "PARTS_KIND", "TASK_METRICS", "example_parts", "example_scores", "file_path",
    "headline", "primary_metric", "read_labels", "read_predictions", "reduce_parts", "score_folders", "task_langs",
    "write_labels",
    "write_predictions",
]
