"""The mutator behind the mutation check (tests/mutation/) and the find-the-bug exercises."""
import textwrap

import pytest

from nanonet.teaching import mutation

SOURCE = textwrap.dedent('''\
    import numpy as np


    def backward(dz, cache):
        """dx = dz Wᵀ — the docstring is never mutated: 1 - 2."""
        x, w = cache
        dw = x.T @ dz          # a comment that must survive
        db = np.add(dz.sum(axis=0), 0.5 * dz[0], out=None)
        dx = -(dz @ w.T) / 2
        dx -= np.subtract(dx, 1.0)
        return dx, dw, db


    def untouched(a, b):
        return a - b
''')


@pytest.fixture
def source_file(tmp_path):
    path = tmp_path / "module.py"
    path.write_text(SOURCE, encoding="utf-8")
    return path


def test_every_kind_of_mutant_is_found_in_the_named_function_only(source_file):
    mutants = mutation.find_mutants(source_file, ["backward"])
    kinds = {m.kind for m in mutants}
    assert kinds == {"sign", "term", "factor", "transpose", "constant"}
    assert all(m.function == "backward" and 6 <= m.line <= 11 for m in mutants)
    descriptions = {m.description for m in mutants}
    for expected in ("transpose: `x.T` → `x`", "sign: `-(dz @ w.T)` → `dz @ w.T`",
                     "sign: `np.subtract` → `np.add`", "constant: `0.5` → `1.0`",
                     "factor: `0.5 * dz[0]` → `dz[0]`",
                     "term: `np.add(dz.sum(axis=0), 0.5 * dz[0], out=None)` → "
                     "`np.add(dz.sum(axis=0), 0, out=None)`"):
        assert expected in descriptions, expected


def test_applying_a_mutant_changes_only_its_text(source_file):
    mutant = next(m for m in mutation.find_mutants(source_file, ["backward"])
                  if m.kind == "transpose" and m.old_text == "x.T")
    mutated = mutant.apply(SOURCE)
    assert "dw = x @ dz          # a comment that must survive" in mutated
    assert mutated.replace("x @ dz", "x.T @ dz", 1) == SOURCE
    compile(mutated, "module.py", "exec")


def test_every_mutant_compiles(source_file):
    for mutant in mutation.find_mutants(source_file, ["backward", "untouched"]):
        compile(mutant.apply(SOURCE), "module.py", "exec")


def test_a_stale_mutant_is_refused(source_file):
    mutant = next(m for m in mutation.find_mutants(source_file, ["backward"])
                  if m.old_text == "x.T")
    with pytest.raises(ValueError, match="no longer reads 'x.T'"):
        mutant.apply(SOURCE.replace("x.T @ dz", "w.T @ dz"))


@pytest.mark.teacher_only      # counts the mutants of the full solutions (a copy has gaps)
def test_nanonet_gradient_code_yields_hundreds_of_compilable_mutants():
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    mutants = mutation.gradient_mutants(root)
    assert len(mutants) > 200
    for mutant in mutants[::17]:
        compile(mutant.apply((root / mutant.path).read_text(encoding="utf-8")), mutant.path,
                "exec")


def test_local_aliases_of_numpy_functions_are_mutated_too(tmp_path):
    """Fast loops bind `add = np.add` to skip an attribute lookup; their calls are mutants too."""
    source = textwrap.dedent('''
        import numpy as np

        def loop(a, b, out):
            add, subtract, multiply = np.add, np.subtract, np.multiply
            multiply(a, b, out=out)
            add(out, a, out=out)
            return subtract(out, b)
    ''')
    path = tmp_path / "loop.py"
    path.write_text(source, encoding="utf-8")
    described = {m.description for m in mutation.find_mutants(path, ["loop"])}
    assert "factor: `multiply(a, b, out=out)` → `multiply(a, 1, out=out)`" in described
    assert "sign: `add` → `subtract`" in described and "sign: `subtract` → `add`" in described
    assert "term: `add(out, a, out=out)` → `add(out, 0, out=out)`" in described
