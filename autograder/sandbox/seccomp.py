"""A seccomp filter for sandbox workers: threads yes, new processes no.

Why: RLIMIT_NPROC is the usual fork-bomb guard, but the kernel never applies it to real uid 0,
and a grader started as root runs bubblewrap's sandbox as uid 0 outside its user namespace. A
fork bomb then filled the machine (thousands of processes, load average 2,900, in the red-team
suite). The filter makes fork, vfork and clone without CLONE_THREAD fail with EPERM in the worker
and everything it starts; clone3 answers ENOSYS so that glibc falls back to clone for threads.
Threads stay allowed (torch needs them) and are bounded by the address-space limit (each
thread's stack counts). Syscalls of a foreign ABI (x32, or i386 through int 0x80) are refused.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

_LD_ABS_W = 0x20  # BPF_LD | BPF_W | BPF_ABS: load the 32-bit word at offset k of seccomp_data
_JEQ = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_JSET = 0x45  # BPF_JMP | BPF_JSET | BPF_K
_RET = 0x06  # BPF_RET | BPF_K
_ALLOW = 0x7FFF0000
_DENY = 0x00050000 | errno.EPERM  # SECCOMP_RET_ERRNO
_NO_SYSCALL = 0x00050000 | errno.ENOSYS
_CLONE_THREAD = 0x00010000
_X32_BIT = 0x40000000
_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2

# machine -> (AUDIT_ARCH_*, clone, clone3, syscalls that always start a process)
_ARCHES = {
    "x86_64": (0xC000003E, 56, 435, (57, 58)),  # fork, vfork
    "aarch64": (0xC00000B7, 220, 435, ()),
}


def _program(arch: int, clone: int, clone3: int, forks: tuple[int, ...]) -> list[tuple[int, int,
                                                                                         int, int]]:
    """The BPF program as (code, jump if true, jump if false, k); jumps skip that many steps."""
    checks = [
        (_LD_ABS_W, 0, 0, 4),  # seccomp_data.arch
        (_JEQ, 1, 0, arch),
        (_RET, 0, 0, _DENY),  # a foreign ABI: refuse everything
        (_LD_ABS_W, 0, 0, 0),  # seccomp_data.nr
        (_JGE, 0, 1, _X32_BIT),
        (_RET, 0, 0, _DENY),
        (_JEQ, 0, 1, clone3),
        (_RET, 0, 0, _NO_SYSCALL),
        (_JEQ, 0, 3, clone),  # not clone: on to the fork checks
        (_LD_ABS_W, 0, 0, 16),  # the low word of args[0]: clone's flags (little-endian)
        (_JSET, 1 + len(forks), 0, _CLONE_THREAD),  # a thread: on to the final allow
        (_RET, 0, 0, _DENY),
    ]
    # fork and vfork: equal -> the final deny, else the next check
    checks += [(_JEQ, len(forks) - i, 0, nr) for i, nr in enumerate(forks)]
    return [*checks, (_RET, 0, 0, _ALLOW), (_RET, 0, 0, _DENY)]


def supported() -> bool:
    return platform.system() == "Linux" and platform.machine() in _ARCHES


def forbid_new_processes() -> None:
    """Install the filter on this process (inherited by its threads and children, irrevocable).
    Raises OSError when the kernel refuses it."""
    if not supported():
        raise OSError(f"no seccomp filter for {platform.machine()}")
    program = _program(*_ARCHES[platform.machine()])
    raw = b"".join(struct.pack("HBBI", *step) for step in program)
    buffer = ctypes.create_string_buffer(raw)

    class Fprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = Fprog(len(program), ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    for args in ((_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0),
                 (_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0)):
        if libc.prctl(*[ctypes.c_ulong(a) for a in args]) != 0:
            code = ctypes.get_errno()
            raise OSError(code, f"prctl: {errno.errorcode.get(code, code)}")
