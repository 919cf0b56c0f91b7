"""The bounded reading order of ``load_model``: read_archive opens the file and returns the
checked header and every array it implies, read with NumPy's .npy reader and never with pickle
— nothing in the file is ever executed.

Bounded loading: a file can make ``load_model`` allocate no more than (about) the size of the
model it describes, whatever it claims. It reads, in this order, and refuses at the first
disagreement:

1. the zip's directory (names and sizes; nothing decompressed);
2. the header entry, refused unread if bigger than ``MAX_HEADER_BYTES`` (8 MiB);
3. the architecture the header describes: its layers are made from their configs, not built,
   and each gives the shapes of its weights (``layer.weight_shapes``), which must be the
   header's list of weight shapes — an edited ``units=20000`` is refused here, before any
   weight is allocated or initialised;
4. the names of the entries: exactly the weights, masks and optimizer slots the architecture
   implies; any other entry (an extra top-level entry, an extra weight, slot or mask) is
   refused by its name alone, unread;
5. each entry's .npy header (the only part decompressed so far): its shape and dtype must be
   what the architecture implies (the model's dtype for weights and slots, bool for masks, an
   integer for the iteration count) and its size what the zip says it stores; so the sizes of
   the entries add up to exactly what the architecture implies;
6. the data (a zip that lies about an entry's size fails here, having decompressed no more
   than the bytes the entry really holds); then the model is built, and the optimizer state
   is checked against its parameters (optimizer_state.check_optimizer_state): every slot
   finite, of its parameter's shape and dtype, Adam's ``v`` and RMSprop's ``velocity`` (means
   of squared gradients) ≥ 0, Adam's ``m`` and centered RMSprop's ``average_gradient`` within
   what their mean of squares allows (|m| ≤ √(C·v), C from Cauchy–Schwarz:
   optimizer_state.moment_bound), the iteration count a non-negative integer. A violation
   names the slot and the file.

Steps 1, 2, 5 and 6 are archive.py's, 3 and 4 expected.py's; step 6's building is
loading.py's.
"""
from __future__ import annotations

import os
import zipfile
from typing import Dict, Tuple

import numpy as np

from .archive import archive_index, npy_layout, read_data, read_header
from .expected import check_layout, check_names, expected_entries
from .file_format import HEADER, Refused

#: the first bytes of every zip archive (``np.savez`` writes zip archives)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
#: the first bytes of an HDF5 file (Keras's .h5)
_HDF5_MAGIC = b"\x89HDF"


def read_archive(path: str) -> Tuple[dict, Dict[str, np.ndarray]]:
    """(header, entries): the checked header and every array it implies (_read_entries)."""
    where = f"load_model({path!r})"
    if os.path.isdir(path):
        raise IsADirectoryError(f"{where}: this is a directory; give the path of a file "
                                f"written by model.save, such as 'model.npz'.")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{where}: no such file.")
    try:
        stream = open(path, "rb")
    except PermissionError:
        raise PermissionError(13, f"{where}: permission denied — this user may not read the "
                                  f"file.") from None
    except OSError as error:
        raise type(error)(error.errno, f"{where}: cannot open the file "
                                       f"({error.strerror or error}).") from None
    with stream:
        start = stream.read(4)
        if start == _HDF5_MAGIC:
            raise ValueError(f"{where}: this is an HDF5 file (Keras's .h5 format), not a "
                             f"nanonet model: nanonet reads only the .npz files model.save "
                             f"writes. To bring a Keras model's weights over, build the same "
                             f"layers in nanonet and use nanonet.interop.from_keras_weights "
                             f"(its docstring shows how to export them from Keras).")
        if start not in _ZIP_MAGIC:
            raise ValueError(f"{where}: not a nanonet model file — it is not a .npz (zip) "
                             f"archive (it starts with {start!r}, a .npz starts with "
                             f"b'PK\\x03\\x04').")
        stream.seek(0)
        return _read_entries(stream, where)


def _read_entries(stream, where: str) -> Tuple[dict, Dict[str, np.ndarray]]:
    """(header, entries) of the archive, read with NumPy's .npy reader — but never with pickle.
    Every failure is a ValueError naming the file."""
    try:
        with zipfile.ZipFile(stream) as archive:
            return _read_checked(archive, where)
    except Refused as error:                          # a plain ValueError for the user
        raise ValueError(str(error)) from None
    except Exception as error:  # noqa: BLE001 — zipfile/zlib/numpy fail in many ways on bad bytes
        raise ValueError(f"{where}: the file is truncated, corrupt or not a .npz archive "
                         f"written by Sequential.save ({type(error).__name__}: "
                         f"{str(error)[:200]}).") from None


def _read_checked(archive: zipfile.ZipFile, where: str) -> Tuple[dict, Dict[str, np.ndarray]]:
    """The bounded reading order: the zip's directory (no decompression); the header entry
    (at most MAX_HEADER_BYTES); the entries its architecture implies, each name checked (an
    entry it does not name is refused unread), then each .npy header — shape, dtype, and its
    size against the zip's — and only then the data."""
    index = archive_index(archive, where)
    header = read_header(archive, index, where)
    expected = expected_entries(header, where)
    check_names(index, expected, where)
    layouts = {name: npy_layout(archive, info, where) for name, info in index.items()
               if name != HEADER}
    for name, layout in layouts.items():
        check_layout(layout, expected[name], where)
    return header, {name: read_data(archive, index[name], layout, where)
                    for name, layout in layouts.items()}
