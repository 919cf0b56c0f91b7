"""FAST LSTM over a sequence: equals layers.lstm.lstm_forward / lstm_backward (the reference:
loops over lstm_step_forward / lstm_step_backward, with the same masking and dropout masks).

The equations are the cell's (``layers/lstm.py``, module docstring), repeated for t = 1 … T and
back. What this file speeds up (tests/test_engines.py checks the results equal the reference):

- every array lives in an ``LSTMWorkspace``, allocated once per shape; inside a model's step it
  is reused from batch to batch (no allocations, no page faults), and each timestep's views
  are made once;
- the input projection x W + b of all timesteps is one matmul before the loop (hoisted); dW,
  dR, db and dx are one matmul each after it;
- σ(z) = ½ + ½ tanh(z/2): the ½ is folded into copies of the i, f, o columns of W, R and b
  (exact: × ½ only changes the exponent; for small batches it is applied to each step's
  gates instead), so the four gates are one tanh followed by one affine map,
  y = [½ ½ 1 ½]·tanh + [½ ½ 0 ½];
- the four gate derivatives come from the gate values y in one go:
  σ'(z) = y(1 − y) = ¼ (1 − (2y − 1)²) and tanh'(z) = 1 − y², i.e. k (1 − (a y + b)²) with
  a = [2 2 1 2], b = [−1 −1 0 −1], k = [¼ ¼ 1 ¼];
- the gate gradients dz overwrite the gate values in the cache (they are not needed again),
  and the dh/dc buffers of two consecutive steps are swapped instead of reallocated;
- for a big R, Rᵀ is made contiguous once per backward pass (BLAS is faster on it).
"""
from __future__ import annotations

from typing import Dict, Optional, Tuple

import numpy as np

_CONSTANTS: Dict[Tuple[int, np.dtype], Dict[str, np.ndarray]] = {}


def gate_constants(units: int, dtype) -> Dict[str, np.ndarray]:
    """The (4U,) per-column vectors of the module docstring: pre-scale, affine map, derivative."""
    key = (units, np.dtype(dtype))
    if key not in _CONSTANTS:
        def per_gate(sigmoid_value: float, tanh_value: float) -> np.ndarray:
            vector = np.full(4 * units, sigmoid_value, dtype=dtype)
            vector[2 * units:3 * units] = tanh_value          # the c̃ block
            return vector

        _CONSTANTS[key] = {"scale": per_gate(0.5, 1.0), "offset": per_gate(0.5, 0.0),
                           "a": per_gate(2.0, 1.0), "b": per_gate(-1.0, 0.0),
                           "k": per_gate(0.25, 1.0), "minus_k": per_gate(-0.25, -1.0)}
    return _CONSTANTS[key]


class LSTMWorkspace:
    """Every array one forward + backward pass over (N, T, D) inputs needs.

    Forward cache (time-major): x_time (T, N, D) — or (4, T, N, D) with a per-gate input
    dropout mask — gates (T, N, 4U) (later: their gradients), h and c (T+1, N, U) with
    h[0] = h_0, tanh_c (T, N, U). Scratch: one (N, 4U) and one (N, U) array, two (N, U) pairs
    for dh and dc, and (for big batches / big R) scaled weights and Rᵀ. The backward pass
    writes dx over x_time.
    """

    def weight_copy(self, name: str, like: np.ndarray) -> np.ndarray:
        """A reusable array shaped like `like` (the scaled weights, the transposed R)."""
        copy = self.scaled.get(name)
        if copy is None:
            copy = self.scaled[name] = np.empty(like.shape, like.dtype)
        return copy


    def __init__(self, steps: int, n: int, d: int, units: int, dtype, per_gate_inputs: bool):
        self.key = (steps, n, d, units, np.dtype(dtype), per_gate_inputs)
        empty = lambda *shape: np.empty(shape, dtype)   # noqa: E731
        self.x_time = empty(*((4,) if per_gate_inputs else ()), steps, n, d)
        self.gates = empty(steps, n, 4 * units)
        self.h = empty(steps + 1, n, units)
        self.c = empty(steps + 1, n, units)
        self.tanh_c = empty(steps, n, units)
        self.scaled: Dict[str, np.ndarray] = {}    # weight-sized copies, made when needed
        self.wide = empty(n, 4 * units)
        self.narrow = empty(n, units)
        self.dh = (empty(n, units), empty(n, units))
        self.dc = (empty(n, units), empty(n, units))
        # dx (T·N, D) is written over x_time once dW, the last reader of x_time, is done
        u = units
        self.steps = [(self.gates[t], self.gates[t][:, :u], self.gates[t][:, u:2 * u],
                       self.gates[t][:, 2 * u:3 * u], self.gates[t][:, 3 * u:],
                       self.h[t], self.h[t + 1], self.c[t], self.c[t + 1], self.tanh_c[t])
                      for t in range(steps)]
        self.wide_blocks = tuple(self.wide[:, g * u:(g + 1) * u] for g in range(4))


