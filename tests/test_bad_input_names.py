"""Messages a newcomer can act on (issue 13, part 5):

- "Did you mean" only for names that are really close: a typo or another case ('sigmod',
  'Adam'), never a different thing that looks alike ('elu' is not 'relu', 'AUC' not 'acc');
- an unknown keyword argument to any layer, Sequential, compile, fit, evaluate or predict lists
  the accepted ones and Keras's renamings (``init`` → ``kernel_initializer``), one mechanism
  for all (validation.keyword_checked), instead of Python's bare TypeError;
- ``model.save("model.h5")`` (or ``.keras``) is refused with the fix: nanonet writes .npz.
"""
from __future__ import annotations

import inspect
import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nanonet as nn
from nanonet import layers, optimizers
from nanonet.layers import registry
from nanonet.validation import close_names, unknown_name_error


def _model(compiled=True):
    model = nn.Sequential([layers.Dense(2, activation="tanh", input_shape=(3,)),
                           layers.Dense(1, activation="sigmoid")], seed=0)
    if compiled:
        model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _message(action, exception) -> str:
    with pytest.raises(exception) as excinfo:
        action()
    return str(excinfo.value)


# ---------------------------------------------------------------- "Did you mean"
WRONG_LEADS = [   # (what the user wrote, the valid name that only looks alike, the call)
    ("elu", "relu", lambda: layers.Activation("elu")),
    ("elu", "relu", lambda: layers.Dense(2, activation="elu")),
    ("AUC", "acc", lambda: _model(False).compile(loss="mse", metrics=["AUC"])),
    ("mae", "mse", lambda: _model(False).compile(loss="mae")),
    ("categorical_hinge", "categorical_crossentropy",
     lambda: _model(False).compile(loss="categorical_hinge")),
]


@pytest.mark.parametrize("bad, lookalike, action", WRONG_LEADS,
                         ids=[f"{bad}-not-{like}" for bad, like, _ in WRONG_LEADS])
def test_no_suggestion_for_a_name_that_only_looks_alike(bad, lookalike, action):
    text = _message(action, ValueError)
    assert f"Unknown" in text and repr(bad) in text and lookalike in text   # listed as valid
    assert "Did you mean" not in text, text


GOOD_LEADS = [   # (what the user wrote, what they meant, the call)
    ("sigmod", "sigmoid", lambda: layers.Activation("sigmod")),
    ("relo", "relu", lambda: layers.Dense(2, activation="relo")),
    ("adm", "adam", lambda: optimizers.get("adm")),
    ("acuracy", "accuracy", lambda: _model(False).compile(loss="mse", metrics=["acuracy"])),
    ("binary_crossentropie", "binary_crossentropy",
     lambda: _model(False).compile(loss="binary_crossentropie")),
    ("glorot_unifrom", "glorot_uniform",
     lambda: layers.Dense(2, kernel_initializer="glorot_unifrom")),
]


@pytest.mark.parametrize("bad, meant, action", GOOD_LEADS, ids=[g[0] for g in GOOD_LEADS])
def test_a_typo_is_still_answered_with_the_name_meant(bad, meant, action):
    text = _message(action, ValueError)
    assert text.endswith(f"Did you mean {meant!r}?"), text


def test_another_case_is_the_same_name():
    assert close_names("Adam", ["adam", "sgd"]) == ["adam"]
    assert close_names("MSE", ["mse", "mae_typo"]) == ["mse"]
    text = str(unknown_name_error("optimizer", "ADAM", ["adam", "sgd"]))
    assert text.endswith("Did you mean 'adam'?")


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=8, max_size=24)


@given(name=names, data=st.data())
def test_one_slip_in_a_long_name_is_close(name, data):
    """A dropped, doubled or swapped letter after the first (one edit in ≥ 8 letters)."""
    i = data.draw(st.integers(1, len(name) - 2))
    slips = [name[:i] + name[i + 1:], name[:i] + name[i] + name[i:],
             name[:i] + name[i + 1] + name[i] + name[i + 2:]]
    for slip in slips:
        assert name in close_names(slip, [name, "zzzz"]), (slip, name)


@given(name=st.text(alphabet="abcdefghij", min_size=2, max_size=6),
       other=st.text(alphabet="klmnopqrst", min_size=2, max_size=6))
def test_names_with_nothing_in_common_are_never_close(name, other):
    assert close_names(name, [other]) == []


# ---------------------------------------------------------------- unknown keyword arguments
#: a value for every required constructor argument of the registered layers
REQUIRED = {"units": 2, "activation": "relu", "input_dim": 5, "output_dim": 2, "rate": 0.5}


def _required_args(cls):
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    return {p.name: REQUIRED[p.name] for p in parameters if p.default is p.empty}


