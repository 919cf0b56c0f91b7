"""Moving models between nanonet, PyTorch and Keras (optional dependencies, imported lazily).

    to_torch(model)                 a torch.nn.Module with nanonet's architecture and weights
    from_torch(module)              the nanonet Sequential of such a module
    from_keras_weights(model, ws)   a Keras 2 model's get_weights() (a list, or a saved .npz)
                                    into the equivalent nanonet model

PyTorch is needed only by the first two (``pip install -e '.[torch]'``); Keras is never needed:
its weights arrive as NumPy arrays.
"""
from __future__ import annotations

__all__ = ["to_torch", "from_torch", "from_keras_weights"]


def __getattr__(name: str):
    if name == "to_torch":
        from .torch_export import to_torch
        return to_torch
    if name == "from_torch":
        from .torch_import import from_torch
        return from_torch
    if name == "from_keras_weights":
        from . import keras_weights
        return keras_weights.from_keras_weights
    raise AttributeError(f"module 'nanonet.interop' has no attribute {name!r}")
