"""nanonet ⇄ PyTorch (nanonet.interop.to_torch / from_torch), against PyTorch's own modules.

Round trips are bit-exact; the exported module's outputs and its autograd gradients of binary
cross-entropy match nanonet's predict and loss_and_grads to float32 precision, on
hypothesis-drawn sizes. Skipped when torch is not installed.
"""
import pickle
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extras import lazy, needs

pytestmark = needs("torch")
torch = lazy.module("torch")

import nanonet as nn  # noqa: E402
from nanonet import layers  # noqa: E402
interop = lazy.module("nanonet.interop")
torch_export = lazy.module("nanonet.interop.torch_export")

from strategies import activations, batch_sizes, feature_sizes, seeds  # noqa: E402

small = st.integers(1, 4)
#: float32 agreement: outputs (in (0, 1) or O(1)) and gradients (of a mean loss)
F32 = dict(rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------- helpers
def randomize(model, seed, scale=0.5):
    """Every weight drawn N(0, scale²), so no block of a fused matrix looks like another."""
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0, scale, w.shape) for w in model.get_weights()])
    return model


def assert_bit_identical(got, want):
    assert len(got) == len(want)
    for index, (a, b) in enumerate(zip(got, want)):
        assert a.dtype == b.dtype and a.shape == b.shape, f"weight {index}"
        assert a.tobytes() == b.tobytes(), f"weight {index} differs"


def torch_outputs(module, x):
    with torch.no_grad():
        return module.eval()(torch.as_tensor(x)).numpy()


def dense_stack(d, hidden, activation_names, use_bias, dtype="float32", units_out=1):
    stack = [layers.Dense(u, activation=a, use_bias=use_bias)
             for u, a in zip(hidden, activation_names)]
    model = nn.Sequential(stack + [layers.Dense(units_out, activation="sigmoid")],
                          seed=0, dtype=dtype)
    model.build((None, d))
    return model


def sequence_model(vocab, embed, units, return_sequences=False, mask_zero=False,
                   dtype="float32"):
    model = nn.Sequential([layers.Embedding(vocab, embed, mask_zero=mask_zero),
                           layers.LSTM(units, return_sequences=return_sequences),
                           layers.Dense(1, activation="sigmoid")], seed=0, dtype=dtype)
    model.build((None, None))
    return model


@st.composite
def dense_stacks(draw):
    depth = draw(st.integers(0, 2))
    return dict(d=draw(feature_sizes), hidden=draw(st.lists(small, min_size=depth,
                                                              max_size=depth)),
                activation_names=draw(st.lists(activations, min_size=depth, max_size=depth)),
                use_bias=draw(st.booleans()))


@st.composite
def token_batches(draw, vocab, zeros=True):
    """(N, T) ids in [0, vocab), with some 0s (padding, when masked) if `zeros`."""
    n, steps = draw(batch_sizes), draw(small)
    low = 0 if zeros else 1
    ids = draw(st.lists(st.integers(low, vocab - 1), min_size=n * steps, max_size=n * steps))
    return np.array(ids, dtype=np.int64).reshape(n, steps)


def torch_grads_in_keras_order(module):
    """The .grad of every parameter, as nanonet's get_weights() lists them: kernels
    transposed; PyTorch's LSTM gate blocks [i, f, g, o] are Keras's [i, f, c̃, o] (same
    order); the LSTM's bias gets bias_ih's gradient (bias_hh's is the same: both are added)."""
    grads = []
    for entry in module.layers:
        if isinstance(entry, torch_export.TorchDense):
            linear = entry[0]
            grads.append(linear.weight.grad.T)
            if linear.bias is not None:
                grads.append(linear.bias.grad)
        elif isinstance(entry, torch_export.TorchEmbedding):
            grads.append(entry.weight.grad)
        elif isinstance(entry, torch_export.TorchLSTM):
            assert torch.equal(entry.bias_ih_l0.grad, entry.bias_hh_l0.grad)
            grads += [entry.weight_ih_l0.grad.T, entry.weight_hh_l0.grad.T, entry.bias_ih_l0.grad]
    return [g.numpy() for g in grads]


