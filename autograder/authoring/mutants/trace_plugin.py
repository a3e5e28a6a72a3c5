"""pytest plugin (loaded with -p) recording which solution functions each graded test runs.

Run on the solution in local mode, it maps every function (file, first line) to the tests that
execute it, so a mutant of that function is graded by those tests only.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Generator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

_TRACE = pytest.StashKey[dict[str, Any]]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_TRACE] = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    root = os.environ["AUTOGRADER_TRACE_ROOT"]
    seen: set[str] = set()

    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event == "call":
            code = frame.f_code
            if code.co_filename.startswith(root) and "/hidden/" not in code.co_filename:
                seen.add(f"{Path(code.co_filename).stem}:{code.co_firstlineno}")

    sys.setprofile(profile)
    try:
        return (yield)
    finally:
        sys.setprofile(None)
        marker = item.get_closest_marker("part")
        item.config.stash[_TRACE][item.nodeid] = {
            "part": marker.args[0] if marker else "", "functions": sorted(seen)}


def pytest_sessionfinish(session: pytest.Session) -> None:
    Path(os.environ["AUTOGRADER_TRACE_OUT"]).write_text(json.dumps(session.config.stash[_TRACE]))
