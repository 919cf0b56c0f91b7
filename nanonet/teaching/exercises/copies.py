"""Copies of the project for a class, made from the one true source.

``make_student_copy(out)`` writes the whole project (package, lessons, tests, docs) with the
regions of the chosen exercises replaced by a hint and ``raise NotImplementedError("Exercise
E07: …")``; every other marker line is dropped and its code kept. The copy is a fresh git
repository with one commit, and ``solution_leaks`` checks that no distinctive line of a blanked
solution survives anywhere in it.

``make_bug_copy(out, seed)`` writes the project with all markers dropped and one small bug in
one backward function (a mutant of ``nanonet.mutation``, the mutation check's own mutator);
the answer key goes next to the copy, never inside it.

Marker-looking lines inside strings (e.g. the docstring of markers.py, a test's sample
source) are text, not markers: only comment lines count (``_real_markers``).
"""
from __future__ import annotations

import functools
import io
import json
import os
import shutil
import subprocess
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

import numpy as np

from .. import mutation
from . import markers
from .catalogue import EXERCISES, Exercise, get, select
from .record import RECORD_NAME, write_record

#: never copied, whether listed by git or found by walking the tree
SKIPPED_DIRS = {".git", "__pycache__", ".hypothesis", ".pytest_cache", "lesson_output"}
SKIPPED_SUFFIXES = (".pyc", ".pyo", ".egg-info")

#: who makes the copy's one commit (works on a machine without any git configuration)
GIT_NAME = "nanonet classroom kit"
GIT_EMAIL = "classroom@nanonet.invalid"

#: solution lines shorter than this (after stripping) are too generic to count as leaks
MIN_LEAK_LENGTH = 15


def _bug_functions() -> Tuple[str, ...]:
    """The functions of the exercises that are gradient code (``mutation.GRADIENT_CODE``), in
    catalogue order: where find-the-bug copies put their bug. Derived, so that a new backward
    exercise becomes bug material (and ``python -m nanonet gradcheck`` must reach it, which
    tests/test_selfcheck.py checks) without a second list to keep in step."""
    gradient_code = {(path, name) for path, names in mutation.GRADIENT_CODE for name in names}
    return tuple(function for exercise in EXERCISES for path, function in exercise.functions
                 if (path, function) in gradient_code)


#: the backward functions of the exercises, where find-the-bug copies put their bug
BUG_FUNCTIONS = _bug_functions()
BUG_KINDS = ("sign", "term", "factor", "transpose", "constant")
MAX_BUG_TRIES = 20

Mutant = mutation.Mutant

_MASK = "\x00"          # breaks a marker-looking line inside a string for the marker regex


@dataclass(frozen=True)
class StudentCopy:
    """What ``make_student_copy`` wrote: the folder, the blanked exercises, the number of
    files, the commit of the copy's repository (None without git) and a note (why not)."""

    path: Path
    exercises: Tuple[Exercise, ...]
    files: int
    commit: Optional[str]
    note: str = ""


# ====================================================================== the source tree
def default_source_root() -> Path:
    """The project folder: the parent of the ``nanonet`` package."""
    return Path(__file__).resolve().parents[3]


def source_files(source_root) -> List[str]:
    """The project's files (relative POSIX paths, sorted): ``git ls-files`` of a checkout,
    else every file of the tree except version control, caches and build output."""
    root = _checked_root(source_root)
    listed = _git_files(root)
    if listed is None:
        listed = [path.relative_to(root).as_posix() for path in root.rglob("*")
                  if path.is_file()]
    return sorted(name for name in listed if _wanted(name) and (root / name).is_file())


def _checked_root(source_root) -> Path:
    root = Path(default_source_root() if source_root is None else source_root).resolve()
    if not (root / "nanonet" / "__init__.py").is_file():
        raise ValueError(f"source_root: {root} is not the nanonet project (no "
                         f"nanonet/__init__.py in it); give the folder holding the package.")
    if not (root / ".git").exists() and not any((root / name).is_file()
                                                 for name in ("setup.cfg", "pyproject.toml")):
        raise ValueError(f"source_root: {root} is neither a git checkout nor a project folder "
                         f"(no setup.cfg or pyproject.toml); an installed nanonet cannot be "
                         f"copied, use the project's source folder.")
    return root


def _git_files(root: Path) -> Optional[List[str]]:
    if shutil.which("git") is None or not (root / ".git").exists():
        return None
    result = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], capture_output=True,
                            env=_git_env())
    if result.returncode != 0:
        return None
    return [name for name in result.stdout.decode("utf-8").split("\0") if name]


