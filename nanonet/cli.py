"""Command line: ``python -m nanonet …`` (or the ``nanonet`` console script).

    nanonet lessons               list the lessons
    nanonet lesson 01 [ARGS…]     run lesson 01 (ARGS go to the lesson, e.g. --out DIR)
    nanonet gradcheck             check every built-in layer and loss numerically; table out
"""
from __future__ import annotations

import argparse
import runpy
import sys
from pathlib import Path
from typing import List, Optional

import numpy as np

from . import __version__

LESSONS_DIR = Path(__file__).resolve().parent.parent / "lessons"


def find_lessons() -> List[Path]:
    """The numbered lesson scripts (``lessons/NN_name.py``), in order."""
    if not LESSONS_DIR.is_dir():
        return []
    return sorted(p for p in LESSONS_DIR.glob("[0-9][0-9]_*.py"))


def resolve_lesson(name: str) -> Path:
    """A lesson from its number (``01``/``1``), full name or unique prefix."""
    lessons = find_lessons()
    if not lessons:
        raise SystemExit(f"nanonet: no lessons found in {LESSONS_DIR}. The lessons ship with "
                         f"the source checkout; install it with `pip install -e .` from there.")
    key = name[:-3] if name.endswith(".py") else name
    if key.isdigit():
        key = f"{int(key):02d}"
    matches = [p for p in lessons if p.stem == key or p.stem.startswith(key)]
    if len(matches) != 1:
        available = ", ".join(p.stem for p in lessons)
        problem = "matches several lessons" if matches else "matches no lesson"
        raise SystemExit(f"nanonet: {name!r} {problem}. Lessons: {available}.")
    return matches[0]


def lesson_title(path: Path) -> str:
    """The first line of a lesson's docstring."""
    text = path.read_text(encoding="utf-8")
    for quote in ('"""', "'''"):
        if quote in text:
            return text.split(quote)[1].strip().splitlines()[0]
    return path.stem


def cmd_lessons(_: argparse.Namespace) -> int:
    for path in find_lessons():
        print(f"{path.stem[:2]}  {path.stem:<40} {lesson_title(path)}")
    return 0


def cmd_lesson(args: argparse.Namespace) -> int:
    path = resolve_lesson(args.name)
    old_argv = sys.argv
    sys.argv = [str(path)] + list(args.lesson_args)
    try:
        runpy.run_path(str(path), run_name="__main__")
    finally:
        sys.argv = old_argv
    return 0


def cmd_gradcheck(args: argparse.Namespace) -> int:
    from .selfcheck import check_builtins
    reports = check_builtins(seed=args.seed)
    for report in reports:
        print(report)
        print()
    failed = [r.title for r in reports if not r.passed]
    print(f"{len(reports) - len(failed)}/{len(reports)} gradient checks passed"
          + (f"; FAILED: {', '.join(failed)}" if failed else "."))
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nanonet", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"nanonet {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("lessons", help="list the lessons").set_defaults(run=cmd_lessons)
    lesson = commands.add_parser("lesson", help="run one lesson, e.g. `lesson 01`")
    lesson.add_argument("name", help="lesson number or name, e.g. 01")
    lesson.add_argument("lesson_args", nargs=argparse.REMAINDER,
                        help="arguments passed on to the lesson (e.g. --out DIR)")
    lesson.set_defaults(run=cmd_lesson)
    check = commands.add_parser("gradcheck", help="check every built-in gradient numerically")
    check.add_argument("--seed", type=int, default=0)
    check.set_defaults(run=cmd_gradcheck)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    with np.printoptions(precision=4, suppress=True):
        return args.run(args)
