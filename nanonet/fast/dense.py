"""FAST dense: equals layers.dense.dense_forward / dense_backward (the reference, z = x W + b).

What it speeds up: results are written into arrays the caller owns (``out=``: a layer's
workspace and gradient buffers, so no allocation and no page faults per batch), dx is skipped
for a model's first layer (``compute_dx=False``), and for one unit dz Wᵀ is a broadcast
product instead of a matmul whose inner dimension is 1 (several times faster in BLAS).
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np


def dense_forward(x: np.ndarray, kernel: np.ndarray, bias: Optional[np.ndarray],
                  out: Optional[np.ndarray] = None) -> Tuple[np.ndarray, tuple]:
    """z = x W + b into `out` (or a new array). x: (N, ..., D), kernel: (D, U), bias: (U,) or
    None. Returns z: (N, ..., U) and cache = (x, kernel, has_bias)."""
    z = np.matmul(x, kernel, out=out)
    if bias is not None:
        z += bias
    return z, (x, kernel, bias is not None)


def dense_backward(dz: np.ndarray, cache: tuple, compute_dx: bool = True,
                   out: Optional[Tuple[Optional[np.ndarray], ...]] = None):
    """(dx, dW, db) of z = x W + b, as the reference; `out` = (dx_out, dW_out, db_out) are
    arrays to write into (any may be None); dx is None unless `compute_dx`."""
    x, kernel, has_bias = cache
    x2 = x.reshape(-1, x.shape[-1])
    dz2 = dz.reshape(-1, dz.shape[-1])
    dx_out, kernel_out, bias_out = out if out is not None else (None, None, None)
    d_kernel = np.matmul(x2.T, dz2, out=kernel_out)
    d_bias = np.add.reduce(dz2, axis=0, out=bias_out) if has_bias else None
    dx = None
    if compute_dx:
        dx = np.multiply(dz, kernel[:, 0], out=dx_out) if kernel.shape[1] == 1 \
            else np.matmul(dz, kernel.T, out=dx_out)
    return dx, d_kernel, d_bias
