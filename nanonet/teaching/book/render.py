"""An executed lesson notebook as the HTML of a page's body, with its figures as files.

nbconvert's ``HTMLExporter`` with its ``basic`` template does the work (the cells only: no
page head, no scripts, nothing fetched): markdown through mistune with the TeX left for
MathJax, code highlighted by pygments (``page.py`` ships pygments' CSS), every output of a
code cell as nbconvert shows it — printed text in ``<pre>``, and each figure the lesson showed
inline (``display_data`` of type image/png, from ``nanonet.plotting``) extracted to a PNG file
beside the page, in ``<lesson>_files/``, instead of a base64 blob inside it. Streams are
coalesced first, so a progress bar redrawn with ``\\r`` shows its last state only.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Dict

__all__ = ["Rendered", "render_notebook", "pygments_css", "join_chinese_lines"]

#: a line break between two Chinese characters or punctuation marks (CJK ideographs, CJK
#: symbols and punctuation, full-width forms)
_CHINESE_BREAK = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])\n"
                            r"(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])")


def join_chinese_lines(source: str) -> str:
    """Markdown `source` with the line breaks inside Chinese sentences removed: a browser
    shows a wrapped line's break as a space, which Chinese text does not have (English
    words keep theirs; blank lines between paragraphs stay)."""
    return _CHINESE_BREAK.sub("", source)


@dataclass
class Rendered:
    """A page's body: the cells' HTML, and {relative path: bytes} of the figures it shows."""
    body: str
    files: Dict[str, bytes] = field(default_factory=dict)


def _exporter():
    """nbconvert's HTML exporter for bodies: the basic template, no prompts, streams
    coalesced, figures extracted to files."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor, ExtractOutputPreprocessor
    from traitlets.config import Config

    config = Config()
    config.HTMLExporter.preprocessors = [CoalesceStreamsPreprocessor, ExtractOutputPreprocessor]
    config.ExtractOutputPreprocessor.extract_output_types = {"image/png", "image/jpeg",
                                                             "image/svg+xml"}
    exporter = HTMLExporter(config=config, template_name="basic")
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


def render_notebook(notebook, name: str) -> Rendered:
    """The body of the page `name` (e.g. ``01_two_layer_network``) for the executed nbformat
    `notebook`; its figures go to ``<name>_files/``, relative to the page."""
    resources = {"unique_key": name, "output_files_dir": f"{name}_files"}
    notebook = copy.deepcopy(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = join_chinese_lines(cell.source)
    body, resources = _exporter().from_notebook_node(notebook, resources=resources)
    return Rendered(body=body, files=dict(resources.get("outputs", {})))


def pygments_css() -> str:
    """The CSS of pygments' default style for nbconvert's highlighted code (``.highlight``)."""
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style="default").get_style_defs(".highlight")
