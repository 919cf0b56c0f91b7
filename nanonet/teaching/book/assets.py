"""What the book ships beside its pages, in ``DIR/_static/``: MathJax (offline) and the CSS.

MathJax 2.7 comes from the PyPI package jupyter-server-mathjax (``jupyter_server_mathjax/static``),
which Jupyter itself uses to typeset offline. That copy ships the combined configuration
``TeX-AMS-MML_HTMLorMML-full`` (TeX input, the MathML element jax, the HTML-CSS output) and
the STIX-Web fonts, not the CommonHTML output; so the book typesets with HTML-CSS and STIX-Web.
Only what that needs is copied (about 2.5 MB of the package's 12 MB): MathJax.js, the
configuration, the jax (not the SVG output's 2.9 MB of glyph data), the small extensions and
TeX's, STIX-Web's woff fonts, and the English and simplified-Chinese menus.

tex2jax finds ``$…$`` and ``\\(…\\)`` inline and ``$$…$$`` displayed; ``\\$`` is a dollar sign
(processEscapes). Code and outputs (``<pre>``, ``<code>``) are never typeset.
"""
from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

__all__ = ["MATHJAX_FOLDER", "mathjax_source", "copy_mathjax", "mathjax_head", "MATHJAX_CONFIG"]

#: where the pages find MathJax, relative to DIR
MATHJAX_FOLDER = "_static/mathjax"

#: what the book's MathJax needs, as glob patterns relative to jupyter_server_mathjax/static
MATHJAX_FILES = (
    "MathJax.js", "LICENSE", "config/TeX-AMS-MML_HTMLorMML-full.js",
    "jax/input/**/*.js", "jax/element/**/*.js", "jax/output/HTML-CSS/**/*.js",
    "extensions/*.js", "extensions/TeX/**/*.js", "extensions/HTML-CSS/**/*.js",
    "extensions/MathML/**/*.js", "fonts/HTML-CSS/STIX-Web/woff/*.woff",
    "localization/en/*.js", "localization/zh-hans/*.js",
)

#: MathJax's configuration, set before MathJax.js loads (``window.MathJax``)
MATHJAX_CONFIG = {
    "tex2jax": {"inlineMath": [["$", "$"], ["\\(", "\\)"]], "displayMath": [["$$", "$$"]],
                "processEscapes": True},
    "HTML-CSS": {"availableFonts": ["STIX-Web"], "preferredFont": "STIX-Web",
                 "webFont": "STIX-Web", "imageFont": None,
                 # the font MathJax measures "no font" with is url('about:blank'), a request
                 # Chromium refuses on file:// pages (a console error): local() asks for none
                 "styles": {"@font-face": {"font-family": "MathJax_Blank",
                                           "src": "local('MathJax_Blank')"}}},
    "messageStyle": "none",
    "menuSettings": {"zoom": "None"},
}


def mathjax_source() -> Path:
    """The folder of jupyter-server-mathjax's MathJax (found without importing the package,
    which would import jupyter_server). ImportError with the install line without it."""
    spec = importlib.util.find_spec("jupyter_server_mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("nanonet book: needs jupyter-server-mathjax (MathJax, offline) — "
                          "install the book extra: pip install -e '.[book]'")
    return Path(list(spec.submodule_search_locations)[0]) / "static"


def copy_mathjax(out) -> Path:
    """Copy MathJax's files the book needs into ``out/_static/mathjax``; returns the folder."""
    source, target = mathjax_source(), Path(out) / MATHJAX_FOLDER
    for pattern in MATHJAX_FILES:
        for path in sorted(source.glob(pattern)):
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
    if not (target / "MathJax.js").is_file():
        raise FileNotFoundError(f"nanonet book: no MathJax.js in {source}; reinstall "
                                f"jupyter-server-mathjax (pip install -e '.[book]').")
    return target


def mathjax_head(root: str) -> str:
    """The ``<script>`` tags of a page whose way up to DIR is `root` (``..`` or ``.``)."""
    config = json.dumps(MATHJAX_CONFIG)
    return (f"<script>window.MathJax = {config};</script>\n"
            f'<script src="{root}/{MATHJAX_FOLDER}/MathJax.js'
            f'?config=TeX-AMS-MML_HTMLorMML-full"></script>')
