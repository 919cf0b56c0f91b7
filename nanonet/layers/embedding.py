"""Embedding: token ids → vectors, a table lookup.

Equations, for ids: (N, T) integers in [0, V) and a table E: (V, F)::

    y[n, t] = E[ids[n, t]]                         (N, T, F)
    dE[v]   = Σ_{n,t : ids[n,t] = v} dy[n, t]      (V, F)   an id used twice gets both gradients

The lookup has no gradient with respect to the ids (they are integers). With
``mask_zero=True``, id 0 means "padding": the layer emits the mask ids ≠ 0, which an LSTM
honours by skipping those steps (the row E[0] still exists and is looked up, as in Keras).
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from .. import initializers
from ..fast import embedding as fast_embedding
from ..validation import as_array, check_bool, check_int, check_not_empty
from .base import Layer


def embedding_forward(ids: np.ndarray, table: np.ndarray) -> Tuple[np.ndarray, tuple]:
    """y = E[ids]. ids: (N, ...) ints in [0, V); table: (V, F). Returns (y: (N, ..., F), cache)."""
    return table[ids], (ids, table.shape)


def embedding_backward(dy: np.ndarray, cache: tuple) -> np.ndarray:
    """dE: (V, F), the upstream rows dy (N, ..., F) summed into the rows of the ids they came from.

    cache = (ids (N, ...), table shape (V, F)). dE[v] = Σ_{positions p with ids[p] = v} dy[p];
    rows of ids never looked up stay 0.
    """
    # --- exercise E06 begin ---
    ids, table_shape = cache
    d_table = np.zeros(table_shape, dtype=dy.dtype)
    rows = dy.reshape(-1, table_shape[1])            # (M, F): one row per looked-up position
    for position, token in enumerate(ids.reshape(-1)):
        d_table[token] += rows[position]             # an id used twice gets both rows
    return d_table
    # --- exercise E06 end ---


def check_token_ids(x, input_dim: int, name: str, where: str) -> np.ndarray:
    """`x` as an integer array of ids in [0, input_dim), or a clear error saying what is wrong.

    Whole-number floats (1.0) are accepted and cast, as Keras does; 1.5, NaN, negative ids and
    ids ≥ input_dim are refused (NumPy would silently wrap a negative id to the end of the table).
    """
    ids = as_array(x, name, where)
    if ids.dtype.kind == "b":
        raise TypeError(f"{where}: {name} must hold integer token ids, got booleans.")
    if ids.dtype.kind == "f":
        whole = np.isfinite(ids) & (ids == np.round(ids))
        if not whole.all():
            index = tuple(int(i) for i in np.argwhere(~whole)[0])
            raise ValueError(f"{where}: {name} must hold integer token ids, but {name}"
                             f"{list(index)} = {ids[index].item()!r} is not a whole number.")
    if ids.ndim < 2:
        raise ValueError(f"{where}: {name} must be a batch of id sequences with shape "
                         f"(batch, timesteps), got shape {ids.shape}; for one sequence use "
                         f"[ids].")
    check_not_empty(ids, name, where)
    if ids.size and (ids.min() < 0 or ids.max() >= input_dim):     # checked before any cast
        bad = (ids < 0) | (ids >= input_dim)
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise id_out_of_range(ids[index].item(), list(index), name, input_dim, where)
    if ids.dtype.kind == "f":
        ids = ids.astype(np.int64)               # safe: whole numbers in [0, input_dim)
    return ids


def id_out_of_range(value, index, name: str, input_dim: int, where: str) -> ValueError:
    """The error for token id `value` at `name`[`index`] outside [0, input_dim) — one message
    for nanonet's Embedding and the exported torch module (interop.torch_export)."""
    value = int(value) if abs(value) < 1e15 else value          # 3, not 3.0; 1e+30 stays
    advice = "ids are never negative" if value < 0 else \
        "make input_dim larger than the largest id (e.g. len(tokenizer.word_index) + 1)"
    return ValueError(f"{where}: token id {value} at {name}{list(index)} is outside "
                      f"[0, {input_dim - 1}] (input_dim={input_dim}); {advice}.")


