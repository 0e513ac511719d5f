"""The task registry: every spec well-formed, official language lists, benchmark groups, did-you-mean."""

import pytest

from intermezzo.data.layouts import LAYOUTS
from intermezzo.errors import UserError
from intermezzo.tasks import TASKS, check_lang, get_task

TYPES = {"classification", "multiple_choice", "tagging", "extractive_qa", "retrieval"}
METRICS = {"accuracy", "seqeval_f1", "squad", "mlqa", "bucc_f1", "mrr@20", "map@20"}
XTREME_R = {"xnli", "xcopa", "udpos", "panx", "xquad", "mlqa", "tydiqa", "tatoeba", "mewslix", "lareqa"}
XTREME = {"xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa", "tatoeba", "bucc2018"}
INTERMEDIATE = {"anli_plus", "mnli", "qqp", "squad", "squad_v2", "hellaswag", "cosmosqa", "commonsenseqa", "ccg",
                "siqa", "copa"}


def test_all_tasks_of_the_brief_are_registered():
    assert XTREME_R | XTREME | INTERMEDIATE <= set(TASKS)


@pytest.mark.parametrize("name", sorted(XTREME_R | XTREME | INTERMEDIATE))
def test_spec_is_well_formed(name):
    spec = TASKS[name]
    assert spec.name == name
    assert spec.type in TYPES
    assert spec.metric in METRICS
    assert spec.langs and all(isinstance(lang, str) and 2 <= len(lang) <= 3 for lang in spec.langs)
    assert len(set(spec.langs)) == len(spec.langs), "duplicate languages"
    assert spec.citation.strip() and spec.layout in LAYOUTS
    assert spec.train_source is None or spec.train_source in TASKS
    assert set(spec.splits) <= {"train", "validation", "test"} and spec.splits
    assert set(spec.benchmarks) <= {"xtreme", "xtreme-r"}
    if spec.benchmarks:
        assert spec.group in {"classification", "tagging", "qa", "retrieval"}
    if spec.type == "classification":
        assert 1 <= len(spec.fields) <= 2 and len(spec.labels) >= 2
    if spec.type == "tagging":
        assert "O" in spec.labels or len(spec.labels) > 2
    if spec.hub is not None:
        assert "/" in spec.hub.id and spec.hub.config
    assert set(spec.xtreme_langs) <= set(spec.langs)


def test_benchmark_membership_and_groups_follow_xtreme_evaluate_py():
    assert {n for n, s in TASKS.items() if "xtreme-r" in s.benchmarks} == XTREME_R
    assert {n for n, s in TASKS.items() if "xtreme" in s.benchmarks} == XTREME
    groups = {}
    for n in XTREME_R:
        groups.setdefault(TASKS[n].group, set()).add(n)
    assert groups == {"classification": {"xnli", "xcopa"}, "tagging": {"udpos", "panx"},
                      "qa": {"xquad", "mlqa", "tydiqa"}, "retrieval": {"tatoeba", "mewslix", "lareqa"}}
    assert TASKS["pawsx"].group == "classification" and TASKS["bucc2018"].group == "retrieval"


def test_official_language_counts():
    counts = {n: (len(TASKS[n].langs), len(TASKS[n].xtreme_langs or TASKS[n].langs))
              for n in ("xnli", "panx", "udpos", "tatoeba", "xquad", "mlqa", "tydiqa", "xcopa", "mewslix", "pawsx",
                        "bucc2018", "lareqa")}
    assert counts == {"xnli": (15, 15), "panx": (48, 40), "udpos": (38, 33), "tatoeba": (41, 36),
                      "xquad": (12, 11), "mlqa": (7, 7), "tydiqa": (9, 9), "xcopa": (11, 11),
                      "mewslix": (11, 11), "pawsx": (7, 7), "bucc2018": (4, 4), "lareqa": (11, 11)}
    union = set().union(*(TASKS[n].langs for n in XTREME_R))
    assert len(union) == 50, "XTREME-R covers 50 languages"
    assert len(set().union(*(TASKS[n].xtreme_langs or TASKS[n].langs for n in XTREME))) == 40


def test_training_sources_as_in_xtreme_r():
    src = {n: TASKS[n].train_source for n in XTREME_R | XTREME}
    assert src == {"xnli": "mnli", "xquad": "squad", "mlqa": "squad", "tydiqa": "tydiqa", "xcopa": "siqa",
                   "panx": "panx", "udpos": "udpos", "lareqa": "squad", "mewslix": "mewslix", "tatoeba": None,
                   "bucc2018": None, "pawsx": "pawsx"}
    assert TASKS["xcopa"].training_sources == ("siqa", "copa")
    assert all(TASKS[n].langs == ("en",) for n in INTERMEDIATE)


