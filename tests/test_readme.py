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


# ---------------------------------------------------------------- the reading path
def reading_path_rows():
    """(file, [names], lines) for each row of the README's "Reading the code" table."""
    section = README.split("\n## Reading the code\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| step (\d+) \| `([^`]+)` \| (.+?) \| .+? \| (\d+) \|$", section,
                      flags=re.M)
    assert rows, "the README's Reading the code section has no table rows"
    assert [int(n) for n, *_ in rows] == list(range(1, len(rows) + 1)), "rows numbered in order"
    return section, [(path, re.findall(r"`([\w.]+)`", names), int(lines))
                     for _, path, names, lines in rows]


def definition_lines(path: Path, dotted: str) -> int:
    """The number of source lines of function/class/method `dotted` ("Adam.update") in `path`,
    decorators and docstring included."""
    import ast
    nodes = ast.parse(path.read_text(encoding="utf-8")).body
    node = None
    for part in dotted.split("."):
        node = next((n for n in nodes if isinstance(n, (ast.FunctionDef, ast.ClassDef))
                     and n.name == part), None)
        assert node is not None, f"README reading path: no {dotted} in {path.name}"
        nodes = node.body
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    return node.end_lineno - first + 1


def test_the_reading_path_is_the_reference_path_in_at_most_900_lines():
    section, rows = reading_path_rows()
    total = 0
    for path, names, lines in rows:
        file = ROOT / path
        assert file.is_file(), path
        assert "/fast/" not in path, f"{path}: the reading path is the reference path"
        assert names, f"{path}: the row names what to read"
        counted = sum(definition_lines(file, name) for name in names)
        assert counted == lines, f"{path}: the README says {lines} lines, the code has {counted}"
        total += lines
    assert 8 <= len(rows) <= 12 and total <= 900, (len(rows), total)
    assert f"{total} lines" in section, f"the section should state the total, {total} lines"
