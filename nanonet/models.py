"""Sequential: a stack of layers that builds, trains, evaluates, predicts, summarises and saves.

The training step, written out (what ``fit`` does for every batch)::

    ŷ      = layer_L(… layer_1(x))                     forward, dropout on
    J, dŷ  = loss(y, ŷ)                                (from the logits z if the last layer is a sigmoid)
    dx     = layer_l.backward(dx)  for l = L … 1        each layer stores ∂J/∂(its weights)
    w     ← optimizer(w, ∂J/∂w)                         every weight, in one vectorised pass

Randomness comes from the model's ``seed`` through four independent streams (weight init,
shuffling, dropout, data augmentation), so the same seed gives bit-identical weights, batches,
dropout masks and augmented batches — and switching dropout or augmentation on does not change
the initial weights. (The streams are ``SeedSequence(seed).spawn(4)``; a child's stream
depends only on its position, so the first three are those of the earlier three-stream models.)

Mixed precision (``dtype="mixed_float16"``): the layers compute in float16 from float16 copies
of float32 master weights, the loss is taken in float32 and scaled for the backward pass, with
dynamic loss scaling — see ``nanonet.precision``.
"""
from __future__ import annotations

import math
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from . import precision
from .errors import TrainingDivergedError
from .history import History
from .layers import registry
from .layers.base import Layer, check_engine
from .progress import ProgressBar
from .validation import (as_array, as_float_array, cast_checked, check_bool, check_float,
                         check_int, check_not_empty, check_same_length, check_shape,
                         first_non_finite, keyword_checked)

Arrays = List[np.ndarray]


