"""RMSprop against real Keras 2.15 (keras_rmsprop.npz, made by
tests/fixtures/make_keras_rmsprop_fixtures.py), its equations on one array, saving its state,
and clear errors. Its fast (blocked, in place) update equals the reference bit for bit:
tests/test_engines.py."""
import json
from pathlib import Path

import numpy as np
import pytest

import nanonet as nn
from nanonet import layers, optimizers

with np.load(Path(__file__).parent / "fixtures" / "keras_rmsprop.npz",
             allow_pickle=False) as _data:
    KERAS = {key: _data[key] for key in _data.files}

#: the RMSprop arguments of each case, as the generator ran them
CONFIGS = json.loads(str(KERAS["configs"]))


@pytest.mark.parametrize("engine", ["fast", "reference"])
@pytest.mark.parametrize("case", sorted(CONFIGS))
def test_rmsprop_trajectory_and_slots_match_keras(case, engine):
    """float32 within 1e-5 relative: Keras multiplies by rsqrt(d), nanonet divides by √d."""
    optimizer = optimizers.RMSprop(**CONFIGS[case])
    optimizer.engine = engine
    w = KERAS["w0"].copy()
    for step, grad in enumerate(KERAS["grads"]):
        optimizer.apply_gradients([w], [grad.copy()])
        np.testing.assert_allclose(w, KERAS[case][step], rtol=1e-5, atol=1e-7,
                                   err_msg=f"{case}, step {step + 1}")
    for kind in ("velocity", "momentum", "average_gradient"):
        if f"slot_{case}_{kind}" in KERAS:
            np.testing.assert_allclose(optimizer.slots[0][kind], KERAS[f"slot_{case}_{kind}"],
                                       rtol=1e-5, atol=1e-9)
        else:
            assert kind not in optimizer.slots[0]


def test_the_update_is_its_equations():
    """One step from zero slots, by hand: v = (1 − ρ)g², Δ = lr·g/√(v + ε) — ε inside the
    root, no bias correction (Adam-style correction would give a step of about lr)."""
    g = np.array([0.5, -2.0])
    new, state = optimizers.RMSprop(learning_rate=0.1).update(
        np.zeros(2), g, {"velocity": np.zeros(2)})
    np.testing.assert_allclose(state["velocity"], 0.1 * g ** 2)
    np.testing.assert_allclose(new, -0.1 * g / np.sqrt(0.1 * g ** 2 + 1e-7))
    assert abs(new[0]) > 0.3                       # ≈ lr/√(1 − ρ): no bias correction


def test_compile_defaults_to_rmsprop_as_keras():
    model = nn.Sequential([layers.Dense(4, activation="relu", input_shape=(3,)),
                           layers.Dense(1, activation="sigmoid")])
    model.set_weights(_keras_init())
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    assert type(model.optimizer).__name__ == str(KERAS["fit_optimizer"]) == "RMSprop"
    x, y = _keras_data()
    history = model.fit(x, y, epochs=3, batch_size=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], KERAS["fit_loss"], rtol=1e-5)
    for i, weight in enumerate(model.get_weights()):
        np.testing.assert_allclose(weight, KERAS[f"fit_w{i}"], rtol=1e-5, atol=1e-6)


def _keras_init():
    with np.load(Path(__file__).parent / "fixtures" / "keras_training.npz") as data:
        return [data[f"w_init_{i}"] for i in range(4)]


def _keras_data():
    with np.load(Path(__file__).parent / "fixtures" / "keras_training.npz") as data:
        return data["x_train"], data["y_train"]


def test_a_saved_rmsprop_model_resumes_exactly(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 3)), (rng.random(32) > 0.5).astype(float)

    def model():
        m = nn.Sequential([layers.Dense(4, activation="tanh", input_shape=(3,)),
                           layers.Dense(1, activation="sigmoid")], seed=0)
        m.compile(optimizer=optimizers.RMSprop(0.01, momentum=0.5, centered=True),
                  loss="binary_crossentropy")
        return m

    straight, halves = model(), model()
    straight.fit(x, y, epochs=4, batch_size=8, shuffle=False, verbose=0)
    halves.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    halves.save(tmp_path / "half.nanonet")
    resumed = nn.load_model(tmp_path / "half.nanonet")
    assert resumed.optimizer.get_config() == halves.optimizer.get_config()
    resumed.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(resumed.get_weights(), straight.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("arguments,message", [
    ({"rho": 1.0}, r"RMSprop: rho must be .*1"),
    ({"momentum": -0.1}, r"RMSprop: momentum must be"),
    ({"epsilon": -1e-7}, r"RMSprop: epsilon must be"),
    ({"centered": "yes"}, r"RMSprop: centered must be"),
    ({"learning_rate": 0.0}, r"RMSprop: learning_rate must be")])
def test_bad_arguments_name_themselves(arguments, message):
    with pytest.raises((ValueError, TypeError), match=message):
        optimizers.RMSprop(**arguments)


def test_rmsprop_is_known_by_name():
    assert isinstance(optimizers.get("rmsprop"), optimizers.RMSprop)
    assert isinstance(optimizers.get("RMSprop"), optimizers.RMSprop)
