"""The README stays true: its two first-screen commands, CI running the test command, and its
Python examples actually running."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def first_screen_commands():
    first_screen = "\n".join(README.splitlines()[:30])
    return re.findall(r"```bash\n(.*?)\n```", first_screen, re.S)


def test_first_screen_has_exactly_two_commands_lesson_then_tests():
    commands = first_screen_commands()
    assert len(commands) == 2, commands
    install_and_lesson, install_and_test = commands
    assert install_and_lesson.startswith("pip install -e ") and "python -m nanonet lesson 01" in install_and_lesson
    assert install_and_test.startswith("pip install -e '.[test]'") and "python -m pytest" in install_and_test


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert first_screen_commands()[1] in ci


def test_python_examples_in_the_readme_run(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks
    for index, block in enumerate(blocks):
        exec(compile(block, f"README.md block {index}", "exec"), {})
    out = capsys.readouterr().out
    assert "预测结果：" in out and out.count("PASSED") == len(blocks)


def test_python_examples_in_the_docs_run(capsys):
    for page in sorted((ROOT / "docs").glob("*.md")):
        blocks = re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
        for index, block in enumerate(blocks):
            exec(compile(block, f"{page.name} block {index}", "exec"), {})
    assert "PASSED" in capsys.readouterr().out


def test_readme_lists_every_lesson_with_the_figures_it_writes():
    lessons = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.py"))
    table = {line.split("|")[1].strip()[:2]: line for line in README.splitlines()
             if re.match(r"\| \d\d ", line)}
    assert sorted(table) == [path.stem[:2] for path in lessons]
    for path in lessons:
        source = path.read_text(encoding="utf-8")
        for figure in re.findall(r"`(\d\d_[a-z_0-9]+\.png)`", table[path.stem[:2]]):
            assert figure in source, f"{figure} is not written by {path.name}"