def _wanted(name: str) -> bool:
    parts = name.split("/")
    return not any(part in SKIPPED_DIRS or part.endswith(".egg-info") for part in parts[:-1]) \
        and not parts[-1].endswith(SKIPPED_SUFFIXES)


def _read_text(path: Path) -> Optional[str]:
    """The file's text (line endings kept), or None for a binary file."""
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


# ====================================================================== markers in Python files
@functools.lru_cache(maxsize=64)          # each file is masked several times per copy
def _real_markers(text: str) -> Optional[FrozenSet[int]]:
    """0-based numbers of the lines whose marker is a comment (None: not tokenizable)."""
    found = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT and markers.MARKER.match(token.line.rstrip("\r\n")):
                found.add(token.start[0] - 1)
    except (tokenize.TokenError, SyntaxError):
        return None
    return frozenset(found)


def _masked(text: str) -> str:
    """`text` with marker-looking lines that are not comments broken, so that markers.py's
    functions see only the real markers; ``_unmasked`` undoes it."""
    real = _real_markers(text)
    if real is None or _MASK in text:
        return text
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines):
        if number not in real and markers.MARKER.match(line.rstrip("\r\n")):
            lines[number] = line.replace("# ---", "#" + _MASK + " ---", 1)
    return "".join(lines)


def _unmasked(text: str) -> str:
    return text.replace(_MASK, "")


def _has_markers(name: str, text: Optional[str]) -> bool:
    return name.endswith(".py") and text is not None and "# --- exercise E" in text


def _regions(text: str, where: str) -> List[markers.Region]:
    return markers.find_regions(_masked(text), where)


def _student_text(text: str, blanked: Dict[str, Exercise], where: str) -> str:
    return _unmasked(markers.student_version(_masked(text), blanked, where))


def _stripped_text(text: str, where: str) -> str:
    return _unmasked(markers.without_markers(_masked(text), where))


def _kept_text(text: str, blanked: Iterable[str], where: str) -> str:
    """`text` without the blanked regions (markers and code) and without marker lines."""
    masked, blanked = _masked(text), set(blanked)
    lines = masked.splitlines()
    return _unmasked(markers.transform(
        masked, lambda region: [] if region.exercise_id in blanked
        else lines[region.begin + 1:region.end], where))


# ====================================================================== student copies
def make_student_copy(out, only: Optional[Sequence[str]] = None, upto: Optional[str] = None,
                      source_root=None) -> StudentCopy:
    """Write a student copy of the project to the new (or empty) folder `out`.

    The exercises are ``catalogue.select(only, upto)`` (all by default). Their regions become
    hint + ``raise NotImplementedError(exercise.message)``; the other regions keep their code
    and lose their markers. STUDENT.md explains the exercises; the copy is a git repository
    with one commit. Raises RuntimeError (and removes the copy) if a solution line leaks.
    """
    root = _checked_root(source_root)
    out = _checked_out(out, root)
    if isinstance(only, str):
        only = [part.strip() for part in only.split(",") if part.strip()]
    exercises = tuple(select(only, upto))
    blanked = {exercise.id: exercise for exercise in exercises}
    created = not out.exists()
    try:
        files = _write_files(out, root, lambda name, text: _student_text(text, blanked, name))
        (out / "STUDENT.md").write_text(student_notes(exercises), encoding="utf-8")
        write_record(out, "student", exercises)
        leaks = solution_leaks(out, exercises, root)
        if leaks:
            raise RuntimeError(_leak_message(leaks, root))
        commit, note = _git_commit(out, "Student copy of nanonet: exercises "
                                   + ", ".join(blanked))
    except BaseException:
        _remove(out, created)
        raise
    return StudentCopy(out, exercises, len(files) + 2, commit, note)


def _checked_out(out, root: Path) -> Path:
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise ValueError(f"out: {path} exists and is a file; give a new or empty folder.")
    if path.is_dir() and any(path.iterdir()):
        raise ValueError(f"out: {path} exists and is not empty; give a new or empty folder "
                         f"(nothing was written).")
    resolved = path.resolve()
    if resolved == root or root in resolved.parents:
        raise ValueError(f"out: {path} is inside the source tree {root}; the copy would be "
                         f"picked up by the project's own git, pytest and later copies. "
                         f"Choose a folder outside it.")
    return path


