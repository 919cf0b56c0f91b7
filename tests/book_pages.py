"""What the book tests share: small synthetic lessons (with TeX, a figure and Chinese twins, as
the real lessons will have once their prose is translated), and an HTML reader for the pages'
links (the standard library's html.parser)."""
from __future__ import annotations

import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from typing import Dict, List

#: lesson 01: English and Chinese prose with inline and display TeX, printed prose, a figure
#: with a Chinese title (figure_text.label), and lesson 02 with English prose only
SYNTHETIC_LESSONS = {
    "01_alpha.py": r'''
        # %% [markdown]
        # # Lesson 01 — alpha
        #
        # The loss is $J = -\frac{1}{m}\sum_i y_i \log \hat y_i$, and the forward pass
        #
        # $$\hat y = \sigma(W_2\,\sigma(W_1 x + b_1) + b_2)$$

        # %% [markdown] lang="zh"
        # # 第 01 课 — 甲
        #
        # 损失函数是 $J = -\frac{1}{m}\sum_i y_i \log \hat y_i$，前向传播是
        #
        # $$\hat y = \sigma(W_2\,\sigma(W_1 x + b_1) + b_2)$$

        # %%
        from nanonet import lesson, plotting
        from nanonet.teaching.figure_text import label

        options = lesson.options("01")
        lesson.say("the loss falls", "损失在下降")
        plt = plotting.pyplot()
        figure, axis = plt.subplots(figsize=(4, 3))
        axis.plot([1, 2, 3], [3, 2, 1])
        axis.set_title(label("loss", "损失函数"))
        axis.set_xlabel(label("epoch", "轮次"))
        axis.set_ylabel("J")
        lesson.save_figure(figure, options, "01_loss.png")
        ''',
    "02_beta.py": r'''
        # %% [markdown]
        # # Lesson 02 — beta
        #
        # Only English prose here: the Chinese page shows the code and what it printed.

        # %%
        from nanonet import lesson

        options = lesson.options("02")
        lesson.say("beta done", "乙完成")
        ''',
}

#: a lesson whose second cell raises
BROKEN_LESSON = r'''
    # %% [markdown]
    # # Lesson 03 — broken

    # %%
    x = 1

    # %%
    ratio = x / 0
    '''


def write_lessons(folder: Path, lessons: Dict[str, str]) -> List[Path]:
    """Write the `lessons` {file name: source} into `folder`; their paths, in order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, source in sorted(lessons.items()):
        path = folder / name
        path.write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
        paths.append(path)
    return paths


class Links(HTMLParser):
    """Every tag's attributes of one page, and the page's <html lang>."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: List[tuple] = []
        self.lang = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "html":
            self.lang = attrs.get("lang")

    def hrefs(self, **wanted) -> List[str]:
        """The href of every <a> whose attributes include `wanted` (class_ for class)."""
        wanted = {key.rstrip("_"): value for key, value in wanted.items()}
        return [attrs["href"] for tag, attrs in self.tags if tag == "a" and "href" in attrs
                and all(attrs.get(key) == value for key, value in wanted.items())]

    def references(self) -> List[str]:
        """Every src and href of the page."""
        return [attrs[key] for _, attrs in self.tags for key in ("src", "href") if attrs.get(key)]


def read(path: Path) -> Links:
    return Links(path.read_text(encoding="utf-8"))


def html_pages(out: Path) -> List[Path]:
    """The book's HTML pages (not MathJax's files)."""
    return sorted(p for p in out.rglob("*.html") if "_static" not in p.parts)


def prose_without_code(html: str) -> str:
    """The page's HTML with its <pre> blocks and <script> tags cut out."""
    return re.sub(r"<(pre|script)\b.*?</\1>", "", html, flags=re.S)


def has_tex(html: str) -> bool:
    """True if the page's prose (not its code) holds TeX for MathJax."""
    prose = prose_without_code(html)
    return "$$" in prose or bool(re.search(r"\$[^$<]+\$|\\\(", prose))
