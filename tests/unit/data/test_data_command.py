"""`intermezzo data`: fixtures, a summary line, a JSONL copy that loads back the same; user errors stay one line."""

import typer
from typer.testing import CliRunner

from intermezzo.data.commands import register
from intermezzo.data.load import load_examples


def _app():
    app = typer.Typer()

    @app.callback()
    def root():
        """test root"""

    register(app)
    return app


def test_fixtures_then_load_then_save_as_jsonl(tmp_path):
    runner = CliRunner()
    res = runner.invoke(_app(), ["data", "--task", "xnli", "--fixtures", str(tmp_path)])
    assert res.exit_code == 0 and (tmp_path / "xnli" / "test-ru.tsv").is_file()
    out = tmp_path / "copy" / "test-ru.jsonl"
    res = runner.invoke(_app(), ["data", "--task", "xnli", "--split", "test", "--lang", "ru", "--source",
                                 str(tmp_path), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "12 examples" in res.output and "'contradiction': 4" in res.output
    assert load_examples("xnli", "test", "ru", source=out.parent) == load_examples("xnli", "test", "ru",
                                                                                    source=tmp_path)


def test_unknown_task_is_a_user_error(tmp_path):
    from intermezzo.errors import UserError

    res = CliRunner().invoke(_app(), ["data", "--task", "xnlj", "--source", str(tmp_path)])
    assert isinstance(res.exception, UserError) and "did you mean xnli" in str(res.exception)


def test_an_xtreme_stripped_test_split_is_reported_unlabelled(tmp_path):
    from intermezzo.data.fixtures import write_fixtures

    write_fixtures("xcopa", tmp_path, test_labels=False)
    res = CliRunner().invoke(_app(), ["data", "--task", "xcopa", "--split", "test", "--lang", "zh", "--source",
                                      str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "12 examples" in res.output and "unlabelled" in res.output and "labels {" not in res.output
