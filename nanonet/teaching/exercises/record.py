"""What a copy says about itself: which exercises were set in it (``EXERCISES.json``).

``make-student`` and ``make-bug`` write, at the copy's root::

    {"copy": "student", "exercises": ["E01", "E02", "E03"], "about": "…"}

and ``exercises grade`` grades exactly those when it is not told otherwise (``--only`` /
``--upto`` still choose). So an untouched ``--upto E03`` copy scores 0/3 — not 7/10 for the
seven exercises that were never blanked in it. A folder without the file (nanonet's own
checkout, the solution) is graded on every exercise.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional, Sequence

from .catalogue import Exercise, select

RECORD_NAME = "EXERCISES.json"
KINDS = ("student", "bug")
ABOUT = ("The exercises set in this copy of nanonet: what `python -m nanonet exercises grade` "
         "grades here. Written when the copy was made; not part of the library.")


def write_record(folder, kind: str, exercises: Sequence[Exercise]) -> Path:
    """Write ``folder/EXERCISES.json`` for a copy of `kind` ("student" or "bug")."""
    if kind not in KINDS:
        raise ValueError(f"write_record: kind must be one of {', '.join(KINDS)}, got {kind!r}.")
    path = Path(folder) / RECORD_NAME
    data = {"copy": kind, "exercises": [exercise.id for exercise in exercises], "about": ABOUT}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_record(folder) -> Optional[List[Exercise]]:
    """The exercises recorded in ``folder/EXERCISES.json``, or None if there is no such file.
    A file that is not such a record is a ValueError naming it and what was expected."""
    path = Path(folder) / RECORD_NAME
    if not path.is_file():
        return None
    expected = (f'expected {{"copy": "student", "exercises": ["E01", …]}} as written by '
                f'`exercises make-student`; restore it from the copy\'s first commit (git '
                f'checkout {RECORD_NAME}), or choose with --only / --upto')
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: not readable JSON ({error}); {expected}.") from None
    ids = data.get("exercises") if isinstance(data, dict) else None
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise ValueError(f"{path}: no list of exercise ids in it; {expected}.")
    try:
        return select(only=ids)
    except ValueError as error:
        raise ValueError(f"{path}: {error} — {expected}.") from None
