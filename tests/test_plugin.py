"""The pytest plugin, tested with pytester: markers, fixtures, parts, outcomes file."""

import json
import shutil

import pytest

from tests.conftest import FIXTURES

pytest_plugins = ["pytester"]


@pytest.fixture
def toy_dir(pytester: pytest.Pytester):
    root = pytester.path / "toy"
    shutil.copytree(FIXTURES / "toy", root)
    return root


def test_local_mode_grades_the_solution(pytester: pytest.Pytester, toy_dir) -> None:
    out = pytester.path / "out.json"
    result = pytester.runpytest_subprocess(str(toy_dir / "hidden"), "--assert=plain",
                                           f"--ag-results={out}", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
    data = json.loads(out.read_text())
    assert data["isolation"] == "local"
    by_name = {o["name"]: o for o in data["outcomes"]}
    assert by_name["test_add_random"]["max_points"] == 2.0
    assert by_name["test_add_random"]["part"] == "sums"
    assert by_name["test_scaler"]["doc"] == "Scaler(k).forward(x) is k * x."


def test_parts_option_deselects_other_parts(pytester: pytest.Pytester, toy_dir) -> None:
    result = pytester.runpytest_subprocess(str(toy_dir / "hidden"), "--ag-parts=scaling")
    result.assert_outcomes(passed=1, deselected=2)


def test_feedback_is_the_message_not_the_source(pytester: pytest.Pytester, toy_dir) -> None:
    wrong = toy_dir.parent / "wrong"
    wrong.mkdir()
    (wrong / "vectors.py").write_text(
        "def add(a, b):\n    return a - b\nclass Scaler:\n    def __init__(self, k):\n"
        "        self.k = k\n    def forward(self, x):\n        return x\n")
    out = pytester.path / "out.json"
    result = pytester.runpytest_subprocess(str(toy_dir / "hidden"), "--assert=plain",
                                           "--ag-mode=local", f"--ag-submission={wrong}",
                                           f"--ag-results={out}")
    result.assert_outcomes(failed=3)
    feedback = {o["name"]: o["feedback"] for o in json.loads(out.read_text())["outcomes"]}
    assert feedback["test_add_ints"] == "add(1, 2) should be 3"
    assert "worst absolute error" in feedback["test_add_random"]
    assert "reference" not in " ".join(feedback.values())


def test_rng_is_seeded_per_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        def test_a(rng):
            print("draw", rng.integers(1 << 30))
    """)
    first = pytester.runpytest_subprocess("-s").stdout.str()
    second = pytester.runpytest_subprocess("-s").stdout.str()
    draw = [line for line in first.splitlines() if "draw" in line]
    assert draw and draw == [line for line in second.splitlines() if "draw" in line]


def test_points_must_be_positive() -> None:
    from autograder.testing import points

    with pytest.raises(ValueError):
        points(0)
