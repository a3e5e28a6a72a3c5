"""The warm judge: one process per grading worker imports pytest, numpy and torch once, then
forks a fresh pytest run for every submission.

Why: a cold judge (`python -m pytest` per submission) spends about 2 s of CPU on imports, a
third of the CPU of an a01 submission; with two workers on two cores that CPU, not the tests,
set the pace of a batch. A fork of the warm process starts in milliseconds, and since every run
is a fork of the same clean process, nothing of one submission's run (test modules, plugin
state, reference modules) reaches the next. Each submission still gets its own new sandbox.

Protocol over the server's stdin and stdout, one JSON object per line: the client sends
{"args", "cwd", "env", "output"}; the server answers {"pid"} when the run starts and
{"exit_code"} or {"signal"} when it has ended. The run's stdout and stderr go to `output`.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

_START_SECONDS = 120.0
_FORK_SECONDS = 30.0  # from a request to its fork's pid, without warm imports


def die_with_parent() -> None:
    """Get SIGKILL when the parent dies (prctl PR_SET_PDEATHSIG): a killed batch leaves no
    judges behind."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG


class JudgeServer:
    """The client: starts the warm process on first use, and again if it died."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.lock = threading.Lock()  # one run at a time (a Dask worker has one thread)

    def _start(self) -> subprocess.Popen[bytes]:
        process = subprocess.Popen([sys.executable, "-m", "autograder.grading.judge_server"],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   env=self.env, preexec_fn=die_with_parent, bufsize=0)
        assert process.stdout is not None
        if _read_line(process.stdout, time.monotonic() + _START_SECONDS).get("ready") is not True:
            process.kill()
            raise RuntimeError("the warm judge did not start")
        return process

    def run(self, args: list[str], *, cwd: Path, env: dict[str, str], output: Path,
            timeout: float, imports: list[str] | None = None) -> dict[str, Any] | None:
        """Run `pytest args` in a fork; how it ended, or None when it ran past `timeout`.
        `imports`: modules the warm process imports (once) before it forks, so that every run
        that needs them finds them imported."""
        with self.lock:
            if self.process is None or self.process.poll() is not None:
                self.process = self._start()
            stdin, stdout = self.process.stdin, self.process.stdout
            assert stdin is not None and stdout is not None
            request = {"args": args, "cwd": str(cwd), "env": env, "output": str(output),
                       "imports": list(imports or [])}
            stdin.write((json.dumps(request) + "\n").encode())
            # The fork follows the request's warm imports: seconds on a quiet host, past half a
            # minute for transformers on a loaded one, so they share the run's own time limit.
            try:
                started = _read_line(stdout, time.monotonic() + _FORK_SECONDS
                                     + (timeout if request["imports"] else 0.0))
            except (TimeoutError, EOFError):
                self.close()  # a judge that missed its answer would answer the next run with it
                raise
            try:
                return _read_line(stdout, time.monotonic() + timeout)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(started["pid"]), signal.SIGKILL)
                _read_line(stdout, time.monotonic() + 30)
                return None

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def _read_line(stream: IO[bytes], deadline: float) -> dict[str, Any]:
    line = b""
    while not line.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([stream], [], [], left)[0]:
            raise TimeoutError("the warm judge did not answer in time")
        chunk = stream.read(1)
        if not chunk:
            raise EOFError("the warm judge stopped")
        line += chunk
    reply: dict[str, Any] = json.loads(line)
    return reply


_shared: dict[str, JudgeServer] = {}


class JudgePool:
    """One warm judge per thread of a thread pool (a judge runs one submission at a time):
    how `mistakes` and `mutants` grade two variants at once."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.local = threading.local()
        self.started: list[JudgeServer] = []
        self.lock = threading.Lock()

    def mine(self) -> JudgeServer:
        """The calling thread's judge, started on its first call."""
        if not hasattr(self.local, "judge"):
            self.local.judge = JudgeServer(self.env)
            with self.lock:
                self.started.append(self.local.judge)
        judge: JudgeServer = self.local.judge
        return judge

    def close(self) -> None:
        for judge in self.started:
            judge.close()


def shared(env: dict[str, str]) -> JudgeServer:
    """This process's warm judge (one per grading process, i.e. per Dask worker)."""
    if "server" not in _shared:
        _shared["server"] = JudgeServer(env)
        atexit.register(_shared["server"].close)
    return _shared["server"]


def _run_one(request: dict[str, Any]) -> None:
    """In the forked child: become a fresh `python -m pytest` run, then exit with its code."""
    code = 70
    try:
        die_with_parent()
        out = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.path.insert(0, request["cwd"])  # as `python -m pytest` run in that folder does
        import pytest

        code = int(pytest.main(request["args"]))
    except BaseException:  # anything at all: report it in the output, exit non-zero
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _warm_import(names: list[str]) -> None:
    """Import an assignment's slow oracle libraries in the warm process (the course's own
    list, never a student's). One that fails is left to the run, which reports the error."""
    import importlib

    for name in names:
        if name not in sys.modules:
            with contextlib.suppress(Exception):
                importlib.import_module(name)


def main() -> None:
    # Warm imports, paid once per worker. No torch computation here: a fork after a threaded
    # op can hang (GNU OpenMP is not fork-safe once its pool exists).
    import numpy  # noqa: F401
    import pytest  # noqa: F401
    import torch  # noqa: F401
    import torch._dynamo  # noqa: F401
    import torch.optim  # noqa: F401

    import autograder.testing.plugin  # noqa: F401

    def reply(message: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    reply({"ready": True})
    for line in sys.stdin:
        request = json.loads(line)
        _warm_import(request.get("imports", []))
        pid = os.fork()
        if pid == 0:
            _run_one(request)
        reply({"pid": pid})
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status):
            reply({"signal": signal.Signals(os.WTERMSIG(status)).name})
        else:
            reply({"exit_code": os.WEXITSTATUS(status)})


if __name__ == "__main__":
    main()