def new_workspace(x: np.ndarray, units: int, per_gate_inputs: bool,
                  reuse: Optional[LSTMWorkspace] = None) -> LSTMWorkspace:
    """`reuse` if it fits inputs like `x`, else a new workspace."""
    n, steps, d = x.shape
    key = (steps, n, d, units, x.dtype, per_gate_inputs)
    return reuse if reuse is not None and reuse.key == key else \
        LSTMWorkspace(steps, n, d, units, x.dtype, per_gate_inputs)


# ====================================================================== forward
def lstm_forward(x: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray,
                 bias: Optional[np.ndarray], h0: Optional[np.ndarray] = None,
                 c0: Optional[np.ndarray] = None, mask: Optional[np.ndarray] = None,
                 input_mask: Optional[np.ndarray] = None,
                 gate_input_masks: Optional[np.ndarray] = None,
                 recurrent_masks: Optional[np.ndarray] = None,
                 workspace: Optional[LSTMWorkspace] = None):
    """Run the cell over a sequence.

    x: (N, T, D); h0, c0: (N, U) or None (zeros); mask: (N, T) bool, True = real step.
    Dropout masks (None = no dropout): input_mask (N, T, D), one mask for all gates;
    gate_input_masks (4, N, D), one per gate, the same at every step; recurrent_masks (4, N, U).
    `workspace`: an LSTMWorkspace to reuse (its previous contents are overwritten).
    Returns (hs (N, T, U), h_T (N, U), c_T (N, U), cache) — views into the workspace.
    """
    units = recurrent_kernel.shape[0]
    ws = new_workspace(x, units, gate_input_masks is not None, workspace)
    constants = gate_constants(units, x.dtype)
    _fill_inputs(ws, x, input_mask, gate_input_masks)
    # the ½ of σ goes into the weights when they are smaller than the gates of all steps
    # (big batches); otherwise into each step's gates (one more small pass per step)
    scale_weights = ws.gates.shape[0] * ws.gates.shape[1] > kernel.shape[0] + units
    weights = _prepare_weights(ws, kernel, recurrent_kernel, bias,
                               constants["scale"] if scale_weights else None)
    _project_inputs(ws, units, weights[0], weights[2])
    ws.h[0] = 0 if h0 is None else h0
    ws.c[0] = 0 if c0 is None else c0
    carry = None if mask is None else ~mask.T[:, :, None]       # (T, N, 1): True = masked
    _run_forward_loop(ws, constants, weights[1], recurrent_masks, carry, scale_weights)
    steps = len(ws.steps)
    cache = (ws, kernel, recurrent_kernel, bias is not None, carry,
             input_mask if gate_input_masks is None else gate_input_masks, recurrent_masks)
    return ws.h[1:].transpose(1, 0, 2), ws.h[steps], ws.c[steps], cache


