"""The classroom kit: exercises marked in nanonet's own source, student copies made from it,
an autograder that explains what is wrong, and find-the-bug copies.

    python -m nanonet exercises list
    python -m nanonet exercises make-student OUT [--only E01,E02 | --upto E05]
    python -m nanonet exercises grade [DIR] [--json FILE]
    python -m nanonet exercises make-bug OUT --seed N

See docs/teaching.md for running a course with it.
"""
from .catalogue import EXERCISES, Exercise, get, select

__all__ = ["EXERCISES", "Exercise", "get", "select"]
