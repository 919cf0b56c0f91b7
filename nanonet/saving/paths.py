"""The path argument of ``save_model`` and ``load_model``: a str, pathlib.Path or bytes, checked
the same way by both (check_path)."""
from __future__ import annotations

import os


def check_path(path, where: str) -> str:
    """`path` (a str, pathlib.Path or bytes) as a str, or a clear TypeError/ValueError."""
    if isinstance(path, (str, bytes, os.PathLike)):
        try:
            text = os.fsdecode(path)
        except (TypeError, UnicodeDecodeError):
            text = None
        if isinstance(text, str):
            if not text:
                raise ValueError(f"{where}: path is the empty string ''; give a file name "
                                 f"such as 'model.npz'.")
            if "\0" in text:
                raise ValueError(f"{where}: path {text!r} contains a NUL character ('\\0'), "
                                 f"which no file name can hold.")
            return text
    hint = ""
    if hasattr(path, "get_weights") and hasattr(path, "layers"):
        hint = (" (the model itself: save it with model.save('model.npz'), load it with "
                "nanonet.load_model('model.npz'))")
    raise TypeError(f"{where}: path must be a file path — a str or pathlib.Path such as "
                    f"'model.npz' — got {type(path).__name__}{hint}: {path!r:.60}.")
