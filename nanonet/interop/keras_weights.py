"""Keras 2 weights into nanonet: ``from_keras_weights(model, weights)``.

nanonet keeps Keras's weight order and shapes (DESIGN.md): Dense ``[kernel (D, U), bias (U,)]``,
Embedding ``[embeddings (V, E)]``, LSTM ``[kernel (D, 4U), recurrent_kernel (U, 4U),
bias (4U,)]`` with the gate blocks in Keras's order [i, f, c̃, o]. So a Keras model's
``get_weights()`` list loads unchanged into the nanonet model with the same layers. This
module adds what a learner needs around that: the weights may come as a list or as a ``.npz``
file, the model need not be built yet (the weight shapes say how to build it), and every
mismatch is named layer by layer.

On the Keras side (TensorFlow needed there only), save the list once:

    np.savez("weights.npz", *keras_model.get_weights())      # arr_0, arr_1, … in order

(an ``.h5`` or ``.keras`` file: ``tf.keras.models.load_model(path).get_weights()`` first).
Loading never unpickles: object arrays are refused.
"""
from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path
from typing import List, Sequence, Union

import numpy as np

from ..validation import plain_array

WeightsSource = Union[Sequence[np.ndarray], str, os.PathLike]
WHERE = "from_keras_weights"


def from_keras_weights(model, weights: WeightsSource):
    """Load a Keras 2 model's ``get_weights()`` into the nanonet `model` (same layers, same
    order) and return the model. `weights`: a list of arrays, or the path of a ``.npz`` holding
    them as arr_0, arr_1, … (``np.savez(path, *weights)``). An unbuilt model is built for the
    input size the first weight implies (Dense: D of its (D, U) kernel; LSTM: D of (D, 4U);
    Embedding: token ids of any length)."""
    from ..models import Sequential
    if not isinstance(model, Sequential):
        raise TypeError(f"{WHERE}: model must be a nanonet Sequential, got "
                        f"{type(model).__name__}.")
    arrays = _read_weights(weights)
    if not model.built:
        model.build(_input_shape_from(model, arrays))
    model.set_weights(arrays)
    return model


def _read_weights(weights: WeightsSource) -> List[np.ndarray]:
    if isinstance(weights, (str, os.PathLike)):
        return _load_npz(Path(weights))
    if isinstance(weights, np.ndarray) or not isinstance(weights, (list, tuple)):
        raise TypeError(f"{WHERE}: weights must be a list of arrays (keras_model."
                        f"get_weights()) or the path of a .npz file, got "
                        f"{type(weights).__name__}.")
    arrays = []
    for position, value in enumerate(weights):
        array = plain_array(value, f"weights[{position}]", WHERE)
        if array.dtype.kind not in "fiu":
            raise TypeError(f"{WHERE}: weights[{position}] is not an array of numbers "
                            f"(dtype {array.dtype}).")
        arrays.append(array)
    return arrays


def _load_npz(path: Path) -> List[np.ndarray]:
    if not path.is_file():
        raise FileNotFoundError(f"{WHERE}: no file {str(path)!r}; save the Keras weights "
                                f"with np.savez(path, *keras_model.get_weights()).")
    try:
        with path.open("rb") as handle:
            data = np.load(handle, allow_pickle=False)
            if not isinstance(data, np.lib.npyio.NpzFile):
                raise ValueError(f"{WHERE}: {path} holds one array, not a list of weights; "
                                 f"save them with np.savez(path, *keras_model.get_weights()).")
            with data:
                order = _positional_order(list(data.files), path)
                return [data[name] for name in order]
    except ValueError as error:
        if "allow_pickle" in str(error) or "Object arrays" in str(error):
            raise ValueError(f"{WHERE}: {path} holds Python objects, not numeric arrays; "
                             f"nanonet never unpickles a file. Save plain arrays with "
                             f"np.savez(path, *keras_model.get_weights()).") from None
        raise
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ValueError(f"{WHERE}: {path} is not a readable .npz file ({error}); save the "
                         f"weights with np.savez(path, *keras_model.get_weights()).") from None


def _positional_order(names: List[str], path: Path) -> List[str]:
    """arr_0, arr_1, … in numeric order (np.savez's names for positional arrays)."""
    pattern = re.compile(r"arr_(\d+)")
    numbers = [pattern.fullmatch(name) for name in names]
    if not names or not all(numbers):
        others = [name for name, match in zip(names, numbers) if not match]
        raise ValueError(f"{WHERE}: {path} must hold the weights in order as arr_0, arr_1, … "
                         f"(np.savez(path, *weights)); it holds "
                         f"{', '.join(others[:5]) or 'nothing'}.")
    indices = sorted(int(match[1]) for match in numbers)
    if indices != list(range(len(indices))):
        raise ValueError(f"{WHERE}: {path} has arrays arr_{indices} — some are missing; "
                         f"expected arr_0 … arr_{len(indices) - 1}.")
    return [f"arr_{i}" for i in indices]


def _input_shape_from(model, arrays: List[np.ndarray]) -> tuple:
    """The input shape an unbuilt model's first layer implies from the first weight."""
    from ..layers import LSTM, Dense, Embedding
    first = model.layers[0] if model.layers else None
    known = model.known_input_shape() if hasattr(model, "known_input_shape") else None
    if known is not None:
        return known
    if not arrays:
        raise ValueError(f"{WHERE}: no weights given, and the model is not built.")
    shape = arrays[0].shape
    if isinstance(first, Embedding):
        return (None, None)
    if isinstance(first, (Dense, LSTM)) and len(shape) == 2:
        return (None, shape[0]) if isinstance(first, Dense) else (None, None, shape[0])
    raise ValueError(f"{WHERE}: the model is not built and its first layer "
                     f"({type(first).__name__}) does not say its input size; build it first, "
                     f"e.g. model.build((None, 20)).")
