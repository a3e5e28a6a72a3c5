"""What graded tests import: point and part markers, comparisons and the student error type.

A graded test looks like::

    @part("layers")
    @points(4)
    def test_linear_forward(student, reference, rng):
        \"\"\"Linear.forward matches x @ W + b.\"\"\"   # the feedback a student sees
        ...

The fixtures ``student``, ``reference``, ``rng`` and ``device`` come from the pytest plugin
(``autograder.testing.plugin``), registered through the ``pytest11`` entry point.
"""

from autograder.errors import CallTimeout, SandboxCrashed, StudentError
from autograder.testing.compare import assert_close
from autograder.testing.markers import part, points
from autograder.testing.watch import WatchedCall, watch_call

__all__ = [
    "CallTimeout",
    "SandboxCrashed",
    "StudentError",
    "WatchedCall",
    "assert_close",
    "part",
    "points",
    "watch_call",
]
