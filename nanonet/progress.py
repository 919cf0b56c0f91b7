"""Keras-style progress output for ``fit`` and ``evaluate``.

``fit`` prints ``Epoch 3/10`` before each epoch when verbose is 1 or 2 and there is more than
one epoch (as Keras's ProgbarLogger). verbose=1 then rewrites one line in place while the
epoch runs::

    1/3 [=========>....................] - ETA: 1s - loss: 0.6897 - accuracy: 1.0000
    3/3 [==============================] - 1s 6ms/step - loss: 0.6937 - accuracy: 0.6667

verbose=2 prints one line per epoch::

    3/3 - 0s - loss: 0.6858 - accuracy: 0.6667 - 14ms/epoch - 5ms/step

Values print as ``%.4f``, or ``%.4e`` when |v| ≤ 1e-3, as Keras does.

Where the line is rewritten (with ``\r``), as Keras's Progbar: in a terminal (the stream's
``isatty()``) and in a Jupyter notebook (``ipykernel`` is loaded and the bar writes to
``sys.stdout``; the notebook redraws the line on each ``\r``), at most every ``interval``
seconds (0.05) and always at the last step. Elsewhere (a pipe, a log file) only the finished
line is written: no ``\r`` clutter in a log. (Keras also treats every POSIX system as a
terminal; nanonet does not.)
"""
from __future__ import annotations

import sys
import time
from typing import Dict, Optional, TextIO

BAR_WIDTH = 30
#: seconds between two redraws of a live bar (Keras's Progbar(interval=0.05))
REDRAW_INTERVAL = 0.05


def format_value(value: float) -> str:
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def format_logs(logs: Dict[str, float]) -> str:
    return "".join(f" - {name}: {format_value(value)}" for name, value in logs.items())


def format_time_per_unit(seconds: float, unit: str) -> str:
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit}"
    return f"{seconds * 1e6:.0f}us/{unit}"


def format_eta(seconds: float) -> str:
    if seconds > 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds > 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(seconds)}s"


def bar(current: int, target: int) -> str:
    """``'1/3 [=========>....................]'``."""
    digits = len(str(target))
    filled = int(BAR_WIDTH * current / target)
    arrow = ""
    if filled > 0:
        arrow = "=" * (filled - 1) + (">" if current < target else "=")
    return f"{current:{digits}d}/{target} [{arrow}{'.' * (BAR_WIDTH - filled)}]"


def is_live(stream: TextIO) -> bool:
    """True where a progress line can be redrawn in place: a terminal, or a Jupyter
    notebook's output (ipykernel loaded and `stream` is its ``sys.stdout``)."""
    if hasattr(stream, "isatty") and stream.isatty():
        return True
    return "ipykernel" in sys.modules and stream is sys.stdout


class ProgressBar:
    """Prints the progress of `target` steps at the given verbosity (0 silent, 1 bar, 2 line)."""

    def __init__(self, target: int, verbose: int = 1, stream: Optional[TextIO] = None,
                 interval: Optional[float] = None):
        self.target = target
        self.verbose = verbose
        self.stream = stream if stream is not None else sys.stdout
        self.start = time.perf_counter()
        self.interactive = is_live(self.stream)
        self.interval = REDRAW_INTERVAL if interval is None else interval
        self._last_length = 0
        self._last_drawn: Optional[float] = None

    def update(self, current: int, logs: Dict[str, float]) -> None:
        """Show step `current` (1-based) with the running `logs`."""
        if self.verbose != 1:
            if self.verbose == 2 and current == self.target:
                self._print_epoch_line(logs)
            return
        done = current >= self.target
        if not (self.interactive or done):
            return
        now = time.perf_counter()
        if not done and self._last_drawn is not None and now - self._last_drawn < self.interval:
            return
        self._last_drawn = now
        elapsed = now - self.start
        if done:
            timing = f" - {elapsed:.0f}s {format_time_per_unit(elapsed / current, 'step')}"
        else:
            timing = f" - ETA: {format_eta(elapsed / current * (self.target - current))}"
        line = bar(current, self.target) + timing + format_logs(logs)
        padding = " " * max(0, self._last_length - len(line))
        prefix = "\r" if self.interactive else ""
        self.stream.write(prefix + line + padding + ("\n" if done else ""))
        self.stream.flush()
        self._last_length = len(line)

    def _print_epoch_line(self, logs: Dict[str, float]) -> None:
        elapsed = time.perf_counter() - self.start
        self.stream.write(
            f"{self.target}/{self.target} - {elapsed:.0f}s{format_logs(logs)} - "
            f"{format_time_per_unit(elapsed, 'epoch')} - "
            f"{format_time_per_unit(elapsed / self.target, 'step')}\n")
        self.stream.flush()
