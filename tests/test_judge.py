"""The judge grades through the sandbox: real scores, no forgery, no imports of student code."""

from pathlib import Path

import pytest

from autograder.assignment import REPO
from autograder.grading.judge import run_hidden_tests
from autograder.grading.scoring import score

CORRECT = """
import numpy as np
def add(a, b):
    return np.add(a, b)
class Scaler:
    def __init__(self, k):
        self.k = k
    def forward(self, x):
        return x * self.k
"""


def _grade(toy, submission: Path, **kwargs):
    report = run_hidden_tests(toy, submission, **kwargs)
    assert not report.error, report.error
    return report, score(toy, report.outcomes)


def test_correct_submission_scores_full(toy, make_submission) -> None:
    report, result = _grade(toy, make_submission({"vectors.py": CORRECT}))
    assert result.total == 5 and result.parts == {"sums": 3, "scaling": 2}
    assert report.isolation in ("bwrap", "process")


def test_judge_never_imports_the_submission(toy, make_submission) -> None:
    report, _ = _grade(toy, make_submission({"vectors.py": CORRECT}))
    assert report.imported_from_submission == ()


def test_always_equal_objects_earn_nothing(toy, make_submission) -> None:
    liar = """
class Liar:
    def __eq__(self, other): return True
    def __bool__(self): return True
    def __array__(self, *a, **k):
        import numpy as np
        return np.zeros(5)
def add(a, b): return Liar()
class Scaler:
    def __init__(self, k): pass
    def forward(self, x): return Liar()
"""
    report, result = _grade(toy, make_submission({"vectors.py": liar}))
    assert result.total == 0
    feedback = " ".join(o.feedback for o in report.outcomes)
    assert "array of numbers" in feedback and "Liar" in feedback


def test_monkeypatching_comparisons_in_the_sandbox_earns_nothing(toy, make_submission) -> None:
    patcher = """
import builtins, numpy, numpy.testing
numpy.allclose = lambda *a, **k: True
numpy.isclose = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None
builtins.abs = lambda x: 0
import autograder.testing.compare as compare
compare.assert_close = lambda *a, **k: None
def add(a, b): return a - b
class Scaler:
    def __init__(self, k): pass
    def forward(self, x): return x
"""
    _, result = _grade(toy, make_submission({"vectors.py": patcher}))
    assert result.total == 0


def test_student_exception_shows_only_student_frames(toy, make_submission) -> None:
    broken = CORRECT.replace("return np.add(a, b)", "return helper(a)") + """
def helper(a):
    raise ValueError("shapes do not match")
"""
    report, result = _grade(toy, make_submission({"vectors.py": broken}))
    assert result.parts == {"sums": 0, "scaling": 2}
    feedback = next(o.feedback for o in report.outcomes if o.name == "test_add_random")
    assert "ValueError: shapes do not match" in feedback
    assert 'File "vectors.py"' in feedback and "in helper" in feedback
    assert "autograder" not in feedback and "hidden" not in feedback


def test_infinite_loop_fails_one_test_and_grading_goes_on(toy, make_submission) -> None:
    looping = CORRECT.replace("return x * self.k", "while True:\n            pass")
    report, result = _grade(toy, make_submission({"vectors.py": looping}))
    assert result.parts == {"sums": 3, "scaling": 0}
    feedback = next(o.feedback for o in report.outcomes if o.name == "test_scaler")
    assert "time limit" in feedback


def test_exiting_the_process_fails_the_test(toy, make_submission) -> None:
    exiting = CORRECT.replace("return np.add(a, b)", "import os; os._exit(0)")
    report, result = _grade(toy, make_submission({"vectors.py": exiting}))
    assert result.parts == {"sums": 0, "scaling": 2}
    assert "ended the process" in report.outcomes[0].feedback


def test_killing_the_warm_process_costs_only_that_test(toy, make_submission) -> None:
    killer = CORRECT.replace("return np.add(a, b)", """
    import os, signal, time
    os.kill(os.getppid(), signal.SIGKILL)
    time.sleep(30)""")
    report, result = _grade(toy, make_submission({"vectors.py": killer}))
    assert result.parts == {"sums": 0, "scaling": 2}, [o.feedback for o in report.outcomes]


def test_syntax_error_is_reported_with_the_line(toy, make_submission) -> None:
    report, result = _grade(toy, make_submission({"vectors.py": "def add(a, b)\n    return 1\n"}))
    assert result.total == 0
    assert "SyntaxError" in report.outcomes[0].feedback
    assert "line 1" in report.outcomes[0].feedback


def test_forbidden_import_blocks_the_module(toy, make_submission) -> None:
    report, result = _grade(toy, make_submission({"vectors.py": "import torch\n" + CORRECT}))
    assert result.total == 0
    assert "imports torch" in report.outcomes[0].feedback