def test_hub_language_maps_cover_the_languages_they_serve():
    assert set(TASKS["udpos"].hub.langs) == set(TASKS["udpos"].xtreme_langs)
    assert set(TASKS["tatoeba"].hub.langs) == set(TASKS["tatoeba"].langs)
    assert TASKS["tatoeba"].hub.langs["zh"] == "cmn" and TASKS["udpos"].hub.langs["de"] == "German"
    assert set(TASKS["tydiqa"].hub.langs) == set(TASKS["tydiqa"].langs)


def test_unknown_task_suggests_close_names():
    with pytest.raises(UserError, match="did you mean.*xnli"):
        get_task("xnil")
    with pytest.raises(UserError, match="did you mean.*squad_v2"):
        get_task("squadv2")


def test_unknown_language_suggests_close_codes():
    spec = get_task("xnli")
    assert check_lang(spec, "de") == "de"
    with pytest.raises(UserError) as e:
        check_lang(spec, "deu")
    assert "did you mean de" in str(e.value) and "\n" not in str(e.value)


# google-research/xtreme evaluate.py (XTREME_TASK2LANGS, XTREME_R_TASK2LANGS, *_GROUP2TASK), as data: the
# benchmark tables intermezzo derives from the registry must reproduce them, task order included.
OFFICIAL_ORDER = {
    "xtreme": ["pawsx", "xnli", "panx", "udpos", "bucc2018", "tatoeba", "xquad", "mlqa", "tydiqa"],
    "xtreme-r": ["xnli", "panx", "udpos", "tatoeba", "xcopa", "lareqa", "mewslix", "xquad", "mlqa", "tydiqa"],
}
OFFICIAL_GROUPS = {
    "xtreme": {"classification": {"pawsx", "xnli"}, "tagging": {"udpos", "panx"}, "qa": {"xquad", "mlqa", "tydiqa"},
               "retrieval": {"bucc2018", "tatoeba"}},
    "xtreme-r": {"classification": {"xnli", "xcopa"}, "tagging": {"udpos", "panx"},
                 "qa": {"xquad", "mlqa", "tydiqa"}, "retrieval": {"tatoeba", "mewslix"}, "multi_choice": {"xcopa"}},
}


@pytest.mark.parametrize("benchmark", ["xtreme", "xtreme-r"])
def test_benchmark_tables_derived_from_the_registry_match_evaluate_py(benchmark):
    from intermezzo.metrics import GROUPS, TASK_METRICS, task_langs

    langs = task_langs(benchmark)
    assert list(langs) == OFFICIAL_ORDER[benchmark]
    assert {g: set(t) for g, t in GROUPS[benchmark].items()} == OFFICIAL_GROUPS[benchmark]
    assert list(GROUPS[benchmark]) == list(OFFICIAL_GROUPS[benchmark])
    for task, task_lang_list in langs.items():
        assert task_lang_list == TASKS[task].benchmark_langs(benchmark)
        assert TASK_METRICS[task] == TASKS[task].metric
    assert len(langs["panx"]) == (40 if benchmark == "xtreme" else 48)
    assert langs["udpos"][-1] == ("zh" if benchmark == "xtreme" else "ro")


def test_specs_are_typed_no_untyped_extra_left():
    from dataclasses import fields

    from intermezzo.tasks.spec import TaskSpec

    assert "extra" not in {f.name for f in fields(TaskSpec)}
    assert TASKS["ccg"].unknown_tag == "UNK" and TASKS["squad_v2"].version_2_with_negative
    assert TASKS["hellaswag"].n_choices == 4 and TASKS["mnli"].columns["label"] == "gold_label"
    assert TASKS["lareqa"].groups_in("xtreme-r") == () and TASKS["xcopa"].groups_in("xtreme") == ()
    assert hash(TASKS["xnli"]) == hash(TASKS["xnli"])  # mappings stay out of the hash


def test_tasks_command_filters_by_benchmark_and_refuses_an_unknown_one(monkeypatch, capsys):
    import sys

    from intermezzo.cli import main

    def run(*args):
        monkeypatch.setattr(sys, "argv", ["intermezzo", "tasks", *args])
        try:
            main()
            code = 0
        except SystemExit as e:
            code = e.code
        return code, capsys.readouterr()

    code, out = run("--benchmark", "xtreme")
    assert code == 0 and "bucc2018" in out.out and "xcopa" not in out.out
    code, out = run("--benchmark", "xtrem")
    assert code == 2 and "did you mean xtreme" in out.err and out.err.count("\n") == 1