def compare_gradients(model, x, y):
    """nanonet's loss_and_grads vs PyTorch autograd of nn.BCELoss (mean) on the same batch."""
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    loss, grads = model.loss_and_grads(x, y)
    module = interop.to_torch(model).eval()
    y_pred = module(torch.as_tensor(x))
    torch_loss = torch.nn.BCELoss()(y_pred, torch.as_tensor(y, dtype=y_pred.dtype))
    torch_loss.backward()
    np.testing.assert_allclose(torch_loss.item(), loss, **F32)
    torch_grads = torch_grads_in_keras_order(module)
    assert [g.shape for g in torch_grads] == [g.shape for g in grads]
    for index, (got, want) in enumerate(zip(torch_grads, grads)):
        np.testing.assert_allclose(got, want, **F32, err_msg=f"gradient {index}")


# ---------------------------------------------------------------- torch stays optional
def test_importing_nanonet_does_not_import_torch():
    code = ("import sys, nanonet, nanonet.interop; "
            "assert 'torch' not in sys.modules, 'torch was imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- Dense stacks
@given(spec=dense_stacks(), n=batch_sizes, seed=seeds, dtype=st.sampled_from(["float32",
                                                                             "float64"]))
def test_dense_stacks_round_trip_exactly_and_predict_alike(spec, n, seed, dtype):
    model = randomize(dense_stack(**spec, dtype=dtype), seed)
    module = interop.to_torch(model)
    assert all(p.dtype == getattr(torch, dtype) for p in module.parameters())
    assert_bit_identical(interop.from_torch(module).get_weights(), model.get_weights())
    x = np.random.default_rng(seed).normal(size=(n, spec["d"])).astype(dtype)
    tolerance = F32 if dtype == "float32" else dict(rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(torch_outputs(module, x), model.predict(x), **tolerance)


@given(spec=dense_stacks(), n=batch_sizes, seed=seeds)
def test_dense_stack_gradients_match_torch_autograd(spec, n, seed):
    model = randomize(dense_stack(**spec), seed)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, spec["d"])).astype(np.float32)
    compare_gradients(model, x, rng.integers(0, 2, (n, 1)).astype(np.float32))


# ---------------------------------------------------------------- Embedding → LSTM → Dense
@settings(max_examples=15)
@given(data=st.data(), vocab=st.integers(2, 6), embed=small, units=small, seed=seeds,
       return_sequences=st.booleans(), mask_zero=st.booleans())
def test_embedding_lstm_dense_round_trips_exactly_and_predicts_alike(
        data, vocab, embed, units, seed, return_sequences, mask_zero):
    model = randomize(sequence_model(vocab, embed, units, return_sequences, mask_zero), seed)
    module = interop.to_torch(model)
    back = interop.from_torch(module)
    assert_bit_identical(back.get_weights(), model.get_weights())
    assert back.get_config()["layers"] == model.get_config()["layers"]
    ids = data.draw(token_batches(vocab))
    np.testing.assert_allclose(torch_outputs(module, ids), model.predict(ids), **F32)


@settings(max_examples=15)
@given(data=st.data(), vocab=st.integers(2, 6), embed=small, units=small, seed=seeds,
       return_sequences=st.booleans(), mask_zero=st.booleans())
def test_embedding_lstm_dense_gradients_match_torch_autograd(
        data, vocab, embed, units, seed, return_sequences, mask_zero):
    mask_zero = mask_zero and not return_sequences     # nanonet: no per-timestep masked loss
    model = randomize(sequence_model(vocab, embed, units, return_sequences, mask_zero), seed)
    ids = data.draw(token_batches(vocab))
    y = np.random.default_rng(seed).integers(0, 2, model.predict(ids).shape)
    compare_gradients(model, ids, y.astype(np.float32))


