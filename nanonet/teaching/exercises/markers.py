"""Exercise regions in source text: find them, blank them for students, or drop the markers.

A region is the lines strictly between ::

    # --- exercise E07 begin ---
    # --- exercise E07 end ---

(each on a line of its own, same indentation). Regions do not nest.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Dict, List

MARKER = re.compile(r"^(?P<indent>[ \t]*)# --- exercise (?P<id>E\d\d) (?P<end>begin|end) ---[ \t]*$")


@dataclass(frozen=True)
class Region:
    exercise_id: str
    begin: int          # 0-based index of the begin marker line
    end: int            # 0-based index of the end marker line
    indent: str

    def solution(self, lines: List[str]) -> List[str]:
        return lines[self.begin + 1:self.end]


def find_regions(text: str, where: str = "source") -> List[Region]:
    """Every region of `text`, in order; a clear ValueError for unbalanced markers."""
    regions, open_region = [], None
    for number, line in enumerate(text.splitlines()):
        match = MARKER.match(line)
        if not match:
            continue
        if match["end"] == "begin":
            if open_region is not None:
                raise ValueError(f"{where}:{number + 1}: exercise {match['id']} begins inside "
                                 f"exercise {open_region[0]}, which began on line "
                                 f"{open_region[1] + 1}.")
            open_region = (match["id"], number, match["indent"])
        else:
            if open_region is None or open_region[0] != match["id"]:
                raise ValueError(f"{where}:{number + 1}: 'exercise {match['id']} end' has no "
                                 f"matching begin.")
            regions.append(Region(open_region[0], open_region[1], number, open_region[2]))
            open_region = None
    if open_region is not None:
        raise ValueError(f"{where}:{open_region[1] + 1}: exercise {open_region[0]} never ends.")
    return regions


def transform(text: str, replacement: Callable[[Region], List[str]],
              where: str = "source") -> str:
    """`text` with every region (markers included) replaced by ``replacement(region)``
    (lines without newlines). Text outside the regions is kept byte for byte."""
    lines = text.splitlines(keepends=True)
    newline = "\n"
    pieces, position = [], 0
    for region in find_regions(text, where):
        pieces.extend(lines[position:region.begin])
        pieces.extend(line + newline for line in replacement(region))
        position = region.end + 1
    pieces.extend(lines[position:])
    return "".join(pieces)


def student_version(text: str, blanked: Dict[str, object], where: str = "source") -> str:
    """Regions of the exercises in `blanked` (id → Exercise) become hint + raise; the other
    regions keep their code and lose their markers."""
    def replace(region: Region) -> List[str]:
        exercise = blanked.get(region.exercise_id)
        lines = text.splitlines()
        if exercise is None:
            return lines[region.begin + 1:region.end]
        return _blank(region.indent, exercise)
    return transform(text, replace, where)


def without_markers(text: str, where: str = "source") -> str:
    """`text` with the marker lines removed and every solution kept."""
    lines = text.splitlines()
    return transform(text, lambda region: lines[region.begin + 1:region.end], where)


def _blank(indent: str, exercise) -> List[str]:
    hint = _wrap(f"Hint: {exercise.hint}", 96 - len(indent))
    return ([f"{indent}# Exercise {exercise.id} — {exercise.title} "
             f"(difficulty {exercise.stars}, lesson {exercise.lesson}). Write this part."]
            + [f"{indent}# {line}" for line in hint]
            + [f"{indent}raise NotImplementedError({exercise.message!r})"])


def _wrap(text: str, width: int) -> List[str]:
    import textwrap
    return textwrap.wrap(text, width=width)
