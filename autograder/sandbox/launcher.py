"""The trusted side of the sandbox: starts the warm zygote under bubblewrap, opens workers.

One `Sandbox` per submission; one `Worker` per graded test. A worker is a fresh fork of the warm
process, so no state crosses tests and numpy/torch are imported once per submission.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import autograder
from autograder import wire
from autograder.errors import CallTimeout, SandboxCrashed
from autograder.sandbox.limits import Limits

SANDBOX_SUBMISSION = "/submission"
_START_SECONDS = 120.0
_LOG_KEEP_BYTES = 2**20
# What the warm process imports before it forks workers. torch._dynamo: torch.optim imports it on
# first use, which cost seconds in every test that built an optimizer.
NUMPY_ONLY = ("numpy",)
WITH_TORCH = ("numpy", "torch", "torch._dynamo", "torch.optim")
_REPO_PACKAGES = ("autograder", "dnn")  # the only parts of the repository the sandbox sees


@cache
def bwrap_works() -> bool:
    """True when bubblewrap is installed and can create its namespaces on this machine."""
    exe = shutil.which("bwrap")
    if exe is None:
        return False
    probe = [exe, "--unshare-all", "--die-with-parent", "--ro-bind", "/usr", "/usr",
             "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
             "--symlink", "usr/bin", "/bin", "--", "/bin/true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def resolve_isolation(requested: str) -> str:
    """'bwrap' or 'process'. 'auto' picks bwrap when it works; asking for bwrap requires it."""
    if requested == "process":
        return "process"
    if bwrap_works():
        return "bwrap"
    if requested == "bwrap":
        raise RuntimeError("bubblewrap (bwrap) is not usable here; install it (apt-get install "
                           "bubblewrap) or pass --isolation process")
    return "process"


def _repo() -> Path:
    """The folder holding the engine's packages the sandbox imports (this very copy)."""
    return Path(autograder.__file__).resolve().parent.parent


def _sandbox_env(threads: int) -> dict[str, str]:
    env = {
        "PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "TMPDIR": "/tmp",
        "MPLCONFIGDIR": "/tmp", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
        "PYTHONHASHSEED": "0", "PYTHONPATH": str(_repo()),
    }
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[var] = str(threads)
    if "CUDA_VISIBLE_DEVICES" in os.environ:
        env["CUDA_VISIBLE_DEVICES"] = os.environ["CUDA_VISIBLE_DEVICES"]
    return env


def _bwrap_args(submission: Path, tmp_mb: int) -> list[str]:
    """Only the Python environment, the engine's own packages and the submission are visible."""
    repo = _repo()
    args = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session",
            "--uid", "65534", "--gid", "65534", "--hostname", "sandbox",
            "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib",
            "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin",
            "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
            "--ro-bind-try", "/sys/devices/system/cpu", "/sys/devices/system/cpu",
            "--proc", "/proc", "--dev", "/dev",
            "--size", str(tmp_mb * 2**20), "--tmpfs", "/tmp"]
    for prefix in sorted({sys.base_prefix, sys.prefix}):
        args += ["--ro-bind", prefix, prefix]
    for package in _REPO_PACKAGES:
        args += ["--ro-bind", str(repo / package), str(repo / package)]
    for device in sorted(Path("/dev").glob("nvidia*")):  # GPU grading with --device cuda
        args += ["--dev-bind", str(device), str(device)]
    args += ["--ro-bind", str(submission), SANDBOX_SUBMISSION, "--chdir", SANDBOX_SUBMISSION]
    return args + ["--"]


