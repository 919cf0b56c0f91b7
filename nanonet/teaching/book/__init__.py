"""The lessons as a book: executed, illustrated, offline, in English and Chinese.

``python -m nanonet book --out DIR [--quick] [--lang en,zh]`` (or ``build_book``) runs every
lesson as a notebook in each language and writes a static HTML book to DIR: a landing page,
and per language a table of contents and one page per lesson with its prose, code, outputs
and figures, the equations typeset by a copy of MathJax shipped inside the book — no network
when it is built or read. Needs the ``[book]`` extra (``pip install -e '.[book]'``).

One concept per module: ``execute`` (run the lessons, two kernels at a time), ``render``
(cells → HTML with nbconvert), ``page`` (the page shell and navigation), ``assets`` (MathJax
offline), ``build`` (the folder's layout).
"""
from .build import BOOK_PACKAGES, Book, build_book, missing_message
from .execute import BookBuildError

__all__ = ["build_book", "Book", "BookBuildError", "BOOK_PACKAGES", "missing_message"]
