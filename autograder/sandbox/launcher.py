"""The trusted side of the sandbox: starts the warm zygote under bubblewrap, opens workers.

One `Sandbox` per submission; one `Worker` per graded test. A worker is a fresh fork of the warm
process, so no state crosses tests and numpy/torch are imported once per submission.

Isolation: "bwrap" (namespaces: the sandbox sees only what is bound in); where bubblewrap cannot
create namespaces (Docker, Gradescope, most Kubernetes pods), "uid" for a grader running as root
(the sandbox runs as a user of its own: see uid.py), and "process" otherwise (the grader's own
user: no protection of the grader's files or the solutions).
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
from autograder import assignment as assignment_mod
from autograder.errors import CallTimeout, SandboxCrashed
from autograder.sandbox import uid as uid_mod
from autograder.sandbox import wire
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
    """'bwrap', 'uid' or 'process'. 'auto' picks bwrap when it works, else uid when the grader
    is root (it can give each sandbox a user of its own), else process; asking for bwrap or
    uid requires it."""
    if requested == "process":
        return "process"
    if requested in ("auto", "bwrap") and bwrap_works():
        return "bwrap"
    if requested == "bwrap":
        raise RuntimeError("bubblewrap (bwrap) is not usable here; install it (apt-get install "
                           "bubblewrap) or pass --isolation process")
    if os.geteuid() == 0:
        return "uid"
    if requested == "uid":
        raise RuntimeError("uid isolation needs a grader running as root")
    return "process"


def _repo() -> Path:
    """The folder holding the engine's packages the sandbox imports (this very copy)."""
    return Path(autograder.__file__).resolve().parent.parent


def _sandbox_env(threads: int, *, engine: Path, tmp: str = "/tmp") -> dict[str, str]:
    env = {
        "PATH": "/usr/bin:/bin", "HOME": tmp, "LANG": "C.UTF-8", "TMPDIR": tmp,
        "MPLCONFIGDIR": tmp, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
        "PYTHONHASHSEED": "0", "PYTHONPATH": str(engine),
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
        self.lease: uid_mod.Lease | None = None  # uid isolation: the sandbox's own user
        self.staging: uid_mod.Staging | None = None
        self.start_error: SandboxCrashed | None = None  # raised by wait_ready

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start the warm process without waiting for it (its imports overlap the judge's)."""
        user: dict[str, Any] = {}
        env = _sandbox_env(self.threads, engine=_repo())
        inside = SANDBOX_SUBMISSION if self.isolation == "bwrap" else str(self.submission)
        if self.isolation == "uid":
            try:
                user = self._stage_uid()
            except SandboxCrashed as err:
                self.start_error = err
                return
            assert self.staging is not None
            inside = str(self.staging.submission)
            env = _sandbox_env(self.threads, engine=self.staging.engine,
                               tmp=str(self.staging.tmp))
        ours, theirs = socket.socketpair()
        config = {"control_fd": theirs.fileno(), "submission": inside, "modules": self.modules,
                  "blocked": self.blocked, "limits": self.limits.to_json(),
                  "warm_imports": list(self.warm_imports),
                  # a pid namespace or a uid of its own: the zygote may kill every process it
                  # can signal but itself and its workers
                  "kill_strays": self.isolation in ("bwrap", "uid"),
                  "uid": self.lease.uid if self.lease else None}
        # abspath, not realpath: a venv's python is a symlink that must keep its own path.
        # -P: the working folder (the submission) is not put on sys.path, so nothing of the
        # student's (a numpy.py, an autograder/ folder) is imported by the warm process.
        python = os.path.abspath(sys.executable)
        command = [python, "-P", "-m", "autograder.sandbox.zygote", json.dumps(config)]
        if self.isolation == "bwrap":
            command = _bwrap_args(self.submission, self.limits.file_size_mb * 4) + command
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                pass_fds=[theirs.fileno()], env=env,
                cwd="/" if self.isolation == "bwrap" else inside, start_new_session=True,
                **user)
        theirs.close()
        self.control = ours

    def _stage_uid(self) -> dict[str, Any]:
        """Lease the sandbox's user, check what it can and cannot reach, stage its folder;
        the Popen arguments that start the warm process as that user."""
        python = [Path(os.path.realpath(sys.executable)),
                  *(Path(p) for p in sorted({sys.prefix, sys.base_prefix}))]
        secrets = [assignment_mod.SOLUTIONS,
                   Path.cwd(),  # the judge runs in the assignment's folder (hidden tests)
                   self.submission.parent, self.log_path.parent]  # the results folder
        try:
            self.lease, self.staging = uid_mod.prepare(
                self.submission, repo=_repo(), packages=_REPO_PACKAGES, python=python,
                secrets=secrets)
        except (uid_mod.UidSetupError, OSError) as err:
            raise SandboxCrashed(f"the sandbox did not start: {err}") from None
        return {"user": self.lease.uid, "group": self.lease.gid, "extra_groups": []}

    def _finish_uid(self) -> None:
        if self.lease is not None:
            uid_mod.finish(self.staging, self.lease)
            self.lease = self.staging = None

    def wait_ready(self) -> None:
        if self.start_error is not None:
            raise self.start_error
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

    def end_worker(self, pid: int, *, disk_full: bool = False) -> dict[str, Any]:
        reply: dict[str, Any] = self._control({"op": "end", "pid": pid})
        if (self.staging is not None and self.lease is not None
                and uid_mod.reset_if_over(self.staging, self.submission, self.lease,
                                          self.disk_share, force=disk_full)):
            with open(self.log_path, "ab") as log:
                log.write(b"\n[autograder: the sandbox wrote more than its share of disk; "
                          b"its folders were reset after the test]\n")
        return {**reply, "disk": True} if disk_full else reply

    @property
    def disk_share(self) -> int:
        """Bytes the sandbox may leave on disk: the size of bwrap's private /tmp."""
        return self.limits.file_size_mb * 4 * 2**20

    def disk_running_out(self) -> bool:
        """uid isolation has no tmpfs of its own: a disk it is filling must be freed before the
        judge writes its results there."""
        return self.staging is not None and uid_mod.low_on_space(self.staging,
                                                                  self.disk_share)

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
        self._finish_uid()

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
            if self.sandbox.disk_running_out():  # this worker ends here; its reply stands
                self.end(disk_full=True)
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

    def end(self, *, disk_full: bool = False) -> dict[str, Any]:
        if self.ended is None:
            self.sock.close()
            try:
                self.ended = self.sandbox.end_worker(self.pid, disk_full=disk_full)
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
    if status.get("disk"):
        return (f"your code was stopped: it filled the disk (more than "
                f"{worker.sandbox.disk_share // 2**20} MiB may be left in its folders)")
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
