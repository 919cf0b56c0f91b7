"""The training step, written out (what ``fit`` and ``train_on_batch`` do for every batch)::

    ŷ      = layer_L(… layer_1(x))                     forward, dropout on
    J, dŷ  = loss(y, ŷ)                                (from the logits z if the last layer is a sigmoid)
    dx     = layer_l.backward(dx)  for l = L … 1        each layer stores ∂J/∂(its weights)
    w     ← optimizer(w, ∂J/∂w)                         every weight, in one vectorised pass

``TrainingStep`` holds what the step needs beyond the model: the weights laid out for the
optimizer (one flat buffer, nanonet.fast.buffers), the weight masks (training.masks) and, for
a mixed-precision model, the loss scaling (precision.MixedWeights). ``ModelStep`` is the context
of every computation the model runs itself (a step, evaluate, predict).
"""
from __future__ import annotations

import math
from typing import Optional, Tuple

import numpy as np

from .. import precision
from ..errors import TrainingDivergedError
from ..fast.buffers import flatten
from ..validation import first_non_finite
from .divergence import DivergenceWatch, what_to_try, zero_output_loss
from .masks import WeightMasks


class ModelStep:
    """The context of the model's own computations (a training step, evaluate, predict):

    - NumPy's floating-point warnings are off — a loss or update that stops being finite is
      detected explicitly and reported with the epoch and batch;
    - every layer's ``in_model_step`` is True: layers may keep their temporaries (outputs
      passed to the next layer, gradients passed back) in buffers reused from batch to batch.
      Outside this context — you calling a layer yourself — every call returns fresh arrays.
    """

    def __init__(self, model):
        self.layers = model.layers
        self.errstate = np.errstate(all="ignore")
        self.layers_were = [layer.in_model_step for layer in model.layers]

    def __enter__(self) -> "ModelStep":
        self.errstate.__enter__()
        for layer in self.layers:                # told explicitly: layers read nothing of ours
            layer.in_model_step = True
        return self

    def __exit__(self, *exc_info) -> None:
        for layer, was in zip(self.layers, self.layers_were):
            layer.in_model_step = was
        self.errstate.__exit__(*exc_info)


def loss_and_backward(model, y: np.ndarray, y_pred: np.ndarray) -> float:
    """The loss J of the model's last forward pass on targets `y` (shaped like `y_pred`, the
    output (B, …)); fills every layer's grads with ∂J/∂(its weights).

    Mixed precision: J is taken in float32 and the float16 backward pass starts from S·∂J/∂ŷ
    (precision.MixedWeights.scaled_gradient), so every layer's grads are S times the true ones."""
    if model.output_mask is not None:
        raise ValueError("Sequential: the model's output still carries the mask from "
                         "Embedding(mask_zero=True) (per-timestep losses are not "
                         "supported); end with an LSTM with return_sequences=False.")
    last, mixed = model.layers[-1], model.mixed_weights
    if model.uses_logits():
        loss, gradient = model.loss.compute_from_logits(y, model.cast_output(last.logits))
        dx = last.backward_from_logits(gradient if mixed is None
                                       else mixed.scaled_gradient(gradient))
    else:
        loss, gradient = model.loss.compute(y, model.cast_output(y_pred))
        dx = last.backward(gradient if mixed is None else mixed.scaled_gradient(gradient))
    for layer in reversed(model.layers[:-1]):
        dx = layer.backward(dx)
    return loss


