"""The page shell of the book: ``<html lang>``, head, table of contents, navigation, switch.

Every page is one HTML file with no reference outside the book: the stylesheet
(``_static/book.css``, pygments' colours for the code included) and MathJax
(``_static/mathjax``, ``assets.py``) are relative paths. A lesson page has

- a sidebar ``<nav class="toc">``: the language's index and every lesson, the current one
  marked ``aria-current="page"``;
- a switch ``<a class="language-switch">`` to the same lesson in the other language(s) built;
- ``<a rel="prev">`` / ``<a rel="next">`` to the lessons before and after it;
- the executed notebook's cells (``render.py``), and a link to the ``.ipynb`` itself.

The words of the navigation are in the page's language (WORDS).
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

from .. import languages
from .assets import mathjax_head
from .render import pygments_css

__all__ = ["Entry", "WORDS", "lesson_page", "language_index", "landing_page", "stylesheet"]

#: the navigation's words, per language
WORDS = {
    "en": {"book": "nanonet — the lessons", "contents": "Contents", "previous": "Previous",
           "next": "Next", "colon": ": ", "notebook": "this lesson as a notebook (.ipynb, run)",
           "built": "Built by running lessons/{file}",
           "quick": " in quick mode (--quick: smaller runs, fewer epochs)",
           "untranslated": "",
           "intro": "The lessons, each one run: the prose, the code, what it printed "
                    "and the figures it drew."},
    "zh": {"book": "nanonet 课程", "contents": "目录", "previous": "上一课", "next": "下一课",
           "colon": "：",
           "notebook": "本课的 notebook（.ipynb，已运行）", "built": "由 lessons/{file} 运行生成",
           "quick": "（快速模式 --quick：规模更小，轮数更少）",
           "untranslated": "本课的中文讲解尚未写好；下面是代码和它运行的结果（输出为中文）。",
           "intro": "每一节课都已运行：讲解、代码、输出和图。"},
}


@dataclass(frozen=True)
class Entry:
    """One lesson of one language's book: its file name (without .py) and title."""
    name: str
    title: str

    @property
    def href(self) -> str:
        return f"{self.name}.html"


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _shell(lang: str, title: str, root: str, body: str, math: bool) -> str:
    """A whole page: doctype, ``<html lang>``, head (charset, title, CSS, MathJax), body."""
    head = ['<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_escape(title)}</title>",
            f'<link rel="stylesheet" href="{root}/_static/book.css">']
    if math:
        head.append(mathjax_head(root))
    return (f'<!DOCTYPE html>\n<html lang="{languages.HTML_LANG[lang]}">\n<head>\n'
            + "\n".join(head) + f"\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def _toc(lang: str, entries: Sequence[Entry], current: Optional[int]) -> str:
    """The sidebar: the language's index, then every lesson (the current one marked)."""
    items = []
    for index, entry in enumerate(entries):
        mark = ' aria-current="page"' if index == current else ""
        items.append(f'<li><a href="{entry.href}"{mark}>{_escape(entry.title)}</a></li>')
    return (f'<nav class="toc"><p><a class="toc-home" href="index.html">'
            f'{_escape(WORDS[lang]["contents"])}</a></p>\n<ol>\n' + "\n".join(items)
            + "\n</ol></nav>")


def _switch(lang: str, others: Sequence[str], href: str) -> str:
    """Links to the page `href` in each of the `others` languages (``../zh/…``)."""
    links = [f'<a class="language-switch" href="../{other}/{href}" '
             f'hreflang="{languages.HTML_LANG[other]}" lang="{languages.HTML_LANG[other]}">'
             f'{_escape(languages.NAMES[other])}</a>' for other in others if other != lang]
    return f'<div class="languages">{" ".join(links)}</div>' if links else ""


def _pager(lang: str, entries: Sequence[Entry], index: int) -> str:
    """``rel="prev"`` and ``rel="next"`` links around lesson `index`."""
    words, links = WORDS[lang], []
    if index > 0:
        label = _escape(words["previous"] + words["colon"] + entries[index - 1].title)
        links.append(f'<a rel="prev" href="{entries[index - 1].href}">← {label}</a>')
    if index + 1 < len(entries):
        label = _escape(words["next"] + words["colon"] + entries[index + 1].title)
        links.append(f'<a rel="next" href="{entries[index + 1].href}">{label} →</a>')
    return f'<nav class="pager">{"".join(links)}</nav>'


def lesson_page(lang: str, entries: Sequence[Entry], index: int, body: str,
                others: Sequence[str], quick: bool, translated: bool = True) -> str:
    """The page of lesson `index` of `entries` in `lang`, around the rendered `body`."""
    entry, words = entries[index], WORDS[lang]
    note = "" if translated or not words["untranslated"] else \
        f'<p class="note">{_escape(words["untranslated"])}</p>'
    built = words["built"].format(file=f"{entry.name}.py") + (words["quick"] if quick else "")
    main = (f'<header>{_switch(lang, others, entry.href)}'
            f'<a class="book-title" href="index.html">{_escape(words["book"])}</a></header>\n'
            f'{_pager(lang, entries, index)}\n{note}\n<article class="lesson">\n{body}\n'
            f'</article>\n<p class="built">{_escape(built)} · <a class="notebook" '
            f'href="{entry.name}.ipynb" download>{_escape(words["notebook"])}</a></p>\n'
            f'{_pager(lang, entries, index)}')
    return _shell(lang, f"{entry.title} — {words['book']}", "..",
                  f'{_toc(lang, entries, index)}\n<main>\n{main}\n</main>', math=True)


def language_index(lang: str, entries: Sequence[Entry], others: Sequence[str]) -> str:
    """``DIR/<lang>/index.html``: the language's table of contents."""
    words = WORDS[lang]
    items = "\n".join(f'<li><a href="{e.href}">{_escape(e.title)}</a></li>' for e in entries)
    main = (f'<header>{_switch(lang, others, "index.html")}</header>\n'
            f'<h1>{_escape(words["book"])}</h1>\n<p>{_escape(words["intro"])}</p>\n'
            f'<ol class="contents">\n{items}\n</ol>\n'
            f'<p><a class="up" href="../index.html">nanonet</a></p>')
    return _shell(lang, words["book"], "..", f'{_toc(lang, entries, None)}\n<main>\n{main}'
                  f'\n</main>', math=False)


def landing_page(books: Dict[str, List[Entry]]) -> str:
    """``DIR/index.html``: both languages' books, each introduced in its own language."""
    parts = []
    for lang, entries in books.items():
        words, code = WORDS[lang], languages.HTML_LANG[lang]
        parts.append(f'<section lang="{code}"><h2><a href="{lang}/index.html" hreflang="{code}">'
                     f'{_escape(words["book"])} ({_escape(languages.NAMES[lang])})</a></h2>'
                     f'<p>{_escape(words["intro"])}</p></section>')
    return _shell("en", "nanonet — the lessons · nanonet 课程", ".",
                  '<main class="landing">\n<h1>nanonet</h1>\n' + "\n".join(parts) + "\n</main>",
                  math=False)


#: the book's own layout; pygments' colours for the code are added by ``stylesheet``
BOOK_CSS = """
body { margin: 0; display: flex; font-family: "Noto Sans", "DejaVu Sans", "WenQuanYi Micro Hei",
       "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; line-height: 1.55;
       color: #1d1d1f; background: #fff; }
nav.toc { flex: 0 0 16rem; padding: 1rem; border-right: 1px solid #ddd; background: #f7f7f9;
          position: sticky; top: 0; height: 100vh; overflow-y: auto; font-size: 0.9rem;
          box-sizing: border-box; }
nav.toc ol { padding-left: 1.2rem; }
nav.toc a { color: #234; text-decoration: none; }
nav.toc a[aria-current] { font-weight: bold; color: #a40; }
main { flex: 1; min-width: 0; max-width: 60rem; padding: 1rem 2rem 3rem; }
main.landing { margin: 0 auto; }
header { display: flex; justify-content: space-between; align-items: center;
         flex-direction: row-reverse; border-bottom: 1px solid #eee; padding-bottom: .4rem; }
.book-title { color: #555; text-decoration: none; }
.languages a { border: 1px solid #a40; border-radius: 4px; padding: .1rem .6rem; color: #a40;
               text-decoration: none; }
nav.pager { display: flex; justify-content: space-between; margin: 1rem 0; font-size: .9rem; }
nav.pager a[rel=next] { margin-left: auto; }
.note { background: #fff6e0; border-left: 4px solid #e0a000; padding: .5rem 1rem; }
.built { color: #666; font-size: .85rem; }
a.anchor-link { visibility: hidden; margin-left: .3rem; text-decoration: none; }
h1:hover a.anchor-link, h2:hover a.anchor-link, h3:hover a.anchor-link { visibility: visible; }
.input_area, .highlight { background: #f5f5f7; border-radius: 4px; }
.highlight pre { margin: .6rem 0 .2rem; padding: .6rem .8rem; overflow-x: auto; font-size: .85rem; }
.output_area pre { margin: 0 0 .6rem; padding: .4rem .8rem; overflow-x: auto; font-size: .8rem;
                   border-left: 3px solid #cde; }
.output_stderr pre, .output_error pre { border-left-color: #e99; background: #fff3f3; }
.output_png img { max-width: 100%; height: auto; }
pre, code { font-family: "DejaVu Sans Mono", "WenQuanYi Micro Hei Mono", monospace; }
main pre { overflow-x: auto; max-width: 100%; }
.text_cell_render pre { background: #f5f5f7; padding: .5rem .8rem; border-radius: 4px; }
.MathJax_Display { overflow-x: auto; overflow-y: hidden; }
/* the hidden MathML copy for screen readers (AssistiveMML) would fetch TeX's font files for
   double-struck, script and fraktur letters — not shipped (STIX-Web draws what is seen): system fonts */
.MJX_Assistive_MathML [mathvariant] { font-family: "STIX Two Math", "DejaVu Serif", serif
                                      !important; }
"""


def stylesheet() -> str:
    """``_static/book.css``: the layout and pygments' colours for the code."""
    return BOOK_CSS.lstrip() + "\n/* code: pygments */\n" + pygments_css() + "\n"
