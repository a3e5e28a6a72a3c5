"""The workers' seccomp filter: threads (torch needs them) yes, new processes no."""

import subprocess
import sys

import pytest

from autograder.sandbox import seccomp

PROBE = """
import os, subprocess, threading
from autograder.sandbox.seccomp import forbid_new_processes
forbid_new_processes()
box = []
thread = threading.Thread(target=lambda: box.append(sum(range(10))))
thread.start(); thread.join()
import torch
torch.set_num_threads(2)
assert float((torch.ones(300, 300) @ torch.ones(300, 1)).sum()) == 90000.0  # threaded
blocked = []
for start in (os.fork, lambda: subprocess.run(["/bin/true"]),
              lambda: os.posix_spawn("/bin/true", ["true"], {})):
    try:
        start()
    except PermissionError:
        blocked.append(True)
print(box[0], len(blocked))
"""


@pytest.mark.skipif(not seccomp.supported(), reason="no filter for this machine")
def test_threads_run_and_every_way_to_start_a_process_is_refused() -> None:
    run = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["45", "3"]
