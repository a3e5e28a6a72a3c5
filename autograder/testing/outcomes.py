"""One graded test's outcome, and the feedback text a student sees for a failure."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from autograder.errors import CallTimeout, DataOnlyError, SandboxCrashed, StudentError

MAX_FEEDBACK_CHARS = 3000


@dataclass(frozen=True)
class Outcome:
    name: str
    nodeid: str
    doc: str  # the test's docstring: what it checks, in a sentence
    part: str
    max_points: float
    passed: bool
    feedback: str  # why it failed; empty when it passed
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outcome:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})


def feedback_for(excinfo: Any) -> str:
    """The message of the failure, never a traceback through the grader or the test's source.

    Assertion rewriting is off in grading runs (--assert=plain), so an AssertionError carries
    only the message the test author wrote."""
    if excinfo is None:
        return ""
    err = excinfo.value
    if isinstance(err, StudentError):
        text = err.feedback()
    elif isinstance(err, CallTimeout | SandboxCrashed):
        text = str(err)
    elif isinstance(err, AssertionError) or type(err).__name__ == "Failed":
        # pytest.fail() and pytest.raises' "DID NOT RAISE" are failed checks, not grader errors
        text = str(err) or "the result is not what the test expects"
    elif isinstance(err, DataOnlyError):
        text = f"your code returned something the grader cannot read: {err}"
    elif type(err).__name__ in ("Skipped", "XFailed"):
        text = f"skipped: {err}"
    else:
        text = (f"the grader could not check your result ({type(err).__name__}: "
                f"{str(err)[:300]}); check the types and shapes your code returns")
    return text[:MAX_FEEDBACK_CHARS]
