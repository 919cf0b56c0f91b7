"""Small deliberate bugs in gradient code: the mutation check of the test suite, and material
for find-the-bug exercises.

A *mutant* is one small edit to one function of nanonet's source — the kind of slip a person
makes when deriving or typing a backward pass:

    sign        a − b → a + b,  a + b → a − b,  −x → x,  x −= y → x += y,
                np.subtract → np.add,  np.add → np.subtract
    term        a + b → a  (drop a term),  np.add(a, b, …) → np.add(a, 0, …)
    factor      a · b → a  (drop a factor), np.multiply(a, b, …) → np.multiply(a, 1, …),
                a / b → a
    transpose   x.T → x
    constant    a number c → 2c (and 0 → 1)

``find_mutants(path, names)`` lists every mutant of the named functions (or module-level
assignments) in a source file; ``mutant.apply(source)`` returns the file's source with just
that edit, everything else — comments, formatting — untouched. A test suite *kills* a mutant
when it fails on the mutated code; the share of mutants killed is its mutation score.
"""
from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, List, Optional, Sequence, Tuple

_SIGN_SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add}
_UFUNC_SWAPS = {"subtract": "add", "add": "subtract"}


@dataclass(frozen=True)
class Mutant:
    """One edit: replace the text between (line, col) and (end_line, end_col) by `new_text`."""

    path: str
    function: str
    kind: str
    line: int
    col: int
    end_line: int
    end_col: int
    old_text: str
    new_text: str

    @property
    def description(self) -> str:
        return f"{self.kind}: `{self.old_text}` → `{self.new_text}`"

    def apply(self, source: str) -> str:
        """`source` with this one edit made."""
        lines = source.splitlines(keepends=True)
        start = _offset(lines, self.line, self.col)
        end = _offset(lines, self.end_line, self.end_col)
        if source[start:end] != self.old_text:
            raise ValueError(f"mutation: {self.path}:{self.line} no longer reads "
                             f"{self.old_text!r}; the file changed since the mutant was made.")
        return source[:start] + self.new_text + source[end:]

    def to_dict(self) -> dict:
        return {"path": self.path, "function": self.function, "kind": self.kind,
                "line": self.line, "description": self.description}


def find_mutants(path, names: Sequence[str], kinds: Optional[Sequence[str]] = None,
                 root=None) -> List[Mutant]:
    """Every mutant of the functions (or module-level assignments) called `names` in the
    source file `path`, in source order. `kinds` restricts the operators; `root` makes the
    recorded path relative."""
    path = Path(path)
    source = path.read_text(encoding="utf-8")
    shown = str(path.relative_to(root)) if root is not None else str(path)
    found = []
    for name, node in _targets(ast.parse(source), names):
        for kind, old, new in _edits(node):
            if kinds is not None and kind not in kinds:
                continue
            segment = ast.get_source_segment(source, old)
            found.append(Mutant(shown, name, kind, old.lineno, old.col_offset, old.end_lineno,
                                old.end_col_offset, segment, ast.unparse(new)))
    return _unique(found)


def _targets(tree: ast.Module, names: Sequence[str]) -> Iterator[Tuple[str, ast.AST]]:
    wanted = set(names)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in wanted:
            yield node.name, node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in wanted:
                    yield target.id, node.value


def _edits(function: ast.AST) -> Iterator[Tuple[str, ast.AST, ast.AST]]:
    """(kind, node to replace, its replacement) for every mutation site in `function`,
    skipping docstrings and bookkeeping that is not arithmetic: the shape given to
    ``.reshape(...)`` (NumPy reads any negative size as "the rest") and ``x.shape[...]``
    lookups (on a 2-D array, shape[-1] and shape[1] are the same)."""
    body = function.body if hasattr(function, "body") else [function]
    aliases = _ufunc_aliases(function)
    for statement in body if isinstance(body, list) else [body]:
        if _is_docstring(statement):
            continue
        skipped = _bookkeeping_nodes(statement)
        for node in ast.walk(statement):
            if id(node) not in skipped:
                yield from _node_edits(node, aliases)


def _ufunc_aliases(function: ast.AST) -> dict:
    """Local names bound to NumPy functions in `function` ({"add": "add"} for
    ``multiply, add = np.multiply, np.add``): fast loops call them without the ``np.``."""
    aliases = {}
    for node in ast.walk(function):
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target, value = node.targets[0], node.value
        pairs = (zip(target.elts, value.elts)
                 if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple)
                 else [(target, value)])
        for name, bound in pairs:
            if isinstance(name, ast.Name) and isinstance(bound, ast.Attribute) \
                    and isinstance(bound.value, ast.Name) and bound.value.id == "np":
                aliases[name.id] = bound.attr
    return aliases


def _bookkeeping_nodes(statement: ast.AST) -> set:
    """ids of the nodes inside reshape arguments and `.shape[...]` subscripts."""
    inside = set()
    for node in ast.walk(statement):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "reshape":
            roots = node.args
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) \
                and node.value.attr == "shape":
            roots = [node.slice]
        else:
            continue
        inside.update(id(child) for root in roots for child in ast.walk(root))
    return inside


def _node_edits(node: ast.AST, aliases: dict) -> Iterator[Tuple[str, ast.AST, ast.AST]]:
    for operator in (_binop_edits, _unary_edits, _augassign_edits, _transpose_edits,
                     _constant_edits):
        yield from operator(node)
    yield from _call_edits(node, aliases)


