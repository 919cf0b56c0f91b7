"""A lesson as a Jupyter notebook: converted with jupytext, run with nbclient, figures inline.

Lessons are Python scripts in jupytext's percent format: ``# %% [markdown]`` starts a text cell,
``# %%`` a code cell. Jupyter with the jupytext extension opens them as notebooks directly;
this module writes a real ``.ipynb`` file, executed so that it already holds every output::

    pip install -e '.[notebook]'
    python -m nanonet notebook 03            # → lesson_output/03/03_training_step_by_step.ipynb
    python -m nanonet notebook 03 --quick    # the small run (NANONET_QUICK=1 in the kernel)
    python -m nanonet notebook 03 --no-run   # converted only: run it yourself in Jupyter
    python -m nanonet notebook 03 --lang zh  # the Chinese text cells (and printed prose)

In the kernel, ``nanonet.plotting`` keeps the inline backend and shows each figure in the
cell that draws it (as well as saving it), and ``fit``'s progress bar redraws its line as in
Keras. The kernel works in the current folder, as ``python -m nanonet lesson 03`` does, so
the lesson saves its figures to the same place (``lesson_output/03``), beside the notebook.

Needs the ``[notebook]`` extra (jupytext, nbclient, ipykernel); without it the functions
here raise ``ImportError`` saying what to install.
"""
from __future__ import annotations

import importlib.util
import os
import tempfile
from pathlib import Path
from typing import Dict, Optional, Sequence

from . import languages

__all__ = ["NOTEBOOK_PACKAGES", "missing_packages", "missing_message", "lesson_notebook",
           "lesson_as_notebook", "run_notebook", "kernel_environment"]

#: what converting and running a lesson as a notebook needs (the ``[notebook]`` extra)
NOTEBOOK_PACKAGES = ("jupytext", "nbclient", "ipykernel")


def missing_packages(packages: Sequence[str] = NOTEBOOK_PACKAGES) -> list:
    """The `packages` (import names; NOTEBOOK_PACKAGES by default) that cannot be imported
    here."""
    return [name for name in packages if importlib.util.find_spec(name) is None]


def missing_message(where: str, packages: Sequence[str] = NOTEBOOK_PACKAGES,
                    extra: str = "notebook") -> Optional[str]:
    """What `where` needs installed of `packages`, as one line naming them as pip does
    (``jupyter-server-mathjax``) and the extra that brings them, or None if nothing is
    missing."""
    missing = missing_packages(packages)
    if not missing:
        return None
    return (f"{where}: needs {', '.join(name.replace('_', '-') for name in missing)} — "
            f"install the {extra} extra: pip install -e '.[{extra}]'")


def _require(where: str) -> None:
    message = missing_message(where)
    if message:
        raise ImportError(message)


def lesson_notebook(lesson_path, out, run: bool = True, quick: bool = False,
                    timeout: Optional[float] = 600.0, workdir=None, lang: str = "en") -> Path:
    """Convert the lesson script `lesson_path` to ``out/<its name>.ipynb`` and, if `run`,
    execute it first (in a fresh kernel working in `workdir`, default the current folder;
    `quick` sets NANONET_QUICK=1 for the kernel). The notebook holds the code and the text
    cells of `lang` (``en`` or ``zh``: ``languages.for_language``), and the kernel prints in
    that language. Returns the notebook's path. A cell that raises stops the run with
    nbclient's ``CellExecutionError``, which names the cell and the error (and no notebook
    is written)."""
    _require("lesson_notebook")
    import nbformat

    lesson_path, out = Path(lesson_path), Path(out)
    notebook = lesson_as_notebook(lesson_path, lang, "lesson_notebook")
    out.mkdir(parents=True, exist_ok=True)
    if run:
        run_notebook(notebook, Path.cwd() if workdir is None else workdir, quick=quick,
                     timeout=timeout, lang=lang)
    path = out / f"{lesson_path.stem}.ipynb"
    nbformat.write(notebook, path)
    return path


def lesson_as_notebook(lesson_path, lang: str = "en", where: str = "lesson_as_notebook"):
    """The lesson script `lesson_path` as an nbformat notebook, not run: its code cells and
    the text cells of `lang` (``languages.for_language``), for the python3 kernel. A missing
    file is a FileNotFoundError naming `where` and the path."""
    _require(where)
    import jupytext

    lesson_path = Path(lesson_path)
    if not lesson_path.is_file():
        raise FileNotFoundError(f"{where}: no lesson script at {lesson_path}.")
    notebook = languages.for_language(jupytext.read(lesson_path), lang)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    return notebook


def run_notebook(notebook, folder, quick: bool = False, timeout: Optional[float] = 600.0,
                 lang: str = "en", environment: Optional[Dict[str, str]] = None):
    """Execute the nbformat `notebook` in place, in a new python3 kernel working in `folder`;
    returns it. `quick` runs lessons small (NANONET_QUICK=1 in the kernel's environment),
    `lang` sets the language they print in (NANONET_LANG); `environment` adds variables of
    its own (e.g. ``{"OPENBLAS_NUM_THREADS": "1"}``). The kernel's environment is passed to
    it, not set in this process, so several threads may run notebooks at once.
    The kernel talks over local sockets in a temporary folder (over TCP on Windows)."""
    _require("run_notebook")
    import nbclient
    from jupyter_client.manager import KernelManager

    variables = kernel_environment(quick, languages.check_language(lang, "run_notebook"),
                                   environment)
    with tempfile.TemporaryDirectory(prefix="nanonet_kernel_") as sockets:
        local = {} if os.name == "nt" else {"transport": "ipc",
                                            "ip": os.path.join(sockets, "kernel")}
        kernel = KernelManager(kernel_name="python3", **local)
        client = nbclient.NotebookClient(notebook, timeout=timeout, km=kernel,
                                         resources={"metadata": {"path": str(folder)}})
        try:
            client.execute(env=variables)
        finally:                    # nbclient leaves a kernel it was given running: stop it
            if client.kc is not None:
                client.kc.stop_channels()
            if kernel.has_kernel:
                kernel.shutdown_kernel(now=True)
    return notebook


def kernel_environment(quick: bool, lang: str,
                       extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """This process's environment variables with NANONET_QUICK (set to 1 if `quick`, else
    removed), NANONET_LANG=`lang` and `extra`: what a lesson's kernel starts with."""
    variables = {**os.environ, **(extra or {}), "NANONET_LANG": lang}
    variables.pop("NANONET_QUICK", None)
    if quick:
        variables["NANONET_QUICK"] = "1"
    return variables