def _write_files(out: Path, root: Path, convert: Callable[[str, str], str]) -> List[str]:
    """Copy every project file into `out`; Python files with markers go through `convert`."""
    names = source_files(root)
    for name in names:
        source, target = root / name, out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        text = _read_text(source) if name.endswith(".py") else None
        if _has_markers(name, text):
            with open(target, "w", encoding="utf-8", newline="") as handle:
                handle.write(convert(name, text))
        else:
            shutil.copyfile(source, target)
        shutil.copymode(source, target)
    return names


def _remove(out: Path, created: bool) -> None:
    if not out.exists():
        return
    if created:
        shutil.rmtree(out)
    else:
        _clear(out)


def _clear(folder: Path) -> None:
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def student_notes(exercises: Sequence[Exercise]) -> str:
    """The text of STUDENT.md for a copy with these exercises blanked."""
    rows = "\n".join(f"| {e.id} | {e.title} | {e.stars} | {e.lesson} | {_where(e)} |"
                     for e in exercises)
    only_one = f"python -m pytest -m {exercises[0].marker if exercises else 'exercise_e01'}"
    return f"""# Your copy of nanonet

This is a complete copy of nanonet — the library, its lessons and its tests — with
{len(exercises)} exercise(s) left for you to write. Where an exercise's code was, you find a hint
and a line such as

    raise NotImplementedError("{exercises[0].message if exercises else 'Exercise E01: …'}")

Replace the hint and the `raise` with your code. The docstring above it says what the function
takes and returns; the lesson named in the table explains the equations.

| exercise | title | difficulty | lesson | where |
| --- | --- | --- | --- | --- |
{rows}

## Setting up

    python -m venv .venv && . .venv/bin/activate     # optional: keep it apart from other copies
    pip install -e '.[test]'                         # this copy is the nanonet Python imports

(`.venv/` and the lessons' figures in `lesson_output/` are listed in `.gitignore`, so
`git status` and `git diff` show only your own work.)

## Checking your work

    python -m nanonet exercises grade        # a score table: each exercise, passed or failed,
                                             # and for gradients which parameter is wrong and a hint
    {only_one:<37}# only the tests of one exercise
    python -m nanonet gradcheck              # numerical vs your analytic gradients, every layer

Tests of other parts of nanonet that need an exercise you have not finished yet are reported as
**skipped** ("needs exercise E07 (…)"), not failed; they run again once the exercise is done.
The tests of an exercise itself always run, and fail until it is right.

`{RECORD_NAME}` lists the exercises set in this copy: they are what `exercises grade` scores.
This folder is a git repository with a single commit: `git diff` shows everything you changed.
"""


def _where(exercise: Exercise) -> str:
    by_file: Dict[str, List[str]] = {}
    for path, function in exercise.functions:
        by_file.setdefault(path, []).append(f"`{function}`")
    return "; ".join(f"`{path}`: {', '.join(names)}" for path, names in by_file.items())


# ====================================================================== leak check
def solution_leaks(copy_root, exercises, source_root) -> List[Tuple[str, str]]:
    """(file, solution line) for every distinctive line of a blanked solution found in a text
    file of the copy at `copy_root` (its .git folder aside), as a substring anywhere.

    `exercises`: Exercise objects or ids. A line of a blanked region is distinctive when,
    stripped, it has at least MIN_LEAK_LENGTH characters and it is not ordinary code of the
    project: it is no whole (stripped) line of any source file outside the blanked regions
    (``for t in reversed(range(steps)):`` is), and no part of the library's own code outside
    them (``nanonet/**.py``, which the copy keeps anyway). A line with a trailing comment is
    also tried as code and comment apart. So a lesson, doc or test quoting a solution line in
    prose or inside a longer line is reported, as is anything a faulty copy lets through.
    """
    blanked = {get(e).id if isinstance(e, str) else e.id for e in exercises}
    root = _checked_root(source_root)
    distinctive = _distinctive_lines(root, blanked)
    copy_root = Path(copy_root)
    if not copy_root.is_dir():
        raise ValueError(f"copy_root: {copy_root} is not a folder.")
    leaks = []
    for path in sorted(copy_root.rglob("*")):
        name = path.relative_to(copy_root).as_posix()
        if not path.is_file() or name.split("/")[0] == ".git":
            continue
        text = _read_text(path)
        if text is not None:
            leaks.extend((name, line) for line in distinctive if line in text)
    return leaks