class Embedding(Layer):
    """``Embedding(input_dim, output_dim, input_length=None, mask_zero=False)``.

    Weights (Keras order): embeddings (input_dim, output_dim), initialised uniform in ±0.05.
    Input: ids (N, T) integers in [0, input_dim). Output: (N, T, output_dim).
    ``input_length=T`` lets a model build before it sees data (Keras 2's argument).
    """

    default_name = "embedding"

    def __init__(self, input_dim: int, output_dim: int, input_length: Optional[int] = None,
                 mask_zero: bool = False, embeddings_initializer="uniform",
                 name: Optional[str] = None, dtype=None, input_shape=None):
        where = f"Embedding{'' if name is None else ' ' + repr(name)}"
        self.input_dim = check_int(input_dim, "input_dim", where, minimum=1)
        self.output_dim = check_int(output_dim, "output_dim", where, minimum=1)
        self.input_length = check_int(input_length, "input_length", where, minimum=1,
                                      allow_none=True)
        if input_shape is None and self.input_length is not None:
            input_shape = (self.input_length,)
        super().__init__(name=name, dtype=dtype, input_shape=input_shape)
        self.mask_zero = check_bool(mask_zero, "mask_zero", self.describe())
        initializers.get(embeddings_initializer, "embeddings_initializer")
        self.embeddings_initializer = embeddings_initializer
        self._cache = None
        self._mask = None

    def weight_shapes(self, input_shape):
        """embeddings (input_dim, output_dim), whatever the input shape."""
        return {"embeddings": (self.input_dim, self.output_dim)}

    def build_params(self, input_shape, rng) -> None:
        self.add_weight("embeddings", self.weight_shapes(input_shape)["embeddings"],
                        self.embeddings_initializer, rng,
                        f"input_dim={self.input_dim}, output_dim={self.output_dim}")

    def shape_from_data(self, sample_shape):
        """Token ids: every axis is a sequence length, so every axis stays open."""
        return (None,) * len(sample_shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def prepare_input(self, x, name: str = "input", where: Optional[str] = None) -> np.ndarray:
        if where is None:
            where = self.describe()
        elif self.describe() not in where:
            where = f"{where}: {self.describe()}"
        return check_token_ids(x, self.input_dim, name, where)

    def forward(self, ids: np.ndarray, training: bool = False, mask=None) -> np.ndarray:
        if self.called_directly:                 # a model checked its data at its entry point
            self.require_built("forward")
            ids = self.prepare_input(ids, "ids", f"{self.describe()}.forward")
        y, self._cache = embedding_forward(ids, self.params["embeddings"])
        self._mask = (ids != 0) if self.mask_zero else None
        return y

    def compute_mask(self, mask):
        return self._mask

    def backward(self, dy: np.ndarray) -> None:
        """Fills grads["embeddings"]; returns None (ids have no gradient)."""
        if self.called_directly:
            self.require_forward(self._cache)
            ids = self._cache[0]
            dy = self.checked_gradient(dy, ids.shape + (self.output_dim,), self.dtype)
        if self.uses_reference:
            self.grads["embeddings"][...] = embedding_backward(dy, self._cache)
        else:
            fast_embedding.embedding_backward(dy, self._cache, out=self.grads["embeddings"])
        return None

    def get_config(self) -> dict:
        config = {**super().get_config(), "input_dim": self.input_dim,
                  "output_dim": self.output_dim, "input_length": self.input_length,
                  "mask_zero": self.mask_zero,
                  "embeddings_initializer": initializers.name_of(self.embeddings_initializer)}
        if self.input_length is not None:
            config.pop("input_shape", None)
        return config
