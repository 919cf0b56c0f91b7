"""Reading the zip archive of a model file, bounded: the index of its entries (from the zip's
directory alone, nothing decompressed), the header entry (refused unread if bigger than
``MAX_HEADER_BYTES``), an entry's .npy layout (shape, order, dtype — only its .npy header is
decompressed, and its size must be what the zip says it stores) and an entry's data (exactly
its bytes, in chunks: a zip that lies about an entry's size fails having decompressed no more
than the bytes the entry really holds). Nothing is ever unpickled: object arrays are refused.
The order in which these are used is reading.py's."""
from __future__ import annotations

import zipfile
from typing import Dict

import numpy as np

from .file_format import HEADER, Refused
from .header import parse_header


def archive_index(archive: zipfile.ZipFile, where: str) -> Dict[str, zipfile.ZipInfo]:
    """{entry name without .npy: its ZipInfo}, from the zip's directory alone."""
    index: Dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        if not info.filename.endswith(".npy"):
            raise Refused(f"{where}: not a nanonet model file — the archive holds "
                          f"{info.filename!r}, which is not a NumPy array (.npy); a "
                          f"file written by Sequential.save holds only arrays.")
        name = info.filename[:-len(".npy")]
        if name in index:
            raise Refused(f"{where}: the archive holds {info.filename!r} twice; it is "
                          f"corrupt.")
        index[name] = info
    return index


#: the largest model description (the header entry's bytes) load_model reads: a description
#: takes about 0.5 KB per layer, so this is thousands of layers; a bigger one is refused unread
MAX_HEADER_BYTES = 8 * 2**20


def read_header(archive: zipfile.ZipFile, index: Dict[str, zipfile.ZipInfo], where: str) -> dict:
    """The header entry, size-checked before it is read, parsed and checked (parse_header)."""
    info = index.get(HEADER)
    if info is None:
        held = ", ".join(sorted(index)) or "nothing"
        raise Refused(f"{where}: this .npz has no {HEADER!r} entry, so it was not written "
                      f"by Sequential.save (it holds: {held}).")
    if info.file_size > MAX_HEADER_BYTES:
        raise Refused(f"{where}: the model description ({HEADER!r}) is {info.file_size:,} "
                      f"bytes, more than any model's description needs (at most "
                      f"{MAX_HEADER_BYTES:,}); the file is corrupt. Refused unread.")
    layout = npy_layout(archive, info, where)
    shape, _, dtype = layout
    if shape != () or dtype.kind != "U":
        raise Refused(f"{where}: the model description is corrupt (expected one JSON text, "
                      f"found a {dtype} array of shape {shape}).")
    return parse_header(str(read_data(archive, info, layout, where)), where)


def npy_layout(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> tuple:
    """(shape, fortran_order, dtype) from an entry's .npy header — all that is decompressed —
    refusing object arrays (which would need pickle), anything but numbers and text, and a
    size that disagrees with the bytes the zip says it stores."""
    from numpy.lib import format as npy
    with archive.open(info) as member:
        version = npy.read_magic(member)
        if version == (1, 0):
            shape, fortran_order, dtype = npy.read_array_header_1_0(member)
        elif version in ((2, 0), (3, 0)):
            shape, fortran_order, dtype = npy.read_array_header_2_0(member)
        else:
            raise Refused(f"{where}: entry {info.filename!r} is in an unknown .npy format "
                          f"version {version}; the file is corrupt.")
        stored = info.file_size - member.tell()
    if dtype.hasobject:
        raise Refused(f"{where}: the file contains a pickled Python object (entry "
                      f"{info.filename!r}); nanonet never unpickles (it could run "
                      f"arbitrary code), so it refuses the file.")
    if dtype.kind not in "biufU" or dtype.itemsize == 0:
        raise Refused(f"{where}: entry {info.filename!r} holds {dtype} data; a nanonet "
                      f"model file holds only numbers and one text.")
    declared = element_count(shape) * dtype.itemsize
    if declared != stored:
        raise Refused(f"{where}: entry {info.filename!r} is truncated or corrupt: its "
                      f"header describes {declared:,} bytes of {dtype} {tuple(shape)}, "
                      f"but the archive stores {stored:,}.")
    return tuple(shape), fortran_order, dtype


def element_count(shape) -> int:
    """How many elements an array of `shape` holds (1 for shape ()), as a Python int that
    cannot overflow however large the shape a file claims."""
    return int(np.prod(shape, dtype=object)) if shape else 1


def read_data(archive: zipfile.ZipFile, info: zipfile.ZipInfo, layout: tuple,
              where: str) -> np.ndarray:
    """The array of an entry whose `layout` (npy_layout) was checked: exactly its bytes."""
    shape, fortran_order, dtype = layout
    count = element_count(shape)
    array = np.empty(count, dtype=dtype)
    raw, done = array.view(np.uint8), 0               # filled in place, chunk by chunk
    with archive.open(info) as member:
        member.seek(info.file_size - raw.size)
        while done < raw.size:
            chunk = member.read(min(raw.size - done, _CHUNK))
            if not chunk:
                raise Refused(f"{where}: entry {info.filename!r} is truncated: {done:,} of "
                              f"{raw.size:,} bytes.")
            raw[done:done + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
            done += len(chunk)
        member.read(1)                                # reading to the end checks the CRC-32
    return array.reshape(shape[::-1]).transpose() if fortran_order else array.reshape(shape)


#: how much of an entry read_data decompresses at a time
_CHUNK = 2 ** 24
