"""Command line: ``python -m nanonet …`` (or the ``nanonet`` console script).

    nanonet lessons               list the lessons
    nanonet lesson 01 [ARGS…]     run lesson 01 (ARGS go to the lesson, e.g. --out DIR)
    nanonet notebook 03           lesson 03 as a run Jupyter notebook ([notebook] extra)
    nanonet book --out DIR        every lesson, run, as an HTML book in English and Chinese
                                  ([book] extra; --quick, --lang en,zh)
    nanonet gradcheck             check every built-in layer and loss numerically; table out
    nanonet verify-formulas       settle the article's printed equations (--json for a list)
    nanonet exercises list|make-student OUT|grade [DIR]|make-bug OUT --seed N
                                  the classroom kit (docs/teaching.md)
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import runpy
import textwrap
import sys
from pathlib import Path
from typing import List, Optional

import numpy as np

from . import __version__
from .teaching.languages import LANGUAGES
from .teaching.lesson import output_folder_argument, seed_argument
from .tables import table_row

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
    """The first line of a lesson's module docstring (its file name if it has none)."""
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    return docstring.strip().splitlines()[0] if docstring else path.stem


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


def cmd_notebook(args: argparse.Namespace) -> int:
    from .teaching.notebook import lesson_notebook, missing_message
    path = resolve_lesson(args.name)
    missing = missing_message("nanonet notebook")
    if missing:
        print(missing, file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else Path("lesson_output") / path.stem[:2]   # as `lesson`
    what = "converting" if args.no_run else "running"
    print(f"{what} {path.name} as a notebook in {out} …", flush=True)
    written = lesson_notebook(path, out, run=not args.no_run, quick=args.quick, lang=args.lang)
    print(f"notebook: {written}" + ("" if args.no_run else " (run: outputs and figures inside)"))
    return 0


def cmd_book(args: argparse.Namespace) -> int:
    from .teaching import book
    missing = book.missing_message("nanonet book")
    if missing:
        print(missing, file=sys.stderr)
        return 2
    lessons = find_lessons()
    if not lessons:
        resolve_lesson("01")                     # exits with the message saying where to look
    mode = " (quick)" if args.quick else ""
    print(f"running {len(lessons)} lessons in {', '.join(args.lang)}{mode}, two at a time …",
          flush=True)
    try:
        written = book.build_book(args.out, lessons, langs=args.lang, quick=args.quick)
    except book.BookBuildError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"book: {len(written.pages)} pages in {written.out} — open "
          f"{written.out / 'index.html'}")
    return 0


def _languages_argument(text: str) -> List[str]:
    """argparse type for ``book --lang``: comma-separated languages, e.g. ``en,zh``."""
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [lang for lang in chosen if lang not in LANGUAGES]
    if not chosen or unknown or len(set(chosen)) != len(chosen):
        raise argparse.ArgumentTypeError(f"expected languages from {', '.join(LANGUAGES)}, "
                                         f"comma-separated, each once (e.g. en,zh); got {text!r}")
    return chosen


def cmd_gradcheck(args: argparse.Namespace) -> int:
    from .gradcheck.selfcheck import iter_builtins
    reports = []
    for report in iter_builtins(seed=args.seed):           # each table as soon as it is done
        print(report, end="\n\n", flush=True)
        reports.append(report)
    failed = [r.title for r in reports if not r.passed]
    print(f"{len(reports) - len(failed)}/{len(reports)} gradient checks passed"
          + (f"; FAILED: {', '.join(failed)}" if failed else "."))
    return 1 if failed else 0


def cmd_verify_formulas(args: argparse.Namespace) -> int:
    from .teaching.paper import verify
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
    lines = [table_row(header, widths), "  ".join("-" * w for w in widths)]
    for v in verdicts:
        error = f"{v.max_rel_error:.2e}" if np.isfinite(v.max_rel_error) else "wrong shape"
        lines.append(table_row((v.id, v.printed, v.verdict, error, v.corrected), widths))
        if v.hint:
            lines.append(textwrap.indent(textwrap.fill(f"why: {v.hint}", 150), " " * 4))
    return "\n".join(lines)


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
    notebook = commands.add_parser(
        "notebook", help="write a lesson as a Jupyter notebook, run, figures inline "
                         "(needs the [notebook] extra)")
    notebook.add_argument("name", help="lesson number or name, e.g. 03")
    notebook.add_argument("--out", type=output_folder_argument,
                          help="folder for the notebook and the lesson's figures "
                               "(default: lesson_output/NN)")
    notebook.add_argument("--quick", action="store_true", help="run the lesson's small version")
    notebook.add_argument("--no-run", action="store_true",
                          help="only convert; run it yourself in Jupyter")
    notebook.add_argument("--lang", choices=LANGUAGES, default="en",
                          help="the language of the text cells and printed prose: en or zh")
    notebook.set_defaults(run=cmd_notebook)
    book = commands.add_parser(
        "book", help="run every lesson and write an HTML book, English and Chinese "
                     "(needs the [book] extra)")
    book.add_argument("--out", type=output_folder_argument, required=True,
                      help="folder to write the book to (DIR/index.html is its first page)")
    book.add_argument("--quick", action="store_true", help="run the lessons' small versions")
    book.add_argument("--lang", type=_languages_argument, default=list(LANGUAGES),
                      metavar="en,zh", help="the languages to build (default: en,zh)")
    book.set_defaults(run=cmd_book)
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
    _add_exercise_commands(commands)
    return parser


