"""nanonet — a neural-network framework written from scratch in pure NumPy, for learning.

    import nanonet as nn
    from nanonet import layers, losses, optimizers, gradcheck

    model = nn.Sequential([layers.Dense(8, activation="relu", input_shape=(2,)),
                           layers.Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=10, batch_size=8)
"""
from . import gradcheck, initializers, layers, losses, metrics, ops, optimizers
from . import text
from .errors import TrainingDivergedError
from .history import History
from .models import Sequential, load_model

__version__ = "0.1.0"

__all__ = ["Sequential", "load_model", "History", "TrainingDivergedError", "layers", "losses",
           "optimizers", "metrics", "initializers", "ops", "gradcheck", "text", "__version__"]