def test_float64_export_matches_to_float64_precision():
    model = randomize(sequence_model(6, 3, 4, return_sequences=True, mask_zero=True,
                                     dtype="float64"), 1)
    ids = np.array([[0, 2, 0, 5], [3, 0, 1, 0]])
    module = interop.to_torch(model)
    assert module.layers[1].weight_ih_l0.dtype == torch.float64
    np.testing.assert_allclose(torch_outputs(module, ids), model.predict(ids),
                               rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------- the LSTM in detail
def test_return_state_layer_exports_output_h_and_c_and_round_trips():
    """A Sequential cannot hold LSTM(return_state=True); the layer alone exports and returns."""
    lstm = layers.LSTM(3, return_sequences=True, return_state=True, dtype="float64")
    lstm.build((None, 5))
    rng = np.random.default_rng(0)
    lstm.set_weights([rng.normal(0, 0.5, w.shape) for w in lstm.get_weights()])
    x = rng.normal(size=(2, 4, 5))
    module = interop.to_torch(lstm)
    assert isinstance(module, torch_export.TorchLSTM) and module.return_state
    with torch.no_grad():
        got = module(torch.as_tensor(x))
    for name, a, b in zip(("output", "h", "c"), got, lstm(x)):
        np.testing.assert_allclose(a.numpy(), b, rtol=1e-12, atol=1e-14, err_msg=name)
    back = interop.from_torch(module)
    assert isinstance(back, layers.LSTM) and back.return_state and back.return_sequences
    assert_bit_identical(back.get_weights(), lstm.get_weights())


def test_a_wrong_gate_order_would_fail(monkeypatch):
    """The reorder is real: exported with PyTorch's f and g blocks swapped, outputs differ."""
    model = randomize(sequence_model(5, 3, 4), 3)
    ids = np.array([[1, 2, 3, 4], [4, 3, 2, 1]])
    np.testing.assert_allclose(torch_outputs(interop.to_torch(model), ids), model.predict(ids), **F32)
    monkeypatch.setattr("nanonet.interop.torch_export.TORCH_FROM_KERAS", (0, 2, 1, 3))
    wrong = torch_outputs(interop.to_torch(model), ids)
    assert np.abs(wrong - model.predict(ids)).max() > 1e-3


def test_the_gate_permutation_is_the_identity_and_says_so():
    assert torch_export.KERAS_GATES == ("i", "f", "c̃", "o")
    assert torch_export.TORCH_GATES == ("i", "f", "g", "o")
    assert torch_export.TORCH_FROM_KERAS == (0, 1, 2, 3)
    blocks = np.arange(8).reshape(1, 8)
    np.testing.assert_array_equal(torch_export.reorder_gates(blocks, (3, 2, 1, 0)),
                                  [[6, 7, 4, 5, 2, 3, 0, 1]])


def test_torch_trained_lstm_biases_are_summed_on_import():
    model = randomize(sequence_model(5, 3, 2), 4)
    module = interop.to_torch(model)
    with torch.no_grad():
        module.layers[1].bias_hh_l0.normal_(0, 0.5, generator=torch.Generator().manual_seed(0))
    ids = np.array([[1, 2, 3], [4, 0, 2]])
    back = interop.from_torch(module)
    np.testing.assert_allclose(back.predict(ids), torch_outputs(module, ids), **F32)
    lstm = module.layers[1]
    np.testing.assert_array_equal(back.layers[1].get_weights()[2],
                                  (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach().numpy())


# ---------------------------------------------------------------- masking (mask_zero)
def test_masked_steps_carry_the_state_as_in_nanonet():
    """nanonet skips id-0 steps: h and c are carried, the sequence output repeats the last h
    (zeros before the first real token). The exported module does the same."""
    def embedding_lstm(mask_zero):
        model = nn.Sequential([layers.Embedding(6, 3, mask_zero=mask_zero),
                               layers.LSTM(4, return_sequences=True)], seed=0)
        model.build((None, None))
        return randomize(model, 5)

    model = embedding_lstm(mask_zero=True)
    ids = np.array([[0, 0, 3, 0, 5, 0], [2, 0, 0, 4, 0, 0]])
    got = torch_outputs(interop.to_torch(model), ids)
    np.testing.assert_allclose(got, model.predict(ids), **F32)
    np.testing.assert_array_equal(got[0, :2], 0.0)
    np.testing.assert_array_equal(got[0, 3], got[0, 2])
    np.testing.assert_array_equal(got[1, 1], got[1, 0])
    np.testing.assert_array_equal(got[1, 5], got[1, 3])
    unmasked = torch_outputs(interop.to_torch(embedding_lstm(mask_zero=False)), ids)
    assert np.abs(unmasked - got).max() > 1e-3           # the mask changed something


def test_the_step_by_step_path_equals_nn_lstm_without_masked_steps():
    lstm = interop.to_torch(randomize(sequence_model(5, 3, 4, return_sequences=True), 6)).layers[1]
    x = torch.randn(3, 5, 3, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        stepped = lstm(x, mask=torch.ones(3, 5, dtype=torch.bool))
        fused = lstm(x)
    np.testing.assert_allclose(stepped.numpy(), fused.numpy(), **F32)


def test_an_embedding_in_a_plain_nn_sequential_passes_no_mask():
    """nn.Sequential does not carry masks, so its mask_zero embedding imports without one."""
    module = interop.to_torch(sequence_model(5, 3, 2, mask_zero=True))
    back = interop.from_torch(torch.nn.Sequential(*module.layers))
    assert back.layers[0].mask_zero is False
    ids = np.array([[0, 1, 0, 2]])
    np.testing.assert_allclose(back.predict(ids), torch_outputs(torch.nn.Sequential(
        *module.layers), ids), **F32)


# ---------------------------------------------------------------- plain torch.nn.Sequential
def test_a_plain_torch_sequential_imports_with_activations_merged_into_dense():
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Dropout(0.2),
                                 torch.nn.Linear(4, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1),
                                 torch.nn.Sigmoid()).double()
    model = interop.from_torch(module)
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Dropout", "Dense",
                                                                "Dense"]
    assert [getattr(layer, "activation", None) for layer in model.layers] == \
        ["relu", None, "tanh", "sigmoid"]
    assert model.dtype == np.float64 and model.layers[1].rate == 0.2
    x = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_allclose(model.predict(x), torch_outputs(module, x), rtol=1e-12)


def test_an_nn_lstm_last_in_a_plain_sequential_returns_its_sequence():
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Embedding(5, 3), torch.nn.LSTM(3, 2, batch_first=True))
    model = interop.from_torch(module)
    assert model.layers[1].return_sequences
    ids = np.array([[1, 2, 3], [4, 0, 2]])
    with torch.no_grad():
        sequence, _ = module(torch.as_tensor(ids))
    np.testing.assert_allclose(model.predict(ids), sequence.numpy(), **F32)


