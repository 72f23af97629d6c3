"""Keep freed array memory in the process (glibc only), so large temporaries are not re-faulted.

Every op allocates fresh arrays of 0.1-10 MB. glibc serves those with mmap or trims them
off the heap top as soon as they are freed, so each training step pays one page fault per
4 KiB of every temporary: 3-4x the whole step time of the small CNN benchmark. Raising the
mmap and trim thresholds once makes freed memory reusable, as PyTorch's caching allocator
does for its own tensors. Set AUTOGRAD_CORE_NO_MALLOC_TUNING=1 to leave malloc alone.
"""

from __future__ import annotations

import ctypes
import os
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD = 32 << 20  # glibc's own dynamic ceiling; larger arrays still use mmap
_TRIM_THRESHOLD = 256 << 20


def tune() -> bool:
    """Raise glibc's mmap/trim thresholds; True when applied (Linux with glibc)."""
    if not sys.platform.startswith("linux") or os.environ.get("AUTOGRAD_CORE_NO_MALLOC_TUNING"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl or another libc: nothing to tune
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD))
