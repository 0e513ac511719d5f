"""docs/phases.md's tables are generated from the params and summary models, and the committed page matches."""

from pathlib import Path

from intermezzo.phases import docs
from intermezzo.phases.params import PARAMS
from intermezzo.phases.summaries import SUMMARIES

PAGE = Path(__file__).resolve().parents[3] / "docs" / "phases.md"


def test_committed_docs_match_the_models():
    text = PAGE.read_text(encoding="utf-8")
    assert docs.render(text) == text, "docs/phases.md is out of date: run python -m intermezzo.phases.docs"


def test_every_params_and_summary_model_has_a_table():
    text = PAGE.read_text(encoding="utf-8")
    shown = {m.group("what").split()[0] for m in docs.BLOCK.finditer(text)}
    assert {m.__name__ for m in PARAMS.values()} <= shown
    assert {m.__name__ for m in SUMMARIES.values()} | {"Validation", "Stage", "Best"} <= shown
    for model in SUMMARIES.values():
        assert all(f.description for f in model.model_fields.values()), model.__name__


def test_a_stale_table_is_rewritten(tmp_path):
    page = tmp_path / "p.md"
    page.write_text("intro\n<!-- generated: Best -->\n| old |\n<!-- end generated -->\nend\n")
    assert docs.main(["--check", str(page)]) == 1
    assert docs.main([str(page)]) == 0 and docs.main(["--check", str(page)]) == 0
    assert "| `misses` |" in page.read_text() and page.read_text().endswith("end\n")
