"""The layout shows the architecture: no import cycles, only the floors at the top of nanonet/.

Every module under nanonet/ is parsed (not imported) with ast, and every import in it counts —
at the top, inside a function, behind an ``if`` — so a cycle hidden in a lazy import is a cycle
too. One edge is not counted: a module's own parent packages (``from .. import ops`` in
layers/dense.py depends on ``nanonet.ops``, not on ``nanonet/__init__.py``), because Python
always initialises them first; what a package's ``__init__`` imports is counted.
"""
import ast
import configparser
import re
import subprocess
import sys
from pathlib import Path

import pytest

import nanonet

PACKAGE = Path(nanonet.__file__).resolve().parent

#: the floors of the house (DESIGN.md), from the ground up; a new module or package at the top
#: of nanonet/ must be added here on purpose — or, better, go into the floor it belongs to
FLOORS = {
    "__init__.py", "__main__.py",
    "errors.py", "validation.py", "blas_threads.py", "tables.py",   # what everything may use
    "ops.py", "initializers.py",                                    # the math
    "layers",                                                       # the layers' equations
    "losses.py", "metrics.py", "optimizers.py",
    "fast", "training",                                             # (DESIGN: coming)
    "callbacks", "progress.py", "summary.py",                       # what fit calls and prints
    "model_attributes.py", "models.py",
    "precision.py", "augment.py", "compress",                       # collaborators of models
    "saving",                                                       # files of models
    "text", "datasets", "preprocessing", "utils.py",                # Keras's data tools
    "plotting.py", "figure_checks.py",                              # figures (matplotlib)
    "gradcheck",                                                    # gradient checking
    "teaching",                     # the teaching tools, exercises/ too: a floor above the core
    "interop",                                                      # PyTorch, Keras weights
    "cli.py",
}


def _modules():
    """{dotted module name: path} of every .py file under nanonet/."""
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ("nanonet",) + path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _imported(module: str, node) -> list:
    """The nanonet modules an Import/ImportFrom node of `module` names (unresolved names as
    written, so a missing module shows up)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.split(".")[0] == "nanonet"]
    if node.level:
        package = module if _is_package(module) else module.rsplit(".", 1)[0]
        base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
        source = f"{base}.{node.module}" if node.module else base
    elif (node.module or "").split(".")[0] == "nanonet":
        source = node.module
    else:
        return []
    return [source] + [f"{source}.{alias.name}" for alias in node.names
                       if f"{source}.{alias.name}" in MODULES
                       or nanonet.moved_to(f"{source}.{alias.name}") in MODULES]


def _owner(name: str) -> str:
    """The module that `name` (a module, or a name inside one) lives in."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def import_graph() -> dict:
    """{module: set of the nanonet modules it imports}, parent packages left out."""
    graph = {}
    for module, path in MODULES.items():
        parents = {module.rsplit(".", k)[0] for k in range(1, module.count(".") + 1)}
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        names = [name for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                 for name in _imported(module, node)]
        graph[module] = {_owner(name) for name in names} - parents - {module}
    return graph


def strongly_connected(graph: dict) -> list:
    """The groups of modules that import each other, round the circle (Tarjan's algorithm)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = set()
            while not group or node not in group:
                group.add(stack.pop())
            on_stack.difference_update(group)
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_module_imports_one_that_imports_it_back():
    cycles = strongly_connected(import_graph())
    assert not cycles, "import cycles: " + "; ".join(" ↔ ".join(group) for group in cycles)


def test_the_cycle_finder_finds_a_lazy_cycle():
    """The check itself can fail: a two-module circle, and a longer one, are found."""
    assert strongly_connected({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_function_level_imports():
    graph = import_graph()
    assert "nanonet.models" in graph["nanonet.gradcheck.layers_and_models"]   # inside check_model
    assert "nanonet.saving" in graph["nanonet.models"]                         # inside save
    saving = [name for name in graph if _inside(name, "nanonet.saving")]
    assert "nanonet.saving.loading" in saving and "nanonet.saving.writing" in saving
    assert [name for name in saving if "nanonet.models" in graph[name]] == []  # DESIGN.md


def test_every_import_inside_nanonet_names_a_module_that_exists():
    """No import of a moved module's old path (nanonet.MOVED) from inside the package, and
    none of a module that is not there."""
    wrong = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for name in _imported(module, node):
                    if nanonet.moved_to(name) or _owner(name) not in MODULES:
                        wrong.append(f"{module}: {name}")
    assert not wrong, wrong


def _inside(name: str, package: str) -> bool:
    """Whether module `name` is `package` or one of its modules."""
    return name == package or name.startswith(package + ".")


def _users_of(graph: dict, package: str) -> list:
    """The modules outside `package` that import a module of it."""
    return sorted(module for module, imported in graph.items()
                  if not _inside(module, package)
                  and any(_inside(name, package) for name in imported))


def test_the_teaching_tools_are_a_floor_above_the_core():
    """Nothing in the library core imports the teaching tools (teaching/: paper, lesson,
    notebook, mutation, exercises/); only the command line, the floor above them, does."""
    assert _users_of(import_graph(), "nanonet.teaching") == ["nanonet.cli"]
    assert _users_of({"nanonet.models": {"nanonet.teaching.paper"}, "nanonet.teaching": set(),
                      "nanonet.teaching.paper": {"nanonet.models"}},
                     "nanonet.teaching") == ["nanonet.models"]          # the check can fail


def _private_imports(module: str, path: Path) -> list:
    """'line: from M import _name' for every private name `module` imports from another
    nanonet module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith(
                "nanonet")):
            source = _imported(module, node)[0]
            found += [f"{node.lineno}: from {source} import {alias.name}" for alias in node.names
                      if alias.name.startswith("_") and not alias.name.startswith("__")]
    return found


