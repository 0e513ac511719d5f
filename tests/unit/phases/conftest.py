"""Fixtures of the phases tests: the tiny model (built once per session) and small data folders."""

import pytest


@pytest.fixture(scope="session")
def fixture_data(tmp_path_factory):
    """The data area's fixtures of mnli, squad and pawsx in their official layouts."""
    from intermezzo.data.fixtures import write_fixtures

    folder = tmp_path_factory.getbasetemp() / "phase-data"
    for task in ("mnli", "squad", "pawsx"):
        write_fixtures(task, folder)
    return folder
