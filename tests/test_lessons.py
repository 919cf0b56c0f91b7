"""Every lesson follows the house rules (each lesson runs in its own test file,
tests/test_lesson_NN.py)."""
import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

LESSONS = sorted((Path(__file__).resolve().parent.parent / "lessons").glob("[0-9][0-9]_*.py"))


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_follows_the_format(path):
    text = path.read_text(encoding="utf-8")
    number = path.stem[:2]
    assert text.startswith(f"# %% [markdown]\n# # Lesson {number} — "), \
        "it opens with a text cell whose heading is the lesson's title"
    assert (ast.get_docstring(ast.parse(text)) or "").startswith(f"Lesson {number} — "), \
        "its module docstring is the one-line title (python -m nanonet lessons shows it)"
    first_code_cell = text.split("\n# %%\n", 1)[1]
    assert first_code_cell.startswith('"""'), \
        "the docstring opens the first code cell (alone in a cell, a notebook would print it)"
    assert f'lesson.options("{number}"' in text, "shared options: --out/--quick/--seed"


def test_lessons_are_numbered_without_gaps():
    assert [p.stem[:2] for p in LESSONS] == [f"{i:02d}" for i in range(1, len(LESSONS) + 1)]


def test_quick_mode_is_also_an_environment_variable(tmp_path):
    result = subprocess.run([sys.executable, str(LESSONS[0]), "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "NANONET_QUICK": "1"})
    assert result.returncode == 0 and "step   300" in result.stdout


def test_the_readme_says_which_extra_each_lesson_needs():
    """A lesson that tells the learner to `pip install -e '.[X]'` has X in its README row, and
    every extra a row names exists in setup.cfg."""
    root = LESSONS[0].parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    header = next(line for line in readme.splitlines() if line.startswith("| lesson |"))
    columns = [c.strip() for c in header.strip("|").split("|")]
    assert columns[2:4] == ["full run", "needs"], columns
    setup = (root / "setup.cfg").read_text(encoding="utf-8")
    extras = set(re.findall(r"^(\w+) =$", setup.split("[options.extras_require]")[1]
                            .split("\n[")[0], re.M))
    for path in LESSONS:
        row = next(line for line in readme.splitlines() if line.startswith(f"| {path.stem[:2]} "))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert re.fullmatch(r"\d+ s", cells[2]), f"lesson {path.stem[:2]}: run time {cells[2]!r}"
        named = set(re.findall(r"`\[(\w+)\]`", cells[3]))
        assert named and named <= extras, f"lesson {path.stem[:2]}: needs {cells[3]!r}"
        asked = set(re.findall(r"pip install -e '\.\[(\w+)\]'",
                               path.read_text(encoding="utf-8")))
        assert asked <= named, f"{path.name} asks for {asked}, its README row says {named}"
