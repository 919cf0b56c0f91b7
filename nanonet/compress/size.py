"""How many bytes a model's weights take: a float model, a pruned one, a quantized one.

Only the weights count (what a saved model or a deployed one must hold); the architecture, the
optimizer's slots and the masks of pruning are left out. Two ways to store a pruned weight::

    dense     n · itemsize                              every element, zeros included
    sparse    ⌈n / 8⌉ + nnz · itemsize                  a 1-bit "kept" map + the nonzero values

(``sparse=True`` takes the smaller of the two for each weight: at sparsity p a float32
weight shrinks by the factor (1/32 + (1 − p)), so only past ~3% sparsity is the map worth it.)
"""
from __future__ import annotations

from typing import Dict

from ..tables import aligned_row
from ..validation import check_bool
from .quantization import QuantizedModel
from .weights import layer_weights, require_built_model, weight_nbytes


def layer_nbytes(model, sparse: bool = False) -> Dict[str, int]:
    """{layer name: bytes of its weights} for a Sequential or a QuantizedModel."""
    sparse = check_bool(sparse, "sparse", "layer_nbytes")
    if isinstance(model, QuantizedModel):
        return {layer.name: layer.nbytes(sparse) for layer in model.layers}
    require_built_model(model, "layer_nbytes")
    return {layer.name: sum(weight_nbytes(w, sparse) for w in weights.values())
            for layer, weights in zip(model.layers, layer_weights(model))}


def model_nbytes(model, sparse: bool = False) -> int:
    """Bytes of every weight of `model` — a Sequential (its ``get_weights()``, e.g. 4 bytes per
    float32; a mixed-precision model's float32 master weights) or a QuantizedModel (int8 or
    float16 values + float32 scales + float32 biases).

    ``sparse=True``: pruned weights stored as bitmap + nonzero values (module docstring).
    """
    return sum(layer_nbytes(model, sparse).values())


def _label(model) -> str:
    if isinstance(model, QuantizedModel):
        return f"{model.bits}-bit"
    return str(model.dtype)


def size_report(before, after, sparse: bool = False) -> str:
    """A table of bytes per layer, before and after compression, with the ratio after/before.

    `before`, `after`: Sequential or QuantizedModel objects with the same layer names (e.g. a
    model and ``quantize(model)``). ``sparse`` is passed on to ``model_nbytes``.
    """
    sizes = [layer_nbytes(model, sparse) for model in (before, after)]
    if list(sizes[0]) != list(sizes[1]):
        raise ValueError(f"size_report: before and after must have the same layers, got "
                         f"{list(sizes[0])} and {list(sizes[1])}.")
    widths = (max(12, *(len(name) for name in sizes[0])), 14, 14, 7)
    header = ("layer", f"{_label(before)} bytes", f"{_label(after)} bytes", "ratio")
    lines = [aligned_row(header, widths), "-" * (sum(widths) + 6)]
    names = list(sizes[0]) + ["total"]
    for name in names:
        b = sum(sizes[0].values()) if name == "total" else sizes[0][name]
        a = sum(sizes[1].values()) if name == "total" else sizes[1][name]
        if name == "total":
            lines.append("-" * (sum(widths) + 6))
        ratio = f"{a / b:.3f}" if b else "-"
        lines.append(aligned_row((name, f"{b:,}", f"{a:,}", ratio), widths))
    total_b, total_a = sum(sizes[0].values()), sum(sizes[1].values())
    if total_a:
        lines.append(f"{total_b / total_a:.2f}× smaller" if total_a <= total_b
                     else f"{total_a / total_b:.2f}× larger")
    return "\n".join(lines)