def test_the_saving_modules_use_only_each_others_public_names():
    """nanonet/saving/ is one concept per module: what one needs of another is a public,
    documented name of it (no ``from .archive import _count``)."""
    offenders = {name: found for name, path in MODULES.items()
                 if _inside(name, "nanonet.saving") and (found := _private_imports(name, path))}
    assert offenders == {}


def test_the_private_import_check_can_fail(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text("from .archive import element_count, _count\n"
                      "from numpy import _private\n"
                      "from . import __version__\n")
    assert _private_imports("nanonet.saving.expected", source) == [
        "1: from nanonet.saving.archive import _count"]


def test_the_top_level_holds_only_the_floors():
    top = {path.name for path in PACKAGE.iterdir()
           if path.suffix == ".py" or (path / "__init__.py").is_file()}
    strays = sorted(top - FLOORS)
    assert not strays, (f"new at the top of nanonet/: {strays}; put each in the floor it "
                        f"belongs to (teaching/, gradcheck/, …) or add it to FLOORS on purpose")


def _moved_modules() -> list:
    """(old name, new name) of every moved module: MOVED's entries and, for a moved package,
    every module inside it."""
    pairs = []
    for old, new in sorted(nanonet.MOVED.items()):
        pairs.append((old, new))
        inside = sorted(name for name in MODULES if name.startswith(new + "."))
        pairs += [(old + name[len(new):], name) for name in inside]
    return pairs


def test_moved_to_follows_a_package_into_its_modules(monkeypatch):
    monkeypatch.setitem(nanonet.MOVED, "nanonet.old_kit", "nanonet.teaching.kit")
    assert nanonet.moved_to("nanonet.old_kit") == "nanonet.teaching.kit"
    assert nanonet.moved_to("nanonet.old_kit.copies") == "nanonet.teaching.kit.copies"
    assert nanonet.moved_to("nanonet.old_kit.a.b") == "nanonet.teaching.kit.a.b"
    assert nanonet.moved_to("nanonet.old_kitchen") is None        # a prefix of the name only
    assert nanonet.moved_to("nanonet.lesson") == "nanonet.teaching.lesson"
    assert nanonet.moved_to("nanonet.teaching.lesson") is None
    assert nanonet.moved_to("nanonet") is None and nanonet.moved_to("numpy") is None


def _package_data() -> dict:
    """{setup.cfg's package-data pattern, as a path under the project: the files it matches}."""
    config = configparser.ConfigParser()
    config.read(PACKAGE.parent / "setup.cfg", encoding="utf-8")
    found = {}
    for package, patterns in config["options.package_data"].items():
        folder = PACKAGE.parent.joinpath(*package.split("."))
        for pattern in patterns.split():
            found[f"{folder.relative_to(PACKAGE.parent).as_posix()}/{pattern}"] = \
                set(folder.glob(pattern))
    return found


def test_every_data_file_of_the_package_is_installed():
    """Every file under nanonet/ that is not Python is package data in setup.cfg (the golden
    numbers of the exercise checks, the datasets), and every pattern there matches a file: a
    data file moved without its setup.cfg entry would be missing from an installed nanonet."""
    patterns = _package_data()
    assert [pattern for pattern, files in patterns.items() if not files] == []
    installed = set().union(*patterns.values())
    data = {path for path in PACKAGE.rglob("*") if path.is_file()
            and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts}
    assert sorted(path.relative_to(PACKAGE).as_posix() for path in data - installed) == []


@pytest.mark.parametrize("old, new", _moved_modules())
def test_a_moved_module_keeps_its_old_path(old, new):
    import importlib
    assert importlib.import_module(old) is importlib.import_module(new)
    assert sys.modules[old].__spec__.name == new        # relative imports still resolve


def test_old_paths_of_the_docs_and_lessons():
    code = ("import nanonet\n"
            "assert callable(nanonet.lesson.options)\n"               # attribute, not imported
            "from nanonet import lesson, paper, selfcheck\n"
            "from nanonet.lesson import section\n"
            "from nanonet.diagnosis import diagnose\n"
            "from nanonet.epsilon_sweep import EpsilonSweep\n"
            "from nanonet.mutation import Mutant\n"
            "from nanonet import gradcheck\n"
            "assert gradcheck.EpsilonSweep is EpsilonSweep\n"
            "assert callable(gradcheck.epsilon_sweep) and callable(paper.verify)\n"
            "import nanonet.exercises\n"                              # a moved package
            "from nanonet.exercises.copies import make_student_copy\n"
            "from nanonet.exercises import probes\n"
            "from nanonet.teaching.exercises import copies\n"
            "assert copies.make_student_copy is make_student_copy\n"
            "assert nanonet.exercises is nanonet.teaching.exercises\n"
            "assert nanonet.exercises.probes is probes\n"
            "print('ok')\n")
    done = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True,
                          text=True, cwd=PACKAGE.parent)
    assert done.stdout.strip() == "ok", done.stderr


