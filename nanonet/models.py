"""Sequential: a stack of layers that builds, compiles, trains, evaluates, predicts,
summarises and saves.

What a Sequential calls to do it, each in its own module:

    training.TrainingStep      one step on one batch: forward → loss → backward → update
                               (training/step.py, which writes the step out)
    training.loop              fit's epochs and batches, evaluate's batches, validation data
    training.RandomStreams     the four random streams of the model's seed
    training.WeightMasks       pruning masks kept through training
    precision.MixedWeights     mixed precision: float32 masters, float16 copies, loss scale
    fast.buffers               every weight a view of one flat buffer, for the optimizer
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from . import precision
from .callbacks import checked_callbacks
from .layers import registry
from .layers.base import Layer, check_engine
from .model_attributes import KerasModelAttributes
from .progress import ProgressBar
from .training.step import ModelStep, TrainingStep, check_outputs, gradients
from .training.streams import RandomStreams
from .training import checks, loop
from .validation import check_bool, check_int, keyword_checked

Arrays = List[np.ndarray]


class Sequential(KerasModelAttributes):
    """``Sequential(layers=None, seed=None, dtype="float32", name="sequential", loss_scale=None,
    engine="fast")``.

    A model builds as soon as its input shape is known: from the first layer's ``input_shape``
    / ``input_dim`` / ``input_length``, from ``build(input_shape)``, or from the first data it
    sees. ``seed`` makes everything reproducible; without it every run differs, as in Keras.

    ``seed`` feeds four independent streams (``model.random_streams``: weight init, shuffling,
    dropout, augmentation — training/streams.py).

    ``dtype``: "float32" (default), "float64", "float16", or "mixed_float16" (or a
    ``precision.Policy``): ``model.dtype`` is the weights' dtype, ``model.compute_dtype`` the
    layers'. "mixed_float16" computes in float16 with float32 master weights
    (``model.mixed_weights``; read and write weights through the model) and dynamic loss
    scaling (``loss_scale``, default ``precision.LossScale()``), as Keras's mixed_float16
    policy — ``nanonet.precision`` explains it. Other policies have ``model.loss_scale = None``.

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
        self.random_streams = RandomStreams(self.seed)
        #: mixed precision: the float32 masters and float16 copies (None for other policies)
        self.mixed_weights = None if self.loss_scale is None else \
            precision.MixedWeights(self.dtype_policy, self.loss_scale)
        self.layers: List[Layer] = []
        self.engine = engine
        self.optimizer: Optional[optimizers_module.Optimizer] = None
        self.loss: Optional[losses_module.Loss] = None
        self.metrics: List[Tuple[str, object]] = []
        #: the compiled metrics without their input checks (the model checks its data once)
        self.metric_functions: List = []
        self.history, self.stop_training = None, False   # (a callback may set stop_training)
        #: the mask the last forward pass ended with (Embedding(mask_zero=True)), or None
        self.output_mask: Optional[np.ndarray] = None
        self._trainer: Optional[TrainingStep] = None   # the weights' layout, made by fit
        for layer in checks.layer_list(layers):
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
        checks.check_new_layer(self, layer)
        layer.name = checks.layer_name(self.layers, layer)
        layer.model = self
        layer.engine = self.engine
        if layer.dtype is None:
            layer.dtype = self.dtype
        if layer.rng is None:                     # a layer with its own seed keeps its generator
            layer.rng = self.random_streams.dropout
        self.layers.append(layer)
        self._set_layer_roles()
        self._trainer = None
        if self.layers[0].built or self.layers[0].declared_input_shape is not None:
            self.build_layers(self.known_input_shape())

    def build(self, input_shape: Optional[Sequence[Optional[int]]] = None) -> None:
        """Build every layer for inputs of `input_shape`, Keras's form with the batch first,
        e.g. ``(None, 20)`` or ``(None, None, 8)`` (open sequence length). A shape whose
        first entry is not None is read as one sample's shape: ``(20,)``."""
        input_shape = checks.build_shape(self, input_shape)
        if input_shape is not None:                          # None: built for it already
            self.build_layers(input_shape)

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

    def known_input_shape(self):
        """One sample's input shape as far as it is known before any data — the built first
        layer's, or what it declares (input_shape/input_dim/input_length) — or None."""
        first = self.layers[0]
        if first.built:
            return first.input_shape
        return first.declared_input_shape

    def build_layers(self, input_shape) -> None:
        """Build every layer in turn for one sample's `input_shape` (checked by ``build``,
        the public entry point), each for the output shape of the one before."""
        self._trainer = None
        shape = tuple(input_shape)
        for layer in self.layers:
            if layer.built:
                if tuple(layer.input_shape) != shape:
                    raise ValueError(
                        f"Sequential: {layer.describe()} was built for inputs of shape "
                        f"{(None,) + tuple(layer.input_shape)}, but the layer before it "
                        f"outputs {(None,) + shape}.")
            else:
                layer.build(shape, self.random_streams.init, self.dtype)
            shape = tuple(layer.output_shape)
        if self.mixed_weights is not None:
            for layer in self.layers:
                if layer not in self.mixed_weights.masters:
                    self.mixed_weights.adopt(layer)

    def _set_layer_roles(self) -> None:
        """No input gradient for the first layer. Every gradient passed between layers, and
        every output but the last layer's, is the model's own temporary: layers may reuse
        their memory from batch to batch."""
        last = len(self.layers) - 1
        for index, layer in enumerate(self.layers):
            layer.needs_input_grad = index > 0
            layer.may_reuse_gradients = True
            layer.may_reuse_outputs = index < last

    # ================================================================== compiling
    @keyword_checked
    def compile(self, optimizer="rmsprop", loss=None, metrics: Optional[Sequence] = None) -> None:
        """Choose the optimizer (name or instance; RMSprop by default, as Keras), the loss
        (name or instance) and metrics (two of one name are refused, as Keras)."""
        self.optimizer = optimizers_module.get(optimizer)
        if loss is None:
            raise ValueError("Sequential.compile: loss is required, e.g. "
                             "loss='binary_crossentropy' or loss='mse'.")
        self.loss = losses_module.get(loss)
        self.metrics = checks.compiled_metrics(metrics)   # (names unique, as Keras)
        # what the inner loops call: built-ins without their input checks (the model checks
        # its data once, at the entry point)
        self.metric_functions = [metrics_module.unchecked(fn) for _, fn in self.metrics]
        self.optimizer.engine = self.engine
        self._trainer = None
        if self.loss_scale is not None:          # a new optimizer starts a new loss scale
            self.loss_scale.reset()

    def require_compiled(self, where: str) -> None:
        """RuntimeError (naming `where`) unless ``compile`` has set the loss and optimizer."""
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
        self.output_mask = mask
        return x

    def uses_logits(self) -> bool:
        """True when the loss is taken from the last layer's logits: a cross-entropy whose
        ``logits_activation`` is the last layer's sigmoid or softmax (as Keras)."""
        activation = self.loss.logits_activation
        return activation is not None and self.layers[-1].output_activation == activation

    def cast_output(self, output: np.ndarray) -> np.ndarray:
        """An output as the loss and the caller take it: float16 → float32 when mixed."""
        return output.astype(self.dtype) if output.dtype != self.dtype else output

    def loss_and_grads(self, x, y, training: bool = False) -> Tuple[float, Arrays]:
        """The loss on (x, y) and its gradient for every weight, in ``get_weights()`` order.

        Nothing is updated. ``training=True`` switches dropout on (drawing new masks). A mixed
        precision model returns float32 gradients: those of the float16 backward pass of the
        loss scaled by the current ``loss_scale.scale``, divided by it (in float32).
        """
        where = "Sequential.loss_and_grads"
        self.require_compiled(where)
        training = check_bool(training, "training", where)
        x, y = checks.prepare_xy(self, x, y, where)
        return gradients(self, x, y, training, where)

    # ================================================================== training
    def train_on_batch(self, x, y) -> Union[float, List[float]]:
        """One optimizer step on one batch x (B, …), y (B, …); returns the loss (and metrics),
        as Keras. Weight masks and mixed precision work as in ``fit``."""
        where = "Sequential.train_on_batch"
        self.require_compiled(where)
        x, y = checks.prepare_xy(self, x, y, where)
        trainer = self.prepare_training()
        trainer.prepare_masks(where)
        loss, y_pred = trainer.run(x, y, 1, 1, None, where)
        if not self.metrics:
            return loss
        return [loss] + [fn(y, y_pred) for fn in self.metric_functions]

    @keyword_checked
    def fit(self, x=None, y=None, batch_size: Optional[int] = None, epochs: int = 1,
            verbose: int = 1, callbacks=None, validation_split: float = 0.0,
            validation_data=None, shuffle: bool = True, augment=None):
        """Train for `epochs` passes over x (n, …), y (n, …) in batches of `batch_size`
        (default 32); returns a History (also kept as ``model.history``).

        As Keras: each epoch uses a new permutation when `shuffle`; the last partial batch is
        kept; the loss shown is the batch-size-weighted mean of the batch losses, each taken
        before that batch's update; ``validation_split`` holds out the *last* fraction of the
        data before any shuffling (training/loop.py). Every batch is one training step
        (training/step.py); a loss or update that stops being finite, or a loss that grows
        a thousandfold (the rule: training/divergence.py), stops training with a
        TrainingDivergedError. ``callbacks``: a list of nanonet.callbacks.Callback (e.g.
        EarlyStopping, ModelCheckpoint), called at Keras's moments. Pruned weights (``layer.weight_masks``) stay 0
        (training/masks.py); a mixed-precision model trains as ``nanonet.precision`` says.

        ``augment``: a function ``augment(x_batch, y_batch, rng) -> (x_batch, y_batch)``
        called on every *training* batch (never on validation data, nor in evaluate or
        predict) before the forward pass. ``x_batch`` (B, …) and ``y_batch`` (B, …) are the
        batch as the model holds it (floats in the model's compute dtype, or token ids) and
        copies, so the function may change them in place; ``rng`` is the model's own
        augmentation stream (a ``np.random.Generator`` seeded from the model's seed, saved with
        the model), so a seeded run is reproducible. What it returns is checked like fit's own
        data (the same number of samples in x and y, finite, castable, of the model's input
        shape — sequence lengths may change if the model's are open) and errors name augment.
        """
        where = "Sequential.fit"
        self.require_compiled(where)
        batch_size = check_int(32 if batch_size is None else batch_size, "batch_size", where, 1)
        epochs = check_int(epochs, "epochs", where, minimum=1)
        verbose = loop.check_verbose(verbose, where)
        shuffle = check_bool(shuffle, "shuffle", where)
        if augment is not None and not callable(augment):
            raise TypeError(f"{where}: augment must be a function augment(x_batch, y_batch, "
                            f"rng) -> (x_batch, y_batch), or None; got {augment!r:.60} "
                            f"({type(augment).__name__}).")
        callbacks = checked_callbacks(callbacks, where)
        x, y = checks.prepare_xy(self, x, y, where)
        x, y, validation = loop.split_validation(self, x, y, validation_split,
                                                 validation_data, where)
        trainer = self.prepare_training()
        trainer.prepare_masks(where)
        return loop.fit_epochs(self, trainer, x, y, validation, batch_size, epochs, verbose,
                               shuffle, augment, where, callbacks)

    def prepare_training(self) -> TrainingStep:
        """The model's training step (training.TrainingStep), made once: it lays every weight
        out for the optimizer (one flat buffer) and resets the optimizer's slots; ``add``,
        building and ``compile`` mark it to be made again. Its ``params`` are the arrays the
        optimizer updates — what a saved optimizer state is shaped like."""
        if self._trainer is None:
            self._trainer = TrainingStep(self)
        return self._trainer

    # ================================================================== evaluate / predict
    @keyword_checked
    def evaluate(self, x=None, y=None, batch_size: Optional[int] = None,
                 verbose: int = 1) -> Union[float, List[float]]:
        """Loss (and metrics) on (x, y), dropout off. A float, or [loss, *metrics] as Keras."""
        where = "Sequential.evaluate"
        self.require_compiled(where)
        batch_size = check_int(32 if batch_size is None else batch_size, "batch_size", where, 1)
        verbose = loop.check_verbose(verbose, where)
        x, y = checks.prepare_xy(self, x, y, where)
        steps = -(-len(x) // batch_size)  # ceil
        #len(x) / batch_size)
        progress = ProgressBar(steps, verbose)
        logs = loop.evaluate_batches(self, x, y, batch_size)
        progress.update(steps, logs)
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    @keyword_checked
    def predict(self, x, batch_size: Optional[int] = None, verbose: int = 0) -> np.ndarray:
        """Outputs for `x` in batches of `batch_size` (default 32), dropout off.

        Returns an array of the model's dtype, e.g. (n, 1) for one output unit (float32 for a
        mixed-precision model, whose float16 outputs are cast). (Keras prints a progress bar
        by default; nanonet's predict is quiet unless verbose=1.)
        """
        where = "Sequential.predict"
        batch_size = check_int(32 if batch_size is None else batch_size, "batch_size", where, 1)
        verbose = loop.check_verbose(verbose, where)
        x = checks.prepare_x(self, x, where)
        progress = ProgressBar(-(-len(x) // batch_size), verbose)
        with ModelStep(self):
            outputs = [self.forward(x[start:start + batch_size], training=False)
                       for start in range(0, len(x), batch_size)]
        progress.update(progress.target, {})
        outputs = np.concatenate(outputs, axis=0)
        check_outputs(self, outputs, x, where)
        return self.cast_output(outputs)

    def __call__(self, x, training: bool = False) -> np.ndarray:
        """``model(x)``: one forward pass over all of `x` at once."""
        where = "Sequential.__call__"
        training = check_bool(training, "training", where)
        x = checks.prepare_x(self, x, where)
        with ModelStep(self):
            output = self.forward(x, training=training)
        check_outputs(self, output, x, where)
        return self.cast_output(output)

    # ================================================================== data checks
    def prepare_x(self, x, where: str) -> np.ndarray:
        """`x` checked and converted as the first layer takes it (n, …), the model built from
        it if need be; errors name `where`. What every entry point runs once."""
        return checks.prepare_x(self, x, where)

    def prepare_xy(self, x, y, where: str) -> Tuple[np.ndarray, np.ndarray]:
        """(x, y) checked as ``prepare_x`` and the loss want them, y (n, …) shaped like the
        outputs (labels (n,) for outputs (n, 1), as Keras); errors name `where`."""
        return checks.prepare_xy(self, x, y, where)

    # ================================================================== weights, config
    def get_weights(self) -> Arrays:
        """Copies of every weight, Keras's order and shapes (layer by layer); the float32
        master weights of a mixed-precision model."""
        if self.dtype_policy.mixed:
            return [w.copy() for layer in self.layers
                    for w in self.mixed_weights.masters.get(layer, layer.params).values()]
        return [w for layer in self.layers for w in layer.get_weights()]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Overwrite every weight in place from a ``get_weights()``-style list (Keras's works)."""
        checked = checks.weight_lists(self, weights)
        for layer, values in zip(self.layers, checked):
            for name, value in zip(layer.params, values):
                if self.dtype_policy.mixed:
                    self.mixed_weights.write(layer, name, value)
                else:
                    layer.params[name][...] = value

    def get_random_state(self) -> dict:
        """Where the shuffling and dropout streams stand (and those of layers with their own
        seed), as plain JSON-able data; ``save`` stores it so training resumes identically."""
        return self.random_streams.get_state(self.layers)

    def set_random_state(self, state: dict) -> None:
        """Restore what ``get_random_state`` returned (a state saved before the augmentation
        stream existed leaves that stream as it is)."""
        self.random_streams.set_state(state, self.layers)

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
        policy, loss_scale = checks.config_precision(config, dtype)
        model = cls([registry.deserialize(c) for c in config["layers"]], seed=config.get("seed"),
                    dtype=policy, name=config.get("name", "sequential"), loss_scale=loss_scale)
        if config.get("input_shape") is not None and not model.built:
            model.build_layers(tuple(config["input_shape"]))
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

        `path` is used as given (a symlink's target is replaced; a read-only file raises
        PermissionError: nanonet.saving.save_model). Keras's names (``model.h5``, ``.hdf5``,
        ``.keras``) are refused with a ValueError that names the fix (``model.npz``)."""
        from .saving import save_model
        save_model(self, path, include_optimizer=include_optimizer)

    def __repr__(self) -> str:
        return f"Sequential([{', '.join(repr(layer) for layer in self.layers)}])"


def load_model(path) -> Sequential:
    """Load a model written by ``Sequential.save`` (never unpickles anything)."""
    from .saving import load_model as _load
    return _load(path, Sequential)