@pytest.mark.parametrize("cls", sorted(registry._LAYERS.values(), key=lambda c: c.__name__),
                         ids=lambda c: c.__name__)
def test_every_layer_constructor_lists_its_arguments(cls):
    accepted = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    text = _message(lambda: cls(**_required_args(cls), bogus_argument=1), TypeError)
    assert text.startswith(f"{cls.__name__}: unknown argument 'bogus_argument' (= 1). "
                           f"Valid arguments: {', '.join(accepted)}."), text
    assert "unexpected keyword" not in text
    assert isinstance(cls(**_required_args(cls)), layers.Layer)     # the right ones work


def test_a_named_layer_is_named_and_every_unknown_argument_listed():
    text = _message(lambda: layers.LSTM(3, name="encoder", go_backwards=True, stateful=True),
                    TypeError)
    assert text.startswith("LSTM 'encoder': unknown arguments 'go_backwards' (= True), "
                           "'stateful' (= True). Valid arguments: units, dropout"), text


x3, y1 = np.ones((4, 3)), np.array([0.0, 1.0, 0.0, 1.0])
MODEL_CALLS = [   # (call, where, a good keyword it must list)
    (lambda: nn.Sequential([layers.Dense(1)], sed=0), "Sequential", "seed"),
    (lambda: _model(False).compile(loss="mse", metric=["acc"]), "Sequential.compile", "metrics"),
    (lambda: _model().fit(x3, y1, epoch=2, verbose=0), "Sequential.fit", "epochs"),
    (lambda: _model().evaluate(x3, y1, batchsize=2, verbose=0), "Sequential.evaluate",
     "batch_size"),
    (lambda: _model().predict(x3, steps=1), "Sequential.predict", "batch_size"),
]


@pytest.mark.parametrize("action, where, listed", MODEL_CALLS, ids=[c[1] for c in MODEL_CALLS])
def test_the_model_entry_points_list_their_arguments(action, where, listed):
    text = _message(action, TypeError)
    assert text.startswith(f"{where}: unknown argument") and "Valid arguments: " in text
    assert listed in text.split("Valid arguments: ")[1]


KERAS_RENAMES = [   # (call with a Keras 1 name, what Keras 2 calls it)
    (lambda: layers.Dense(2, init="he_normal"), "kernel_initializer='he_normal'"),
    (lambda: layers.Dense(output_dim=2), "units=2"),
    (lambda: layers.Embedding(5, 2, init="uniform"), "embeddings_initializer='uniform'"),
    (lambda: layers.LSTM(2, dropout_W=0.2), "dropout=0.2"),
    (lambda: layers.LSTM(2, inner_init="orthogonal"), "recurrent_initializer='orthogonal'"),
    (lambda: layers.Dropout(p=0.5), "rate=0.5"),
    (lambda: _model().fit(x3, y1, nb_epoch=3, verbose=0), "epochs=3"),
    (lambda: optimizers.SGD(lr=0.1), "learning_rate=0.1"),
]


@pytest.mark.parametrize("action, fix", KERAS_RENAMES, ids=[k[1].split("=")[0] + "-" + str(i)
                                                            for i, k in enumerate(KERAS_RENAMES)])
def test_keras_renamed_arguments_are_named_with_the_new_spelling(action, fix):
    text = _message(action, TypeError)
    old = text.split("unknown argument '")[1].split("'")[0]
    assert text.endswith(f"Keras renamed {old} to {fix.split('=')[0]}: write {fix}."), text


def test_a_refused_fit_changes_nothing():
    model = _model()
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(TypeError):
        model.fit(x3, y1, nb_epoch=3, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    assert model.history is None


# ---------------------------------------------------------------- Keras file names
@pytest.mark.parametrize("name", ["model.h5", "model.keras", "weights.HDF5"])
def test_save_refuses_keras_file_names_and_names_the_npz_fix(name, tmp_path):
    target = tmp_path / name
    fixed = str(target.with_suffix(".npz"))
    text = _message(lambda: _model().save(target), ValueError)
    assert text.startswith(f"Sequential.save: {str(target)!r} ends in {target.suffix}")
    assert "nanonet writes its own .npz" in text and f"Save to {fixed!r}" in text
    assert os.listdir(tmp_path) == []                               # nothing written
    _model().save(fixed)
    assert nn.load_model(fixed).get_config() == _model().get_config()


def test_loading_a_keras_hdf5_file_says_what_it_is(tmp_path):
    path = tmp_path / "keras_model.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(64))                 # HDF5's signature
    text = _message(lambda: nn.load_model(path), ValueError)
    assert "HDF5 file (Keras's .h5 format)" in text and "from_keras_weights" in text
