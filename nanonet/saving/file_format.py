"""The names every nanonet model file uses (nanonet.saving's docstring shows the layout), and
the error the reading modules raise for a file they refuse.

``FORMAT`` and ``VERSION`` are the header's ``"format"`` and ``"version"``; ``HEADER`` is the
name of the entry that holds the header (the JSON model description).
"""
from __future__ import annotations

FORMAT = "nanonet-model"
VERSION = 1
HEADER = "nanonet_model"


class Refused(ValueError):
    """A problem with the file that the reading modules have already put into words: raised by
    header.py, archive.py and expected.py, turned into a plain ValueError by reading.py."""
