"""The lessons as an HTML book (``python -m nanonet book``, nanonet.teaching.book): its layout,
<html lang>, navigation, figures, TeX for MathJax, no remote reference, and a failing lesson
failing the build. Most tests build a book of two small synthetic lessons (a few seconds); the
build of two real lessons is marked lesson_run. The browser test is tests/test_book_browser.py.
Skipped without the book extra (``pip install -e '.[book]'``)."""
import re

import pytest

from book_pages import (BROKEN_LESSON, SYNTHETIC_LESSONS, has_tex, html_pages, read,
                        write_lessons)
from extras import needs
from lesson_runner import ROOT, lesson_path

from nanonet import cli
from nanonet.teaching import book

with_book_extra = needs(*book.BOOK_PACKAGES)
URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", flags=re.I)     # a scheme, or protocol-relative


@pytest.fixture(scope="module")
def small_book(tmp_path_factory):
    """A book of the two synthetic lessons, both languages, quick."""
    folder = tmp_path_factory.mktemp("small_book")
    lessons = write_lessons(folder / "lessons", SYNTHETIC_LESSONS)
    return book.build_book(folder / "book", lessons, quick=True), lessons


# ---------------------------------------------------------------- the layout
@with_book_extra
def test_the_layout_and_each_pages_language(small_book):
    built, lessons = small_book
    out = built.out
    expected = {out / "index.html"} | {out / lang / page for lang in ("en", "zh")
                                       for page in ["index.html", "01_alpha.html",
                                                    "02_beta.html"]}
    assert set(built.pages) == expected == set(html_pages(out))
    assert read(out / "index.html").lang == "en"
    for page in expected - {out / "index.html"}:
        assert read(page).lang == {"en": "en", "zh": "zh-CN"}[page.parent.name], page
    assert (out / "_static" / "book.css").is_file()
    assert (out / "_static" / "mathjax" / "MathJax.js").is_file()
    assert (out / "en" / "01_alpha.ipynb").is_file()        # the run notebook, to download
    landing = read(out / "index.html")
    assert landing.hrefs() == ["en/index.html", "zh/index.html"]


@with_book_extra
def test_every_lesson_page_links_its_neighbours_the_contents_and_its_other_language(small_book):
    built, _ = small_book
    names = ["01_alpha.html", "02_beta.html"]
    for lang, other in (("en", "zh"), ("zh", "en")):
        for index, name in enumerate(names):
            page = read(built.out / lang / name)
            toc = [href for tag, attrs in page.tags if tag == "a" and "href" in attrs
                   for href in [attrs["href"]] if href in names]
            assert toc[:len(names)] == names, (lang, name, toc)         # the sidebar, in order
            assert page.hrefs(class_="toc-home") == ["index.html"]
            assert page.hrefs(**{"aria-current": "page"}) == [name]
            assert page.hrefs(rel="prev") == ([names[index - 1]] * 2 if index else [])
            assert page.hrefs(rel="next") == ([names[index + 1]] * 2 if index + 1 < len(names)
                                              else [])
            assert page.hrefs(class_="language-switch") == [f"../{other}/{name}"]
        index_page = read(built.out / lang / "index.html")
        assert [h for h in index_page.hrefs() if h in names] == names * 2   # sidebar + list
        assert index_page.hrefs(class_="language-switch") == [f"../{other}/index.html"]


@with_book_extra
def test_every_local_reference_exists_and_none_is_remote(small_book):
    built, _ = small_book
    for page in html_pages(built.out):
        for reference in read(page).references():
            assert not URL.match(reference), f"{page.name} references {reference}"
            target = reference.split("#")[0].split("?")[0]
            if target:
                assert (page.parent / target).exists(), f"{page.name}: {reference} is missing"
        assert not re.search(r"https?://", page.read_text(encoding="utf-8")), page
    assert not re.search(r"https?://|url\(", (built.out / "_static" / "book.css").read_text())


@with_book_extra
def test_mathjax_ships_no_remote_url_but_namespaces_licences_and_its_about_box(small_book):
    """MathJax's own files name XML namespaces, their licence, and in the menu's about box
    and font warning (shown on request, never fetched) its and STIX's web sites."""
    built, _ = small_book
    allowed = re.compile(r"https?://(www\.w3\.org/|www\.apache\.org/licenses/|exslt\.org/"
                         r"|www\.mathjax\.org|www\.stixfonts\.org/|github\.com/mathjax/)")
    for path in (built.out / "_static" / "mathjax").rglob("*.js"):
        text = path.read_text(encoding="utf-8", errors="replace")
        urls = [m for m in re.findall(r"https?://[^\s\"'<>)]+", text) if not allowed.match(m)]
        assert not urls, f"{path}: {urls[:3]}"


