"""Keras's callbacks: ``fit(..., callbacks=[EarlyStopping(patience=2), ModelCheckpoint(path)])``.

- base.py: ``Callback`` (the moments fit calls) and the list that calls them;
- history.py: ``History``, what fit returns (the last callback of each fit);
- early_stopping.py: ``EarlyStopping``; checkpoint.py: ``ModelCheckpoint``.
"""
from .base import Callback, CallbackList, checked_callbacks
from .checkpoint import ModelCheckpoint
from .early_stopping import EarlyStopping
from .history import History

__all__ = ["Callback", "CallbackList", "EarlyStopping", "History", "ModelCheckpoint",
           "checked_callbacks"]
