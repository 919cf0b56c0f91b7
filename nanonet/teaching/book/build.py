"""Building the book: run every lesson in every language, render, write the pages.

The layout of ``DIR``::

    index.html                 the landing page, linking each language's book
    _static/book.css           the layout and pygments' colours
    _static/mathjax/…          MathJax 2.7, offline (assets.py)
    en/index.html              the English table of contents
    en/NN_name.html            a lesson: prose, code, outputs, figures, navigation
    en/NN_name_files/*.png     its figures
    en/NN_name.ipynb           the executed notebook, to download
    zh/…                       the same in Chinese

Files already in DIR are overwritten, others left alone.
"""
from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence

from .. import languages
from .. import notebook as lesson_notebooks
from . import assets, page
from .execute import Run, execute_all
from .render import render_notebook

__all__ = ["Book", "build_book", "BOOK_PACKAGES", "missing_message"]

#: what building the book needs (the ``[book]`` extra) beyond the notebook's packages
BOOK_PACKAGES = lesson_notebooks.NOTEBOOK_PACKAGES + ("nbconvert", "jupyter_server_mathjax")

_HEADING = re.compile(r"^#\s+(.+?)\s*$", flags=re.MULTILINE)


@dataclass
class Book:
    """What ``build_book`` wrote: the folder, and every HTML page's path."""
    out: Path
    pages: List[Path] = field(default_factory=list)


def missing_message(where: str) -> Optional[str]:
    """One line saying which of BOOK_PACKAGES `where` misses and how to install them, or
    None when all are there."""
    return lesson_notebooks.missing_message(where, BOOK_PACKAGES, "book")


def build_book(out, lessons: Sequence, langs: Sequence[str] = languages.LANGUAGES,
               quick: bool = False, workers: int = 2, timeout: Optional[float] = 600.0) -> Book:
    """Run each of the lesson scripts `lessons` (paths, in reading order) as a notebook in
    each language of `langs` (``en``, ``zh``), `workers` kernels at a time (`quick`: the
    lessons' small runs), and write the HTML book to the folder `out` (layout: this module's
    docstring). A cell that raises stops the build with ``BookBuildError`` naming the lesson,
    the language and the cell; nothing is written then. Returns the Book written."""
    lessons, langs = _checked(lessons, langs)
    with tempfile.TemporaryDirectory(prefix="nanonet_book_") as work:
        runs = [Run(lesson, lang) for lang in langs for lesson in lessons]
        notebooks = execute_all(runs, work, quick=quick, workers=workers, timeout=timeout)
    out = Path(out)
    book = Book(out)
    assets.copy_mathjax(out)
    (out / "_static" / "book.css").write_text(page.stylesheet(), encoding="utf-8")
    contents = {lang: [page.Entry(path.stem, title(notebooks[Run(path, lang)], path))
                       for path in lessons] for lang in langs}
    for lang in langs:
        book.pages += _write_language(out / lang, lang, contents[lang], lessons,
                                      [notebooks[Run(path, lang)] for path in lessons],
                                      langs, quick)
    book.pages.append(_write(out / "index.html", page.landing_page(contents)))
    return book


def _checked(lessons, langs):
    """The lessons as Paths and the languages, checked: the packages, at least one existing
    lesson, known languages without repeats."""
    message = missing_message("nanonet book")
    if message:
        raise ImportError(message)
    lessons = [Path(path) for path in lessons]
    if not lessons:
        raise ValueError("build_book: no lessons given; pass the lesson scripts' paths "
                         "(nanonet.cli.find_lessons() lists the project's).")
    missing = [str(path) for path in lessons if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"build_book: no lesson script at {', '.join(missing)}.")
    langs = [languages.check_language(lang, "build_book") for lang in langs]
    if not langs or len(set(langs)) != len(langs):
        raise ValueError(f"build_book: langs must name each language once, e.g. "
                         f"{list(languages.LANGUAGES)}; got {langs}.")
    return lessons, langs


def title(notebook, lesson: Path) -> str:
    """A lesson page's title: the first ``# heading`` of its text cells, else of the English
    ones (a lesson whose Chinese prose is not written yet), else the file's name."""
    texts = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    if not texts:
        english = lesson_notebooks.lesson_as_notebook(lesson, "en", "nanonet book")
        texts = [cell.source for cell in english.cells if cell.cell_type == "markdown"]
    for text in texts:
        match = _HEADING.search(text)
        if match:
            return match[1]
    return lesson.stem


def _write_language(folder: Path, lang: str, entries: List[page.Entry], lessons: List[Path],
                    notebooks: list, langs: Sequence[str], quick: bool) -> List[Path]:
    """One language's pages, figures and notebooks; returns the pages' paths."""
    import nbformat

    written = []
    for index, (entry, notebook) in enumerate(zip(entries, notebooks)):
        rendered = render_notebook(notebook, entry.name)
        for name, data in rendered.files.items():
            _write(folder / name, data)
        translated = any(cell.cell_type == "markdown" for cell in notebook.cells)
        html = page.lesson_page(lang, entries, index, rendered.body, langs, quick, translated)
        written.append(_write(folder / entry.href, html))
        nbformat.write(notebook, folder / f"{entry.name}.ipynb")
    written.append(_write(folder / "index.html", page.language_index(lang, entries, langs)))
    return written


def _write(path: Path, content) -> Path:
    """Write `content` (text as UTF-8, or bytes) to `path`, making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path
