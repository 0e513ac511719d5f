"""`intermezzo score` end to end through the real entry point: both benchmarks, the shipped example, bad input."""

import json
import shutil
import sys

import pytest

from intermezzo import cli
from intermezzo.examples import SUBMISSION
from intermezzo.metrics import score_folders, task_langs, write_labels, write_predictions
from intermezzo.metrics.submission import kind_of

GOOD = {
    "label": ["1", "0"], "choice": [0, 1], "tags": [["B-PER", "O"]], "pairs": [("s1", "t1")],
    "qa": {"q1": "Paris"}, "ranking": {"q1": ["c1", "c2"]},
}
GOLD = {"qa": [{"id": "q1", "context": "Paris.", "question": "Where?",
                "answers": {"text": ["Paris"], "answer_start": [0]}}], "ranking": {"q1": ["c2"]}}


def _folders(root, benchmark):
    for task, langs in task_langs(benchmark).items():
        kind = kind_of(task)
        for lang in langs:
            write_predictions(task, lang, GOOD[kind], root / "p")
            write_labels(task, lang, GOLD.get(kind, GOOD[kind]), root / "l")
    return root / "p", root / "l"


def _run(monkeypatch, capsys, *args):
    monkeypatch.setattr(sys, "argv", ["intermezzo", "score", *map(str, args)])
    try:
        cli.main()
        code = 0
    except SystemExit as e:
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("benchmark, n_tasks", [("xtreme", 9), ("xtreme-r", 10)])
def test_full_submission(tmp_path, monkeypatch, capsys, benchmark, n_tasks):
    pred, gold = _folders(tmp_path, benchmark)
    out_file = tmp_path / "scores.json"
    code, out, err = _run(monkeypatch, capsys, "--predictions", pred, "--labels", gold,
                          "--benchmark", benchmark, "--output", out_file)
    assert code == 0, err
    written = json.loads(out_file.read_text())
    assert written == json.loads(json.dumps(score_folders(pred, gold, benchmark)))
    # every task perfect except the rankings, where the gold sits second: reciprocal rank and AP 1/2
    n_rank = sum(kind_of(t) == "ranking" for t in task_langs(benchmark))
    assert written["all_task"] == pytest.approx(((n_tasks - n_rank) * 100 + n_rank * 50) / n_tasks)
    assert "all_task: " in out and "retrieval: " in out
    assert out.splitlines()[1].split()[0] == "lang"


def test_shipped_example(tmp_path, monkeypatch, capsys):
    code, out, err = _run(monkeypatch, capsys, "--example", "--output", tmp_path / "ex.json")
    assert code == 0, err
    result = json.loads((tmp_path / "ex.json").read_text())
    # XCOPA ships complete, so its group is scored; the rest are partial and named
    assert result["multi_choice"] == pytest.approx(result["xcopa"]["avg_accuracy"])
    assert "tydiqa" in result["missing_tasks"] and "all_task" not in result
    assert result["xnli"]["accuracy"]["en"] == 80.0  # 4 of 5 in the shipped file
    assert "overall score not given" in out


def _copy_example(tmp_path):
    shutil.copytree(SUBMISSION, tmp_path / "sub")
    return tmp_path / "sub" / "predictions", tmp_path / "sub" / "labels"


def _break_missing_file(p, g):
    (g / "xnli" / "test-de.tsv").unlink()


def _break_line_count(p, g):
    (p / "xnli" / "test-en.tsv").write_text("neutral\n")


def _break_unknown_task(p, g):
    (p / "xnil").mkdir()


def _break_unknown_lang(p, g):
    (p / "xnli" / "test-eng.tsv").write_text("neutral\n")


def _break_json(p, g):
    (p / "mlqa" / "test-zh.json").write_text('{"z1": "诺曼底",')


def _break_tsv(p, g):
    (p / "panx" / "test-en.tsv").write_text("Paris\tB-LOC\n")