def _add_exercise_commands(commands) -> None:
    exercises = commands.add_parser(
        "exercises", help="the classroom kit: list, make-student, grade, make-bug",
        description="Exercises for a course: student copies made from nanonet's own source, "
                    "an autograder, find-the-bug copies (docs/teaching.md).")
    actions = exercises.add_subparsers(dest="action", metavar="ACTION")
    actions.add_parser("list", help="the table of exercises").set_defaults(run=cmd_exercises_list)
    student = actions.add_parser("make-student", help="write a student copy of the project")
    student.add_argument("out", help="the folder to create (must not exist, or be empty)")
    _add_selection(student)
    student.set_defaults(run=cmd_exercises_make_student)
    grader = actions.add_parser("grade", help="grade a student copy (default: this folder)")
    grader.add_argument("directory", nargs="?", default=".", help="the project folder")
    grader.add_argument("--json", metavar="FILE", help="also write the results as JSON "
                        "('-' prints JSON instead of the table)")
    _add_selection(grader)
    grader.set_defaults(run=cmd_exercises_grade)
    bug = actions.add_parser("make-bug", help="write a copy with one bug in a backward pass")
    bug.add_argument("out", help="the folder to create (must not exist, or be empty)")
    bug.add_argument("--seed", type=seed_argument, required=True,
                     help="which bug (an integer >= 0); the answer goes to OUT.answer.json")
    bug.set_defaults(run=cmd_exercises_make_bug)
    exercises.set_defaults(run=lambda _: exercises.print_help() or 2)


def _add_selection(parser) -> None:
    parser.add_argument("--only", type=_exercise_ids, metavar="E01,E03",
                        help="only these exercises (comma-separated ids)")
    parser.add_argument("--upto", metavar="E05", help="every exercise up to this one")


def _exercise_ids(text: str) -> List[str]:
    from .teaching.exercises import get
    try:
        return [get(part.strip()).id for part in text.split(",") if part.strip()]
    except (KeyError, ValueError) as error:
        raise argparse.ArgumentTypeError(str(error).strip("'\"")) from None


def _clear_errors(command):
    """A command whose user errors (a missing folder, a bad selection) print one line, exit 2."""
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except (FileNotFoundError, FileExistsError, ValueError, KeyError) as error:
            print(f"nanonet exercises: {str(error).strip(chr(39))}", file=sys.stderr)
            return 2
    return run


def cmd_exercises_list(_: argparse.Namespace) -> int:
    from .teaching.exercises import EXERCISES
    widths = (4, 38, 10, 7, 60)
    print(table_row(("id", "title", "difficulty", "lesson", "where"), widths))
    print("  ".join("-" * w for w in widths))
    for e in EXERCISES:
        where = ", ".join(f"{name} ({path})" for path, name in e.functions)
        print(table_row((e.id, e.title, e.stars, e.lesson, where), widths))
    return 0


@_clear_errors
def cmd_exercises_make_student(args: argparse.Namespace) -> int:
    from .teaching.exercises.catalogue import select
    from .teaching.exercises.copies import make_student_copy
    chosen = select(args.only, args.upto)
    make_student_copy(args.out, only=[e.id for e in chosen])
    print(f"wrote a student copy to {args.out}: exercises {', '.join(e.id for e in chosen)} "
          f"are left to write (see {Path(args.out) / 'STUDENT.md'}).")
    return 0


@_clear_errors
def cmd_exercises_grade(args: argparse.Namespace) -> int:
    from .teaching.exercises.grading import grade
    report = grade(args.directory, only=args.only, upto=args.upto)
    text = json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
    if args.json == "-":
        print(text)
    else:
        print(report)
        if args.json:
            Path(args.json).write_text(text, encoding="utf-8")
    return 0 if report.passed else 1


@_clear_errors
def cmd_exercises_make_bug(args: argparse.Namespace) -> int:
    from .teaching.exercises.copies import make_bug_copy
    from .teaching.exercises.grading import bug_is_caught
    make_bug_copy(args.out, args.seed, check=bug_is_caught)
    out = Path(args.out).resolve()
    print(f"wrote {out}: one backward function has a small bug; the answer key is in "
          f"{out.with_name(out.name + '.answer.json')} (keep it from the students).")
    return 0


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
        try:
            return args.run(args)
        except BrokenPipeError:           # `nanonet … | head`: the reader left; stop quietly
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return 0
