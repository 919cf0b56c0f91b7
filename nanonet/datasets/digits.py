"""Handwritten digits, 8×8 pixels, ten classes: the small multi-class data set of lesson 10.

    load_digits()  → (x: (1797, 64) float32 pixel counts 0–16, y: (1797,) int64 digits 0–9)

Shipped with the package (``data/digits/``, 57 KB, CC BY 4.0; its README says where it comes
from) and checked against its sha256, so no download is ever needed.
"""
from __future__ import annotations

import gzip
import hashlib
import io
from pathlib import Path
from typing import Tuple

import numpy as np

from .stocks import DatasetIntegrityError

DATA_FILE = Path(__file__).resolve().parent / "data" / "digits" / "digits.csv.gz"
#: sha256 of the shipped file (the same value as in ``data/digits/README.md``)
SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
ATTRIBUTION = ("Optical Recognition of Handwritten Digits (test set), E. Alpaydin and "
               "C. Kaynak, UCI Machine Learning Repository, 1998; CC BY 4.0.")


def load_digits() -> Tuple[np.ndarray, np.ndarray]:
    """(x, y): x (1797, 64) float32, each row an 8×8 image read row by row (pixel counts
    0–16); y (1797,) int64, the digit 0–9. Raises if the shipped file was changed."""
    raw = DATA_FILE.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SHA256:
        raise DatasetIntegrityError(f"load_digits: {DATA_FILE} has sha256 {digest}, expected {SHA256}: "
                         f"the file was changed; reinstall nanonet to restore it.")
    table = np.loadtxt(io.StringIO(gzip.decompress(raw).decode("ascii")), delimiter=",")
    return table[:, :64].astype(np.float32), table[:, 64].astype(np.int64)