def _distinctive_lines(root: Path, blanked: Set[str]) -> List[str]:
    solution, kept_lines, library = set(), set(), []
    for name in source_files(root):
        text = _read_text(root / name)
        if text is None:
            continue
        if _has_markers(name, text):
            lines = _masked(text).splitlines()
            for region in _regions(text, name):
                if region.exercise_id in blanked:
                    for line in region.solution(lines):
                        solution.update(_pieces(_unmasked(line)))
            text = _kept_text(text, blanked, name)
        kept_lines.update(line.strip() for line in text.splitlines())
        if name.startswith("nanonet/") and name.endswith(".py"):
            library.append(text)
    return sorted(piece for piece in solution if piece not in kept_lines
                  and not any(piece in text for text in library))


def _pieces(line: str) -> Tuple[str, ...]:
    """The stripped line, and its code and trailing comment apart, each if long enough."""
    whole = line.strip()
    code, _, comment = whole.partition("  #")
    candidates = {whole, code.strip(), "#" + comment if comment else ""}
    return tuple(piece for piece in candidates if len(piece) >= MIN_LEAK_LENGTH)


def _leak_message(leaks: List[Tuple[str, str]], root: Path) -> str:
    shown = "\n".join(f"  {name}: {line}" for name, line in leaks[:20])
    more = f"\n  … and {len(leaks) - 20} more" if len(leaks) > 20 else ""
    files = sorted({name for name, _ in leaks})
    return (f"student copy: solution lines leak into the copy (it was removed):\n{shown}{more}\n"
            f"Rewrite these lines in {', '.join(files)} of {root} so they do not repeat the "
            f"solution verbatim, or move them into the exercise's region.")


# ====================================================================== git
def _git_env() -> Dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE")}
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    return env


def _git_commit(folder: Path, message: str) -> Tuple[Optional[str], str]:
    """Make `folder` a git repository with everything in one commit: (commit, note)."""
    if shutil.which("git") is None:
        return None, ("git is not installed: the copy is not a git repository. Run `git init` "
                      "and commit it before handing it out, so students can diff their work.")
    config = ["-c", f"user.name={GIT_NAME}", "-c", f"user.email={GIT_EMAIL}",
              "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false",
              "-c", "init.defaultBranch=main", "-c", "core.hooksPath=/dev/null"]
    for command in (["init", "-q"], ["add", "--all", "--force", "."],
                    ["commit", "-q", "--no-verify", "-m", message]):
        _git(folder, config + command)
    return _git(folder, ["rev-parse", "HEAD"]).strip(), ""


def _git(folder: Path, arguments: List[str]) -> str:
    result = subprocess.run(["git", *arguments], cwd=folder, capture_output=True, text=True,
                            env=_git_env())
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(arguments[-4:])} failed in {folder}: "
                           f"{result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


# ====================================================================== find-the-bug copies
def exercise_of(function_name: str, path: Optional[str] = None) -> Optional[Exercise]:
    """The exercise whose regions include the function `function_name` ("Class.method" or
    just "method"), optionally in the file `path`; None if no exercise owns it."""
    for exercise in EXERCISES:
        for file, function in exercise.functions:
            if function_name in (function, function.rsplit(".", 1)[-1]) \
                    and (path is None or Path(path).as_posix() == file):
                return exercise
    return None


def bug_candidates(source_root=None) -> List[Mutant]:
    """Every mutant of BUG_FUNCTIONS (kinds BUG_KINDS), in a stable sorted order."""
    root = _checked_root(source_root)
    found = []
    for relative, names in mutation.GRADIENT_CODE:     # only the files holding BUG_FUNCTIONS
        wanted = [name for name in names
                  if name in BUG_FUNCTIONS and exercise_of(name, relative) is not None]
        if wanted:
            found += mutation.find_mutants(root / relative, wanted, BUG_KINDS, root=root)
    return sorted(found, key=lambda m: (m.path, m.line, m.col, m.end_line, m.end_col, m.kind,
                                        m.new_text))


