"""Plain-text tables whose cells wrap inside their column (the CLI's reports)."""
from __future__ import annotations

import textwrap
from typing import Sequence


def table_row(cells: Sequence, widths: Sequence[int]) -> str:
    """One row: each cell wrapped to its column's width; a row may span several lines."""
    wrapped = [textwrap.wrap(str(cell), width) or [""] for cell, width in zip(cells, widths)]
    height = max(len(column) for column in wrapped)
    return "\n".join("  ".join((column[k] if k < len(column) else "").ljust(width)
                               for column, width in zip(wrapped, widths)).rstrip()
                     for k in range(height))


def aligned_row(cells: Sequence, widths: Sequence[int]) -> str:
    """One row of a numbers table: the first cell left-aligned, the others right-aligned."""
    first, *rest = cells
    return "  ".join([str(first).ljust(widths[0])]
                     + [str(cell).rjust(width) for cell, width in zip(rest, widths[1:])])