class Sequential:
    """``Sequential(layers=None, seed=None, dtype="float32", name="sequential", loss_scale=None,
    engine="fast")``.

    A model builds as soon as its input shape is known: from the first layer's ``input_shape``
    / ``input_dim`` / ``input_length``, from ``build(input_shape)``, or from the first data it
    sees. ``seed`` makes everything reproducible; without it every run differs, as in Keras.

    ``dtype``: "float32" (default), "float64", "float16", or "mixed_float16" (or a
    ``precision.Policy``): float16 computations with float32 master weights and dynamic loss
    scaling, as Keras's mixed_float16 policy (``nanonet.precision`` explains it). Then
    ``model.dtype`` is the weights' dtype (float32, as Keras's ``variable_dtype``),
    ``model.compute_dtype`` float16, ``model.dtype_policy`` the Policy, and ``loss_scale`` a
    ``precision.LossScale(initial=2**15, growth_steps=2000)`` whose state (``scale``,
    ``good_steps``, ``skipped_steps``) is ``model.loss_scale``. Other policies have
    ``model.loss_scale = None``. In a mixed model, read and write weights through the model
    (``get_weights``/``set_weights``): a layer's own ``params``/``get_weights`` are its float16
    compute copies, rewritten from the masters after every update.

    ``engine``: "fast" (default: nanonet.fast, fused and in place) or "reference" (the plain
    functions of each layer's module and the optimizer's plain update, the equations as
    written). Both train to the same weights (tests/test_engines.py); the setting goes to
    every layer (``layer.engine``), is not saved, and can be changed: ``model.engine = …``.
    """

    @keyword_checked
    def __init__(self, layers: Optional[Sequence[Layer]] = None, seed: Optional[int] = None,
                 dtype: precision.PolicyLike = "float32", name: str = "sequential",
                 loss_scale: Optional[precision.LossScale] = None, engine: str = "fast"):
        if not isinstance(name, str):
            raise TypeError(f"Sequential: name must be a string, got {name!r} "
                            f"({type(name).__name__}).")
        self.name = name
        self.seed = check_int(seed, "seed", "Sequential", minimum=0, allow_none=True)
        self.dtype_policy = precision.get_policy(dtype, "Sequential")
        self.dtype = self.dtype_policy.variable_dtype
        self.compute_dtype = self.dtype_policy.compute_dtype
        self.loss_scale = precision.check_loss_scale(loss_scale, self.dtype_policy, "Sequential")
        streams = np.random.SeedSequence(self.seed).spawn(4)
        self._init_rng, self._shuffle_rng, self._dropout_rng, self._augment_rng = \
            [np.random.default_rng(stream) for stream in streams]
        #: mixed precision: the float32 master weights of each layer (layer.params holds the
        #: float16 compute copies), and the float32 gradients the optimizer reads
        self._masters: Dict[Layer, Dict[str, np.ndarray]] = {}
        self._master_grads: Dict[Layer, Dict[str, np.ndarray]] = {}
        self._compute_params: Arrays = []
        self._compute_grads: Arrays = []
        self._mask_plan: List[Tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.layers: List[Layer] = []
        self.engine = engine
        self.optimizer: Optional[optimizers_module.Optimizer] = None
        self.loss: Optional[losses_module.Loss] = None
        self.metrics: List[Tuple[str, object]] = []
        self.history: Optional[History] = None
        self._layout: Optional[str] = None         # set once the weights share flat buffers
        self._running = False                      # True inside the model's own computations
        self._output_mask: Optional[np.ndarray] = None
        self._train_params: Arrays = []
        self._train_grads: Arrays = []
        self._metric_fns: List = []                # set by compile
        if layers is not None:
            if isinstance(layers, Layer):
                layers = [layers]
            elif isinstance(layers, (str, bytes, dict)) or not hasattr(layers, "__iter__"):
                raise TypeError(f"Sequential: layers must be a list of nanonet layers, e.g. "
                                f"[layers.Dense(1)], got {layers!r} ({type(layers).__name__}).")
            for layer in layers:
                self.add(layer)

    @property
    def engine(self) -> str:
        """"fast" or "reference": which implementation every layer (and the update) runs."""
        return self._engine

    @engine.setter
    def engine(self, value: str) -> None:
        self._engine = check_engine(value, "Sequential")
        for layer in self.layers:
            layer.engine = self._engine
        if getattr(self, "optimizer", None) is not None:
            self.optimizer.engine = self._engine

    # ================================================================== building
    def add(self, layer: Layer) -> None:
        """Append a layer (built at once if the model already knows its input shape)."""
        if not isinstance(layer, Layer):
            hint = ""
            if isinstance(layer, type):
                hint = " — did you pass the class instead of an instance, e.g. Dense instead of Dense(1)?"
            elif isinstance(layer, str):
                hint = f" — for an activation use layers.Activation({layer!r})."
            raise TypeError(f"Sequential.add: expected a nanonet layer, got {layer!r}{hint}")
        if getattr(layer, "return_state", False):
            raise ValueError(f"Sequential.add: {layer.describe()} has return_state=True, so it "
                             f"returns a list [output, h, c], which a Sequential cannot pass "
                             f"on; call the layer directly to get its states.")
        if getattr(layer, "_model", None) is not None:
            raise ValueError(f"Sequential.add: {layer.describe()} already belongs to a model; "
                             f"create a new layer instead of sharing one.")
        if self.dtype_policy.mixed and layer.dtype is not None and layer.dtype != self.dtype:
            raise ValueError(f"Sequential.add: {layer.describe()} has dtype {layer.dtype}, but "
                             f"a {self.dtype_policy.name} model sets its layers' dtypes itself "
                             f"(float32 weights, {self.compute_dtype} computations); create the "
                             f"layer without a dtype.")
        self._name_layer(layer)
        layer._model = self
        layer.engine = self.engine
        if layer.dtype is None:
            layer.dtype = self.dtype
        if layer.rng is None:                     # a layer with its own seed keeps its generator
            layer.rng = self._dropout_rng
        self.layers.append(layer)
        self._set_layer_roles()
        self._layout = None
        if self.layers[0].built or self.layers[0].declared_input_shape is not None:
            self._build_layers(self._known_input_shape())

    def build(self, input_shape: Optional[Sequence[Optional[int]]] = None) -> None:
        """Build every layer for inputs of `input_shape`, Keras's form with the batch first,
        e.g. ``(None, 20)`` or ``(None, None, 8)`` (open sequence length). A shape whose
        first entry is not None is read as one sample's shape: ``(20,)``."""
        if not self.layers:
            raise ValueError("Sequential.build: the model has no layers; add some first.")
        if input_shape is None:
            input_shape = self._known_input_shape()
            if input_shape is None:
                raise ValueError(
                    "Sequential.build: the input shape is unknown. Pass it, e.g. "
                    "model.build((20,)), give the first layer input_shape=(20,) (or "
                    "input_length for Embedding), or call fit/predict with data.")
        input_shape = check_shape(input_shape, "input_shape", "Sequential.build")
        if input_shape and input_shape[0] is None:
            input_shape = input_shape[1:]
        if not input_shape:
            raise ValueError("Sequential.build: input_shape must give the size of each "
                             "sample, e.g. (None, 20) or (20,), got (None,).")
        if self.built:
            built_for = tuple(self.layers[0].input_shape)
            if not _shape_matches(input_shape, built_for) or len(input_shape) != len(built_for):
                raise ValueError(
                    f"Sequential.build: the model is already built for inputs of shape "
                    f"{(None,) + built_for}, got input_shape {(None,) + input_shape}. A built "
                    f"model's input size cannot change (its weights are sized for it); build "
                    f"a new model for the new size.")
            return
        self._build_layers(input_shape)

    @property
    def built(self) -> bool:
        return bool(self.layers) and all(layer.built for layer in self.layers)

    @property
    def input_shape(self):
        """(None, …) once built."""
        return (None,) + tuple(self.layers[0].input_shape) if self.built else None

    @property
    def output_shape(self):
        """(None, …) once built."""
        return (None,) + tuple(self.layers[-1].output_shape) if self.built else None

    def _known_input_shape(self):
        first = self.layers[0]
        if first.built:
            return first.input_shape
        return first.declared_input_shape

    def _build_layers(self, input_shape) -> None:
        self._layout = None
        shape = tuple(input_shape)
        for layer in self.layers:
            if layer.built:
                if tuple(layer.input_shape) != shape:
                    raise ValueError(
                        f"Sequential: {layer.describe()} was built for inputs of shape "
                        f"{(None,) + tuple(layer.input_shape)}, but the layer before it "
                        f"outputs {(None,) + shape}.")
            else:
                layer.build(shape, self._init_rng, self.dtype)
            shape = tuple(layer.output_shape)
        if self.dtype_policy.mixed:
            for layer in self.layers:
                if layer not in self._masters:
                    self._make_compute_copy(layer)

    def _make_compute_copy(self, layer: Layer) -> None:
        """Mixed precision: the layer's float32 weights become the model's master weights, and
        the layer gets float16 copies (and float16 gradients) to compute with."""
        self._masters[layer] = dict(layer.params)
        for name, master in layer.params.items():
            layer.params[name] = master.astype(self.compute_dtype)
            layer.grads[name] = np.zeros(master.shape, self.compute_dtype)
        layer.dtype = self.compute_dtype

    def _name_layer(self, layer: Layer) -> None:
        taken = {existing.name for existing in self.layers}
        if layer.name is None:
            base, index = layer.default_name, 0
            layer.name = base
            while layer.name in taken:
                index += 1
                layer.name = f"{base}_{index}"
        elif layer.name in taken:
            raise ValueError(f"Sequential.add: a layer named {layer.name!r} is already in the "
                             f"model; layer names must be unique.")

    # ================================================================== compiling
    @keyword_checked
    def compile(self, optimizer="adam", loss=None, metrics: Optional[Sequence] = None) -> None:
        """Choose the optimizer (name or instance), the loss (name or instance) and metrics.

        Unlike Keras (whose default is RMSprop), the default optimizer is Adam.
        """
        self.optimizer = optimizers_module.get(optimizer)
        if loss is None:
            raise ValueError("Sequential.compile: loss is required, e.g. "
                             "loss='binary_crossentropy' or loss='mse'.")
        self.loss = losses_module.get(loss)
        if isinstance(metrics, str) or callable(metrics):
            metrics = [metrics]
        if metrics is not None and (isinstance(metrics, dict)
                                    or not hasattr(metrics, "__iter__")):
            raise TypeError(f"Sequential.compile: metrics must be a list of names or "
                            f"functions, e.g. metrics=['accuracy'], got {metrics!r} "
                            f"({type(metrics).__name__}).")
        self.metrics = [metrics_module.get(m) for m in (metrics or [])]
        # what the inner loops call: built-ins without their input checks (the model checks
        # its data once, at the entry point)
        self._metric_fns = [metrics_module.unchecked(fn) for _, fn in self.metrics]
        self.optimizer.engine = self.engine
        self._layout = None
        if self.loss_scale is not None:          # a new optimizer starts a new loss scale
            self.loss_scale.reset()

    def _require_compiled(self, where: str) -> None:
        if self.loss is None or self.optimizer is None:
            raise RuntimeError(
                f"{where}: the model is not compiled. Call model.compile(optimizer='adam', "
                f"loss='binary_crossentropy') first.")

    # ================================================================== forward / backward
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Run the layers in order on an already-prepared batch `x`; a mask made by
        ``Embedding(mask_zero=True)`` travels along until a layer consumes it (the LSTM)."""
        mask = None
        for layer in self.layers:
            x = layer.forward(x, training=training, mask=mask)
            mask = layer.compute_mask(mask)
        self._output_mask = mask
        return x

    def _uses_logits(self) -> bool:
        return self.loss.accepts_sigmoid_logits and self.layers[-1].output_activation == "sigmoid"

    def _loss_and_backward(self, y: np.ndarray, y_pred: np.ndarray) -> float:
        """Loss of the last forward pass; fills every layer's grads.

        Mixed precision: the loss J is taken in float32 (from the float16 output cast to
        float32) and the backward pass, in float16, starts from S·∂J/∂ŷ — the gradient of the
        scaled loss S·J, with S = ``loss_scale.scale`` — so every layer's grads are S times the
        true ones (``_unscale_gradients`` divides them back, in float32)."""
        if self._output_mask is not None:
            raise ValueError("Sequential: the model's output still carries the mask from "
                             "Embedding(mask_zero=True) (per-timestep losses are not "
                             "supported); end with an LSTM with return_sequences=False.")
        last = self.layers[-1]
        if self._uses_logits():
            loss, d_logits = self.loss.compute_from_logits(y, self._as_variable(last.logits))
            dx = last.backward_from_logits(self._scaled_gradient(d_logits))
        else:
            loss, d_pred = self.loss.compute(y, self._as_variable(y_pred))
            dx = last.backward(self._scaled_gradient(d_pred))
        for layer in reversed(self.layers[:-1]):
            dx = layer.backward(dx)
        return loss

    def _as_variable(self, output: np.ndarray) -> np.ndarray:
        """An output as the loss takes it: unchanged, or float16 → float32 when mixed."""
        return output.astype(self.dtype) if output.dtype != self.dtype else output

    def _scaled_gradient(self, gradient: np.ndarray) -> np.ndarray:
        """Mixed precision: S·gradient (in float32), then rounded to float16 for the layers —
        where a too-large S overflows to inf. Otherwise the gradient unchanged."""
        if self.loss_scale is None:
            return gradient
        scaled = np.multiply(gradient, np.float32(self.loss_scale.scale), dtype=np.float32)
        return scaled.astype(self.compute_dtype)

    def _unscale_gradients(self) -> None:
        """Mixed precision: the float32 gradients the optimizer reads, g32 = float32(g16) / S."""
        scale = np.float32(self.loss_scale.scale)
        for grad32, grad16 in zip(self._train_grads, self._compute_grads):
            np.copyto(grad32, grad16)
            grad32 /= scale

    def loss_and_grads(self, x, y, training: bool = False) -> Tuple[float, Arrays]:
        """The loss on (x, y) and its gradient for every weight, in ``get_weights()`` order.

        Nothing is updated. ``training=True`` switches dropout on (drawing new masks). A mixed
        precision model returns float32 gradients: those of the float16 backward pass of the
        loss scaled by the current ``loss_scale.scale``, divided by it (in float32).
        """
        where = "Sequential.loss_and_grads"
        self._require_compiled(where)
        training = check_bool(training, "training", where)
        x, y = self._prepare_xy(x, y, where)
        with _ModelStep(self):
            y_pred = self.forward(x, training=training)
            self._check_outputs(y_pred, x, where)
            loss = self._loss_and_backward(y, y_pred)
        grads = [g.copy() for layer in self.layers for g in layer.grads.values()]
        bad = [index for index, g in enumerate(grads) if first_non_finite(g) is not None]
        if not math.isfinite(loss) or bad:
            what = f"the loss is {loss}" if not math.isfinite(loss) else \
                f"the gradient of weight {bad[0]} (get_weights() order) is not finite"
            scaled = "" if self.loss_scale is None or not bad else \
                f" (with the loss scaled by {self.loss_scale.scale:g})"
            raise ValueError(
                f"{where}: {what}{scaled} although x and y are finite — the numbers overflowed "
                f"{self.compute_dtype} inside the model ({_scale_report(self, x, y)}). Expected "
                f"inputs and targets of moderate size: scale them (e.g. standardise each "
                f"feature) or use dtype='float64'.")
        if self.loss_scale is not None:
            scale = np.float32(self.loss_scale.scale)
            grads = [g.astype(self.dtype) / scale for g in grads]
        return loss, grads

    def _set_layer_roles(self) -> None:
        """No input gradient for the first layer. Every gradient passed between layers, and
        every output but the last layer's, is the model's own temporary: layers may reuse
        their memory from batch to batch."""
        last = len(self.layers) - 1
        for index, layer in enumerate(self.layers):
            layer.needs_input_grad = index > 0
            layer.may_reuse_gradients = True
            layer.may_reuse_outputs = index < last

    # ================================================================== training
    def train_on_batch(self, x, y) -> Union[float, List[float]]:
        """One optimizer step on one batch; returns the loss (and metrics), as Keras.

        Weight masks (``layer.weight_masks``) and mixed precision work as in ``fit``."""
        where = "Sequential.train_on_batch"
        self._require_compiled(where)
        x, y = self._prepare_xy(x, y, where)
        self._prepare_training()
        self._prepare_masks(where)
        loss, y_pred = self._train_step(x, y, 1, 1, None, where)
        if not self.metrics:
            return loss
        return [loss] + [fn(y, y_pred) for fn in self._metric_fns]

    @keyword_checked
    def fit(self, x=None, y=None, batch_size: Optional[int] = None, epochs: int = 1,
            verbose: int = 1, validation_split: float = 0.0, validation_data=None,
            shuffle: bool = True, augment=None) -> History:
        """Train for `epochs` passes over (x, y) in batches of `batch_size` (default 32).

        As Keras: each epoch uses a new permutation when `shuffle`; the last partial batch is
        kept; the loss shown is the batch-size-weighted mean of the batch losses, each taken
        before that batch's update; ``validation_split`` holds out the *last* fraction of the
        data before any shuffling. Returns a History (also kept as ``model.history``).

        ``augment``: a function ``augment(x_batch, y_batch, rng) -> (x_batch, y_batch)``
        called on every *training* batch (never on validation data, nor in evaluate or
        predict) before the forward pass. ``x_batch`` (B, …) and ``y_batch`` (B, …) are the
        batch as the model holds it (floats in the model's compute dtype, or token ids) and
        copies, so the function may change them in place; ``rng`` is the model's own
        augmentation stream (a ``np.random.Generator`` seeded from the model's seed, saved with
        the model), so a seeded run is reproducible. What it returns is checked like fit's own
        data (the same number of samples in x and y, finite, castable, of the model's input
        shape — sequence lengths may change if the model's are open) and errors name augment.

        Weight masks (pruning): a layer may carry ``layer.weight_masks``, a dict ``{weight
        name: bool array shaped like layer.params[name]}`` (True = keep, False = pruned).
        Then, at the start of training and at every step::

            w ← w ⊙ mask                    once, before the first batch
            g ← g ⊙ mask                    before each update (the optimizer's slots stay 0)
            w ← optimizer(w, g) ⊙ mask      after each update

        so pruned weights stay exactly 0 through fine-tuning, whatever momentum or Adam's
        slots hold. (In a mixed-precision model the masks apply to the float32 master weights,
        and the float16 copies follow.)

        Mixed precision (``dtype="mixed_float16"``): each step runs forward and backward in
        float16, takes the loss in float32, and updates the float32 master weights with the
        unscaled gradients; a step whose float16 gradients are inf/NaN is skipped (weights,
        optimizer slots and iteration count unchanged) and the loss scale halved — see
        ``nanonet.precision``. A loss that is not finite still stops training with a
        TrainingDivergedError.
        """
        where = "Sequential.fit"
        self._require_compiled(where)
        batch_size = check_int(32 if batch_size is None else batch_size, "batch_size", where, 1)
        epochs = check_int(epochs, "epochs", where, minimum=1)
        verbose = _check_verbose(verbose, where)
        shuffle = check_bool(shuffle, "shuffle", where)
        if augment is not None and not callable(augment):
            raise TypeError(f"{where}: augment must be a function augment(x_batch, y_batch, "
                            f"rng) -> (x_batch, y_batch), or None; got {augment!r:.60} "
                            f"({type(augment).__name__}).")
        x, y = self._prepare_xy(x, y, where)
        x, y, validation = self._split_validation(x, y, validation_split, validation_data, where)
        self._prepare_training()
        self._prepare_masks(where)
        steps = math.ceil(len(x) / batch_size)
        history = History({"verbose": verbose, "epochs": epochs, "steps": steps})
        self.history = history
        for epoch in range(1, epochs + 1):
            if verbose in (1, 2) and epochs > 1:            # as Keras's ProgbarLogger
                print(f"Epoch {epoch}/{epochs}")
            progress = ProgressBar(steps, verbose)
            logs = self._run_epoch(x, y, batch_size, shuffle, progress, epoch, history, augment)
            if validation is not None:
                val = self._evaluate_arrays(*validation, batch_size,
                                            where + " (validation data)")
                logs.update({f"val_{name}": value for name, value in val.items()})
            history.record(epoch - 1, logs)
            progress.update(steps, logs)
        return history

    def _run_epoch(self, x, y, batch_size, shuffle, progress, epoch, history,
                   augment=None) -> Dict[str, float]:
        n = len(x)
        order = self._shuffle_rng.permutation(n) if shuffle else None
        totals = _RunningMeans(["loss"] + [name for name, _ in self.metrics])
        metric_fns = self._metric_fns
        for batch, start in enumerate(range(0, n, batch_size), start=1):
            rows = slice(start, start + batch_size) if order is None else \
                order[start:start + batch_size]
            xb, yb = x[rows], y[rows]
            if augment is not None:
                xb, yb = self._augmented(augment, xb, yb, order is None, epoch, batch)
            loss, y_pred = self._train_step(xb, yb, epoch, batch, history)
            values = [loss] + [fn(yb, y_pred) for fn in metric_fns]
            totals.add(values, len(xb))
            if start + batch_size < n:
                progress.update(batch, totals.means())
        return totals.means()

    def _augmented(self, augment, xb: np.ndarray, yb: np.ndarray, views: bool, epoch: int,
                   batch: int) -> Tuple[np.ndarray, np.ndarray]:
        """``augment(xb, yb, rng)`` on copies of the batch, its result checked like fit's data."""
        if views:                                # slices of the training data: hand out copies
            xb, yb = xb.copy(), yb.copy()
        result = augment(xb, yb, self._augment_rng)
        where = f"Sequential.fit: the batch returned by augment (epoch {epoch}, batch {batch})"
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            got = f"a {type(result).__name__} of length {len(result)}" \
                if isinstance(result, (tuple, list)) else f"{type(result).__name__}"
            raise TypeError(f"Sequential.fit: augment must return a pair (x_batch, y_batch), "
                            f"got {got} (epoch {epoch}, batch {batch}).")
        return self._prepare_xy(result[0], result[1], where)

    def _train_step(self, x, y, epoch: int, batch: int, history,
                    where: str = "Sequential.fit") -> Tuple[float, np.ndarray]:
        with _ModelStep(self):
            y_pred = self.forward(x, training=True)
            loss = self._loss_and_backward(y, y_pred)
            updated = math.isfinite(loss) and self._apply_update(epoch, batch, history, where)
        if not updated:
            what = f"the loss became {loss}" if not math.isfinite(loss) else \
                "the weight update overflowed (non-finite gradients or steps)"
            raise TrainingDivergedError(
                f"{where}: {what} at epoch {epoch}, batch {batch}; training stopped and "
                f"the weights are those from before this batch. Try a lower learning_rate (now "
                f"{self.optimizer.learning_rate}), gradient clipping (clipnorm=1.0), or check "
                f"the inputs' scale (standardise features).", epoch, batch, history)
        if self.loss_scale is not None:
            y_pred = self._as_variable(y_pred)     # metrics see float32, as the loss did
        return loss, y_pred

    def _apply_update(self, epoch: int, batch: int, history, where: str) -> bool:
        """The optimizer step on this batch's gradients, with the weight masks and (mixed
        precision) the loss scale. False if the update would overflow (nothing changed)."""
        if self.loss_scale is not None:
            try:
                finite = self.loss_scale.update(precision.all_finite(self._compute_grads))
            except OverflowError as error:
                raise TrainingDivergedError(
                    f"{where}: {error} at epoch {epoch}, batch {batch}; training stopped and "
                    f"the weights are those from before this batch. Lower the learning_rate "
                    f"(now {self.optimizer.learning_rate}), check the inputs' scale, or train "
                    f"in float32.", epoch, batch, history) from None
            if not finite:
                return True                      # step skipped, the loss scale halved
            self._unscale_gradients()
        for _, grad, mask in self._mask_plan:
            grad *= mask
        if not self.optimizer._apply(self._train_params, self._train_grads, check_finite=True):
            return False
        self._apply_weight_masks()
        return True

    def _apply_weight_masks(self) -> None:
        """w ← w ⊙ mask for every masked weight (then, mixed, the float16 copies follow)."""
        for weight, _, mask in self._mask_plan:
            weight *= mask
        self._update_compute_copies()

    def _update_compute_copies(self) -> None:
        """Mixed precision: w16 = float16(w32) for every weight (nothing otherwise)."""
        if self.loss_scale is not None:
            with np.errstate(over="ignore"):     # beyond 65504 gives inf, reported downstream
                for compute, master in zip(self._compute_params, self._train_params):
                    np.copyto(compute, master, casting="same_kind")

    def _prepare_masks(self, where: str) -> None:
        """Check every layer's ``weight_masks`` and apply them once (see ``fit``)."""
        plan = []
        for layer in self.layers:
            for name, mask in layer.checked_weight_masks(where).items():
                if self.loss_scale is not None:
                    plan.append((self._masters[layer][name], self._master_grads[layer][name],
                                 mask))
                else:
                    plan.append((layer.params[name], layer.grads[name], mask))
        self._mask_plan = plan
        if plan:
            self._apply_weight_masks()

    def _prepare_training(self) -> None:
        """Point every weight and gradient at one flat buffer, so the optimizer takes one pass.

        Done once; ``add``, building and ``compile`` mark it to be redone."""
        if self._layout is not None:
            return
        self._layout = "flat"
        self.optimizer.slots, self.optimizer.iterations = [], 0
        pairs = [(layer, name) for layer in self.layers for name in layer.params]
        if self.dtype_policy.mixed:
            self._prepare_mixed_training(pairs)
            return
        dtypes = {layer.params[name].dtype for layer, name in pairs}
        if not pairs:
            self._train_params, self._train_grads = [], []
        elif self.optimizer.clipnorm is not None or len(dtypes) > 1:
            self._train_params = [layer.params[name] for layer, name in pairs]
            self._train_grads = [layer.grads[name] for layer, name in pairs]
        else:
            self._train_params, self._train_grads = _flatten(pairs, dtypes.pop())

    def _prepare_mixed_training(self, pairs) -> None:
        """Mixed precision: four buffers of every weight, in ``get_weights()`` order — float32
        master weights and gradients (what the optimizer updates), float16 compute weights and
        gradients (what the layers use) — each one flat array (one array per weight with
        clipnorm, which clips each weight's gradient separately)."""
        masters = [self._masters[layer][name] for layer, name in pairs]
        self._master_grads = {layer: {} for layer in self.layers}
        if not pairs:
            views = [[], [], [], []]
            self._train_params = self._train_grads = []
            self._compute_params = self._compute_grads = []
        elif self.optimizer.clipnorm is not None:
            views = [[np.array(m) for m in masters], [np.zeros_like(m) for m in masters],
                     [layer.params[name] for layer, name in pairs],
                     [layer.grads[name] for layer, name in pairs]]
            self._train_params, self._train_grads, self._compute_params, \
                self._compute_grads = views
        else:
            flat = [_packed(masters, self.dtype), _packed(masters, self.dtype, zeros=True),
                    _packed(masters, self.compute_dtype),
                    _packed(masters, self.compute_dtype, zeros=True)]
            views = [views for _, views in flat]
            self._train_params, self._train_grads, self._compute_params, \
                self._compute_grads = [[buffer] for buffer, _ in flat]
        for (layer, name), master, grad32, compute, grad16 in zip(pairs, *views):
            self._masters[layer][name] = master
            self._master_grads[layer][name] = grad32
            layer.params[name], layer.grads[name] = compute, grad16

    # ================================================================== evaluate / predict
    @keyword_checked
    def evaluate(self, x=None, y=None, batch_size: Optional[int] = None,
                 verbose: int = 1) -> Union[float, List[float]]:
        """Loss (and metrics) on (x, y), dropout off. A float, or [loss, *metrics] as Keras."""
        where = "Sequential.evaluate"
        self._require_compiled(where)
        batch_size = check_int(32 if batch_size is None else batch_size, "batch_size", where, 1)
        verbose = _check_verbose(verbose, where)
        x, y = self._prepare_xy(x, y, where)
        steps = math.ceil(len(x) / batch_size)
        progress = ProgressBar(steps, verbose)
        logs = self._evaluate_arrays(x, y, batch_size)
        progress.update(steps, logs)
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def _evaluate_arrays(self, x, y, batch_size, where: str = "Sequential.evaluate"
                         ) -> Dict[str, float]:
        totals = _RunningMeans(["loss"] + [name for name, _ in self.metrics])
        metric_fns = self._metric_fns
        with _ModelStep(self):
            for start in range(0, len(x), batch_size):
                xb, yb = x[start:start + batch_size], y[start:start + batch_size]
                y_pred = self.forward(xb, training=False)
                self._check_outputs(y_pred, xb, where, first_sample=start)
                y_pred = self._as_variable(y_pred)
                if self._uses_logits():
                    logits = self._as_variable(self.layers[-1].logits)
                    loss = self.loss.compute_from_logits(yb, logits)[0]
                else:
                    loss = self.loss.compute(yb, y_pred)[0]
                if not math.isfinite(loss):
                    raise ValueError(
                        f"{where}: the loss on samples {start}–{start + len(xb) - 1} is {loss} "
                        f"although x and y are finite — it overflowed {self.compute_dtype} "
                        f"({_scale_report(self, xb, yb, y_pred)}). Expected targets and "
                        f"outputs of moderate size: scale the data (e.g. standardise the "
                        f"features and targets) or use dtype='float64'.")
                totals.add([loss] + [fn(yb, y_pred) for fn in metric_fns], len(xb))
        return totals.means()

    @keyword_checked
    def predict(self, x, batch_size: Optional[int] = None, verbose: int = 0) -> np.ndarray:
        """Outputs for `x` in batches of `batch_size` (default 32), dropout off.

        Returns an array of the model's dtype, e.g. (n, 1) for one output unit (float32 for a
        mixed-precision model, whose float16 outputs are cast). (Keras prints a progress bar
        by default; nanonet's predict is quiet unless verbose=1.)
        """
        where = "Sequential.predict"
        batch_size = check_int(32 if batch_size is None else batch_size, "batch_size", where, 1)
        verbose = _check_verbose(verbose, where)
        x = self._prepare_x(x, where)
        progress = ProgressBar(math.ceil(len(x) / batch_size), verbose)
        with _ModelStep(self):
            outputs = [self.forward(x[start:start + batch_size], training=False)
                       for start in range(0, len(x), batch_size)]
        progress.update(progress.target, {})
        outputs = np.concatenate(outputs, axis=0)
        self._check_outputs(outputs, x, where)
        return self._as_variable(outputs)

    def __call__(self, x, training: bool = False) -> np.ndarray:
        """``model(x)``: one forward pass over all of `x` at once."""
        where = "Sequential.__call__"
        training = check_bool(training, "training", where)
        x = self._prepare_x(x, where)
        with _ModelStep(self):
            output = self.forward(x, training=training)
        self._check_outputs(output, x, where)
        return self._as_variable(output)

    def _check_outputs(self, outputs: np.ndarray, x: np.ndarray, where: str,
                       first_sample: int = 0) -> None:
        """Refuse outputs that stopped being finite numbers (the data was checked finite, so
        something overflowed inside): one sum, and a search only when it is not finite."""
        found = first_non_finite(outputs)
        if found is None:
            return
        index, value = found
        raise ValueError(
            f"{where}: the model's output for sample {first_sample + index[0]} is {value} "
            f"although x is finite — the numbers overflowed {self.compute_dtype} inside the "
            f"model ({_scale_report(self, x)}). Expected inputs of moderate size: scale them "
            f"(e.g. standardise each feature to mean 0 and standard deviation 1) or use "
            f"dtype='float64'.")

    # ================================================================== data checks
    def _prepare_x(self, x, where: str) -> np.ndarray:
        if not self.layers:
            raise ValueError(f"{where}: the model has no layers; add some first.")
        if x is None:
            raise ValueError(f"{where}: x is required.")
        x = self.layers[0].prepare_input(x, "x", where)
        if x.size == 0 or x.ndim == 0:
            check_not_empty(x, "x", where)
            raise ValueError(f"{where}: x has shape {x.shape}: its samples are empty (a "
                             f"dimension of size 0 after the batch); expected at least one "
                             f"feature (or timestep) per sample.")
        if not self.built:
            self._build_layers(self.layers[0].shape_from_data(x.shape[1:]))
        expected = self.layers[0].input_shape
        if not _shape_matches(x.shape[1:], expected):
            raise ValueError(
                f"{where}: x has shape {x.shape}, but the model expects "
                f"{(None,) + tuple(expected)} — "
                f"its first layer, {self.layers[0].describe()}, was built for that. Build a new "
                f"model for a different input size.")
        return x

    def _prepare_xy(self, x, y, where: str) -> Tuple[np.ndarray, np.ndarray]:
        x = self._prepare_x(x, where)
        if y is None:
            raise ValueError(f"{where}: y (the targets) is required.")
        y = as_float_array(y, "y", where, self.dtype)
        check_same_length(x, y, where)
        if self.loss is not None:
            self.loss.check_targets(y, where)
        output = tuple(self.layers[-1].output_shape)
        if y.ndim == len(output) and output[-1] == 1:
            y = y.reshape(y.shape + (1,))              # labels (n,) for outputs (n, 1), as Keras
        if not _shape_matches(y.shape[1:], output):
            raise ValueError(f"{where}: y has shape {y.shape}, but the model outputs "
                             f"{(None,) + output}; give one target per output.")
        return x, y

    def _split_validation(self, x, y, validation_split, validation_data, where):
        validation_split = check_float(validation_split, "validation_split", where, low=0.0,
                                       high=1.0, high_inclusive=False)
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                got = f"a {type(validation_data).__name__} of length {len(validation_data)}" \
                    if isinstance(validation_data, (tuple, list)) \
                    else type(validation_data).__name__
                extra = " (sample weights are not supported)" \
                    if isinstance(validation_data, (tuple, list)) and len(validation_data) == 3 \
                    else ""
                raise ValueError(f"{where}: validation_data must be a tuple (x_val, y_val), "
                                 f"got {got}{extra}.")
            return x, y, self._prepare_xy(*validation_data, where + " (validation_data)")
        if validation_split == 0:
            return x, y, None
        split_at = int(math.floor(len(x) * (1.0 - validation_split)))
        if split_at in (0, len(x)):
            raise ValueError(f"{where}: validation_split={validation_split} leaves "
                             f"{split_at} training and {len(x) - split_at} validation samples "
                             f"out of {len(x)}; both must be at least 1.")
        return x[:split_at], y[:split_at], (x[split_at:], y[split_at:])

    # ================================================================== weights, config
    def get_weights(self) -> Arrays:
        """Copies of every weight, Keras's order and shapes (layer by layer); the float32
        master weights of a mixed-precision model."""
        if self.dtype_policy.mixed:
            return [w.copy() for layer in self.layers
                    for w in self._masters.get(layer, layer.params).values()]
        return [w for layer in self.layers for w in layer.get_weights()]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Overwrite every weight in place from a ``get_weights()``-style list (Keras's works)."""
        where = "Sequential.set_weights"
        if not self.built:
            raise ValueError("Sequential.set_weights: the model is not built yet, so its "
                             "weights do not exist; call build(input_shape) or give the first "
                             "layer an input_shape.")
        if isinstance(weights, np.ndarray) or not isinstance(weights, (list, tuple)):
            raise TypeError(f"{where}: weights must be a list of arrays (as get_weights() "
                            f"returns), got {type(weights).__name__}.")
        weights = list(weights)
        expected = [(layer, name, p.shape) for layer in self.layers
                    for name, p in layer.params.items()]
        if len(weights) != len(expected):
            listing = ", ".join(f"{layer.name}/{name} {shape}" for layer, name, shape in expected)
            raise ValueError(f"{where}: expected {len(expected)} arrays "
                             f"({listing}), got {len(weights)}.")
        checked, offset = [], 0                  # check every layer's before writing any
        for layer in self.layers:
            count = len(layer.params)
            given = weights[offset:offset + count]
            values = layer.checked_weights(given, f"{where}: {layer.describe()}")
            if self.dtype_policy.mixed:          # (float16-representable, checked above)
                values = [cast_checked(as_array(value, f"weight {name!r}", where), self.dtype,
                                       f"weight {name!r}", f"{where}: {layer.describe()}")
                          for name, value in zip(layer.params, given)]
            checked.append(values)
            offset += count
        for layer, values in zip(self.layers, checked):
            for name, value in zip(layer.params, values):
                if self.dtype_policy.mixed:
                    self._masters[layer][name][...] = value
                    layer.params[name][...] = value.astype(self.compute_dtype)
                else:
                    layer.params[name][...] = value

    def get_random_state(self) -> dict:
        """Where the shuffling and dropout streams stand (and those of layers with their own
        seed), as plain JSON-able data; ``save`` stores it so training resumes identically."""
        own = {layer.name: layer.rng.bit_generator.state for layer in self.layers
               if layer.rng is not None and layer.rng is not self._dropout_rng}
        return {"shuffle": self._shuffle_rng.bit_generator.state,
                "dropout": self._dropout_rng.bit_generator.state,
                "augment": self._augment_rng.bit_generator.state, "layers": own}

    def set_random_state(self, state: dict) -> None:
        """Restore what ``get_random_state`` returned (a state saved before the augmentation
        stream existed leaves that stream as it is)."""
        self._shuffle_rng.bit_generator.state = state["shuffle"]
        self._dropout_rng.bit_generator.state = state["dropout"]
        if "augment" in state:
            self._augment_rng.bit_generator.state = state["augment"]
        by_name = {layer.name: layer for layer in self.layers}
        for name, layer_state in state.get("layers", {}).items():
            layer = by_name[name]
            layer.rng = np.random.default_rng()
            layer.rng.bit_generator.state = layer_state

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self.layers)

    def get_config(self) -> dict:
        """The architecture, seed and dtype policy (not the weights); a mixed-precision
        model's loss-scale settings too."""
        config = {"name": self.name, "seed": self.seed, "dtype": self.dtype_policy.name,
                  "input_shape": None if not self.built else list(self.layers[0].input_shape),
                  "layers": [registry.serialize(layer) for layer in self.layers]}
        if self.loss_scale is not None:
            config["loss_scale"] = self.loss_scale.get_config()
        return config

    @classmethod
    def from_config(cls, config: dict, dtype=None) -> "Sequential":
        """Rebuild an (untrained) model from ``get_config()``; `dtype` overrides the stored one
        (and then a stored loss scale is used only if the new dtype is mixed too)."""
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise ValueError(f"Sequential.from_config: expected a dict with a list of 'layers' "
                             f"(as get_config() returns), got "
                             f"{config if not isinstance(config, dict) else sorted(config)!r}.")
        policy = precision.get_policy(dtype if dtype is not None
                                      else config.get("dtype", "float32"),
                                      "Sequential.from_config")
        loss_scale = config.get("loss_scale")
        loss_scale = precision.LossScale.from_config(loss_scale) \
            if loss_scale is not None and policy.mixed else None
        model = cls([registry.deserialize(c) for c in config["layers"]], seed=config.get("seed"),
                    dtype=policy, name=config.get("name", "sequential"), loss_scale=loss_scale)
        if config.get("input_shape") is not None and not model.built:
            model._build_layers(tuple(config["input_shape"]))
        return model

    def summary(self, print_fn=print) -> None:
        """Print a Keras-like table: layer, output shape, parameter count."""
        from .summary import summary_lines
        if not callable(print_fn):
            raise TypeError(f"Sequential.summary: print_fn must be a function that takes one "
                            f"line of text (default print), got {print_fn!r}.")
        for line in summary_lines(self):
            print_fn(line)

    def save(self, path, include_optimizer: bool = True) -> None:
        """Write the architecture, weights and optimizer state to a ``.npz`` file, atomically.

        `path` is used as given. Keras's file names (``model.h5``, ``.hdf5``, ``.keras``) are
        refused with a ValueError that names the fix (``model.npz``): nanonet does not write
        Keras's formats, and a .npz under such a name would only fail later."""
        from .saving import save_model
        save_model(self, path, include_optimizer=include_optimizer)

    def __repr__(self) -> str:
        return f"Sequential([{', '.join(repr(layer) for layer in self.layers)}])"


# ====================================================================== helpers
class _ModelStep:
    """The context of the model's own computations (a training step, evaluate, predict):

    - NumPy's floating-point warnings are off — a loss or update that stops being finite is
      detected explicitly and reported with the epoch and batch;
    - layers may keep their temporaries (outputs passed to the next layer, gradients passed
      back) in buffers reused from batch to batch. Outside this context — you calling a
      layer yourself — every call returns fresh arrays.
    """

    def __init__(self, model: "Sequential"):
        self.model = model
        self.errstate = np.errstate(all="ignore")
        self.was_running = model._running
        self.layers_were = [layer.in_model_step for layer in model.layers]

    def __enter__(self) -> "_ModelStep":
        self.errstate.__enter__()
        self.model._running = True
        for layer in self.model.layers:          # told explicitly: layers read nothing of ours
            layer.in_model_step = True
        return self

    def __exit__(self, *exc_info) -> None:
        self.model._running = self.was_running
        for layer, was in zip(self.model.layers, self.layers_were):
            layer.in_model_step = was
        self.errstate.__exit__(*exc_info)


class _RunningMeans:
    """Batch-size-weighted running means of named values (Keras's epoch averages)."""

    def __init__(self, names: List[str]):
        self.names = names
        self.sums = [0.0] * len(names)
        self.count = 0

    def add(self, values: Sequence[float], weight: int) -> None:
        self.sums = [s + float(v) * weight for s, v in zip(self.sums, values)]
        self.count += weight

    def means(self) -> Dict[str, float]:
        return {name: s / self.count for name, s in zip(self.names, self.sums)}


def _flatten(pairs, dtype) -> Tuple[Arrays, Arrays]:
    """Copy the listed weights into one flat buffer and re-point the layers at views of it
    (gradients likewise). Returns ([flat_weights], [flat_grads])."""
    total = sum(layer.params[name].size for layer, name in pairs)
    flat_weights = np.empty(total, dtype=dtype)
    flat_grads = np.zeros(total, dtype=dtype)
    offset = 0
    for layer, name in pairs:
        value = layer.params[name]
        size = value.size
        flat_weights[offset:offset + size] = value.ravel()
        layer.params[name] = flat_weights[offset:offset + size].reshape(value.shape)
        layer.grads[name] = flat_grads[offset:offset + size].reshape(value.shape)
        offset += size
    return [flat_weights], [flat_grads]


def _packed(arrays: Sequence[np.ndarray], dtype, zeros: bool = False
            ) -> Tuple[np.ndarray, Arrays]:
    """One flat buffer of `dtype` holding `arrays` one after another (or zeros of their
    size), and a view of it shaped like each: (buffer, [views])."""
    buffer = np.zeros(sum(a.size for a in arrays), dtype=dtype)
    views, offset = [], 0
    for array in arrays:
        view = buffer[offset:offset + array.size].reshape(array.shape)
        if not zeros:
            view[...] = array                       # float32 → float16 rounds to nearest
        views.append(view)
        offset += array.size
    return buffer, views


def _shape_matches(shape, expected) -> bool:
    """`shape` fits `expected`, where None in `expected` accepts any size."""
    return len(shape) == len(expected) and all(e is None or e == s
                                               for s, e in zip(shape, expected))


def _scale_report(model: Sequential, x: np.ndarray, y: Optional[np.ndarray] = None,
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


def _check_verbose(verbose, where: str) -> int:
    if verbose == "auto":
        return 1
    verbose = check_int(verbose, "verbose", where, minimum=0)
    if verbose > 2:
        raise ValueError(f"{where}: verbose must be 0 (silent), 1 (progress bar) or 2 "
                         f"(one line per epoch), got {verbose}.")
    return verbose


def load_model(path) -> Sequential:
    """Load a model written by ``Sequential.save`` (never unpickles anything)."""
    from .saving import load_model as _load
    return _load(path, Sequential)
