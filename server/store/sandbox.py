"""No network for the query processes: defence in depth behind the query check (server.store.inspect).

A query process installs a seccomp filter on itself before it opens the store or reads a query: from
then on `socket()` fails with EACCES for every address family but AF_UNIX, and io_uring (which can open
sockets without that call) is refused too. So if some query ever slipped past the check, pyoxigraph's
SERVICE client would find no network: it cannot resolve a name nor open a connection.

The filter is a few classic-BPF instructions loaded with prctl(2) (no library needed); it is inherited
by every thread the process starts later and can never be removed. Where the kernel or the CPU
architecture does not allow it (not Linux; Linux on an architecture other than x86-64 or AArch64), the
process carries on without it and `install()` says why: the query check alone then keeps SERVICE out.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct
import sys

# Linux constants (include/uapi/linux/{prctl,seccomp,filter,audit}.h, and each architecture's unistd.h).
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
BPF_LD_W_ABS, BPF_JEQ_K, BPF_JGE_K, BPF_RET_K = 0x20, 0x15, 0x35, 0x06
AF_UNIX = 1
ARCHITECTURES = {  # machine → (AUDIT_ARCH_*, socket, io_uring_setup, io_uring_enter, io_uring_register)
    "x86_64": (0xC000003E, 41, 425, 426, 427),
    "aarch64": (0xC00000B7, 198, 425, 426, 427),
}
X32_SYSCALL_BIT = 0x40000000  # x86-64's x32 ABI: refused wholesale, nothing here uses it


def _filter(arch: int, socket_nr: int, uring: tuple[int, ...]) -> list[tuple[int, int, int, int]]:
    """The BPF program as (code, jump if true, jump if false, k) instructions."""
    deny = SECCOMP_RET_ERRNO | errno.EACCES
    program = [
        (BPF_LD_W_ABS, 0, 0, 4),              # A = seccomp_data.arch
        (BPF_JEQ_K, 1, 0, arch),              # native architecture? skip the next
        (BPF_RET_K, 0, 0, deny),              # another ABI (e.g. 32-bit syscalls): refuse
        (BPF_LD_W_ABS, 0, 0, 0),              # A = seccomp_data.nr
        (BPF_JGE_K, 0, 1, X32_SYSCALL_BIT),   # x32 syscall numbers: refuse
        (BPF_RET_K, 0, 0, deny),
    ]
    for nr in uring:
        program += [(BPF_JEQ_K, 0, 1, nr), (BPF_RET_K, 0, 0, deny)]
    program += [
        (BPF_JEQ_K, 1, 0, socket_nr),         # socket()? look at the family
        (BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
        (BPF_LD_W_ABS, 0, 0, 16),             # A = low word of args[0], the address family
        (BPF_JEQ_K, 0, 1, AF_UNIX),
        (BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
        (BPF_RET_K, 0, 0, deny),
    ]
    return program


def install() -> str | None:
    """Cut this process off the network for good. Returns None when done, else why it could not be."""
    if sys.platform != "linux":
        return f"no seccomp on {sys.platform}"
    machine = platform.machine()
    if machine not in ARCHITECTURES or sys.byteorder != "little":
        return f"no seccomp filter written for {machine}"
    arch, socket_nr, *uring = ARCHITECTURES[machine]
    program = _filter(arch, socket_nr, tuple(uring))
    code = b"".join(struct.pack("=HBBI", *instruction) for instruction in program)
    buffer = ctypes.create_string_buffer(code, len(code))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(program), ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0:
        return f"prctl(PR_SET_NO_NEW_PRIVS) failed: {errno.errorcode.get(ctypes.get_errno(), '?')}"
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0) != 0:
        return f"prctl(PR_SET_SECCOMP) failed: {errno.errorcode.get(ctypes.get_errno(), '?')}"
    return None