def _binop_edits(node):
    if not isinstance(node, ast.BinOp):
        return
    if type(node.op) in _SIGN_SWAPS:
        yield "sign", node, _replaced(node, op=_SIGN_SWAPS[type(node.op)]())
        yield "term", node, copy.deepcopy(node.left)
    elif isinstance(node.op, (ast.Mult, ast.MatMult)):
        yield "factor", node, copy.deepcopy(node.left)
        yield "factor", node, copy.deepcopy(node.right)
    elif isinstance(node.op, ast.Div):
        yield "factor", node, copy.deepcopy(node.left)


def _unary_edits(node):
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield "sign", node, copy.deepcopy(node.operand)


def _augassign_edits(node):
    if isinstance(node, ast.AugAssign) and type(node.op) in _SIGN_SWAPS:
        yield "sign", node, _replaced(node, op=_SIGN_SWAPS[type(node.op)]())


def _call_edits(node, aliases: dict):
    """np.subtract ↔ np.add; the second operand of np.add → 0, of np.multiply → 1 (also
    through local aliases such as ``add = np.add``)."""
    if not isinstance(node, ast.Call):
        return
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
            and func.value.id == "np":
        name = func.attr
        swapped = {other: _replaced(func, attr=other) for other in _UFUNC_SWAPS.values()}
    elif isinstance(func, ast.Name) and func.id in aliases:
        name = aliases[func.id]
        local = {ufunc: alias for alias, ufunc in aliases.items()}
        swapped = {other: ast.Name(local[other], ast.Load()) if other in local
                   else ast.Attribute(ast.Name("np", ast.Load()), other, ast.Load())
                   for other in _UFUNC_SWAPS.values()}
    else:
        return
    if name in _UFUNC_SWAPS:
        yield "sign", func, swapped[_UFUNC_SWAPS[name]]
    neutral = {"add": 0, "multiply": 1}.get(name)
    if neutral is not None and len(node.args) >= 2:
        args = [copy.deepcopy(a) for a in node.args]
        args[1] = ast.Constant(neutral)
        yield ("term" if name == "add" else "factor"), node, _replaced(node, args=args)


def _transpose_edits(node):
    if isinstance(node, ast.Attribute) and node.attr == "T":
        yield "transpose", node, copy.deepcopy(node.value)


def _constant_edits(node):
    if isinstance(node, ast.Constant) and type(node.value) in (int, float) \
            and not isinstance(node.value, bool):
        changed = 1 if node.value == 0 else node.value * 2
        yield "constant", node, ast.Constant(changed)


def _replaced(node: ast.AST, **fields) -> ast.AST:
    new = copy.deepcopy(node)
    for key, value in fields.items():
        setattr(new, key, value)
    return new


def _is_docstring(statement: ast.AST) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) \
        and isinstance(statement.value.value, str)


def _unique(mutants: List[Mutant]) -> List[Mutant]:
    seen, result = set(), []
    for mutant in mutants:
        key = (mutant.line, mutant.col, mutant.end_line, mutant.end_col, mutant.new_text)
        if key not in seen and mutant.new_text != mutant.old_text:
            seen.add(key)
            result.append(mutant)
    return result


def _offset(lines: List[str], line: int, col: int) -> int:
    """Character offset of (1-based line, 0-based UTF-8 byte column) in the joined lines."""
    text = lines[line - 1].encode("utf-8")[:col].decode("utf-8")
    return sum(len(l) for l in lines[:line - 1]) + len(text)


#: the gradient code of nanonet: (source file, functions or module-level names)
GRADIENT_CODE: List[Tuple[str, Tuple[str, ...]]] = [
    ("nanonet/ops.py", ("sigmoid_grad_from_output", "tanh_grad_from_output", "relu_grad")),
    ("nanonet/layers/activations.py", ("_ACTIVATIONS",)),
    ("nanonet/layers/dense.py", ("dense_backward",)),
    ("nanonet/layers/dropout.py", ("dropout_backward",)),
    ("nanonet/layers/embedding.py", ("embedding_backward",)),
    ("nanonet/losses.py", ("bce_from_probabilities", "bce_from_logits", "mean_squared_error")),
    ("nanonet/layers/lstm.py", ("lstm_cell_backward", "gate_inputs_backward",
                                "lstm_step_backward", "lstm_backward")),
    ("nanonet/fast/dense.py", ("dense_backward",)),
    ("nanonet/fast/activations.py", ("_FAST_ACTIVATIONS", "activation_backward")),
    ("nanonet/fast/embedding.py", ("embedding_backward",)),
    ("nanonet/fast/lstm.py", ("gate_constants", "lstm_backward", "_run_backward_loop",
                              "_masked_recurrent_gradient", "_kernel_gradient",
                              "_recurrent_gradient", "_input_gradient")),
    ("nanonet/teaching/paper.py", ("true_gradients",)),
]


def gradient_mutants(root, kinds: Optional[Sequence[str]] = None,
                     keep: Optional[Callable[[Mutant], bool]] = None) -> List[Mutant]:
    """Every mutant of nanonet's gradient code under the project folder `root`."""
    root = Path(root)
    found = []
    for relative, names in GRADIENT_CODE:
        found += find_mutants(root / relative, names, kinds, root=root)
    return [m for m in found if keep is None or keep(m)]