# ---------------------------------------------------------------- the module as PyTorch uses it
def test_the_module_pickles_and_trains_independently_of_the_model():
    model = randomize(sequence_model(5, 3, 2, mask_zero=True), 7)
    weights = model.get_weights()
    state = torch.get_rng_state()
    module = interop.to_torch(model)
    assert torch.equal(state, torch.get_rng_state())       # no random draws
    copy = pickle.loads(pickle.dumps(module))
    ids = np.array([[0, 1, 2], [3, 4, 0]])
    np.testing.assert_array_equal(torch_outputs(copy, ids), torch_outputs(module, ids))
    module.train()
    loss = module(torch.as_tensor(ids)).sum()
    loss.backward()
    with torch.no_grad():
        for parameter in module.parameters():
            parameter -= parameter.grad
    assert_bit_identical(model.get_weights(), weights)      # no shared memory


def test_dropout_layers_export_as_nn_dropout():
    model = nn.Sequential([layers.Dense(3, input_shape=(2,)), layers.Dropout(0.25),
                           layers.Dense(1, activation="sigmoid")], seed=0)
    module = interop.to_torch(model)
    assert isinstance(module.layers[1], torch.nn.Dropout) and module.layers[1].p == 0.25
    x = np.ones((2, 2), np.float32)
    np.testing.assert_allclose(torch_outputs(module, x), model.predict(x), **F32)


# ---------------------------------------------------------------- clear errors
def test_token_ids_outside_the_vocabulary_are_a_value_error():
    module = interop.to_torch(sequence_model(5, 3, 2))
    with pytest.raises(ValueError, match=r"Embedding 'embedding': token id 5 at ids\[1, 0\] "
                                         r"is outside \[0, 4\] \(input_dim=5\)"):
        module(torch.tensor([[1, 2], [5, 0]]))
    with pytest.raises(ValueError, match="token id -1 .* never negative"):
        module(torch.tensor([[-1, 2]]))
    with pytest.raises(TypeError, match="integer tensor"):
        module(torch.tensor([[1.0, 2.0]]))
    with pytest.raises(TypeError, match="torch.as_tensor"):
        module(np.array([[1, 2]]))


