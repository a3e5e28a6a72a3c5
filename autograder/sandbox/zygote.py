"""The warm process inside the sandbox: imports numpy and torch once, forks a worker per test.

Run as ``python -m autograder.sandbox.zygote CONFIG_JSON``. It talks to the judge over a Unix
socket (fd given in the config). Requests: ``fork`` with a socket fd attached (the worker's own
channel), answered with the worker's pid; ``end`` with a pid, answered with how the worker ended.
The zygote never computes with torch before forking: GNU OpenMP is not fork-safe once its thread
pool exists, and a child forked after a threaded op can hang.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

from autograder.sandbox import limits as limits_mod
from autograder.sandbox import seccomp, wire
from autograder.sandbox.dispatch import Dispatcher


def serve_worker(sock: socket.socket, config: dict[str, Any]) -> None:
    """The forked worker: a new session, its limits, then requests until the judge hangs up."""
    os.setsid()
    limits_mod.apply(limits_mod.Limits.from_json(config["limits"]))
    try:
        seccomp.forbid_new_processes()
    except OSError as err:  # RLIMIT_NPROC still applies, except to root: say so in the log
        print(f"autograder: no seccomp filter ({err}); only RLIMIT_NPROC limits processes",
              file=sys.stderr)
    dispatcher = Dispatcher(Path(config["submission"]), config["modules"], config["blocked"])
    while True:
        try:
            tree, buffers = wire.recv_message(sock)
        except (EOFError, OSError):
            break
        reply, out = dispatcher.handle(tree, buffers)
        try:
            wire.send_message(sock, reply, out)
        except (OSError, ValueError) as err:
            wire.send_message(sock, {"error": {"type": type(err).__name__,
                                               "message": str(err)[:500], "frames": ""}}, [])
    os._exit(0)  # skip atexit hooks and finalizers that student code may have registered


def describe_status(status: int) -> dict[str, Any]:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return {"signal": signal.Signals(sig).name if sig in signal.valid_signals() else sig}
    return {"exit_code": os.WEXITSTATUS(status)}


def kill_strays(keep: set[int]) -> None:
    """SIGKILL every process this one may signal but `keep`: the sandbox's pid namespace
    (bwrap) or its own uid ("uid" isolation). What a worker started and detached (setsid,
    double fork) would otherwise run on until the submission is done."""
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in keep:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(entry), signal.SIGKILL)


def main(config: dict[str, Any]) -> None:
    uid = config.get("uid")
    if uid is not None and (os.getresuid() != (uid,) * 3 or os.getresgid() != (uid,) * 3
                            or os.getgroups()):
        sys.exit(f"autograder: the sandbox is not running as uid {uid} alone")
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # oversized writes fail with EFBIG instead
    control = socket.socket(fileno=int(config["control_fd"]))
    for name in config["warm_imports"]:  # paid once per submission; imports only, no compute
        importlib.import_module(name)
    wire.send_message(control, {"ready": True, "pid": os.getpid()}, [])
    workers: set[int] = set()
    while True:
        try:
            request, _ = wire.recv_message(control)
        except (EOFError, OSError):
            return
        if request["op"] == "fork":
            _, fds, _, _ = socket.recv_fds(control, 16, 1)
            pid = os.fork()
            if pid == 0:
                control.close()
                serve_worker(socket.socket(fileno=fds[0]), config)
            os.close(fds[0])
            workers.add(pid)
            wire.send_message(control, {"pid": pid}, [])
        elif request["op"] == "end":
            pid = int(request["pid"])
            for kill in (os.kill, os.killpg):  # the worker, then whatever it started
                with contextlib.suppress(ProcessLookupError):
                    kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            workers.discard(pid)
            if config.get("kill_strays"):  # pid 1 is bubblewrap's init (or the host's)
                kill_strays({1, os.getpid(), *workers})
            wire.send_message(control, describe_status(status), [])


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
