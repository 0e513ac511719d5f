"""The official per-benchmark tables agree with the task registry, and registry tasks get a file kind."""

from intermezzo.metrics import TASK_METRICS, read_predictions, task_langs, write_predictions
from intermezzo.metrics.submission import kind_of
from intermezzo.tasks import TASKS


def test_registered_benchmark_tasks_match_the_official_tables():
    checked = 0
    for benchmark in ("xtreme", "xtreme-r"):
        for task, langs in task_langs(benchmark).items():
            spec = TASKS.get(task)
            if spec is None:
                continue
            checked += 1
            assert spec.metric == TASK_METRICS[task], task
            # the registry holds the XTREME-R lists; XTREME's are subsets of them
            if benchmark == "xtreme-r":
                assert set(spec.langs) == set(langs), task
            else:
                assert set(langs) <= set(spec.langs), task
    assert checked > 0


def test_lareqa_languages_come_from_the_registry_when_registered():
    langs = task_langs("xtreme-r")["lareqa"]
    if "lareqa" in TASKS:
        assert langs == TASKS["lareqa"].langs
    assert set(langs) == set("ar de el en es hi ru th tr vi zh".split())


def test_non_benchmark_tasks_are_written_by_their_metric(tmp_path):
    for task in ("squad", "mnli", "ccg"):
        if task not in TASKS:
            continue
        kind = kind_of(task)
        value = {"qa": {"q": "a"}, "label": ["x"], "tags": [["B-NP"]]}[kind]
        write_predictions(task, "en", value, tmp_path)
        assert read_predictions(task, "en", tmp_path) == value