def test_lstm_dropout_is_refused_unless_dropped():
    model = nn.Sequential([layers.Embedding(5, 3), layers.LSTM(2, dropout=0.2,
                                                                 recurrent_dropout=0.1),
                           layers.Dense(1, activation="sigmoid")], seed=0)
    model.build((None, None))
    with pytest.raises(ValueError, match=r"LSTM 'lstm' has dropout=0.2, recurrent_dropout=0.1"
                                         r".*lstm_dropout='drop'"):
        interop.to_torch(model)
    module = interop.to_torch(model, lstm_dropout="drop")
    assert module.layers[1].dropout == 0 and module.layers[1].dropped_rates == {
        "dropout": 0.2, "recurrent_dropout": 0.1}
    ids = np.array([[1, 2, 3]])
    np.testing.assert_allclose(torch_outputs(module, ids), model.predict(ids), **F32)
    back = interop.from_torch(module)
    assert (back.layers[1].dropout, back.layers[1].recurrent_dropout) == (0.2, 0.1)
    with pytest.raises(ValueError, match="lstm_dropout must be 'error' or 'drop'"):
        interop.to_torch(model, lstm_dropout="ignore")


def test_unbuilt_models_and_unsupported_layers_are_refused_by_name():
    with pytest.raises(ValueError, match="model 'sequential' is not built yet"):
        interop.to_torch(nn.Sequential([layers.Dense(1)]))
    with pytest.raises(TypeError, match="expected a nanonet Sequential"):
        interop.to_torch(torch.nn.Linear(2, 1))

    class Scaled(layers.Dense):
        pass

    model = nn.Sequential([layers.Dense(2, input_shape=(3,)), Scaled(1, name="scaled")])
    with pytest.raises(ValueError, match="Scaled 'scaled' has no PyTorch conversion; "
                                         "supported layers: Dense"):
        interop.to_torch(model)
    model = nn.Sequential([layers.Dropout(0.5, noise_shape=(None, 1), input_shape=(3,))])
    with pytest.raises(ValueError, match="Dropout 'dropout' has noise_shape"):
        interop.to_torch(model)


@pytest.mark.parametrize("arguments, message", [
    (dict(num_layers=2), "num_layers=2"),
    (dict(bidirectional=True), "bidirectional=True"),
    (dict(batch_first=False), "batch_first=False"),
    (dict(proj_size=1), "proj_size=1"),
])
def test_from_torch_refuses_lstms_nanonet_cannot_compute(arguments, message):
    options = {"batch_first": True, **arguments}
    module = torch.nn.Sequential(torch.nn.Embedding(4, 3), torch.nn.LSTM(3, 2, **options))
    with pytest.raises(ValueError, match=rf"module '1' \(LSTM\) has {message}"):
        interop.from_torch(module)


def test_from_torch_refuses_other_modules_by_name():
    with pytest.raises(ValueError, match=r"module '1' \(Conv1d\) has no nanonet counterpart; "
                                         r"supported: nn.Linear"):
        interop.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Conv1d(2, 2, 1)))
    with pytest.raises(ValueError, match=r"module '1' \(LSTM\) is followed by other modules"):
        interop.from_torch(torch.nn.Sequential(torch.nn.Embedding(4, 3),
                                       torch.nn.LSTM(3, 2, batch_first=True),
                                       torch.nn.Linear(2, 1)))
    with pytest.raises(ValueError, match="max_norm"):
        interop.from_torch(torch.nn.Sequential(torch.nn.Embedding(4, 3, max_norm=1.0)))
    with pytest.raises(TypeError, match="expected a torch.nn.Module"):
        interop.from_torch([torch.nn.Linear(2, 1)])


def test_a_mixed_precision_model_is_refused_with_the_way_out():
    model = nn.Sequential([layers.Dense(4, input_shape=(3,)), layers.Dense(1)], seed=0,
                          dtype="mixed_float16")
    with pytest.raises(ValueError, match="mixed precision.*float32 copy"):
        interop.to_torch(model)
