"""The warm judge: forks of one pre-imported process grade like a cold `python -m pytest`."""

from pathlib import Path

import pytest

from autograder.grading import judge_server
from autograder.grading.judge import judge_env, run_hidden_tests
from autograder.grading.judge_server import JudgeServer
from autograder.grading.scoring import score
from tests.test_judge import CORRECT

WRONG = CORRECT.replace("np.add(a, b)", "np.subtract(a, b)")


def _summary(report) -> list[tuple[str, bool]]:
    assert not report.error, report.error
    return [(o.name, o.passed) for o in report.outcomes]


def test_warm_runs_grade_like_cold_ones_and_keep_nothing_between_submissions(
        toy, make_submission) -> None:
    server = JudgeServer(judge_env())
    try:
        right, wrong = make_submission({"vectors.py": CORRECT}, "right"), make_submission(
            {"vectors.py": WRONG}, "wrong")
        warm = [run_hidden_tests(toy, s, server=server) for s in (right, wrong, right)]
        first_pid = server.process.pid if server.process else None
        cold = [run_hidden_tests(toy, s) for s in (right, wrong)]
        assert [_summary(r) for r in warm] == [_summary(r) for r in (*cold, cold[0])]
        assert [score(toy, r.outcomes).total for r in warm] == [5, 2, 5]  # no carry-over
        assert server.process is not None and server.process.pid == first_pid  # one server
    finally:
        server.close()


def test_a_run_past_its_budget_is_stopped_and_the_server_goes_on(toy, make_submission,
                                                                  tmp_path: Path) -> None:
    server = JudgeServer(judge_env())
    try:
        slow = make_submission({"vectors.py": "import time\ntime.sleep(60)\n" + CORRECT}, "slow")
        report = run_hidden_tests(toy, slow, server=server, timeout=3)
        assert report.error.startswith("grading stopped after 3 s") and report.outcomes == []
        again = run_hidden_tests(toy, make_submission({"vectors.py": CORRECT}), server=server)
        assert score(toy, again.outcomes).total == 5
    finally:
        server.close()


def test_a_dead_server_is_started_again(toy, make_submission) -> None:
    server = JudgeServer(judge_env())
    try:
        submission = make_submission({"vectors.py": CORRECT})
        assert score(toy, run_hidden_tests(toy, submission, server=server).outcomes).total == 5
        assert server.process is not None
        server.process.kill()
        server.process.wait()
        assert score(toy, run_hidden_tests(toy, submission, server=server).outcomes).total == 5
    finally:
        server.close()


def test_an_assignments_judge_imports_are_imported_before_the_fork(tmp_path: Path) -> None:
    """A run finds the modules of its request's `imports` already imported (one the warm
    process cannot import is left to the run), and a run without them does not."""
    (tmp_path / "test_warm.py").write_text(
        "import sys\n\ndef test_imported_before():\n    assert 'wave' in sys.modules\n")
    server = JudgeServer(judge_env())
    try:
        def run(imports: list[str] | None) -> dict:
            ended = server.run(["-q", "-p", "no:cacheprovider", str(tmp_path / "test_warm.py")],
                               cwd=tmp_path, env=judge_env(), output=tmp_path / "out.txt",
                               timeout=60, imports=imports)
            assert ended is not None, "the run was stopped"
            return ended
        assert run(None) == {"exit_code": 1}, "wave was imported without being asked for"
        assert run(["no_such_module_anywhere", "wave"]) == {"exit_code": 0}, (
            (tmp_path / "out.txt").read_text())
    finally:
        server.close()


def test_warm_imports_slower_than_a_fork_are_waited_for(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Slow warm imports (transformers on a loaded host) count against the run's time limit, not
    the short wait for a fork: a run whose imports take longer than that wait still runs."""
    monkeypatch.setattr(judge_server, "_FORK_SECONDS", 0.5)
    (tmp_path / "slow_oracle.py").write_text("import time\ntime.sleep(2)\n")
    (tmp_path / "test_slow.py").write_text(
        "import sys\n\ndef test_imported_before():\n    assert 'slow_oracle' in sys.modules\n")
    env = {**judge_env(), "PYTHONPATH": str(tmp_path)}
    server = JudgeServer(env)
    try:
        ended = server.run(["-q", "-p", "no:cacheprovider", str(tmp_path / "test_slow.py")],
                           cwd=tmp_path, env=env, output=tmp_path / "out.txt", timeout=60,
                           imports=["slow_oracle"])
        assert ended == {"exit_code": 0}, (tmp_path / "out.txt").read_text()
    finally:
        server.close()
