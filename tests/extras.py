"""Optional extras in the tests: skip cleanly without them, import them only when a test runs.

Importing torch takes about 4 s and importing snownlp another 4 s (it loads its models); at the
top of a test module that cost would be paid at collection by every pytest-xdist worker, whether
or not the worker runs those tests. So a module asks `installed(name)` (importlib's finder, no
import) to skip, and reaches the package through `lazy(...)`, which imports on first use.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
from typing import Any, Callable

import pytest

INSTALL_HINTS = {"torch": "pip install -e '.[torch]'", "snownlp": "pip install -e '.[lessons]'",
                 "matplotlib": "pip install -e '.[plot]'",
                 **{name: "pip install -e '.[notebook]'"
                    for name in ("jupytext", "nbclient", "ipykernel")},
                 **{name: "pip install -e '.[book]'"
                    for name in ("nbconvert", "jupyter_server_mathjax", "selenium")}}


def installed(name: str) -> bool:
    """Whether `import name` would find the package (without importing it)."""
    return importlib.util.find_spec(name) is not None


def needs(*names: str) -> pytest.MarkDecorator:
    """A skip mark for tests that need the optional packages `names`."""
    missing = [name for name in names if not installed(name)]
    hints = sorted({INSTALL_HINTS.get(name, f"pip install {name}") for name in missing})
    if missing:
        require_installed(f"{', '.join(missing)} ({'; '.join(hints)})")
    return pytest.mark.skipif(bool(missing), reason=f"{', '.join(missing)} not installed "
                                                    f"({'; '.join(hints)})")


def require_installed(what: str) -> None:
    """With NANONET_REQUIRE_EXTRAS set (.ci/run sets it where it installed every extra), a
    test that would be skipped for want of `what` is an error instead: CI never passes by
    skipping what it was meant to run."""
    if os.environ.get("NANONET_REQUIRE_EXTRAS", "") not in ("", "0"):
        raise RuntimeError(f"NANONET_REQUIRE_EXTRAS is set, but this test needs {what}, "
                           f"which is not installed.")


class lazy:
    """An object that stands for `make()`'s result and calls `make` on the first attribute
    access: ``torch = lazy.module("torch")`` at a module's top, ``torch.zeros(3)`` in a test."""

    def __init__(self, make: Callable[[], Any]):
        self._make, self._value = make, None

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith(("__", "_pytest")):   # pytest looking at a module's names
            raise AttributeError(attribute)
        if self._value is None:
            self._value = self._make()
        return getattr(self._value, attribute)

    @classmethod
    def module(cls, name: str) -> "lazy":
        return cls(lambda: importlib.import_module(name))
