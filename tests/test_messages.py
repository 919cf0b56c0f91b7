"""Issue 17's weaker messages, each answered: the right hint for (N,) inputs, y named when the
targets overflow the loss, MemoryError wrapped with the layer or argument and the size,
duplicate metrics refused, ``--out`` checked before the lesson runs.

(Sets and dicts given to the Tokenizer and pad_sequences(maxlen=10**12), the issue's other two
weak messages, are tests/test_text_hostile.py's.) Messages are matched on their key phrases —
the argument, the fix — not whole strings.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys

import numpy as np
import pytest

import nanonet as nn
from nanonet import layers, optimizers, validation
from nanonet.teaching import lesson
from nanonet.utils import to_categorical


def raised(error, function):
    with pytest.raises(error) as info:
        function()
    return str(info.value)


# ------------------------------------------------------------------ (N,) inputs
def regression(input_shape=None):
    model = nn.Sequential([layers.Dense(1, input_shape=input_shape)], seed=0)
    model.compile("sgd", "mse")
    return model


@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
def test_one_dimensional_x_gets_the_samples_hint_when_the_model_takes_one_feature(call):
    """Before: 'for a single sample use x[None]' — (1, 10) for a model of one feature. Keras 2
    reads (N,) as (N, 1): the fix is x[:, None]."""
    model, x = regression((1,)), np.arange(10.0)
    args = (x,) if call == "predict" else (x, x)
    text = raised(ValueError, lambda: getattr(model, call)(*args, verbose=0))
    assert f"Sequential.{call}" in text and "(10,)" in text
    assert "x[:, None]" in text and "x.reshape(-1, 1)" in text and "10 samples" in text
    assert "x[None]" not in text


def test_one_dimensional_x_gets_the_single_sample_hint_when_it_is_one_row_of_features():
    text = raised(ValueError, lambda: regression((10,)).predict(np.arange(10.0)))
    assert "x[None]" in text and "one sample of 10 features" in text and "x[:, None]" not in text


def test_an_unbuilt_model_offers_both_readings():
    text = raised(ValueError, lambda: regression().fit(np.arange(5.0), np.arange(5.0),
                                                       verbose=0))
    assert "x[:, None]" in text and "5 samples of one feature" in text
    assert "x[None]" in text and "one sample of 5 features" in text


def test_a_layer_called_on_one_dimensional_input_and_a_scalar():
    dense = layers.Dense(2)
    text = raised(ValueError, lambda: dense(np.arange(3.0)))
    assert "input[:, None]" in text and "input[None]" in text
    text = raised(ValueError, lambda: regression().predict(np.float64(2.5)))
    assert "[[2.5]]" in text and "x[None]" not in text


# ------------------------------------------------------------------ targets that overflow
def test_targets_whose_loss_overflows_are_named_not_the_learning_rate():
    """Before: fit blamed the learning rate for MSE on targets of 1e20 ((1e20)² > float32's
    3.4e38); now fit, train_on_batch, evaluate and loss_and_grads name y and its size."""
    x, y = np.ones((10, 2)), np.full(10, 1e20)
    model = nn.Sequential([layers.Dense(1, input_shape=(2,))], seed=0)
    model.compile("sgd", "mse")
    before = model.get_weights()
    for name, call in [("fit", lambda: model.fit(x, y, verbose=0)),
                       ("train_on_batch", lambda: model.train_on_batch(x, y)),
                       ("evaluate", lambda: model.evaluate(x, y, verbose=0)),
                       ("loss_and_grads", lambda: model.loss_and_grads(x, y))]:
        text = raised(ValueError, call)
        assert f"Sequential.{name}" in text and "the loss of y" in text, text
        assert "largest |y| = 1e+20" in text and "Scale y" in text and "float64" in text
        assert "learning_rate" not in text
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)                      # nothing trained


def test_an_overflow_that_is_not_the_targets_still_names_the_training():
    """Huge inputs with labels 0/1: the targets are innocent, the divergence error stays."""
    model = nn.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(3,))], seed=0)
    model.compile("sgd", "binary_crossentropy")
    model.set_weights([np.full((3, 1), 1e30), np.zeros(1)])
    text = raised(nn.TrainingDivergedError, lambda: model.fit(np.full((2, 3), 1e20), [0, 1],
                                                              verbose=0))
    assert re.search(r"the loss became (inf|nan)", text) and "learning_rate" in text


# ------------------------------------------------------------------ MemoryError
@pytest.mark.parametrize("build, parts", [
    (lambda: nn.Sequential([layers.Dense(10 ** 6, input_shape=(10 ** 6,))]),
     ["Dense 'dense'", "'kernel'", "units=1000000 for 1000000 input features",
      "(1000000, 1000000)", "float32", "3.64 TiB"]),
    (lambda: nn.Sequential([layers.Embedding(10 ** 9, 10 ** 3, input_length=5)]),
     ["Embedding", "'embeddings'", "input_dim=1000000000, output_dim=1000", "3.64 TiB"]),
    (lambda: nn.Sequential([layers.LSTM(10 ** 5, input_shape=(None, 8))]),
     ["LSTM", "'recurrent_kernel'", "units=100000", "(100000, 400000)"]),
], ids=["dense", "embedding", "lstm"])
def test_a_layer_too_large_for_memory_is_refused_naming_it_and_the_size(build, parts):
    """Before: NumPy's bare 'Unable to allocate 7.28 TiB … float64' from the initializer."""
    text = raised(MemoryError, build)
    for part in parts:
        assert part in text, text
    assert "of memory" in text and "smaller" in text