@pytest.mark.parametrize("breaker, needle", [
    (_break_missing_file, "test-de.tsv: file not found"),
    (_break_line_count, "test-en.tsv: 1 lines but"),
    (_break_unknown_task, "did you mean xnli"),
    (_break_unknown_lang, "did you mean en"),
    (_break_json, "test-zh.json:1: malformed JSON"),
    (_break_tsv, "test-en.tsv:1: found a tab"),
])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, monkeypatch, capsys, breaker, needle):
    pred, gold = _copy_example(tmp_path)
    breaker(pred, gold)
    out_file = tmp_path / "scores.json"
    code, out, err = _run(monkeypatch, capsys, "--predictions", pred, "--labels", gold, "--output", out_file)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("intermezzo: error: ")
    assert needle in err
    assert not out_file.exists()


def test_bad_arguments_exit_2(tmp_path, monkeypatch, capsys):
    code, _, err = _run(monkeypatch, capsys, "--example", "--benchmark", "xtreme-s")
    assert code == 2 and "did you mean xtreme" in err
    code, _, err = _run(monkeypatch, capsys, "--predictions", tmp_path)
    assert code == 2 and "--labels" in err
    code, _, err = _run(monkeypatch, capsys, "--example", "--output", tmp_path)
    assert code == 2 and "is a folder" in err


# One benchmark task per type (retrieval: all three official layouts), scored by the evaluate phase itself.
OWN_OUTPUT = {"pawsx": "xtreme", "xcopa": "xtreme-r", "panx": "xtreme", "xquad": "xtreme", "tatoeba": "xtreme",
              "bucc2018": "xtreme", "mewslix": "xtreme-r"}


def _labels(task, lang, source, folder):
    """Gold of the split the evaluate phase scored, written in the official label layout."""
    from intermezzo.phases.common import load_task_examples
    from intermezzo.tasks import get_task
    from intermezzo.types import TYPES

    spec = get_task(task)
    examples = load_task_examples(spec, "test", lang, source)
    refs = examples if spec.type == "extractive_qa" else TYPES[spec.type].references(spec, examples)
    if spec.metric == "mrr@20":
        refs = dict(zip([ex["id"] for ex in examples if ex["kind"] == "query"], refs))
    write_labels(task, lang, refs, folder)


def test_score_reads_the_evaluate_phases_own_predictions(tmp_path, monkeypatch, capsys, tiny_model_dir):
    """`intermezzo score` on evaluate's predictions folder gives evaluate's own scores, for every task type."""
    from intermezzo.data.fixtures import fixture_langs, write_fixtures
    from intermezzo.modeling import load_encoder, save_model
    from intermezzo.phases import PHASES
    from intermezzo.tasks import get_task
    from intermezzo.types import TYPES

    encoder, tok = load_encoder(tiny_model_dir)
    heads = {t: TYPES[get_task(t).type].build_head(get_task(t), encoder.config.hidden_size)
             for t in OWN_OUTPUT if get_task(t).type != "retrieval"}
    model = save_model(tmp_path / "model", encoder, tok, heads=heads,
                       head_meta={t: {"type": get_task(t).type, "task": t} for t in heads})
    data = tmp_path / "data"
    for task, benchmark in OWN_OUTPUT.items():
        source = write_fixtures(task, data).parent
        langs = list(fixture_langs(get_task(task)))[:2]
        out = tmp_path / task
        summary = PHASES["evaluate"]({"task": task, "source": str(source), "langs": langs, "max_length": 64},
                                     out, {"model": model})
        for lang in langs:
            _labels(task, lang, str(source), tmp_path / "labels" / task)
        code, _, err = _run(monkeypatch, capsys, "--predictions", out / "predictions" / "clean",
                            "--labels", tmp_path / "labels" / task, "--benchmark", benchmark,
                            "--output", tmp_path / f"{task}.json")
        assert code == 0, err
        official = json.loads((tmp_path / f"{task}.json").read_text())[task]
        for lang in langs:
            for metric, value in summary["scores"]["clean"][lang].items():
                assert official[metric][lang] == pytest.approx(value, abs=1e-9), (task, lang, metric)
    # Tatoeba lines are the official integers (0-based lines of the other language), not candidate ids
    lines = (tmp_path / "tatoeba" / "predictions" / "clean" / "tatoeba" / "test-de.tsv").read_text().split()
    assert lines and all(line.isdigit() for line in lines)