def _fill_inputs(ws: LSTMWorkspace, x, input_mask, gate_input_masks) -> None:
    """x_time ← x in time-major order, times the input dropout mask(s)."""
    x_t = x.transpose(1, 0, 2)
    if gate_input_masks is not None:                     # (4, T, N, D): one copy per gate
        np.multiply(x_t[None], gate_input_masks[:, None], out=ws.x_time)
    elif input_mask is not None:
        np.multiply(x_t, input_mask.transpose(1, 0, 2), out=ws.x_time)
    else:
        np.copyto(ws.x_time, x_t)


def _prepare_weights(ws: LSTMWorkspace, kernel, recurrent_kernel, bias, scale):
    """(W, R, b) for the forward pass: copies times `scale`, or the weights themselves."""
    if scale is None:
        return kernel, recurrent_kernel, bias
    return tuple(None if weight is None else
                 np.multiply(weight, scale, out=ws.weight_copy(name, weight))
                 for name, weight in (("kernel", kernel), ("recurrent", recurrent_kernel),
                                      ("bias", bias)))


def _project_inputs(ws: LSTMWorkspace, units: int, kernel, bias) -> None:
    """gates ← x W + b for every timestep: one matmul (one per gate with gate masks)."""
    steps, n = ws.gates.shape[:2]
    rows = steps * n
    gates = ws.gates.reshape(rows, 4 * units)
    if ws.x_time.ndim == 3:
        np.matmul(ws.x_time.reshape(rows, -1), kernel, out=gates)
    else:
        for g in range(4):
            block = slice(g * units, (g + 1) * units)
            np.matmul(ws.x_time[g].reshape(rows, -1), kernel[:, block], out=gates[:, block])
    if bias is not None:
        gates += bias


def _run_forward_loop(ws: LSTMWorkspace, constants, recurrent, recurrent_masks, carry,
                      weights_scaled: bool) -> None:
    """For each t: gates[t] += h_{t−1} R; activate; c_t, tanh(c_t), h_t; carry masked rows."""
    multiply, add, tanh, matmul, copyto = np.multiply, np.add, np.tanh, np.matmul, np.copyto
    scale, offset = constants["scale"], constants["offset"]
    wide, narrow = ws.wide, ws.narrow
    for t, (g, i, f, cc, o, h_prev, h_t, c_prev, c_t, tanh_c) in enumerate(ws.steps):
        if recurrent_masks is None:
            matmul(h_prev, recurrent, out=wide)
        else:
            _masked_recurrent_product(ws, h_prev, recurrent, recurrent_masks)
        add(g, wide, out=g)
        if not weights_scaled:
            multiply(g, scale, out=g)
        tanh(g, out=g)                        # one tanh for the four gates …
        multiply(g, scale, out=g)             # … then σ = ½ + ½ tanh(z/2) on i, f, o
        add(g, offset, out=g)
        multiply(f, c_prev, out=c_t)          # c_t = f ⊙ c_{t−1} + i ⊙ c̃
        multiply(i, cc, out=narrow)
        add(c_t, narrow, out=c_t)
        tanh(c_t, out=tanh_c)
        multiply(o, tanh_c, out=h_t)          # h_t = o ⊙ tanh(c_t)
        if carry is not None:
            copyto(h_t, h_prev, where=carry[t])
            copyto(c_t, c_prev, where=carry[t])


def _masked_recurrent_product(ws: LSTMWorkspace, h_prev, recurrent, masks) -> None:
    """wide ← [(h ⊙ q_g) R̃_g]_g with one recurrent dropout mask q_g per gate."""
    units = h_prev.shape[1]
    for g, block in enumerate(ws.wide_blocks):
        np.multiply(h_prev, masks[g], out=ws.narrow)
        np.matmul(ws.narrow, recurrent[:, g * units:(g + 1) * units], out=block)


