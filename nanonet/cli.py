"""Command line: ``python -m nanonet …`` (or the ``nanonet`` console script).

    nanonet lessons               list the lessons
    nanonet lesson 01 [ARGS…]     run lesson 01 (ARGS go to the lesson, e.g. --out DIR)
    nanonet gradcheck             check every built-in layer and loss numerically; table out
    nanonet verify-formulas       settle the article's printed equations (--json for a list)
"""
from __future__ import annotations

import argparse
import json
import runpy
import textwrap
import sys
from pathlib import Path
from typing import List, Optional

import numpy as np

from . import __version__
from .lesson import seed_argument

LESSONS_DIR = Path(__file__).resolve().parent.parent / "lessons"


def find_lessons() -> List[Path]:
    """The numbered lesson scripts (``lessons/NN_name.py``), in order."""
    if not LESSONS_DIR.is_dir():
        return []
    return sorted(p for p in LESSONS_DIR.glob("[0-9][0-9]_*.py"))


def resolve_lesson(name: str) -> Path:
    """A lesson from its number (``01``/``1``), full name, unique prefix, or the unique
    prefix of its name without the number (``two_layer``)."""
    lessons = find_lessons()
    if not lessons:
        raise SystemExit(f"nanonet: no lessons found in {LESSONS_DIR}. The lessons ship with "
                         f"the source checkout; install it with `pip install -e .` from there.")
    available = ", ".join(p.stem for p in lessons)
    if not isinstance(name, str) or not name.strip():
        raise SystemExit(f"nanonet lesson: which lesson? The name is empty; give a lesson's "
                         f"number or name, e.g. `nanonet lesson 01`. Lessons: {available}.")
    key = name.strip()
    key = key[:-3] if key.endswith(".py") else key
    if key.isdigit():
        key = f"{int(key):02d}"
    matches = [p for p in lessons if p.stem == key]
    if not matches:
        matches = [p for p in lessons if p.stem.startswith(key)
                   or p.stem.split("_", 1)[-1].startswith(key)]
    if len(matches) != 1:
        if matches:
            raise SystemExit(f"nanonet: {name!r} matches several lessons: "
                             f"{', '.join(p.stem for p in matches)}. Give more of the name, or "
                             f"the number.")
        raise SystemExit(f"nanonet: {name!r} matches no lesson. Lessons: {available}.")
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


def cmd_verify_formulas(args: argparse.Namespace) -> int:
    from .paper import verify
    verdicts = verify(seed=args.seed)
    if args.json:
        print(json.dumps([v.to_json() for v in verdicts], ensure_ascii=False, indent=2,
                         allow_nan=False))
        return 0
    print(format_verdicts(verdicts))
    return 0


def format_verdicts(verdicts) -> str:
    """The verdicts as a text table; long formulas wrap inside their column."""
    header = ("id", "as printed", "verdict", "max rel err", "corrected")
    widths = (30, 34, 30, 11, 40)
    lines = [_table_row(header, widths), "  ".join("-" * w for w in widths)]
    for v in verdicts:
        error = f"{v.max_rel_error:.2e}" if np.isfinite(v.max_rel_error) else "wrong shape"
        lines.append(_table_row((v.id, v.printed, v.verdict, error, v.corrected), widths))
        if v.hint:
            lines.append(textwrap.indent(textwrap.fill(f"why: {v.hint}", 150), " " * 4))
    return "\n".join(lines)


def _table_row(cells, widths) -> str:
    wrapped = [textwrap.wrap(str(cell), width) or [""] for cell, width in zip(cells, widths)]
    height = max(len(column) for column in wrapped)
    return "\n".join("  ".join((column[k] if k < len(column) else "").ljust(width)
                               for column, width in zip(wrapped, widths)).rstrip()
                     for k in range(height))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nanonet", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"nanonet {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("lessons", help="list the lessons").set_defaults(run=cmd_lessons)
    lesson = commands.add_parser("lesson", help="run one lesson, e.g. `lesson 01`")
    lesson.add_argument("name", nargs="?", help="lesson number or name, e.g. 01")
    lesson.add_argument("lesson_args", nargs=argparse.REMAINDER,
                        help="arguments passed on to the lesson (e.g. --out DIR)")
    lesson.set_defaults(run=cmd_lesson, subparser=lesson)
    check = commands.add_parser("gradcheck", help="check every built-in gradient numerically")
    check.add_argument("--seed", type=seed_argument, default=0,
                       help="seed of the random test data (an integer >= 0)")
    check.set_defaults(run=cmd_gradcheck)
    verify = commands.add_parser("verify-formulas",
                                 help="check the article's printed equations numerically")
    verify.add_argument("--json", action="store_true", help="print a JSON list instead")
    verify.add_argument("--seed", type=seed_argument, default=0,
                        help="seed of the random data and weights (an integer >= 0)")
    verify.set_defaults(run=cmd_verify_formulas)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    if args.command == "lesson" and args.name is None:    # argparse's usage line, exit 2
        lessons = ", ".join(p.stem for p in find_lessons()) or "none found"
        args.subparser.error(f"the following argument is required: name (which lesson? its "
                             f"number or name, e.g. `nanonet lesson 01`). Lessons: {lessons}.")
    with np.printoptions(precision=4, suppress=True):
        return args.run(args)
