"""Resource limits for one sandbox worker, set with setrlimit right after the fork."""

from __future__ import annotations

import resource

from autograder.assignment import Limits


def _vm_size_bytes() -> int:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    return pages * resource.getpagesize()


def apply(limits: Limits) -> None:
    """Limit this process (and what it starts). Memory counts from the current mapping size,
    because importing torch alone maps about 3 GiB of (mostly shared, unused) address space."""
    memory = _vm_size_bytes() + limits.memory_mb * 2**20
    settings = {
        resource.RLIMIT_AS: memory,
        resource.RLIMIT_CPU: limits.cpu_seconds,
        resource.RLIMIT_FSIZE: limits.file_size_mb * 2**20,
        resource.RLIMIT_NOFILE: limits.open_files,
        resource.RLIMIT_NPROC: limits.processes,
        resource.RLIMIT_CORE: 0,
    }
    for which, value in settings.items():
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))
