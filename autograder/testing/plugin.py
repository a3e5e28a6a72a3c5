"""The pytest plugin of graded tests: fixtures, part selection and the outcome of each test.

Options (all optional; without --ag-submission the tests grade the solution in local mode):
  --ag-submission DIR   the submission to grade (a folder of module files)
  --ag-mode             sandbox (default with a submission) or local
  --ag-isolation        auto, bwrap or process
  --ag-device           cpu or cuda
  --ag-parts            comma-separated parts to run (others are deselected)
  --ag-results FILE     write each test's outcome as JSON
  --ag-log FILE         where the sandbox's own output goes
  --ag-budget SECONDS   the submission's grading budget: graded tests that would start after
                        it fail at once, saying so (the tests already run keep their result)

Only pytest and the standard library are imported at load time: the plugin is registered for
every pytest run in the environment, students' included.
"""

from __future__ import annotations

import json
import os
import sys
import time
import zlib
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from autograder.testing.outcomes import Outcome, feedback_for

_OUTCOMES = pytest.StashKey[list[Outcome]]()
_ISOLATION = pytest.StashKey[str]()
_SESSION = pytest.StashKey[Any]()
_DEADLINE = pytest.StashKey[float]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("autograder", "graded tests (autograder)")
    group.addoption("--ag-submission", default=None, help="submission folder to grade")
    group.addoption("--ag-mode", default=None, choices=["sandbox", "local"])
    group.addoption("--ag-isolation", default="auto", choices=["auto", "bwrap", "uid", "process"])
    group.addoption("--ag-device", default="cpu")
    group.addoption("--ag-parts", default=None, help="comma-separated parts to run")
    group.addoption("--ag-results", default=None, help="write outcomes as JSON here")
    group.addoption("--ag-log", default=None, help="sandbox output log")
    group.addoption("--ag-budget", default=None, type=float,
                    help="seconds for the whole graded suite")


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_OUTCOMES] = []
    budget = config.getoption("--ag-budget")
    if budget:
        config.stash[_DEADLINE] = time.monotonic() + float(budget)
    if config.getoption("--ag-submission") and config.args:
        from autograder.testing.session import GradingSession

        session = GradingSession.from_config(config)
        session.prelaunch(Path(config.args[0]).resolve() / "x")
        config.stash[_SESSION] = session
    config.addinivalue_line("markers", "points(value): points a graded test is worth")
    config.addinivalue_line("markers", "part(name): the assignment part a graded test grades")


def pytest_unconfigure(config: pytest.Config) -> None:
    session = config.stash.get(_SESSION, None)
    if session is not None:
        session.close()  # also when no test asked for the sandbox that was started early


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = config.getoption("--ag-parts")
    if not wanted:
        return
    parts = set(wanted.split(","))
    keep = [i for i in items if (m := i.get_closest_marker("part")) and m.args[0] in parts]
    config.hook.pytest_deselected(items=[i for i in items if i not in keep])
    items[:] = keep


def pytest_runtest_setup(item: pytest.Item) -> None:
    deadline = item.config.stash.get(_DEADLINE, None)
    if deadline is not None and item.get_closest_marker("points") is not None and (
            time.monotonic() > deadline):
        budget = item.config.getoption("--ag-budget")
        pytest.fail(f"not run: grading this submission used up its time budget of {budget:g} s "
                    "(the tests before this one were slow or timed out); the tests that ran "
                    "keep their points", pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if item.get_closest_marker("points") is None:
        return report
    failed_setup = call.when == "setup" and report.failed
    if call.when == "call" or failed_setup:
        points_marker = item.get_closest_marker("points")
        part_marker = item.get_closest_marker("part")
        doc = getattr(getattr(item, "obj", None), "__doc__", None) or ""
        item.config.stash[_OUTCOMES].append(Outcome(
            name=item.name, nodeid=item.nodeid, doc=" ".join(doc.split()),
            part=str(part_marker.args[0]) if part_marker else "",
            max_points=float(points_marker.args[0]) if points_marker else 0.0,
            passed=report.passed, feedback=feedback_for(call.excinfo),
            seconds=report.duration))
        _write_outcomes(item.config)  # after every test: a judge stopped later keeps these
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    _write_outcomes(session.config, complete=True)


def _write_outcomes(config: pytest.Config, complete: bool = False) -> None:
    """The outcomes so far; `complete` only when the session ended normally, so a judge that
    died half-way is never read as a finished (and lower) score."""
    path = config.getoption("--ag-results")
    if path:
        outcomes = [o.to_json() for o in config.stash[_OUTCOMES]]
        isolation = config.stash.get(_ISOLATION, "none")
        tmp = Path(f"{path}.tmp")
        tmp.write_text(json.dumps({"complete": complete, "isolation": isolation,
                                   "outcomes": outcomes,
                                   # scanned once, at the end: resolving every module's
                                   # file after each test cost ~0.15 s a test with torch loaded
                                   "imported_from_submission":
                                       _imported_from(config) if complete else []},
                                  indent=1))
        tmp.replace(path)


def _imported_from(config: pytest.Config) -> list[str]:
    """Modules this (trusted) process loaded from the submission: must stay empty in grading."""
    folder = config.getoption("--ag-submission")
    if not folder:
        return []
    root = os.path.realpath(folder)
    real_dirs: dict[str, str] = {}  # thousands of module files share a few hundred folders
    found = []
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if not isinstance(file, str):
            continue
        folder_of = os.path.dirname(file)
        if folder_of not in real_dirs:
            real_dirs[folder_of] = os.path.realpath(folder_of)
        real = os.path.join(real_dirs[folder_of], os.path.basename(file))
        if os.path.islink(file):  # a module file that is itself a link: follow it too
            real = os.path.realpath(file)
        if os.path.commonpath([real, root]) == root:
            found.append(name)
    return found


@pytest.fixture(scope="session")
def _ag_session(request: pytest.FixtureRequest) -> Iterator[Any]:
    from autograder.testing.session import GradingSession

    session = request.config.stash.get(_SESSION, None) or GradingSession.from_config(
        request.config)
    yield session
    request.config.stash[_ISOLATION] = session.isolation_used()
    session.close()


@pytest.fixture
def student(_ag_session: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """The submission: `student.<module>.<name>` runs in a fresh sandbox worker for this test."""
    with _ag_session.student(Path(str(request.node.path))) as proxy:
        yield proxy


@pytest.fixture
def reference(_ag_session: Any, request: pytest.FixtureRequest) -> Any:
    """The solution's modules, imported here in the trusted process."""
    return _ag_session.reference(Path(str(request.node.path)))


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> Any:
    """A numpy Generator seeded from the test's id: fresh inputs per test, same on every run."""
    import numpy as np

    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))


@pytest.fixture
def device(request: pytest.FixtureRequest) -> str:
    """'cpu', or 'cuda' when grading with --device cuda."""
    return str(request.config.getoption("--ag-device"))
