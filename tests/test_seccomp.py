"""The seccomp filters: threads (torch needs them) yes; new processes, network sockets and
namespaces no in workers; namespaces only in the Docker-like filter the tests use."""

import shutil
import subprocess
import sys

import pytest

from autograder.sandbox import seccomp

pytestmark = pytest.mark.skipif(not seccomp.supported(), reason="no filter for this machine")

WORKER = """
import ctypes, errno, os, socket, subprocess, threading
from autograder.sandbox.seccomp import forbid_new_processes
forbid_new_processes()
box = []
thread = threading.Thread(target=lambda: box.append(sum(range(10))))
thread.start(); thread.join()
import torch
torch.set_num_threads(2)
assert float((torch.ones(300, 300) @ torch.ones(300, 1)).sum()) == 90000.0  # threaded
refused = []
for start in (os.fork, lambda: subprocess.run(["/bin/true"]),
              lambda: os.posix_spawn("/bin/true", ["true"], {})):
    try:
        start()
    except PermissionError:
        refused.append("process")
for family in (socket.AF_INET, socket.AF_INET6, socket.AF_NETLINK, socket.AF_PACKET):
    try:
        socket.socket(family, socket.SOCK_DGRAM if family == socket.AF_NETLINK else
                      socket.SOCK_STREAM if family != socket.AF_PACKET else socket.SOCK_RAW)
    except PermissionError:
        refused.append("socket")
libc = ctypes.CDLL(None, use_errno=True)
for flags in (0x10000000, 0x00020000, 0x40000000):  # CLONE_NEWUSER, NEWNS, NEWNET
    if libc.unshare(flags) != 0 and ctypes.get_errno() == errno.EPERM:
        refused.append("unshare")
if libc.setns(os.open("/proc/self/ns/net", os.O_RDONLY), 0) != 0 and ctypes.get_errno() == 1:
    refused.append("setns")
a, b = socket.socketpair()  # the judge's channel is one of these: still allowed
unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
print(box[0], " ".join(refused))
"""

NAMESPACES = """
import ctypes, subprocess, sys
from autograder.sandbox.seccomp import forbid_namespaces
forbid_namespaces()
assert subprocess.run(["/bin/true"]).returncode == 0  # processes are allowed here
if ctypes.CDLL(None, use_errno=True).unshare(0x10000000) != 0 and ctypes.get_errno() == 1:
    print("unshare refused")
bwrap = subprocess.run([sys.argv[1], "--unshare-all", "--ro-bind", "/", "/", "/bin/true"],
                       capture_output=True, text=True)
print("bwrap", bwrap.returncode, bwrap.stderr.strip())
"""


def test_worker_threads_run_and_processes_sockets_and_namespaces_are_refused() -> None:
    run = subprocess.run([sys.executable, "-c", WORKER], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["45", *["process"] * 3, *["socket"] * 4, *["unshare"] * 3,
                                  "setns"]


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap")
def test_the_docker_like_filter_makes_bubblewrap_fail_as_in_a_container() -> None:
    run = subprocess.run([sys.executable, "-c", NAMESPACES, shutil.which("bwrap")],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "unshare refused"
    assert lines[1].startswith("bwrap 1") and "new namespace" in lines[1], lines
