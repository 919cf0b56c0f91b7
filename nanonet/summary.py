"""``Sequential.summary()``: Keras's table of layers, output shapes and parameter counts."""
from __future__ import annotations

from typing import List

WIDTHS = (29, 26, 10)


def _row(cells) -> str:
    text = ""
    for cell, width in zip(cells, WIDTHS):
        text += (" " + str(cell)).ljust(width)
    return text.rstrip()


def _shape_text(shape) -> str:
    return "?" if shape is None else str((None,) + tuple(shape))


def _size_text(count: int, itemsize: int) -> str:
    size = count * itemsize
    for unit, scale in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.2f} {unit}"
    return f"{size:.2f} Byte"


def summary_lines(model) -> List[str]:
    width = sum(WIDTHS)
    lines = [f'Model: "{model.name}"', "_" * width,
             _row(["Layer (type)", "Output Shape", "Param #"]), "=" * width]
    for layer in model.layers:
        built = layer.built
        lines.append(_row([f"{layer.name} ({type(layer).__name__})",
                           _shape_text(layer.output_shape if built else None),
                           layer.count_params() if built else "?"]))
        lines.append(" " * width)
    total = model.count_params() if model.built else 0
    itemsize = model.dtype.itemsize
    lines += ["=" * width,
                  f"Total params: {total} ({_size_text(total, itemsize)})",
                  f"Trainable params: {total} ({_size_text(total, itemsize)})",
                  "Non-trainable params: 0 (0.00 Byte)",
                  "_" * width]
    if not model.built:
        lines.append("(not built yet: shapes and counts appear once the input shape is known)")
    return lines