def gradients(model, x: np.ndarray, y: np.ndarray, training: bool, where: str):
    """(J, [∂J/∂w for every weight, get_weights() order]) on the prepared batch x (B, …),
    y (B, …), nothing updated (``Sequential.loss_and_grads``); float32 gradients, unscaled,
    for a mixed-precision model. An overflow is an error naming `where`."""
    with ModelStep(model):
        y_pred = model.forward(x, training=training)
        check_outputs(model, y_pred, x, where)
        loss = loss_and_backward(model, y, y_pred)
    grads = [g.copy() for layer in model.layers for g in layer.grads.values()]
    bad = [index for index, g in enumerate(grads) if first_non_finite(g) is not None]
    if not math.isfinite(loss):
        check_targets_fit(model, y, y_pred, where)
    if not math.isfinite(loss) or bad:
        what = f"the loss is {loss}" if not math.isfinite(loss) else \
            f"the gradient of weight {bad[0]} (get_weights() order) is not finite"
        scaled = "" if model.loss_scale is None or not bad else \
            f" (with the loss scaled by {model.loss_scale.scale:g})"
        raise ValueError(
            f"{where}: {what}{scaled} although x and y are finite — the numbers overflowed "
            f"{model.compute_dtype} inside the model ({scale_report(model, x, y)}). Expected "
            f"inputs and targets of moderate size: scale them (e.g. standardise each "
            f"feature) or use dtype='float64'.")
    if model.loss_scale is not None:
        scale = np.float32(model.loss_scale.scale)
        grads = [g.astype(model.dtype) / scale for g in grads]
    return loss, grads


class TrainingStep:
    """``TrainingStep(model)``: lays the model's weights out for its optimizer — every weight
    and gradient a view of one flat buffer, so the optimizer takes one pass (one array per
    weight with clipnorm or mixed dtypes; a mixed model's float32 masters) — and resets the
    optimizer's slots. ``run(x, y, …)`` is then one step on one batch."""

    def __init__(self, model):
        self.model = model
        self.mixed = model.mixed_weights
        model.optimizer.slots, model.optimizer.iterations = [], 0
        pairs = [(layer, name) for layer in model.layers for name in layer.params]
        dtypes = {layer.params[name].dtype for layer, name in pairs}
        if self.mixed is not None:
            self.params, self.grads = self.mixed.pack(model.layers, model.optimizer.clipnorm)
        elif not pairs:
            self.params, self.grads = [], []
        elif model.optimizer.clipnorm is not None or len(dtypes) > 1:
            self.params = [layer.params[name] for layer, name in pairs]
            self.grads = [layer.grads[name] for layer, name in pairs]
        else:
            self.params, self.grads = flatten(pairs, dtypes.pop())
        self.masks = WeightMasks([], None, "")
        self.watch = DivergenceWatch(model)

    def prepare_masks(self, where: str) -> None:
        """Check every layer's ``weight_masks`` and apply them once (training.masks)."""
        self.masks = WeightMasks(self.model.layers, self.mixed, where)
        if self.masks.plan:
            self.mask_weights()

    def run(self, x: np.ndarray, y: np.ndarray, epoch: int, batch: int, history,
            where: str = "Sequential.fit") -> Tuple[float, np.ndarray]:
        """One step on the batch x (B, …), y (B, …): returns (loss before the update, the
        outputs ŷ (B, …)). Raises TrainingDivergedError (weights as before the batch) if the
        loss or the update stops being finite, or the loss explodes (training.divergence);
        a ValueError naming y if the loss overflows because of the targets alone."""
        model = self.model
        with ModelStep(model):
            y_pred = model.forward(x, training=True)
            loss = loss_and_backward(model, y, y_pred)
            if math.isfinite(loss):
                self.watch.check(loss, y, y_pred, epoch, batch, history, where,
                                 lambda: scale_report(model, x, y))
            else:
                check_targets_fit(model, y, y_pred, f"{where} (epoch {epoch}, batch {batch})")
            updated = math.isfinite(loss) and self.update(epoch, batch, history, where)
        if not updated:
            what = f"the loss became {loss}" if not math.isfinite(loss) else \
                "the weight update overflowed (non-finite gradients or steps)"
            raise TrainingDivergedError(
                f"{where}: {what} at epoch {epoch}, batch {batch}; training stopped and "
                f"the weights are those from before this batch. {what_to_try(model)}",
                epoch, batch, history)
        if self.mixed is not None:
            y_pred = model.cast_output(y_pred)     # metrics see float32, as the loss did
        return loss, y_pred

    def update(self, epoch: int, batch: int, history, where: str) -> bool:
        """The optimizer step on this batch's gradients, with the weight masks and (mixed
        precision) the loss scale. False if the update would overflow (nothing changed)."""
        if self.mixed is not None:
            try:
                finite = self.mixed.loss_scale.update(
                    precision.all_finite(self.mixed.compute_grads))
            except OverflowError as error:
                raise TrainingDivergedError(
                    f"{where}: {error} at epoch {epoch}, batch {batch}; training stopped and "
                    f"the weights are those from before this batch. Lower the learning_rate "
                    f"(now {self.model.optimizer.learning_rate}), check the inputs' scale, or "
                    f"train in float32.", epoch, batch, history) from None
            if not finite:
                return True                      # step skipped, the loss scale halved
            self.mixed.unscale_gradients()
        if self.masks.plan:                      # (no call at all without masks: hot path)
            self.masks.mask_gradients()
        if not self.model.optimizer.apply_prepared(self.params, self.grads, check_finite=True):
            return False
        self.mask_weights()
        return True

    def mask_weights(self) -> None:
        """w ← w ⊙ mask for every masked weight (then, mixed, the float16 copies follow)."""
        if self.masks.plan:
            self.masks.mask_weights()
        if self.mixed is not None:
            self.mixed.update_compute_copies()