# ====================================================================== backward
def lstm_backward(dhs: Optional[np.ndarray], dh_last: Optional[np.ndarray],
                  dc_last: Optional[np.ndarray], cache: tuple, compute_dx: bool = True,
                  out: Optional[Tuple[Optional[np.ndarray], ...]] = None):
    """Backpropagation through time.

    dhs: (N, T, U) gradient of the sequence output, or None (only the last output was used);
    dh_last, dc_last: (N, U) gradients of h_T and c_T, or None.
    Returns (dx (N, T, D) or None, d_kernel, d_recurrent_kernel, d_bias or None, dh0, dc0);
    dx, dh0 and dc0 are views into the workspace. The cached gate values are overwritten by
    the gate gradients dz (the cache is spent). `out` = (d_kernel, d_recurrent_kernel, d_bias)
    arrays to write into.
    """
    ws, kernel, recurrent_kernel, has_bias, carry, input_masks, recurrent_masks = cache
    units = recurrent_kernel.shape[0]
    if units >= 128:                           # big R: BLAS runs faster on a contiguous Rᵀ
        recurrent_t = ws.weight_copy("recurrent_t", recurrent_kernel.T)
        np.copyto(recurrent_t, recurrent_kernel.T)
    else:                                      # small R: the copy would cost more than it saves
        recurrent_t = recurrent_kernel.T
    dh, dc = _run_backward_loop(ws, gate_constants(units, kernel.dtype), dhs, dh_last,
                                dc_last, carry, recurrent_masks, recurrent_t)
    d_kernel, d_recurrent, d_bias = out if out is not None else (None, None, None)
    steps, n = ws.gates.shape[:2]
    dz = ws.gates.reshape(steps * n, 4 * units)
    d_kernel = _kernel_gradient(ws, dz, units, d_kernel)
    d_recurrent = _recurrent_gradient(ws, dz, recurrent_masks, units, d_recurrent)
    d_bias = np.add.reduce(dz, axis=0, out=d_bias) if has_bias else None
    dx = _input_gradient(ws, dz, kernel, input_masks, units) if compute_dx else None
    return dx, d_kernel, d_recurrent, d_bias, dh, dc


def _run_backward_loop(ws: LSTMWorkspace, constants, dhs, dh_last, dc_last, carry,
                       recurrent_masks, recurrent_t):
    """From t = T down to 1: the cell's backward (module docstring of layers/lstm.py), dz into the
    gate cache, and dh_{t−1} = dz Rᵀ. Returns (dh_0, dc_0)."""
    multiply, add, subtract, matmul, copyto = (np.multiply, np.add, np.subtract, np.matmul,
                                                np.copyto)
    a, b, k, minus_k = constants["a"], constants["b"], constants["k"], constants["minus_k"]
    up_i, up_f, up_g, up_o = ws.wide_blocks
    wide, narrow = ws.wide, ws.narrow
    (dh, dh_prev), (dc, dc_prev) = ws.dh, ws.dc
    _start(dh, dh_last)
    _start(dc, dc_last)
    keep = None if carry is None else ~carry                    # (T, N, 1): True = real step
    steps = len(ws.steps)
    for t in reversed(range(steps)):
        g, i, f, cc, o, h_prev, h_t, c_prev, c_t, tanh_c = ws.steps[t]
        if dhs is not None:
            add(dh, dhs[:, t], out=dh)                  # the output at t is h_t
        multiply(tanh_c, tanh_c, out=narrow)            # dc += dh ⊙ o ⊙ (1 − tanh² c_t)
        subtract(1, narrow, out=narrow)
        multiply(narrow, o, out=narrow)
        multiply(narrow, dh, out=narrow)
        if keep is not None:                            # (a masked h_t does not see c_t)
            multiply(narrow, keep[t], out=narrow)
        add(dc, narrow, out=dc)
        multiply(dc, cc, out=up_i)                      # ∂L/∂(gate values):
        multiply(dc, c_prev, out=up_f)                  #   [dc ⊙ c̃, dc ⊙ c_{t−1},
        multiply(dc, i, out=up_g)                       #    dc ⊙ i,  dh ⊙ tanh c_t]
        multiply(dh, tanh_c, out=up_o)
        multiply(dc, f, out=dc_prev)                    # dc_{t−1} = dc ⊙ f
        multiply(g, a, out=g)                           # g ← k (1 − (a y + b)²) ⊙ upstream
        add(g, b, out=g)
        multiply(g, g, out=g)
        multiply(g, minus_k, out=g)
        add(g, k, out=g)
        multiply(g, wide, out=g)                        # dz_t, kept in the gate cache
        if carry is not None:                           # masked rows: no gate gradient …
            multiply(g, keep[t], out=g)
            copyto(dc_prev, dc, where=carry[t])         # … c and h pass straight through
        if recurrent_masks is None:
            matmul(g, recurrent_t, out=dh_prev)         # dh_{t−1} = dz Rᵀ
        else:
            _masked_recurrent_gradient(g, recurrent_t, recurrent_masks, dh_prev, narrow)
        if carry is not None:
            copyto(dh_prev, dh, where=carry[t])
        dh, dh_prev = dh_prev, dh
        dc, dc_prev = dc_prev, dc
    return dh, dc