def test_import_nanonet_leaves_the_tools_unimported():
    """``import nanonet`` stays fast: the teaching tools, the self-check, compress, interop and
    matplotlib load only when used."""
    code = ("import sys, nanonet\n"
            "print(' '.join(sorted(m for m in sys.modules if m.startswith(('nanonet.teaching', "
            "'nanonet.gradcheck.selfcheck', 'nanonet.compress', 'nanonet.interop', "
            "'nanonet.exercises', 'matplotlib')))))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=PACKAGE.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def _private_calls_on_others(path: Path) -> list:
    """'line: receiver._name(…)' for every call of a private attribute of another object in
    the file: not on self, cls or super(), and not of a function the file itself defines (a
    module's own helpers, e.g. a class calling its own private method on another instance)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = {node.name for node in ast.walk(tree)
           if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name, receiver = node.func.attr, node.func.value
        if not name.startswith("_") or name.startswith("__") or name in own:
            continue
        if isinstance(receiver, ast.Name) and receiver.id in ("self", "cls"):
            continue
        if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name) \
                and receiver.func.id == "super":
            continue
        found.append(f"{node.lineno}: {ast.unparse(node.func)}(…)")
    return found


def test_no_module_calls_another_objects_private_methods():
    """What one module needs of another's objects is a public, documented method: no
    ``model._prepare_x(…)`` from gradcheck, no ``optimizer._apply(…)`` from models."""
    offenders = {name: calls for name, path in MODULES.items()
                 if (calls := _private_calls_on_others(path))}
    assert offenders == {}


def test_the_private_call_check_can_fail(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text("def f(model, optimizer):\n"
                      "    model._prepare_x(1)\n"
                      "    optimizer.apply_prepared()\n"
                      "    self._own()\n"
                      "    super()._also()\n"
                      "    other._helper()\n"
                      "def _helper():\n"
                      "    pass\n")
    assert _private_calls_on_others(source) == ["2: model._prepare_x(…)"]


def test_the_label_rule_exists_once():
    """Labels (n,) against predictions (n, 1) are reconciled in one place, validation.labels_like
    (losses, metrics and the model's prepare_xy call it): nowhere else is a label array
    reshaped by a last axis of size 1."""
    pattern = re.compile(r"\.reshape\(\s*\w+\.shape(\[:-1\]| \+ \(1,\))\s*\)")
    places = sorted(name for name, path in MODULES.items()
                    if pattern.search(path.read_text(encoding="utf-8")))
    assert places == ["nanonet.validation"]
