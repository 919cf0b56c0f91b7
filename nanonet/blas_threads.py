"""One BLAS thread for a lesson whose matrix products are small (lessons 07 and 09).

A character LSTM multiplies a batch of 64 by a 32 × 128 matrix at every step. Splitting such
a product across threads costs more than it saves, and on a shared machine it is much worse:
with OpenBLAS's default of one thread per core, one epoch of lesson 09's LSTM took 9.8 s
instead of 1.1 s on a 2-core machine with a load average of 3.4.

OpenBLAS reads ``OPENBLAS_NUM_THREADS`` once, when NumPy loads. A lesson sets it before its
first NumPy import (so ``python lessons/07_….py`` gets one thread), but under
``python -m nanonet lesson 07`` nanonet — and NumPy — are loaded before the lesson runs. Then
:func:`use_one_thread` limits the running BLAS with threadpoolctl if it is installed, or else
runs the lesson script again in a fresh process (POSIX only, never inside a notebook kernel,
at most once), where the variable takes effect. Usage, at the top of a lesson::

    numpy_was_loaded = "numpy" in sys.modules
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from nanonet.blas_threads import use_one_thread
    use_one_thread(numpy_was_loaded)
"""
from __future__ import annotations

import os
import sys

#: set in the environment of the restarted process, so that it never restarts again
RESTARTED = "NANONET_LESSON_RESTARTED"


def use_one_thread(numpy_was_loaded: bool) -> str:
    """Make the BLAS of this process use one thread; returns how: "variable" (NumPy loaded
    after OPENBLAS_NUM_THREADS was set), "threadpoolctl", or "unchanged" (no way here:
    e.g. in a notebook kernel, on Windows, or already restarted once). If it restarts the
    script it does not return."""
    if not isinstance(numpy_was_loaded, bool):
        raise TypeError(f"use_one_thread: numpy_was_loaded must be True or False (was NumPy in "
                        f"sys.modules before OPENBLAS_NUM_THREADS was set?), got "
                        f"{numpy_was_loaded!r}.")
    if not numpy_was_loaded:
        return "variable"
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        pass
    else:
        threadpool_limits(1)
        return "threadpoolctl"
    if _can_restart():
        os.environ[RESTARTED] = "1"
        os.environ["OPENBLAS_NUM_THREADS"] = "1"
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, [sys.executable, *(f"-W{w}" for w in sys.warnoptions),
                                  *sys.argv])
    return "unchanged"


def _can_restart() -> bool:
    """True if this process runs a script file that can simply be started again."""
    return (os.name == "posix" and "ipykernel" not in sys.modules
            and not os.environ.get(RESTARTED) and bool(sys.argv)
            and os.path.isfile(sys.argv[0]))
