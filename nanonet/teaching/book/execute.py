"""Running the lessons for the book: each lesson in each language as a notebook, two at a time.

Every (lesson, language) pair is executed by ``notebook.run_notebook`` in a kernel of its own,
working in a folder of its own (so two runs never write the same figure file), with one BLAS
thread per kernel (two kernels share the two cores). The kernels are separate processes, so
threads here only wait for them.

A cell that raises stops the build: ``BookBuildError`` names the lesson, the language and the
cell (its number among the notebook's cells and its first line) and carries nbclient's report
(the cell's source and the traceback).
"""
from __future__ import annotations

import concurrent.futures
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

from .. import notebook as lesson_notebooks

__all__ = ["BookBuildError", "Run", "execute_all"]

#: the kernels' thread settings: two kernels at once on two cores, one BLAS thread each
ONE_THREAD = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                     "MKL_NUM_THREADS")}
#: the terminal colour codes in a kernel's traceback
_ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


class BookBuildError(RuntimeError):
    """A lesson failed while the book was built; the message names the lesson and the cell."""


@dataclass(frozen=True)
class Run:
    """One lesson script, run in one language."""
    lesson: Path
    lang: str

    @property
    def name(self) -> str:
        return f"{self.lesson.stem} ({self.lang})"


def execute_all(runs: Iterable[Run], folder, quick: bool, workers: int = 2,
                timeout: Optional[float] = 600.0) -> Dict[Run, object]:
    """Execute every run's notebook, `workers` at a time, each kernel working in its own
    subfolder of `folder`; returns {run: executed nbformat notebook}. The first failure
    cancels the runs not started yet and raises BookBuildError."""
    runs = list(runs)
    done: Dict[Run, object] = {}
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        futures = {pool.submit(execute_one, run, Path(folder), quick, timeout): run
                   for run in runs}
        for future in concurrent.futures.as_completed(futures):
            done[futures[future]] = future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return {run: done[run] for run in runs}


def execute_one(run: Run, folder: Path, quick: bool, timeout: Optional[float]):
    """The executed notebook of `run`, its kernel working in ``folder/<lang>/<lesson>``."""
    from nbclient.exceptions import CellExecutionError

    notebook = lesson_notebooks.lesson_as_notebook(run.lesson, run.lang, "nanonet book")
    workdir = folder / run.lang / run.lesson.stem
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        lesson_notebooks.run_notebook(notebook, workdir, quick=quick, timeout=timeout,
                                      lang=run.lang, environment=ONE_THREAD)
    except CellExecutionError as error:
        raise BookBuildError(failure_message(run, notebook, error)) from error
    return notebook


def failure_message(run: Run, notebook, error) -> str:
    """'lesson NN_name (lang) failed in cell K (“first line”): …' and nbclient's report."""
    index, first_line = failed_cell(notebook.cells)
    where = f"cell {index} of {len(notebook.cells)} ({first_line!r})" if index else "a cell"
    report = _ANSI_COLOUR.sub("", str(error))            # the kernel colours its traceback
    return (f"nanonet book: lesson {run.name} failed in {where}: {error.ename}: "
            f"{error.evalue}\n{report}")


def failed_cell(cells: List) -> Tuple[int, str]:
    """The 1-based number and first line of the first cell holding an error output (nbclient
    records it before raising), or (0, '')."""
    for index, cell in enumerate(cells, start=1):
        if any(output.get("output_type") == "error" for output in cell.get("outputs", [])):
            lines = cell.source.strip().splitlines()
            return index, lines[0][:80] if lines else ""
    return 0, ""
