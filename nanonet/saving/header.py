"""The header entry of a model file: its JSON model description, parsed and checked (format,
version, the form of every section, the pruning-mask list), and the optimizer its compile
settings name. Step 2 of the bounded reading order (reading.py) uses parse_header; the
expected entries (expected.py) and the restored compile settings (loading.py) use
stored_optimizer."""
from __future__ import annotations

import json

from .file_format import FORMAT, VERSION, Refused


def parse_header(text: str, where: str) -> dict:
    """The header's JSON, checked: format, version and the form of every section."""
    try:
        header = json.loads(text)
    except ValueError as error:
        raise Refused(f"{where}: the model description is corrupt ({error}).") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        found = header.get("format") if isinstance(header, dict) else type(header).__name__
        raise Refused(f"{where}: unknown file format {found!r} (expected {FORMAT!r}).")
    _check_version(header.get("version"), where)
    shapes = header.get("weights")
    if not isinstance(header.get("model"), dict) or not isinstance(shapes, list) or \
            not isinstance(header["model"].get("dtype"), str) or not all(
            isinstance(s, list) and all(type(d) is int and d >= 0 for d in s) for s in shapes):
        raise Refused(f"{where}: the model description is corrupt (its 'model' or "
                      f"'weights' entry is missing or malformed).")
    if header.get("compile") is not None and not isinstance(header["compile"], dict):
        raise Refused(f"{where}: the model description is corrupt (its 'compile' entry is "
                      f"malformed).")
    if not isinstance(header.get("optimizer_state", False), bool):
        raise Refused(f"{where}: the model description is corrupt (its 'optimizer_state' "
                      f"entry should be true or false, found "
                      f"{header['optimizer_state']!r:.40}).")
    _check_mask_list(header, where)
    return header


def _check_mask_list(header: dict, where: str) -> None:
    """The header's optional "masks" list of {"layer", "weight"} pairs, each listed once (the
    arrays masks/0000 … are checked with the other entries, expected.py)."""
    listed = header.get("masks")
    if listed is None:
        listed = header["masks"] = []
    if not isinstance(listed, list) or not all(
            isinstance(item, dict) and set(item) == {"layer", "weight"}
            and isinstance(item["layer"], str) and isinstance(item["weight"], str)
            for item in listed):
        raise Refused(f"{where}: the model description is corrupt (its 'masks' entry "
                      f"should list {{\"layer\": name, \"weight\": name}} pairs, found "
                      f"{listed!r:.80}).")
    seen = set()
    for index, item in enumerate(listed):
        pair = (item["layer"], item["weight"])
        if pair in seen:
            raise Refused(f"{where}: the pruning mask for layer {item['layer']!r}, weight "
                          f"{item['weight']!r} (masks/{index:04d}) is listed twice; the file "
                          f"is corrupt.")
        seen.add(pair)


def _check_version(version, where: str) -> None:
    """Version 1 is read; a newer one asks for a newer nanonet; anything else is unsupported."""
    if type(version) is int and version == VERSION:
        return
    if type(version) is int and version > VERSION:
        raise Refused(f"{where}: this file was written by a newer nanonet (format version "
                      f"{version}); upgrade nanonet (pip install --upgrade nanonet) to load "
                      f"it. This nanonet reads format version {VERSION} only, so version "
                      f"{version!r} is not supported.")
    corrupt = "" if type(version) is int else " (a version is a whole number: the file is corrupt)"
    raise Refused(f"{where}: file format version {version!r} is not supported by this "
                  f"nanonet (it reads version {VERSION}){corrupt}.")


def stored_optimizer(header: dict, where: str):
    """The optimizer the header's compile settings name (a Refused if they name none)."""
    from .. import optimizers
    try:
        return optimizers.from_config(header["compile"]["optimizer"])
    except Exception as error:  # noqa: BLE001
        raise Refused(corrupt_compile(error, where)) from None


def corrupt_compile(error: Exception, where: str) -> str:
    """The message for compile settings that name no known optimizer or loss (stored_optimizer
    and, in loading.py, the restored compile)."""
    return (f"{where}: the stored compile settings are corrupt or unknown "
            f"({type(error).__name__}: {error}).")