def bug_order(seed: int, candidates: Sequence[Mutant]) -> List[Mutant]:
    """`candidates` in the order `seed` tries them: sorted, then permuted by
    ``np.random.default_rng(seed)``. make_bug_copy uses the first one its check catches."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed: expected a non-negative integer, got {seed!r}.")
    ordered = sorted(candidates, key=lambda m: (m.path, m.line, m.col, m.end_line, m.end_col,
                                                m.kind, m.new_text))
    return [ordered[i] for i in np.random.default_rng(int(seed)).permutation(len(ordered))]


def make_bug_copy(out, seed: int, source_root=None,
                  check: Optional[Callable[[Path, Mutant], bool]] = None) -> Mutant:
    """Write a find-the-bug copy to the new (or empty) folder `out` and return its mutant.

    The copy is the project with every marker dropped and exactly one mutant (chosen by
    `seed` from ``bug_candidates``) in one backward function. With `check` (copy folder,
    mutant) → True when the bug is caught, candidates are tried in the seed's order until
    one is caught (at most MAX_BUG_TRIES). The answer key (the mutant, the exercise owning
    its function, the line in the copy) is written to ``<out>.answer.json``, beside the copy.
    """
    root = _checked_root(source_root)
    out = _checked_out(out, root)
    bug_order(seed, [])                                   # a bad seed fails before any work
    ordered = bug_order(seed, bug_candidates(root))
    if not ordered:
        raise RuntimeError(f"make_bug_copy: no mutants found in {', '.join(BUG_FUNCTIONS)} "
                           f"under {root}.")
    created = not out.exists()
    try:
        mutant = _first_caught(out, root, ordered, check)
        _write_bug_files(out, root, mutant)
        _git_commit(out, "Find-the-bug copy of nanonet")
    except BaseException:
        _remove(out, created)
        raise
    key = answer_key_path(out)
    key.write_text(json.dumps(_answer(mutant, seed, out, root), indent=2, ensure_ascii=False)
                   + "\n", encoding="utf-8")
    return mutant


def answer_key_path(out) -> Path:
    """Where make_bug_copy writes the answer key of the copy `out`: beside it."""
    out = Path(out)
    return out.with_name(out.name + ".answer.json")


def _first_caught(out: Path, root: Path, ordered: List[Mutant],
                  check: Optional[Callable[[Path, Mutant], bool]]) -> Mutant:
    if check is None:
        return ordered[0]
    for mutant in ordered[:MAX_BUG_TRIES]:
        _write_bug_files(out, root, mutant)
        caught = check(out, mutant)
        _clear(out)             # the check may leave caches; the copy is rebuilt clean
        if caught:
            return mutant
    raise RuntimeError(f"make_bug_copy: none of the first {min(MAX_BUG_TRIES, len(ordered))} "
                       f"mutants in this seed's order was caught by the check; try another "
                       f"seed or a stronger check.")


def _write_bug_files(out: Path, root: Path, mutant: Mutant) -> None:
    def convert(name: str, text: str) -> str:
        if name == mutant.path:
            text = mutant.apply(text)
        return _stripped_text(text, name)
    _write_files(out, root, convert)
    (out / "BUG.md").write_text(BUG_NOTES, encoding="utf-8")
    write_record(out, "bug", EXERCISES)


def _answer(mutant: Mutant, seed: int, out: Path, root: Path) -> dict:
    exercise = exercise_of(mutant.function, mutant.path)
    text = (root / mutant.path).read_text(encoding="utf-8")
    before = sum(1 for region in _regions(text, mutant.path) for number in
                 (region.begin, region.end) if number < mutant.line - 1)
    return {**mutant.to_dict(), "old_text": mutant.old_text, "new_text": mutant.new_text,
            "line_in_copy": mutant.line - before, "seed": int(seed),
            "exercise": exercise.id if exercise else None,
            "exercise_title": exercise.title if exercise else None,
            "copy": str(out.resolve())}


BUG_NOTES = """# Find the bug

One backward function of this copy of nanonet has a small bug: one sign, one term, one factor,
one transpose or one constant is wrong — the kind of slip anyone makes when deriving or typing
a gradient. Everything else is the real nanonet. Find the line, fix it, and write down what
the wrong gradient was and how you found it.

Tools:

    python -m nanonet gradcheck            # numerical vs analytic gradients of every layer
    python -m nanonet exercises grade      # which exercise's tests fail, with a hint

and, from Python, `nanonet.gradcheck.check_layer(layer, x)` for one layer and
`nanonet.gradcheck.check_formula(f, grad_f, *args)` for one formula: they report, per
parameter, the largest relative error, the worst element and a hint (a constant factor, a
sign, a missing transpose, a missing upstream gradient). Narrow it down from the model to the
layer to the formula.

This folder is a git repository with a single commit: `git diff` shows your fix.
"""
