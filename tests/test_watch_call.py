"""watch_call sees which array and tensor arguments a student's call changed in place, in the
sandbox and in local mode, and the judge (not the sandbox) decides what changed."""

from pathlib import Path

import numpy as np
import pytest

from autograder.sandbox.launcher import Sandbox, worker_for
from autograder.sandbox.limits import Limits
from autograder.sandbox.local import LocalChannel, LocalDispatcher
from autograder.sandbox.proxy import Connection, SubmissionProxy
from autograder.testing import watch_call

MODULE = """
import numpy as np
import torch

def normalise_copy(x, eps=1e-8):
    return (x - x.mean()) / (x.std() + eps)

def normalise_in_place(x, eps=1e-8):
    x -= x.mean()
    x /= x.std() + eps
    return x

def step(params, grads, lr):
    for p, g in zip(params, grads):
        p -= lr * g

def scale_tensor(t, k):
    t.mul_(k)
    return None

class Lying:
    def update(self, x):
        x[0] = 99.0
        return "nothing changed"
"""


@pytest.fixture(params=["sandbox", "local"])
def student(request, make_submission, tmp_path: Path):
    folder = make_submission({"ops.py": MODULE})
    if request.param == "local":
        yield SubmissionProxy(Connection(LocalChannel(LocalDispatcher(folder, ["ops"], {}))),
                              ["ops"])
        return
    with Sandbox(folder, modules=["ops"], blocked={}, limits=Limits(),
                 log_path=tmp_path / "log") as sandbox, worker_for(sandbox.open_worker()) as w:
        yield SubmissionProxy(Connection(w), ["ops"])


def test_a_pure_function_changes_nothing(student) -> None:
    x = np.arange(5.0)
    call = watch_call(student.ops.normalise_copy, x)
    assert call.changed == []
    np.testing.assert_allclose(call.result, (x - 2) / (x.std() + 1e-8))
    np.testing.assert_array_equal(call.after["x"], x)


def test_an_in_place_change_is_named_by_its_parameter(student) -> None:
    x = np.arange(5.0)
    call = watch_call(student.ops.normalise_in_place, x, eps=1e-8)
    assert call.changed == ["x"]
    np.testing.assert_allclose(call.after["x"], call.result)
    np.testing.assert_array_equal(x, np.arange(5.0)), "the judge's own copy is untouched"


def test_changes_inside_lists_and_tensors_are_seen(student) -> None:
    torch = pytest.importorskip("torch")
    params, grads = [np.ones(3), np.ones(2)], [np.ones(3), np.zeros(2)]
    call = watch_call(student.ops.step, params, grads, lr=0.5)
    assert call.changed == ["params"]
    np.testing.assert_allclose(call.after["params"][0], 0.5 * np.ones(3))
    t = torch.ones(3, dtype=torch.float64)
    assert watch_call(student.ops.scale_tensor, t, 2.0).changed == ["t"]
    assert watch_call(student.ops.scale_tensor, t, 1.0).changed == []
    nan = torch.tensor([float("nan"), 1.0])
    assert watch_call(student.ops.scale_tensor, nan, 1.0).changed == [], "NaN equals NaN here"


def test_methods_are_watched_and_a_claim_of_the_student_does_not_count(student) -> None:
    obj = student.ops.Lying()
    call = watch_call(obj.update, np.zeros(2))
    assert call.changed == ["x"] and call.result == "nothing changed"


def test_only_student_functions_can_be_watched() -> None:
    with pytest.raises(TypeError, match="student function"):
        watch_call(np.sum, np.zeros(2))
