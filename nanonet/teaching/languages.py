"""The lessons' two languages, English (``en``) and Chinese (``zh``), from one source.

A lesson's code exists once; its prose exists twice, side by side, so that a change to one
language is seen beside the other. In the lesson script (jupytext's percent format) every
English text cell is followed at once by its Chinese twin, marked ``lang="zh"``::

    # %% [markdown]
    # ## Step 3 — forward
    # $$\\hat y = \\sigma(W_2\\,\\sigma(W_1 x + b_1) + b_2)$$

    # %% [markdown] lang="zh"
    # ## 第 3 步 — 前向传播
    # $$\\hat y = \\sigma(W_2\\,\\sigma(W_1 x + b_1) + b_2)$$

A text cell without ``lang`` is English. ``pairs`` checks the rule (and that both cells of a
pair have the same headings and the same display equations); ``for_language`` keeps the
code and one language's text, which is what the notebook and the book show.

What a lesson *prints* follows the language chosen with ``--lang zh`` (or ``NANONET_LANG=zh``
in the environment, which is how a notebook kernel gets it): ``words(en, zh)`` is the text
in the current language, ``say(en, zh)`` prints it, ``lesson.section(en, zh)`` is a heading.
Numbers are computed once and formatted into both texts.
"""
from __future__ import annotations

import os
import re
from typing import List, Tuple

__all__ = ["LANGUAGES", "HTML_LANG", "NAMES", "language", "set_language", "default_language",
           "words", "say", "cell_language", "for_language", "pairs", "text_signature"]

#: the languages a lesson is written in: English first (the default), then Chinese
LANGUAGES = ("en", "zh")
#: the value of ``<html lang=…>`` for each
HTML_LANG = {"en": "en", "zh": "zh-CN"}
#: each language's name, in itself
NAMES = {"en": "English", "zh": "中文"}

_current = {"language": "en"}


def check_language(lang, where: str) -> str:
    """`lang` if it is one of LANGUAGES, else a ValueError naming `where` and the choices."""
    if lang not in LANGUAGES:
        raise ValueError(f"{where}: unknown language {lang!r}; choose one of "
                         f"{', '.join(LANGUAGES)} (en: English, zh: 中文).")
    return lang


def default_language() -> str:
    """The language of the environment variable NANONET_LANG (``en`` if unset or empty)."""
    value = os.environ.get("NANONET_LANG", "") or "en"
    return check_language(value, "NANONET_LANG")


def language() -> str:
    """The language lessons print in now (set by ``lesson.options`` from ``--lang``)."""
    return _current["language"]


def set_language(lang: str) -> None:
    """Print in `lang` from now on (``en`` or ``zh``)."""
    _current["language"] = check_language(lang, "set_language")


def words(en: str, zh: str) -> str:
    """`en` or `zh`, whichever is the current language."""
    return zh if _current["language"] == "zh" else en


def say(en: str, zh: str, **print_options) -> None:
    """Print ``words(en, zh)`` (``print``'s keyword arguments pass through)."""
    print(words(en, zh), **print_options)


# ---------------------------------------------------------------- the text cells of a lesson
def cell_language(cell) -> str:
    """The language of an nbformat text cell: its ``lang`` metadata, English without one."""
    return cell.get("metadata", {}).get("lang", "en")


def for_language(notebook, lang: str):
    """A copy of the nbformat `notebook` with its code cells and the text cells of `lang`
    only (their ``lang`` metadata removed)."""
    import copy
    check_language(lang, "for_language")
    kept = copy.deepcopy(notebook)
    kept.cells = [cell for cell in kept.cells
                  if cell.cell_type != "markdown" or cell_language(cell) == lang]
    for cell in kept.cells:
        cell.get("metadata", {}).pop("lang", None)
    return kept


_HEADING = re.compile(r"^(#{1,6})\s", flags=re.MULTILINE)
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", flags=re.DOTALL)


def text_signature(source: str) -> Tuple[Tuple[int, ...], Tuple[str, ...]]:
    """What both languages of a text cell must share: the levels of its headings and its
    display equations (``$$…$$``, spaces removed)."""
    levels = tuple(len(match) for match in _HEADING.findall(source))
    equations = tuple(re.sub(r"\s+", "", math) for math in _DISPLAY_MATH.findall(source))
    return levels, equations


def pairs(notebook, where: str) -> List[tuple]:
    """The (English cell, Chinese cell) pairs of a lesson notebook, checking that every
    English text cell is followed at once by one Chinese twin with the same headings and
    display equations, and that no Chinese cell stands alone. A ValueError names `where`,
    the cell and what is missing."""
    cells = notebook.cells
    found, index = [], 0
    while index < len(cells):
        cell = cells[index]
        if cell.cell_type != "markdown":
            index += 1
            continue
        if cell_language(cell) != "en":
            raise ValueError(f"{where}: the {cell_language(cell)} text cell {_first_line(cell)!r} "
                             f"has no English cell right before it.")
        twin = cells[index + 1] if index + 1 < len(cells) else None
        if twin is None or twin.cell_type != "markdown" or cell_language(twin) != "zh":
            raise ValueError(f"{where}: the English text cell {_first_line(cell)!r} has no "
                             f"Chinese twin right after it (# %% [markdown] lang=\"zh\").")
        if text_signature(cell.source) != text_signature(twin.source):
            raise ValueError(f"{where}: the English text cell {_first_line(cell)!r} and its "
                             f"Chinese twin differ in headings or display equations: "
                             f"{text_signature(cell.source)} vs {text_signature(twin.source)}.")
        found.append((cell, twin))
        index += 2
    return found


def _first_line(cell) -> str:
    lines = cell.source.strip().splitlines()
    return lines[0][:70] if lines else ""
