"""A lesson opened as a Jupyter notebook (``python -m nanonet notebook``, nanonet.teaching.notebook):
converted by jupytext, executed by nbclient in a real kernel, its figures inline, its progress
bars live. Skipped without the notebook extra (``pip install -e '.[notebook]'``)."""
import re

import pytest

from extras import lazy, needs
from lesson_runner import ROOT, lesson_path

from nanonet import cli
from nanonet.teaching import notebook as lesson_notebooks

nbformat = lazy.module("nbformat")
with_notebook_extra = needs(*lesson_notebooks.NOTEBOOK_PACKAGES)


def outputs(cell, kind):
    return [o for o in cell.get("outputs", []) if o["output_type"] == kind]


@pytest.mark.lesson_run
@with_notebook_extra
def test_a_lesson_runs_as_a_notebook_with_its_figures_inline(tmp_path):
    path = lesson_notebooks.lesson_notebook(lesson_path("03"), tmp_path / "nb", quick=True,
                                            workdir=tmp_path)
    assert path == tmp_path / "nb" / "03_training_step_by_step.ipynb"
    book = nbformat.read(path, as_version=4)
    code = [cell for cell in book.cells if cell.cell_type == "code"]
    assert book.cells[0].cell_type == "markdown" and book.cells[0].source.startswith(
        "# Lesson 03")
    # the module docstring opens the first code cell, and is not echoed as its value
    assert code[0].source.startswith('"""Lesson 03') and not outputs(code[0], "execute_result")
    assert not any(outputs(cell, "error") for cell in code)
    printed = "".join(o["text"] for cell in code for o in outputs(cell, "stream"))
    saved = re.findall(r"^figure: (\S+)$", printed, flags=re.MULTILINE)
    images = [o for cell in code for o in outputs(cell, "display_data")
              if "image/png" in o.get("data", {})]
    assert len(saved) == 2 and len(images) == len(saved), (saved, len(images))
    assert all((tmp_path / name).is_file() for name in saved)    # saved as well as shown
    assert "Epoch 2/" in printed              # quick mode fits with verbose=2: Keras's header


@with_notebook_extra
def test_fits_progress_bar_redraws_its_line_in_a_notebook(tmp_path):
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import numpy as np, nanonet as nn\n"
        "from nanonet import layers, progress\n"
        "progress.REDRAW_INTERVAL = 0\n"
        "model = nn.Sequential([layers.Dense(1, activation='sigmoid', input_shape=(2,))],"
        " seed=0)\n"
        "model.compile(optimizer='sgd', loss='binary_crossentropy')\n"
        "x = np.random.default_rng(0).normal(size=(40, 2))\n"
        "model.fit(x, x[:, 0] > 0, epochs=2, batch_size=10)\n")])
    lesson_notebooks.run_notebook(book, tmp_path)
    text = "".join(o["text"] for o in outputs(book.cells[0], "stream"))
    assert text.startswith("Epoch 1/2\n") and "Epoch 2/2\n" in text
    first_epoch = text.split("Epoch 2/2\n")[0]
    assert first_epoch.count("\r") == 4, repr(first_epoch)      # steps 1..4 of 4, redrawn
    assert "4/4 [==============================]" in first_epoch


def test_without_the_extra_the_command_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setattr(lesson_notebooks, "missing_packages",
                        lambda packages=(): ["jupytext", "nbclient"])
    assert cli.main(["notebook", "03"]) == 2
    error = capsys.readouterr().err
    assert "needs jupytext, nbclient" in error and "pip install -e '.[notebook]'" in error
    with pytest.raises(ImportError, match=r"\.\[notebook\]"):
        lesson_notebooks.lesson_notebook(lesson_path("03"), "unused")


def test_the_extra_lists_what_the_module_needs():
    setup = (ROOT / "setup.cfg").read_text(encoding="utf-8")
    extra = setup.split("\nnotebook =\n")[1].split("\n[")[0].split("\n\n")[0]
    listed = {re.match(r"\s*([A-Za-z_]+)", line)[1] for line in extra.splitlines()
              if line.strip() and not line.strip().startswith("#")}
    assert set(lesson_notebooks.NOTEBOOK_PACKAGES) <= listed, listed


@with_notebook_extra
def test_no_run_only_converts(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["notebook", "01", "--no-run"]) == 0
    path = tmp_path / "lesson_output" / "01" / "01_two_layer_network.ipynb"
    assert f"notebook: {path.relative_to(tmp_path)}" in capsys.readouterr().out
    book = nbformat.read(path, as_version=4)
    assert book.metadata["kernelspec"]["name"] == "python3"
    assert [c.cell_type for c in book.cells][:2] == ["markdown", "code"]
    assert not any(c.get("outputs") for c in book.cells if c.cell_type == "code")