@with_book_extra
def test_the_pages_hold_the_prose_the_tex_the_outputs_and_the_figures(small_book):
    built, _ = small_book
    out = built.out
    english = (out / "en" / "01_alpha.html").read_text(encoding="utf-8")
    chinese = (out / "zh" / "01_alpha.html").read_text(encoding="utf-8")
    display = r"$$\hat y = \sigma(W_2\,\sigma(W_1 x + b_1) + b_2)$$"
    assert display in english and display in chinese              # left for MathJax
    assert r"$J = -\frac{1}{m}\sum_i y_i \log \hat y_i$" in english
    assert has_tex(english) and "MathJax.js" in english and "processEscapes" in english
    assert "损失函数是" in chinese and "The loss is" not in chinese
    assert "<pre>the loss falls" in english and "<pre>损失在下降" in chinese   # printed in its
    assert "<pre>损失在下降" not in english                                     # language
    assert "<title>Lesson 01 — alpha" in english and "<title>第 01 课 — 甲" in chinese
    for lang in ("en", "zh"):
        images = [attrs["src"] for tag, attrs in read(out / lang / "01_alpha.html").tags
                  if tag == "img"]
        assert len(images) == 1, images                      # the figure the lesson showed
        assert (out / lang / images[0]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@with_book_extra
def test_a_lesson_without_its_chinese_prose_yet_shows_code_and_outputs_with_a_note(small_book):
    built, _ = small_book
    chinese = (built.out / "zh" / "02_beta.html").read_text(encoding="utf-8")
    assert '<span class="n">say</span>' in chinese and "<pre>乙完成" in chinese   # code, output
    assert "Only English prose" not in chinese and 'class="note"' in chinese
    assert "<title>Lesson 02 — beta" in chinese                   # the English title meanwhile
    assert 'class="note"' not in (built.out / "zh" / "01_alpha.html").read_text("utf-8")


# ---------------------------------------------------------------- failures and the command
@with_book_extra
def test_a_lesson_whose_cell_raises_fails_the_build_naming_lesson_and_cell(tmp_path, capsys,
                                                                          monkeypatch):
    (broken,) = write_lessons(tmp_path / "lessons", {"03_broken.py": BROKEN_LESSON})
    monkeypatch.setattr(cli, "find_lessons", lambda: [broken])
    assert cli.main(["book", "--out", str(tmp_path / "book"), "--lang", "en"]) == 1
    error = capsys.readouterr().err
    assert "lesson 03_broken (en) failed in cell 3 of 3 ('ratio = x / 0')" in error, error
    assert "ZeroDivisionError: division by zero" in error and "\x1b[" not in error
    assert not (tmp_path / "book").exists()                    # nothing written


def test_the_lang_option_takes_known_languages_comma_separated(capsys):
    for bad in ("en,fr", "en,en", ","):
        with pytest.raises(SystemExit) as stop:
            cli.main(["book", "--out", "unused", "--lang", bad])
        assert stop.value.code == 2
        assert "expected languages from en, zh" in capsys.readouterr().err
    assert cli.build_parser().parse_args(["book", "--out", "x"]).lang == ["en", "zh"]


def test_without_the_extra_the_command_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setattr(book.build, "BOOK_PACKAGES", ("jupytext", "no_such_package_here"))
    assert cli.main(["book", "--out", "unused"]) == 2
    error = capsys.readouterr().err
    # (jupytext is named too where it is not installed either, as in a venv with [test] only)
    assert re.search(r"needs (jupytext, )?no-such-package-here", error), error
    assert "pip install -e '.[book]'" in error


def test_the_extra_lists_what_the_book_needs():
    setup = (ROOT / "setup.cfg").read_text(encoding="utf-8")
    extra = setup.split("\nbook =\n")[1].split("\n[")[0].split("\n\n")[0]
    listed = {re.match(r"\s*([A-Za-z_-]+)", line)[1].replace("-", "_").lower()
              for line in extra.splitlines() if line.strip() and not line.strip().startswith("#")}
    assert set(book.BOOK_PACKAGES) <= listed, listed


# ---------------------------------------------------------------- real lessons (lesson_run)
@pytest.mark.lesson_run
@with_book_extra
def test_a_book_of_two_real_lessons(tmp_path):
    import nbformat

    lessons = [lesson_path("01"), lesson_path("02")]
    built = book.build_book(tmp_path, lessons, quick=True)
    assert len(built.pages) == 7
    for lang in ("en", "zh"):
        for index, path in enumerate(lessons):
            page = tmp_path / lang / f"{path.stem}.html"
            notebook = nbformat.read(page.with_suffix(".ipynb"), as_version=4)
            shown = sum("image/png" in output.get("data", {}) for cell in notebook.cells
                        for output in cell.get("outputs", []))
            images = [attrs["src"] for tag, attrs in read(page).tags if tag == "img"]
            assert shown >= 1 and len(images) == shown, (page, shown, images)
            assert all((page.parent / src).is_file() for src in images)
            assert read(page).hrefs(class_="language-switch") == [
                f"../{'zh' if lang == 'en' else 'en'}/{path.stem}.html"]
    english = (tmp_path / "en" / f"{lessons[1].stem}.html").read_text(encoding="utf-8")
    assert "Lesson 02" in english and "figure:" in english      # the prose and the outputs


def test_a_one_language_book_has_no_language_switch():
    entries = [book.page.Entry("01_a", "Lesson 01"), book.page.Entry("02_b", "Lesson 02")]
    for html in (book.page.lesson_page("en", entries, 0, "<p>body</p>", ["en"], quick=False),
                 book.page.language_index("en", entries, ["en"])):
        assert 'class="language-switch"' not in html and '<html lang="en">' in html
    both = book.page.lesson_page("zh", entries, 1, "<p>body</p>", ["en", "zh"], quick=True)
    assert both.count('class="language-switch"') == 1 and 'href="../en/02_b.html"' in both
    assert 'rel="prev" href="01_a.html"' in both and 'rel="next"' not in both


def test_a_chinese_sentence_wrapped_in_the_source_is_one_line_on_the_page():
    from nanonet.teaching.book.render import join_chinese_lines
    source = "没有哪条直线能把\n这两类点分开。\n本课 in code\nand more\n\n第二段"
    assert join_chinese_lines(source) == "没有哪条直线能把这两类点分开。本课 in code\nand more\n\n第二段"