def test_numpys_own_memory_error_in_a_layer_is_wrapped(monkeypatch):
    """Where the memory limit is unknown, the allocation is tried, and its MemoryError named."""
    monkeypatch.setattr(validation, "memory_limit", lambda: None)

    def unable(shape, rng, dtype):
        raise MemoryError("Unable to allocate 8 GiB for an array")
    text = raised(MemoryError, lambda: layers.Dense(4, kernel_initializer=unable).build((3,)))
    assert "Dense" in text and "'kernel'" in text and "units=4 for 3 input features" in text
    assert "could not be allocated" in text and "Unable" not in text


def test_to_categorical_too_large_names_num_classes():
    text = raised(MemoryError, lambda: to_categorical([10 ** 12]))
    assert "to_categorical" in text and "num_classes=None (max(y) + 1 = 1000000000001)" in text
    text = raised(MemoryError, lambda: to_categorical([1], num_classes=10 ** 13))
    assert "num_classes=10000000000000" in text and "TiB" in text


def test_to_categorical_is_unchanged_for_ordinary_labels():
    labels = np.array([[2], [0], [1], [2]])
    expected = (labels.reshape(-1, 1) == np.arange(4)).astype("float32")
    result = to_categorical(labels, 4)
    assert result.dtype == np.float32 and result.shape == (4, 4)
    np.testing.assert_array_equal(result, expected)
    assert to_categorical([], 3).shape == (0, 3)


# ------------------------------------------------------------------ duplicate metrics
def compiled(metrics):
    model = nn.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(2,))])
    model.compile("sgd", "binary_crossentropy", metrics=metrics)
    return model


def accuracy_again(y_true, y_pred):
    return 0.0


accuracy_again.__name__ = "accuracy"


@pytest.mark.parametrize("metrics, name", [
    (["accuracy", "accuracy"], "accuracy"),
    (["ACCURACY", "accuracy"], "accuracy"),
    ([lambda t, p: 0.0, lambda t, p: 1.0], "<lambda>"),
    (["accuracy", accuracy_again], "accuracy"),
], ids=["twice", "case", "two-lambdas", "function-named-like-a-builtin"])
def test_two_metrics_of_one_name_are_refused(metrics, name):
    """Before: History kept one of them (Keras 2.15: 'Found two metrics with the same name')."""
    text = raised(ValueError, lambda: compiled(metrics))
    assert "Sequential.compile" in text and f"report as {name!r}" in text and "once" in text


def test_a_metric_named_loss_is_refused():
    def loss(y_true, y_pred):
        return 0.0
    text = raised(ValueError, lambda: compiled([loss]))
    assert "'loss'" in text and "the loss" in text


def test_distinct_metrics_all_reach_the_history():
    model = compiled(["accuracy", "acc", "binary_accuracy"])
    history = model.fit(np.eye(2), [0, 1], epochs=1, verbose=0)
    assert list(history.history) == ["loss", "accuracy", "acc", "binary_accuracy"]


# ------------------------------------------------------------------ --out
def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "nanonet", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("command", ["lesson", "notebook"])
def test_out_under_a_regular_file_exits_2_before_the_lesson_runs(tmp_path, command):
    """Before: lesson 01 ran to the end, then died saving its figure, with a traceback."""
    (tmp_path / "file.txt").write_text("not a folder")
    out = tmp_path / "file.txt" / "sub"
    result = run_cli(command, "01", "--quick", "--out", str(out))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "argument --out" in result.stderr and "file.txt' is a file" in result.stderr
    assert "Traceback" not in result.stderr
    assert "step" not in result.stdout and "PASSED" not in result.stdout   # nothing ran


def test_out_that_is_a_file_or_unwritable_is_refused_by_the_lesson_options(tmp_path,
                                                                            monkeypatch):
    (tmp_path / "file.txt").write_text("")
    for out, phrase in [(tmp_path / "file.txt", "is a file"),
                        (tmp_path / "file.txt" / "a" / "b", "cannot be created")]:
        with pytest.raises(SystemExit) as info:
            lesson.options("01", argv=["--out", str(out)])
        assert info.value.code == 2
        assert phrase in lesson.output_folder_problem(out)
    assert lesson.output_folder_problem(tmp_path / "new" / "folder") is None
    assert not (tmp_path / "new").exists()                        # nothing created
    monkeypatch.setattr(os, "access", lambda path, mode: False)   # as for a read-only folder
    assert "not writable" in lesson.output_folder_problem(tmp_path)
    assert "cannot be created" in lesson.output_folder_problem(tmp_path / "sub")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root may write into a read-only folder")
def test_out_in_a_read_only_folder_exits_2(tmp_path):
    folder = tmp_path / "read_only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = run_cli("lesson", "01", "--quick", "--out", str(folder / "figures"))
    finally:
        folder.chmod(0o755)
    assert result.returncode == 2 and "not writable" in result.stderr
    assert "Traceback" not in result.stderr