def scale_report(model, x: np.ndarray, y: Optional[np.ndarray] = None,
                 y_pred: Optional[np.ndarray] = None) -> str:
    """'largest |x| = 1e+30, largest |weight| = 0.52': the sizes behind an overflow."""
    parts = []
    if x.dtype.kind == "f" and x.size:
        parts.append(f"largest |x| = {float(np.max(np.abs(x))):.3g}")
    for name, array in (("y", y), ("output", y_pred)):
        if array is not None and array.size and first_non_finite(array) is None:
            parts.append(f"largest |{name}| = {float(np.max(np.abs(array))):.3g}")
    weights = [np.max(np.abs(p)) for layer in model.layers for p in layer.params.values()
               if p.size]
    if weights:
        parts.append(f"largest |weight| = {float(max(weights)):.3g}")
    return ", ".join(parts)


def check_outputs(model, outputs: np.ndarray, x: np.ndarray, where: str,
                  first_sample: int = 0) -> None:
    """Refuse outputs (B, …) that stopped being finite numbers (the data x was checked finite,
    so something overflowed inside): one sum, and a search only when it is not finite."""
    found = first_non_finite(outputs)
    if found is None:
        return
    index, value = found
    raise ValueError(
        f"{where}: the model's output for sample {first_sample + index[0]} is {value} "
        f"although x is finite — the numbers overflowed {model.compute_dtype} inside the "
        f"model ({scale_report(model, x)}). Expected inputs of moderate size: scale them "
        f"(e.g. standardise each feature to mean 0 and standard deviation 1) or use "
        f"dtype='float64'.")


def check_targets_fit(model, y: np.ndarray, y_pred: np.ndarray, where: str) -> None:
    """Refuse targets y (B, …) whose loss overflows the model's dtype even against outputs
    of 0 (e.g. MSE on targets of 1e20: y² > 3.4e38): the data is the cause, not the learning
    rate or the weights. Called once a loss is not finite; outputs ŷ (B, …)."""
    if zero_output_loss(model, y, y_pred.shape[1:]) != math.inf:
        return
    raise ValueError(
        f"{where}: the loss of y is not finite even for outputs of 0 — the targets are too "
        f"large for {model.loss.name} in {model.dtype} (largest |y| = "
        f"{float(np.max(np.abs(y))):.3g}). Scale y (e.g. divide by its standard deviation, "
        f"or standardise it, and undo that on the predictions) or use dtype='float64'.")