def test_sandbox_cannot_read_the_solution_or_the_system(toy, make_submission) -> None:
    secret = toy.root / "hidden" / "test_vectors.py"
    snoop = CORRECT.replace("return np.add(a, b)", f"""
    import os
    found = []
    for path in [{str(secret)!r}, {str(toy.root)!r}, "/etc/passwd", {str(REPO / "solutions")!r},
                 {str(REPO / "tests")!r}, {str(REPO / ".git")!r}]:
        if os.path.exists(path):
            found.append(path)
    found += sorted(set(os.listdir({str(REPO)!r})) - {{".venv", "autograder", "dnn"}})
    if found:
        raise RuntimeError("visible: " + ", ".join(found))
    return np.add(a, b)""")
    report, result = _grade(toy, make_submission({"vectors.py": snoop}), isolation="bwrap")
    assert report.isolation == "bwrap"
    assert result.total == 5, [o.feedback for o in report.outcomes]


def test_network_is_unreachable_in_the_sandbox(toy, make_submission) -> None:
    netting = CORRECT.replace("return np.add(a, b)", """
    import socket
    try:
        socket.create_connection(("127.0.0.1", 22), timeout=1)
    except OSError:
        return np.add(a, b)
    raise RuntimeError("connected")""")
    _, result = _grade(toy, make_submission({"vectors.py": netting}), isolation="bwrap")
    assert result.parts["sums"] == 3


@pytest.mark.parametrize("isolation", ["process"])
def test_process_isolation_still_grades_and_says_so(toy, make_submission, isolation) -> None:
    report, result = _grade(toy, make_submission({"vectors.py": CORRECT}), isolation=isolation)
    assert report.isolation == "process" and result.total == 5


def test_course_library_computes_gradients_in_the_sandbox(tmp_path, make_submission) -> None:
    torch = pytest.importorskip("torch")
    from autograder.sandbox.launcher import Sandbox, worker_for
    from autograder.sandbox.limits import Limits
    from autograder.sandbox.proxy import Connection, SubmissionProxy

    folder = make_submission({"nets.py": "import torch\n"
                              "def make():\n    torch.manual_seed(0)\n"
                              "    return torch.nn.Linear(3, 2).double()\n"})
    with Sandbox(folder, modules=["nets"], blocked={}, limits=Limits(),
                 log_path=tmp_path / "log") as sandbox, worker_for(sandbox.open_worker()) as worker:
        student = SubmissionProxy(Connection(worker), ["nets"])
        net = student.nets.make()
        x, dy = torch.randn(4, 3, dtype=torch.float64), torch.randn(4, 2, dtype=torch.float64)
        got = student.lib("dnn.autograd").gradients(net, [x], dy)
        weight = net.state_dict()["weight"]
        with pytest.raises(AttributeError):
            student.lib("os")
    torch.testing.assert_close(got["input0"], dy @ weight)
    torch.testing.assert_close(got["weight"], dy.T @ x)
    torch.testing.assert_close(got["bias"], dy.sum(0))


def test_the_warm_process_imports_torch_only_where_it_is_allowed(toy, make_submission) -> None:
    """An assignment that forbids torch (like a01) does not pay for importing it per submission;
    one that allows it finds it already imported (add is off by one when torch is loaded)."""
    probe = CORRECT.replace("return np.add(a, b)",
                            "import sys\n    return np.add(a, b) + ('torch' in sys.modules)")
    _, numpy_only = _grade(toy, make_submission({"vectors.py": probe}, "numpy_only"))
    config = toy.root / "assignment.toml"
    config.write_text(config.read_text().replace('forbidden_imports = ["torch"]',
                                                 "forbidden_imports = []"))
    toy = type(toy).load(toy.root)
    _, with_torch = _grade(toy, make_submission({"vectors.py": probe}, "with_torch"))
    assert numpy_only.parts["sums"] == 3 and with_torch.parts["sums"] == 0


def test_sandbox_imports_are_imported_by_the_warm_process(toy, make_submission) -> None:
    """A module in `sandbox_imports` is loaded once, before the workers fork, so a test finds it
    imported (add is off by one when it is); without the entry it is not."""
    probe = CORRECT.replace("return np.add(a, b)",
                            "import sys\n    return np.add(a, b) + ('fractions' in sys.modules)")
    _, without = _grade(toy, make_submission({"vectors.py": probe}, "without"))
    config = toy.root / "assignment.toml"
    config.write_text(config.read_text().replace(
        "\n[parts]", '\nsandbox_imports = ["fractions"]\n\n[parts]', 1))
    toy = type(toy).load(toy.root)
    assert toy.sandbox_imports == ["fractions"]
    _, warm = _grade(toy, make_submission({"vectors.py": probe}, "warm"))
    assert without.parts["sums"] == 3 and warm.parts["sums"] == 0


def test_grading_one_part_collects_only_the_files_that_declare_it() -> None:
    """A part's grading must not import every other part's test module (a02's training tests
    pull in scikit-learn); a part no file names by text falls back to the whole folder."""
    from autograder import assignment as assignment_mod
    from autograder.grading.judge import part_files

    spec = assignment_mod.load("a02_pytorch")
    assert [Path(f).name for f in part_files(spec, ["tensors"])] == ["test_tensors_graded.py"]
    two = {Path(f).name for f in part_files(spec, ["tensors", "training"])}
    assert two == {"test_tensors_graded.py", "test_training_graded.py"}
    assert part_files(spec, ["no_such_part"]) == [str(spec.hidden_dir)]
