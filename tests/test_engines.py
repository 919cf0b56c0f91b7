"""Two paths, one truth: every fast function equals its reference, every reference backward is
its forward's gradient, and both engines train a model to the same weights.

The pairs (nanonet/fast/__init__.py lists them):

    fast.dense.dense_forward / dense_backward        layers.dense.dense_forward / dense_backward
    fast.activations.activation_forward / _backward  layers.activations.activation_forward / _backward
    fast.embedding.embedding_backward                layers.embedding.embedding_backward
    fast.lstm.lstm_forward / lstm_backward           layers.lstm.lstm_forward / lstm_backward
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nanonet as nn
from nanonet import gradcheck, layers
import nanonet.fast.optimizers  # noqa: F401  (nn.fast.optimizers)
from nanonet.fast import activations as fast_activations
from nanonet.fast import dense as fast_dense
from nanonet.fast import embedding as fast_embedding
from nanonet.fast import lstm as fast_lstm
from nanonet.layers import activations, dense, embedding, lstm

from strategies import activations as activation_names
from strategies import float64_arrays, seeds

small = st.integers(min_value=1, max_value=4)
#: float64 reference vs fast: the same equations in another order of operations
TIGHT = 1e-12


def assert_close(got, want, tol=TIGHT, what=""):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (what, got.shape, want.shape)
    scale = np.maximum(1.0, np.abs(want))
    worst = float(np.max(np.abs(got - want) / scale)) if want.size else 0.0
    assert worst <= tol, f"{what}: largest difference {worst:.3g} > {tol:g}"


def assert_passed(report):
    assert report.passed, f"\n{report}"


# ====================================================================== dense, activations
@given(data=st.data(), n=small, d=small, units=small, use_bias=st.booleans(),
       leading=st.booleans())
def test_fast_dense_equals_the_reference(data, n, d, units, use_bias, leading):
    shape = (n, 2, d) if leading else (n, d)
    x = data.draw(float64_arrays(shape))
    kernel = data.draw(float64_arrays((d, units)))
    bias = data.draw(float64_arrays((units,))) if use_bias else None
    dz = data.draw(float64_arrays(shape[:-1] + (units,)))
    z_ref, cache = dense.dense_forward(x, kernel, bias)
    z_fast, fast_cache = fast_dense.dense_forward(x, kernel, bias, out=np.empty_like(z_ref))
    assert_close(z_fast, z_ref, what="z")
    outs = (np.full(x.shape, np.nan), np.full(kernel.shape, np.nan),
            np.full(units, np.nan) if use_bias else None)
    for got, want, name in zip(fast_dense.dense_backward(dz, fast_cache, True, out=outs),
                               dense.dense_backward(dz, cache), ("dx", "dW", "db")):
        if want is None:
            assert got is None, name
        else:
            assert_close(got, want, what=name)
    assert fast_dense.dense_backward(dz, fast_cache, compute_dx=False)[0] is None


@given(data=st.data(), n=small, d=small, name=activation_names, inplace=st.booleans())
def test_fast_activations_equal_the_reference(data, n, d, name, inplace):
    x = data.draw(float64_arrays((n, d), kink_margin=0.05))
    dy = data.draw(float64_arrays((n, d)))
    y_ref, cache = activations.activation_forward(x, name)
    y_fast, fast_cache = fast_activations.activation_forward(x.copy(), name, inplace=inplace)
    assert_close(y_fast, y_ref, what="y")
    dx_fast = fast_activations.activation_backward(dy.copy(), fast_cache, inplace=inplace)
    assert_close(dx_fast, activations.activation_backward(dy, cache), what="dx")


@given(data=st.data(), n=small, d=small, name=activation_names, seed=seeds)
def test_reference_activation_backward_is_the_gradient(data, n, d, name, seed):
    x = data.draw(float64_arrays((n, d), kink_margin=0.05))
    assert_passed(gradcheck.check_formula(
        lambda x: activations.activation_forward(x, name)[0],
        lambda x, dout: activations.activation_backward(
            dout, activations.activation_forward(x, name)[1]), x, seed=seed))


@given(data=st.data(), n=small, d=small, units=small, seed=seeds)
def test_reference_dense_backward_is_the_gradient(data, n, d, units, seed):
    x, kernel = data.draw(float64_arrays((n, 2, d))), data.draw(float64_arrays((d, units)))
    bias = data.draw(float64_arrays((units,)))
    assert_passed(gradcheck.check_formula(
        lambda x, kernel, bias: dense.dense_forward(x, kernel, bias)[0],
        lambda x, kernel, bias, dout: dense.dense_backward(
            dout, dense.dense_forward(x, kernel, bias)[1]), x, kernel, bias, seed=seed))


# ====================================================================== embedding
@given(data=st.data(), n=small, steps=small, vocab=st.integers(1, 6), width=small,
       time_major=st.booleans())
def test_fast_embedding_backward_equals_the_reference(data, n, steps, vocab, width,
                                                      time_major):
    ids = np.array(data.draw(st.lists(st.integers(0, vocab - 1), min_size=n * steps,
                                      max_size=n * steps))).reshape(n, steps)
    dy = data.draw(float64_arrays((n, steps, width)))
    if time_major:                           # a transposed view, as an LSTM's dx is
        dy = np.ascontiguousarray(dy.transpose(1, 0, 2)).transpose(1, 0, 2)
    cache = (ids, (vocab, width))
    out = np.full((vocab, width), 7.0)
    got = fast_embedding.embedding_backward(dy, cache, out=out)
    assert got is out
    assert_close(got, embedding.embedding_backward(dy, cache), what="dE")


@given(data=st.data(), n=small, steps=small, vocab=st.integers(1, 6), width=small,
       seed=seeds)
def test_reference_embedding_backward_is_the_gradient(data, n, steps, vocab, width, seed):
    ids = np.array(data.draw(st.lists(st.integers(0, vocab - 1), min_size=n * steps,
                                      max_size=n * steps))).reshape(n, steps)
    table = data.draw(float64_arrays((vocab, width)))
    assert_passed(gradcheck.check_formula(
        lambda table: embedding.embedding_forward(ids, table)[0],
        lambda table, dout: embedding.embedding_backward(
            dout, embedding.embedding_forward(ids, table)[1]), table, seed=seed))


# ====================================================================== LSTM
def _lstm_problem(data, n, steps, d, units, masked, dropout, recurrent_dropout):
    """Inputs, weights and the keyword arguments (sequence mask, dropout masks) of
    lstm_forward, drawn; the dropout masks are held fixed as the layer holds them."""
    x = data.draw(float64_arrays((n, steps, d), -2, 2))
    kernel = data.draw(float64_arrays((d, 4 * units), -1, 1))
    recurrent = data.draw(float64_arrays((units, 4 * units), -1, 1))
    bias = data.draw(float64_arrays((4 * units,), -1, 1))
    rng = np.random.default_rng(data.draw(seeds))
    settings_ = {}
    if masked:
        settings_["mask"] = rng.random((n, steps)) > 0.3
    if recurrent_dropout:
        settings_["recurrent_masks"] = layers.dropout.dropout_mask((4, n, units), 0.3, rng,
                                                                   np.float64)
        if dropout:
            settings_["gate_input_masks"] = layers.dropout.dropout_mask((4, n, d), 0.3, rng,
                                                                        np.float64)
    elif dropout:
        settings_["input_mask"] = layers.dropout.dropout_mask((n, steps, d), 0.3, rng,
                                                              np.float64)
    return (x, kernel, recurrent, bias), settings_


lstm_cases = dict(data=st.data(), n=small, steps=small, d=small, units=small,
                  masked=st.booleans(), dropout=st.booleans(),
                  recurrent_dropout=st.booleans())


@given(**lstm_cases, use_bias=st.booleans(), states=st.booleans())
def test_fast_lstm_equals_the_reference_loop(data, n, steps, d, units, masked, dropout,
                                            recurrent_dropout, use_bias, states):
    (x, kernel, recurrent, bias), kwargs = _lstm_problem(data, n, steps, d, units, masked,
                                                         dropout, recurrent_dropout)
    bias = bias if use_bias else None
    if states:
        kwargs["h0"] = data.draw(float64_arrays((n, units), -1, 1))
        kwargs["c0"] = data.draw(float64_arrays((n, units), -1, 1))
    hs, h, c, cache = lstm.lstm_forward(x, kernel, recurrent, bias, **kwargs)
    fast = fast_lstm.lstm_forward(x, kernel, recurrent, bias, **kwargs)
    for got, want, name in zip(fast[:3], (hs, h, c), ("hs", "h_T", "c_T")):
        assert_close(got, want, what=name)
    dhs = data.draw(float64_arrays(hs.shape))
    dh_last, dc_last = data.draw(float64_arrays(h.shape)), data.draw(float64_arrays(c.shape))
    want = lstm.lstm_backward(dhs, dh_last, dc_last, cache)
    got = fast_lstm.lstm_backward(dhs, dh_last, dc_last, fast[3])
    for g, w, name in zip(got, want, ("dx", "dW", "dR", "db", "dh0", "dc0")):
        if w is None:
            assert g is None, name
        else:
            assert_close(g, w, tol=1e-11, what=name)


@given(**lstm_cases, sequence=st.booleans(), seed=seeds)
def test_reference_lstm_backward_is_the_gradient(data, n, steps, d, units, masked, dropout,
                                                 recurrent_dropout, sequence, seed):
    point, kwargs = _lstm_problem(data, n, steps, d, units, masked, dropout,
                                  recurrent_dropout)

    def forward(x, kernel, recurrent, bias):
        hs, h, c, _ = lstm.lstm_forward(x, kernel, recurrent, bias, **kwargs)
        return hs if sequence else np.concatenate([h, c], axis=1)

    def backward(x, kernel, recurrent, bias, dout):
        cache = lstm.lstm_forward(x, kernel, recurrent, bias, **kwargs)[3]
        if sequence:
            return lstm.lstm_backward(dout, None, None, cache)[:4]
        return lstm.lstm_backward(None, dout[:, :units], dout[:, units:], cache)[:4]
    assert_passed(gradcheck.check_formula(forward, backward, *point, seed=seed))


@given(data=st.data(), n=small, d=small, units=small, seed=seeds)
def test_reference_step_with_per_gate_dropout_masks_is_the_gradient(data, n, d, units, seed):
    rng = np.random.default_rng(seed)
    x, h, c = (data.draw(float64_arrays(shape, -1, 1)) for shape in
               ((n, d), (n, units), (n, units)))
    kernel = data.draw(float64_arrays((d, 4 * units), -1, 1))
    recurrent = data.draw(float64_arrays((units, 4 * units), -1, 1))
    bias = data.draw(float64_arrays((4 * units,), -1, 1))
    masks = (rng.random((4, n, d)) > 0.3) / 0.7, (rng.random((4, n, units)) > 0.3) / 0.7

    def step(x, h, c, kernel, recurrent, bias):
        h_new, c_new, _ = lstm.lstm_step_forward(x, h, c, kernel, recurrent, bias, *masks)
        return np.concatenate([h_new, c_new], axis=1)

    def step_backward(x, h, c, kernel, recurrent, bias, dout):
        cache = lstm.lstm_step_forward(x, h, c, kernel, recurrent, bias, *masks)[2]
        return lstm.lstm_step_backward(dout[:, :units], dout[:, units:], cache)
    assert_passed(gradcheck.check_formula(step, step_backward, x, h, c, kernel, recurrent, bias,
                                          seed=seed))


def test_the_reference_cell_writes_sigma_as_sigma():
    z = np.linspace(-30, 30, 16).reshape(2, 8)
    gates = lstm.activate_gates(z)
    expected = 1 / (1 + np.exp(-z))
    expected[:, 4:6] = np.tanh(z[:, 4:6])
    np.testing.assert_array_equal(gates, expected)
    assert lstm.sigmoid(np.array([-1000.0]))[0] == 0.0       # no overflow warning, just 0


# ====================================================================== optimizers
optimizer_cases = st.sampled_from([
    lambda **clip: nn.optimizers.SGD(0.1, **clip),
    lambda **clip: nn.optimizers.SGD(0.05, momentum=0.9, **clip),
    lambda **clip: nn.optimizers.SGD(0.05, momentum=0.8, nesterov=True, **clip),
    lambda **clip: nn.optimizers.Adam(0.01, **clip),
    lambda **clip: nn.optimizers.Adam(0.05, beta_1=0.8, beta_2=0.99, epsilon=1e-3, **clip),
    lambda **clip: nn.optimizers.RMSprop(0.01, **clip),
    lambda **clip: nn.optimizers.RMSprop(0.02, rho=0.8, momentum=0.7, centered=True, **clip),
    lambda **clip: nn.optimizers.RMSprop(0.02, momentum=0.5, epsilon=1e-3, **clip)])
clippings = st.sampled_from([{}, {"clipnorm": 0.5}, {"clipvalue": 0.3},
                             {"global_clipnorm": 0.7}])


@settings(deadline=None)
@given(data=st.data(), make=optimizer_cases, clip=clippings,
       dtype=st.sampled_from([np.float64, np.float32]), block=st.sampled_from([7, 1 << 14]))
def test_the_fast_blocked_update_is_the_reference_update_bit_for_bit(data, make, clip, dtype,
                                                                     block):
    """fast.optimizers (in place, over blocks of `block` elements) = SGD/Adam/RMSprop.update."""
    shapes = data.draw(st.lists(st.tuples(small, small), min_size=1, max_size=3))
    weights = [data.draw(float64_arrays(shape)).astype(dtype) for shape in shapes]
    steps = [[data.draw(float64_arrays(shape)).astype(dtype) for shape in shapes]
             for _ in range(3)]
    results = {}
    for engine in ("fast", "reference"):
        optimizer, params = make(**clip), [w.copy() for w in weights]
        optimizer.engine = engine
        old_block, nn.fast.optimizers.BLOCK = nn.fast.optimizers.BLOCK, block
        try:
            for grads in steps:
                optimizer.apply_gradients(params, [g.copy() for g in grads])
        finally:
            nn.fast.optimizers.BLOCK = old_block
        results[engine] = params + [value for slots in optimizer.slots
                                    for name, value in slots.items() if name[0] != "_"]
    for got, want in zip(results["fast"], results["reference"]):
        np.testing.assert_array_equal(got, want)


def test_the_reference_update_is_its_equations_on_one_array():
    w, g = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    sgd = nn.optimizers.SGD(0.1, momentum=0.9, nesterov=True)
    new_w, state = sgd.update(w, g, {"velocity": np.array([0.2, 0.0])})
    velocity = 0.9 * np.array([0.2, 0.0]) - 0.1 * g
    np.testing.assert_allclose(new_w, w + 0.9 * velocity - 0.1 * g, rtol=0, atol=1e-15)
    np.testing.assert_allclose(state["velocity"], velocity, rtol=0, atol=1e-15)
    adam = nn.optimizers.Adam(0.01)
    adam.iterations = 1
    new_w, state = adam.update(w, g, {"m": np.zeros(2), "v": np.zeros(2)})
    m, v = 0.1 * g, 0.001 * g * g
    alpha = 0.01 * np.sqrt(1 - 0.999) / (1 - 0.9)
    np.testing.assert_allclose(new_w, w - m * alpha / (np.sqrt(v) + 1e-7), rtol=1e-14)
    assert w[0] == 1.0                                      # the input is not changed


# ====================================================================== the layers' setting
def test_engine_is_a_checked_public_setting_of_every_layer():
    layer = layers.Dense(2)
    assert layer.engine == "fast"
    layer.engine = "reference"
    assert layer.engine == "reference" and "engine" not in layer.get_config()
    with pytest.raises(ValueError, match=r"Dense\.engine: engine must be one of 'fast', "
                                         r"'reference', got 'slow'"):
        layer.engine = "slow"


@pytest.mark.parametrize("make, x", [
    (lambda: layers.Dense(3, activation="relu"), np.linspace(-1, 1, 8).reshape(4, 2)),
    (lambda: layers.Embedding(5, 3), np.array([[1, 2, 1], [4, 0, 4]])),
    (lambda: layers.LSTM(3, return_sequences=True), np.linspace(-1, 1, 24).reshape(2, 3, 4)),
])
def test_a_standalone_layer_gives_the_same_numbers_on_both_engines(make, x):
    results = {}
    for engine in ("fast", "reference"):
        layer = make()
        layer.engine = engine
        layer.build(layer.shape_from_data(x.shape[1:]), np.random.default_rng(0), np.float64)
        y = layer.forward(layer.prepare_input(x), training=False)
        dy = np.random.default_rng(1).standard_normal(y.shape)
        dx = layer.backward(dy)
        results[engine] = [y] + ([] if dx is None else [dx]) + list(layer.grads.values())
    for got, want in zip(results["fast"], results["reference"]):
        assert_close(got, want)


# ====================================================================== whole models
def _article_model(engine, dtype, seed=0):
    return nn.Sequential([layers.Embedding(8, 6, mask_zero=True),
                          layers.LSTM(5, dropout=0.2, recurrent_dropout=0.3),
                          layers.Dense(1, activation="sigmoid")],
                         seed=seed, dtype=dtype, engine=engine)


def _train(model, x, y, epochs=2, batch_size=4):
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)
    return model.get_weights()


def _padded_ids(seed=3, n=12, steps=6, vocab=8):
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, vocab, (n, steps))
    for row, length in enumerate(rng.integers(1, steps + 1, n)):
        ids[row, :steps - length] = 0                         # pre-padding, as pad_sequences
    return ids, (rng.random(n) > 0.5).astype(np.float64)


def _relative_difference(a, b) -> float:
    return max(float(np.max(np.abs(p - q) / np.maximum(np.abs(q), 1e-3))) for p, q in zip(a, b))


@pytest.mark.parametrize("dtype, tol", [("float64", 1e-9), ("float32", 1e-4)])
def test_both_engines_train_the_article_model_to_the_same_weights(dtype, tol):
    x, y = _padded_ids()
    fast = _train(_article_model("fast", dtype), x, y)
    reference = _train(_article_model("reference", dtype), x, y)
    initial = _article_model("fast", dtype)
    initial.build((None, x.shape[1]))
    assert _relative_difference(fast, initial.get_weights()) > 1e-3   # it did train
    assert _relative_difference(fast, reference) <= tol


def test_a_bad_engine_names_the_argument_and_the_choices():
    with pytest.raises(ValueError, match=r"Sequential: engine must be one of 'fast', "
                                         r"'reference', got 'numpy'"):
        nn.Sequential([layers.Dense(1)], engine="numpy")


def test_the_engine_reaches_every_layer_and_the_optimizer_also_when_changed_later():
    model = nn.Sequential([layers.Dense(2), layers.Dense(1)], engine="reference")
    model.add(layers.Dense(1))
    model.compile(optimizer="sgd", loss="mse")
    assert [layer.engine for layer in model.layers] == ["reference"] * 3
    assert model.optimizer.engine == "reference"
    model.engine = "fast"
    assert [layer.engine for layer in model.layers] == ["fast"] * 3
    assert model.optimizer.engine == "fast"


def test_the_reference_engine_trains_with_the_reference_functions_only(monkeypatch):
    """Every fast function replaced by one that raises: the reference engine never calls one."""
    def refuse(*args, **kwargs):
        raise AssertionError("a fast function was called")
    for module in (fast_dense, fast_activations, fast_embedding, fast_lstm,
                   nn.fast.optimizers):
        for name in dir(module):
            if callable(getattr(module, name)) and not name.startswith("__") \
                    and getattr(getattr(module, name), "__module__", "") == module.__name__:
                monkeypatch.setattr(module, name, refuse)
    x, y = _padded_ids()
    model = _article_model("reference", "float32")
    _train(model, x, y, epochs=1)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)


@st.composite
def architectures(draw):
    """(layer factory, x, y): a Dense stack, or Embedding → LSTM(return_sequences) → … ."""
    rng = np.random.default_rng(draw(seeds))
    n = draw(st.integers(2, 6))
    if draw(st.booleans()):
        widths = draw(st.lists(st.integers(1, 5), min_size=1, max_size=3))
        acts = draw(st.lists(activation_names, min_size=len(widths), max_size=len(widths)))
        dropout = draw(st.sampled_from([0.0, 0.3]))

        def make():
            stack = []
            for width, act in zip(widths, acts):
                stack += [layers.Dense(width, activation=act)] + \
                    ([layers.Dropout(dropout)] if dropout else [])
            return stack + [layers.Dense(1, activation="sigmoid")]
        x = rng.standard_normal((n, draw(st.integers(1, 4))))
    else:
        steps, vocab = draw(st.integers(1, 4)), draw(st.integers(2, 6))
        units, mask_zero = draw(st.integers(1, 4)), draw(st.booleans())
        rates = draw(st.sampled_from([(0.0, 0.0), (0.3, 0.0), (0.2, 0.3)]))

        def make():
            return [layers.Embedding(vocab, 3, mask_zero=mask_zero),
                    layers.LSTM(units, dropout=rates[0], recurrent_dropout=rates[1],
                                return_sequences=True),
                    layers.LSTM(2), layers.Dense(1, activation="sigmoid")]
        x = rng.integers(1 if mask_zero else 0, vocab, (n, steps))
    return make, x, (rng.random(n) > 0.5).astype(np.float64)


@settings(max_examples=15, deadline=None)
@given(drawn=architectures(), optimizer=st.sampled_from(["adam", "sgd"]))
def test_hypothesis_drawn_models_train_alike_on_both_engines(drawn, optimizer):
    make, x, y = drawn
    weights, predictions = {}, {}
    for engine in ("fast", "reference"):
        model = nn.Sequential(make(), seed=1, dtype="float64", engine=engine)
        model.compile(optimizer=optimizer, loss="binary_crossentropy")
        model.fit(x, y, epochs=2, batch_size=2, verbose=0)
        weights[engine], predictions[engine] = model.get_weights(), model.predict(x, verbose=0)
        assert model.evaluate(x, y, verbose=0) == pytest.approx(
            float(np.mean(-(y * np.log(predictions[engine][:, 0]) + (1 - y) * np.log(
                1 - predictions[engine][:, 0])))), rel=1e-6)
    assert _relative_difference(weights["fast"], weights["reference"]) <= 1e-9
    assert_close(predictions["fast"], predictions["reference"], tol=1e-9)


def test_a_saved_model_does_not_depend_on_the_engine(tmp_path):
    x, y = _padded_ids()
    model = _article_model("reference", "float32")
    _train(model, x, y, epochs=1)
    model.save(tmp_path / "reference.npz")
    model.engine = "fast"
    model.save(tmp_path / "fast.npz")
    with np.load(tmp_path / "reference.npz") as a, np.load(tmp_path / "fast.npz") as b:
        assert a.files == b.files
        for key in a.files:
            np.testing.assert_array_equal(a[key], b[key])
    loaded = nn.load_model(tmp_path / "reference.npz")
    assert loaded.engine == "fast"
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    loaded.engine = model.engine = "reference"
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    model.engine = "fast"
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5)


def test_layers_read_nothing_private_of_their_model():
    """What a layer needs from its model (whether it runs inside the model's step) is set on
    the layer, in_model_step; the engine likewise (layer.engine)."""
    import re
    from pathlib import Path
    for path in sorted((Path(layers.__file__).parent).glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"model\._[a-z]", text), f"{path.name} reads a private of its model"
    model = nn.Sequential([layers.Dense(2, input_shape=(3,)), layers.Dense(1)])
    assert not any(layer.in_model_step for layer in model.layers)
    seen = []
    original = layers.Dense.forward

    def spy(self, x, training=False, mask=None):
        seen.append(self.in_model_step)
        return original(self, x, training, mask)
    try:
        layers.Dense.forward = spy
        model.predict(np.zeros((2, 3)), verbose=0)
    finally:
        layers.Dense.forward = original
    assert seen == [True, True] and not any(layer.in_model_step for layer in model.layers)
