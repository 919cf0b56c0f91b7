"""What every lesson shares: its options, its output folder, quick mode, section headings.

A lesson is a plain script in percent format (``# %%`` cells, prose in ``# %% [markdown]``
comments), so it runs with ``python lessons/NN_name.py``, with ``python -m nanonet lesson NN``,
and opens as a notebook in Jupyter or VS Code. Its first lines::

    from nanonet import lesson
    options = lesson.options("04")            # --out DIR, --quick, --seed N, --lang en|zh

- ``options.out``: the folder for figures, ``lesson_output/NN/`` unless ``--out`` says otherwise;
- ``options.quick``: a smaller run (``--quick``, or NANONET_QUICK=1 in the environment) — what
  the test suite runs, in seconds;
- ``options.seed``: every random number in the lesson comes from it, so every run prints the
  same numbers;
- ``options.lang``: the language the lesson prints its prose in, ``en`` (the default, or
  NANONET_LANG) or ``zh``; ``lesson.say(en, zh)``, ``lesson.words(en, zh)`` and
  ``lesson.section(en, zh)`` follow it (``nanonet.teaching.languages``).
"""
from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from .. import plotting
from .languages import LANGUAGES, default_language, say, set_language, words

__all__ = ["LessonOptions", "options", "section", "save_figure", "figures_available", "say",
           "words", "seed_argument", "output_folder_argument", "output_folder_problem"]


@dataclass
class LessonOptions:
    number: str
    out: Path
    quick: bool
    seed: int
    extra: argparse.Namespace
    lang: str = "en"


def seed_argument(text: str) -> int:
    """argparse type for ``--seed``: an integer >= 0 (NumPy's generators refuse negative
    seeds, so -1 would otherwise end in a traceback from deep inside NumPy)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {value}")
    return value


def output_folder_argument(text: str) -> Path:
    """argparse type for ``--out``: a folder this process can write figures into, or a path
    that can become one (``output_folder_problem``) — checked before the lesson runs, so a
    bad path exits at once with argparse's usage message instead of after the whole lesson."""
    problem = output_folder_problem(Path(text))
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return Path(text)


def options(number: str, add_arguments: Optional[Callable] = None,
            argv=None) -> LessonOptions:
    """Parse the lesson's command line. Unknown arguments are ignored, so the same code runs
    inside a notebook kernel (which passes its own).

    number: the lesson's number as a str, e.g. "04"; add_arguments: None or a function that
    adds the lesson's own options to the argparse parser; argv: None (sys.argv) or a list of
    str. ``--seed`` must be an integer >= 0 and ``--out`` a folder this process can write to
    (or a path that can become one: ``output_folder_problem``), checked before the lesson
    runs; anything else exits with argparse's usage message (exit code 2)."""
    where = "lesson.options"
    if not isinstance(number, str) or not number:
        raise TypeError(f"{where}: number must be the lesson's number as a str, e.g. '04', got "
                        f"{number!r} ({type(number).__name__}).")
    if add_arguments is not None and not callable(add_arguments):
        raise TypeError(f"{where}: add_arguments must be None or a function taking the argparse "
                        f"parser, got {type(add_arguments).__name__}.")
    if argv is not None and (isinstance(argv, (str, bytes)) or not isinstance(argv, (list, tuple))
                             or not all(isinstance(a, str) for a in argv)):
        raise TypeError(f"{where}: argv must be None or a list of str, e.g. ['--quick'], got "
                        f"{argv!r:.60}.")
    parser = argparse.ArgumentParser(description=f"nanonet lesson {number}")
    parser.add_argument("--out", type=output_folder_argument,
                        default=str(Path("lesson_output") / number),
                        help="folder for the figures (default: lesson_output/NN)")
    parser.add_argument("--quick", action="store_true",
                        default=os.environ.get("NANONET_QUICK", "") not in ("", "0"),
                        help="a small, fast run (also: NANONET_QUICK=1)")
    parser.add_argument("--seed", type=seed_argument, default=0,
                        help="every random number of the lesson comes from it (an integer >= 0)")
    try:
        lang = default_language()
    except ValueError as error:                  # NANONET_LANG=fr: argparse's exit 2
        parser.error(str(error))
    parser.add_argument("--lang", choices=LANGUAGES, default=lang,
                        help="the language of the printed prose: en (English) or zh (中文); "
                             "also NANONET_LANG")
    if add_arguments is not None:
        add_arguments(parser)
    args, _ = parser.parse_known_args(argv)
    set_language(args.lang)
    return LessonOptions(number=number, out=args.out, quick=args.quick, seed=args.seed,
                         extra=args, lang=args.lang)


def output_folder_problem(out: Path) -> Optional[str]:
    """Why `out` cannot be (or become) a folder this process writes figures into — it is a
    file, a file stands where one of its parents should be, or the folder it would be made
    in (or it itself) is not writable — or None. Nothing is created: the lesson creates the
    folder when it saves its first figure; this is checked before the lesson runs."""
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        if existing == out:
            return f"{str(out)!r} is a file; give a folder for the figures"
        return (f"{str(out)!r} cannot be created: {str(existing)!r} is a file, not a "
                f"folder; give a folder for the figures")
    if existing.exists() and not os.access(existing, os.W_OK | os.X_OK):
        what = "is not writable" if existing == out else \
            f"cannot be created: {str(existing)!r} is not writable"
        return f"{str(out)!r} {what}; give a folder you can write to"
    return None


def section(title: str, zh: Optional[str] = None) -> None:
    """A heading in the lesson's printed output: `title`, or `zh` when the lesson prints in
    Chinese (``--lang zh``) and `zh` is given."""
    print(f"\n{'=' * 78}\n{title if zh is None else words(title, zh)}\n{'=' * 78}")


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
