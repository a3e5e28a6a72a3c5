"""Errors that cross from the sandbox to the trusted side, raised in graded tests."""


class StudentError(Exception):
    """The student's code raised: carries the exception type, message and the student's frames."""

    def __init__(self, type_name: str, message: str, frames: str = "") -> None:
        self.type_name = type_name
        self.message = message
        self.frames = frames
        super().__init__(self.feedback())

    def feedback(self) -> str:
        text = f"your code raised {self.type_name}: {self.message}"
        return f"{text}\n{self.frames}" if self.frames else text


class CallTimeout(Exception):
    """A call into the sandbox ran past its wall-clock limit; the worker was killed."""


class SandboxCrashed(Exception):
    """The sandbox worker died (memory limit, CPU limit, os._exit, a signal) during a call."""


class DataOnlyError(TypeError):
    """A value that is not data was about to cross the proxy."""