def _start(buffer: np.ndarray, value: Optional[np.ndarray]) -> None:
    if value is None:
        buffer.fill(0)
    else:
        np.copyto(buffer, value)


def _masked_recurrent_gradient(dz, recurrent_t, masks, out, scratch) -> None:
    """out ← Σ_g (dz_g R_gᵀ) ⊙ q_g: the gradient reaching h_{t−1} through masked h."""
    units = out.shape[1]
    out.fill(0)
    for g in range(4):
        block = slice(g * units, (g + 1) * units)
        np.matmul(dz[:, block], recurrent_t[block], out=scratch)
        scratch *= masks[g]
        out += scratch


def _kernel_gradient(ws: LSTMWorkspace, dz, units, out):
    """dW = Σ_t x̃_tᵀ dz_t: one matmul (one per gate when each gate saw its own masked input)."""
    rows = dz.shape[0]
    if ws.x_time.ndim == 3:
        return np.matmul(ws.x_time.reshape(rows, -1).T, dz, out=out)
    d = ws.x_time.shape[-1]
    result = np.empty((d, 4 * units), dz.dtype) if out is None else out
    for g in range(4):
        block = slice(g * units, (g + 1) * units)
        np.matmul(ws.x_time[g].reshape(rows, d).T, dz[:, block], out=result[:, block])
    return result


def _recurrent_gradient(ws: LSTMWorkspace, dz, masks, units, out):
    """dR = Σ_t h̃_{t−1}ᵀ dz_t: one matmul (one per gate with recurrent dropout)."""
    rows = dz.shape[0]
    h_prev = ws.h[:-1].reshape(rows, units)
    if masks is None:
        return np.matmul(h_prev.T, dz, out=out)
    result = np.empty((units, 4 * units), dz.dtype) if out is None else out
    steps = len(ws.steps)
    for g in range(4):
        block = slice(g * units, (g + 1) * units)
        masked = (ws.h[:-1] * masks[g]).reshape(steps * masks.shape[1], units)
        np.matmul(masked.T, dz[:, block], out=result[:, block])
    return result


def _input_gradient(ws: LSTMWorkspace, dz, kernel, input_masks, units):
    """dx = dz Wᵀ (times the dropout masks): one matmul, time-major, returned as (N, T, D)."""
    steps, n = ws.gates.shape[:2]
    d = kernel.shape[0]
    if ws.x_time.ndim == 3:
        out = ws.x_time.reshape(steps * n, d)           # x is not needed any more
        dx = np.matmul(dz, kernel.T, out=out).reshape(steps, n, d).transpose(1, 0, 2)
        return dx if input_masks is None else dx * input_masks
    dx = ws.x_time[0]                                     # (T, N, D), read by dW already
    dx.fill(0)
    for g in range(4):
        block = slice(g * units, (g + 1) * units)
        dx += (dz[:, block] @ kernel[:, block].T).reshape(steps, n, d) * input_masks[g]
    return dx.transpose(1, 0, 2)
