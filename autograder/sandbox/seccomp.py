"""Seccomp filters: for sandbox workers (threads yes; processes, network, namespaces no), and a
namespaces-only one that makes a process tree look like a default Docker container.

Why processes: RLIMIT_NPROC is the usual fork-bomb guard, but the kernel never applies it to real
uid 0, and a grader started as root runs bubblewrap's sandbox as uid 0 outside its user
namespace. A fork bomb then filled the machine (thousands of processes, load average 2,900, in
the red-team suite). The worker filter makes fork, vfork and clone without CLONE_THREAD fail with
EPERM in the worker and everything it starts; clone3 answers ENOSYS so that glibc falls back to
clone for threads. Threads stay allowed (torch needs them) and are bounded by the address-space
limit (each thread's stack counts).

Why network and namespaces: without bubblewrap ("uid" and "process" isolation) the worker shares
the host's network, so `socket()` is refused for every family but AF_UNIX (the judge's channel
is an inherited socket pair; glibc's name-service lookups use AF_UNIX). unshare, setns and clone
with any CLONE_NEW* flag are refused in every mode: a new user namespace would hand the worker
capabilities (mount, ...) over a private copy of the kernel's view, which no graded code needs.
Syscalls of a foreign ABI (x32, or i386 through int 0x80, where `socketcall` hides socket) are
refused.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import socket
import struct
from dataclasses import dataclass

_LD_ABS_W = 0x20  # BPF_LD | BPF_W | BPF_ABS: load the 32-bit word at offset k of seccomp_data
_JEQ = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_JSET = 0x45  # BPF_JMP | BPF_JSET | BPF_K
_RET = 0x06  # BPF_RET | BPF_K
_ALLOW = 0x7FFF0000
_DENY = 0x00050000 | errno.EPERM  # SECCOMP_RET_ERRNO
_NO_SYSCALL = 0x00050000 | errno.ENOSYS
_CLONE_THREAD = 0x00010000
# CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET and NEWTIME
_CLONE_NEW = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 \
    | 0x40000000 | 0x00000080
_X32_BIT = 0x40000000
_OFF_NR, _OFF_ARCH, _OFF_ARG0 = 0, 4, 16  # seccomp_data: nr, arch, args[0] (low word: LE)
_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2


@dataclass(frozen=True)
class _Arch:
    audit: int  # AUDIT_ARCH_*
    clone: int
    clone3: int
    socket: int
    unshare: int
    setns: int
    forks: tuple[int, ...]  # syscalls that always start a process


_ARCHES = {
    "x86_64": _Arch(0xC000003E, clone=56, clone3=435, socket=41, unshare=272, setns=308,
                    forks=(57, 58)),  # fork, vfork
    "aarch64": _Arch(0xC00000B7, clone=220, clone3=435, socket=198, unshare=97, setns=268,
                     forks=()),
}

Step = tuple[int, str | int, str | int, int]  # code, jump if true, jump if false, k


def _assemble(steps: list[Step | str]) -> list[tuple[int, int, int, int]]:
    """Resolve label names (plain strings in `steps`) into BPF's relative jumps."""
    labels: dict[str, int] = {}
    code: list[Step] = []
    for step in steps:
        if isinstance(step, str):
            labels[step] = len(code)
        else:
            code.append(step)
    out = []
    for i, (op, jt, jf, k) in enumerate(code):
        def rel(target: str | int, at: int = i) -> int:
            return target if isinstance(target, int) else labels[target] - at - 1
        out.append((op, rel(jt), rel(jf), k))
    return out


def _program(arch: _Arch, *, processes: bool, network: bool) -> list[tuple[int, int, int, int]]:
    """The filter: namespaces always refused; `processes`/`network`: allowed or not."""
    steps: list[Step | str] = [
        (_LD_ABS_W, 0, 0, _OFF_ARCH), (_JEQ, 0, "deny", arch.audit),  # a foreign ABI: refuse
        (_LD_ABS_W, 0, 0, _OFF_NR), (_JGE, "deny", 0, _X32_BIT),
        (_JEQ, "enosys", 0, arch.clone3),  # its flags sit in memory, out of a filter's reach
        (_JEQ, "deny", 0, arch.unshare), (_JEQ, "deny", 0, arch.setns),
        (_JEQ, "clone", 0, arch.clone),
    ]
    if not network:
        steps.append((_JEQ, "socket", 0, arch.socket))
    if not processes:
        steps += [(_JEQ, "deny", 0, nr) for nr in arch.forks]
    steps += [(_RET, 0, 0, _ALLOW),
              "clone", (_LD_ABS_W, 0, 0, _OFF_ARG0), (_JSET, "deny", 0, _CLONE_NEW)]
    if not processes:
        steps.append((_JSET, "allow", "deny", _CLONE_THREAD))
    steps.append((_RET, 0, 0, _ALLOW))
    if not network:
        steps += ["socket", (_LD_ABS_W, 0, 0, _OFF_ARG0),
                  (_JEQ, "allow", "deny", socket.AF_UNIX)]
    steps += ["allow", (_RET, 0, 0, _ALLOW), "deny", (_RET, 0, 0, _DENY),
              "enosys", (_RET, 0, 0, _NO_SYSCALL)]
    return _assemble(steps)


def supported() -> bool:
    return platform.system() == "Linux" and platform.machine() in _ARCHES


def _install(program: list[tuple[int, int, int, int]]) -> None:
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


def _arch() -> _Arch:
    if not supported():
        raise OSError(f"no seccomp filter for {platform.machine()}")
    return _ARCHES[platform.machine()]


def forbid_new_processes() -> None:
    """The worker filter, on this process (inherited by its threads and children, irrevocable):
    no new processes, no sockets but AF_UNIX, no namespaces. Raises OSError when the kernel
    refuses it."""
    _install(_program(_arch(), processes=False, network=False))


def forbid_namespaces() -> None:
    """Refuse unshare, setns and clone with CLONE_NEW* flags, as Docker's default seccomp
    profile does: bubblewrap then fails as it does in a container (the tests use this)."""
    _install(_program(_arch(), processes=True, network=True))
