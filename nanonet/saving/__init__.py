"""Saving and loading models as plain ``.npz`` files — safely.

The file is a NumPy zip archive holding only numeric arrays and one JSON text:

    nanonet_model          JSON: format version, model config, compile config, weight list
    weights/0000 …         every weight, in ``get_weights()`` order
    masks/0000 …           pruning masks (bool arrays), if any layer has ``weight_masks``
    optimizer/…            the optimizer's iteration count and slots (so training resumes exactly)

Pruning masks: every layer's ``layer.weight_masks`` (``{weight name: bool array shaped like the
weight}``, set by ``nanonet.compress.prune``) is stored, so a pruned model reloaded and
fine-tuned keeps its pruned weights at exactly 0. The header's ``"masks"`` entry lists them as
``[{"layer": layer name, "weight": weight name}, …]``, the i-th stored as the bool array
``masks/{i:04d}`` (layers in model order, weights in the layer's order). A file without a
``"masks"`` entry (every file of a model without masks, and those written before masks were
saved) loads with no masks; the format version is still 1. On load every mask must be a bool
array of its weight's shape, for a layer and weight the model has, each listed once.

The header also records where the model's shuffling, dropout and augmentation random streams
stand, and a mixed-precision model's loss-scale state (scale, good steps, skipped steps), so a
saved and reloaded model continues training exactly as the original would have. A
mixed-precision model stores its float32 master weights.

Safety: ``save`` writes to a temporary file beside the target, flushes it to disk and then
renames it over the target in one step, so a crash (or a full disk) mid-save leaves the previous
file intact. ``load_model`` reads the archive itself, entry by entry, with NumPy's .npy reader
and never with pickle — nothing in the file is ever executed. Every problem with a file is
reported as ``ValueError("load_model('path'): …")``: truncated, corrupt or foreign files, a file
written by a newer nanonet ("upgrade nanonet"), or one whose format version is unknown.
``FileNotFoundError`` / ``IsADirectoryError`` / ``PermissionError`` are raised for a path that is
not a readable file, and ``TypeError`` for a path that is not a path at all.

Bounded loading: a file can make ``load_model`` allocate no more than (about) the size of the
model it describes, whatever it claims; reading.py's docstring lists the order in which it
reads a file and refuses at the first disagreement.

Housekeeping on save (``save_model``): symbolic links are written through, read-only files are
not replaced, and the temporary files of killed saves are removed (writing.py's docstring).

The modules, one concept each (each imports only those above it; none imports models):

    file_format      FORMAT, VERSION, HEADER, and Refused (a refused file, put into words)
    paths            check_path: the path argument of save_model and load_model
    writing          save_model: the arrays of a model, its compile settings, the atomic write
    header           the header's JSON description, parsed and checked
    archive          the zip's index, header entry, .npy layouts and data, read bounded
    expected         what the header's architecture implies, checked before anything is built
    reading          read_archive: the bounded reading order
    optimizer_state  the loaded optimizer slots checked (moment_bound, derived)
    loading          load_model: rebuilding the model, restoring compile, masks, random state
                     and loss scale
"""
from .archive import MAX_HEADER_BYTES
from .file_format import FORMAT, HEADER, VERSION
from .loading import load_model
from .writing import KERAS_SUFFIXES, STALE_TEMPORARY_SECONDS, save_model

__all__ = ["FORMAT", "HEADER", "KERAS_SUFFIXES", "MAX_HEADER_BYTES", "STALE_TEMPORARY_SECONDS",
           "VERSION", "load_model", "save_model"]
