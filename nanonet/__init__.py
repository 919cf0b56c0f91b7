"""nanonet — a neural-network framework written from scratch in pure NumPy, for learning.

    import nanonet as nn
    from nanonet import layers, losses, optimizers, gradcheck

    model = nn.Sequential([layers.Dense(8, activation="relu", input_shape=(2,)),
                           layers.Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=10, batch_size=8)
"""
import sys as _sys

from . import gradcheck, initializers, layers, losses, metrics, ops, optimizers, utils
from . import text
from .errors import TrainingDivergedError
from . import callbacks
from .callbacks import History
from .models import Sequential, load_model

__version__ = "0.1.0"

__all__ = ["Sequential", "load_model", "History", "TrainingDivergedError", "layers", "losses",
           "optimizers", "metrics", "initializers", "ops", "gradcheck", "text", "__version__"]

#: modules and packages that moved: their old import paths keep working, as the same module
#: object (``import nanonet.lesson`` is ``nanonet.teaching.lesson``), imported on first use; the
#: modules inside a moved package move with it (see moved_to)
MOVED = {"nanonet.history": "nanonet.callbacks.history",
         "nanonet.selfcheck": "nanonet.gradcheck.selfcheck",
         "nanonet.diagnosis": "nanonet.gradcheck.diagnosis",
         "nanonet.epsilon_sweep": "nanonet.gradcheck.sweep",
         "nanonet.paper": "nanonet.teaching.paper",
         "nanonet.lesson": "nanonet.teaching.lesson",
         "nanonet.mutation": "nanonet.teaching.mutation",
         "nanonet.notebook": "nanonet.teaching.notebook",
         "nanonet.exercises": "nanonet.teaching.exercises"}


def moved_to(name: str):
    """The new name of the module `name` if it moved, else None: its MOVED entry, or — for a
    module inside a moved package — the package's new name plus the rest
    (``nanonet.exercises.copies`` → ``nanonet.teaching.exercises.copies``)."""
    old = name
    while old not in MOVED:
        if "." not in old:
            return None
        old = old.rsplit(".", 1)[0]
    return MOVED[old] + name[len(old):]


class _MovedModules:
    """An import hook (a finder on ``sys.meta_path`` and its loader) for the old paths of MOVED
    and of the modules inside a moved package."""

    def find_spec(self, fullname, path=None, target=None):
        if moved_to(fullname) is None:
            return None
        from importlib.machinery import ModuleSpec
        return ModuleSpec(fullname, self)

    def create_module(self, spec):
        from importlib import import_module
        module = import_module(moved_to(spec.name))
        spec.loader_state = module.__spec__         # the import system overwrites __spec__
        return module

    def exec_module(self, module):
        """Nothing to run (create_module returned the module at its new home); give it back
        its own spec, so its relative imports keep resolving from its new package."""
        module.__spec__ = module.__spec__.loader_state


def __getattr__(name: str):
    """``nanonet.lesson`` etc. without importing them first (PEP 562)."""
    if f"{__name__}.{name}" in MOVED:
        from importlib import import_module
        return import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# first on the path, so no other finder (an old install, say) answers for an old name
_sys.meta_path[:] = [_MovedModules()] + [finder for finder in _sys.meta_path
                                         if type(finder).__qualname__ != "_MovedModules"]