class Sandbox:
    """The warm process for one submission, and the workers it forks."""

    def __init__(self, submission: Path, *, modules: list[str], blocked: dict[str, str],
                 limits: Limits, log_path: Path, isolation: str = "auto",
                 threads: int = 1, warm_imports: tuple[str, ...] = WITH_TORCH) -> None:
        self.submission = submission.resolve()
        self.modules = modules
        self.blocked = blocked
        self.limits = limits
        self.log_path = log_path
        self.isolation = resolve_isolation(isolation)
        self.threads = threads
        self.warm_imports = warm_imports
        self.process: subprocess.Popen[bytes] | None = None
        self.control: socket.socket | None = None
        self.ready = False

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start the warm process without waiting for it (its imports overlap the judge's)."""
        ours, theirs = socket.socketpair()
        inside = SANDBOX_SUBMISSION if self.isolation == "bwrap" else str(self.submission)
        config = {"control_fd": theirs.fileno(), "submission": inside, "modules": self.modules,
                  "blocked": self.blocked, "limits": self.limits.to_json(),
                  "warm_imports": list(self.warm_imports),
                  # its own pid namespace: the zygote may kill every process but itself
                  "pid_namespace": self.isolation == "bwrap"}
        # abspath, not realpath: a venv's python is a symlink that must keep its own path.
        python = os.path.abspath(sys.executable)
        command = [python, "-m", "autograder.sandbox.zygote", json.dumps(config)]
        if self.isolation == "bwrap":
            command = _bwrap_args(self.submission, self.limits.file_size_mb * 4) + command
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                pass_fds=[theirs.fileno()], env=_sandbox_env(self.threads),
                cwd=inside if self.isolation == "process" else "/", start_new_session=True)
        theirs.close()
        self.control = ours

    def wait_ready(self) -> None:
        assert self.control is not None, "launch() the sandbox first"
        if self.ready:
            return
        try:
            hello, _ = wire.recv_message(self.control, time.monotonic() + _START_SECONDS)
        except (EOFError, OSError) as err:
            self.close()
            raise SandboxCrashed(f"the sandbox did not start ({err})") from None
        if hello.get("ready") is not True:
            raise SandboxCrashed("the sandbox did not start")
        self.ready = True

    def _control(self, request: dict[str, Any], fds: list[int] | None = None) -> Any:
        assert self.control is not None, "start() the sandbox first"
        wire.send_message(self.control, request, [])
        if fds:
            socket.send_fds(self.control, [b"\0"], fds)
        reply, _ = wire.recv_message(self.control, time.monotonic() + 30)
        return reply

    def open_worker(self) -> Worker:
        ours, theirs = socket.socketpair()
        try:
            reply = self._control({"op": "fork"}, [theirs.fileno()])
        except (EOFError, OSError) as err:  # the warm process is gone (killed by a student)
            ours.close()
            raise SandboxCrashed(f"the sandbox's warm process is gone ({err})") from None
        finally:
            theirs.close()
        return Worker(self, ours, int(reply["pid"]))

    def end_worker(self, pid: int) -> dict[str, Any]:
        reply: dict[str, Any] = self._control({"op": "end", "pid": pid})
        return reply

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def close(self) -> None:
        if self.control is not None:
            self.control.close()
            self.control = None
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
            self.process = None
            _cap_log(self.log_path)

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Worker:
    """One test's fork of the warm process: a `Channel` with wall-clock limits per call and test."""

    def __init__(self, sandbox: Sandbox, sock: socket.socket, pid: int) -> None:
        self.sandbox = sandbox
        self.sock = sock
        self.pid = pid
        self.test_deadline = time.monotonic() + sandbox.limits.test_seconds
        self.ended: dict[str, Any] | None = None

    def request(self, tree: Any, buffers: list[bytes], *, label: str) -> tuple[Any, list[bytes]]:
        if self.ended is not None:
            raise SandboxCrashed(f"the worker already stopped: {describe_end(self.ended, self)}")
        call_deadline = time.monotonic() + self.sandbox.limits.call_seconds
        deadline = min(call_deadline, self.test_deadline)
        try:
            wire.send_message(self.sock, tree, buffers)
            reply, out = wire.recv_message(self.sock, deadline)
            return self._explain_memory_error(reply), out
        except TimeoutError:
            self.end()
            which = "call" if call_deadline <= self.test_deadline else "test"
            limit = getattr(self.sandbox.limits, f"{which}_seconds")
            raise CallTimeout(f"{label} was stopped: over the {which} time limit of "
                              f"{limit:g} s") from None
        except (EOFError, OSError) as err:
            status = self.end()
            raise SandboxCrashed(f"{label}: {describe_end(status, self)}") from err
        except Exception as err:  # a malformed or oversized reply
            self.end()
            raise SandboxCrashed(f"{label}: the reply could not be read ({err})") from None

    def _explain_memory_error(self, reply: Any) -> Any:
        """A MemoryError in the sandbox is almost always the memory limit: say so."""
        error = reply.get("error") if type(reply) is dict else None
        if type(error) is dict and error.get("type") == "MemoryError":
            error["message"] = (f"over the memory limit of {self.sandbox.limits.memory_mb} MiB "
                                f"({error.get('message', '')})")
        return reply

    def end(self) -> dict[str, Any]:
        if self.ended is None:
            self.sock.close()
            try:
                self.ended = self.sandbox.end_worker(self.pid)
            except (EOFError, OSError):
                self.ended = {"signal": "sandbox lost"}
        return self.ended


def _cap_log(path: Path) -> None:
    """Keep the first MiB of what the submission printed: a flood must not fill the disk of a
    batch (while it runs, the file-size limit caps the log at `Limits.file_size_mb`)."""
    try:
        size = path.stat().st_size
        if size > _LOG_KEEP_BYTES:
            with open(path, "r+b") as log:
                log.truncate(_LOG_KEEP_BYTES)
                log.seek(0, os.SEEK_END)
                log.write(f"\n[log cut: {size - _LOG_KEEP_BYTES} more bytes]\n".encode())
    except OSError:
        pass


def describe_end(status: dict[str, Any], worker: Worker) -> str:
    """Why a worker died, in words a student can act on."""
    limits = worker.sandbox.limits
    sig = status.get("signal")
    if sig == "SIGXCPU":
        return f"the CPU time limit of {limits.cpu_seconds} s was exceeded"
    if sig == "SIGKILL":
        return "the process was killed (memory or process limit, or a timeout)"
    if sig == "SIGSEGV":
        return "the process crashed (segmentation fault)"
    if sig == "sandbox lost":
        return ("the sandbox's warm process was killed while your code ran (do not kill "
                "processes)")
    if sig is not None:
        return f"the process ended with signal {sig}"
    return (f"your code ended the process (exit code {status.get('exit_code')}): do not call "
            "sys.exit, os._exit or kill processes")


@contextmanager
def worker_for(worker: Worker) -> Iterator[Worker]:
    """Use `worker` for one test and end it (and whatever it started) afterwards."""
    try:
        yield worker
    finally:
        worker.end()
