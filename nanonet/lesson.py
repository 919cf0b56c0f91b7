"""What every lesson shares: its options, its output folder, quick mode, section headings.

A lesson is a plain script in percent format (``# %%`` cells, prose in ``# %% [markdown]``
comments), so it runs with ``python lessons/NN_name.py``, with ``python -m nanonet lesson NN``,
and opens as a notebook in Jupyter or VS Code. Its first lines::

    from nanonet import lesson
    options = lesson.options("04")            # --out DIR, --quick, --seed N

- ``options.out``: the folder for figures, ``lesson_output/NN/`` unless ``--out`` says otherwise;
- ``options.quick``: a smaller run (``--quick``, or NANONET_QUICK=1 in the environment) — what
  the test suite runs, in seconds;
- ``options.seed``: every random number in the lesson comes from it, so every run prints the
  same numbers.
"""
from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from . import plotting


@dataclass
class LessonOptions:
    number: str
    out: Path
    quick: bool
    seed: int
    extra: argparse.Namespace


def options(number: str, add_arguments: Optional[Callable] = None,
            argv=None) -> LessonOptions:
    """Parse the lesson's command line. Unknown arguments are ignored, so the same code runs
    inside a notebook kernel (which passes its own)."""
    parser = argparse.ArgumentParser(description=f"nanonet lesson {number}")
    parser.add_argument("--out", default=str(Path("lesson_output") / number),
                        help="folder for the figures (default: lesson_output/NN)")
    parser.add_argument("--quick", action="store_true",
                        default=os.environ.get("NANONET_QUICK", "") not in ("", "0"),
                        help="a small, fast run (also: NANONET_QUICK=1)")
    parser.add_argument("--seed", type=int, default=0)
    if add_arguments is not None:
        add_arguments(parser)
    args, _ = parser.parse_known_args(argv)
    return LessonOptions(number=number, out=Path(args.out), quick=args.quick, seed=args.seed,
                         extra=args)


def section(title: str) -> None:
    """A heading in the lesson's printed output."""
    print(f"\n{'=' * 78}\n{title}\n{'=' * 78}")


def save_figure(figure, options: LessonOptions, name: str) -> Path:
    """Save a matplotlib figure as ``options.out / name`` and say where."""
    path = plotting.save(figure, options.out / name)
    print(f"figure: {path}")
    return path


def figures_available() -> bool:
    """True if matplotlib is installed; otherwise say how to get the figures."""
    if plotting.available():
        return True
    print("(no figures: install matplotlib — pip install -e '.[plot]')")
    return False
