"""The book in a real browser: every page of a --quick build of all lessons, both languages
(and of the synthetic lessons of tests/book_pages.py, whose prose has TeX and Chinese twins),
opened in headless Chromium through selenium. Each page: no console error, every image loaded,
the math typeset (MathJax done, no raw TeX left in the visible text, typeset math present where
the source has TeX), no request leaving file:// (Chromium's performance log), reachable from
DIR/index.html by links, and its language switch landing on the same lesson in the other
language. One screenshot per language goes to NANONET_BOOK_SCREENSHOTS (a folder) if set.

Marked lesson_run (the build runs every lesson: minutes, not the README's fast command); the
book is built once per run, whatever NANONET_LESSON_SEEDS says. Skipped without selenium, the
book extra, or Chromium and its chromedriver (Debian: apt-get install chromium chromium-driver
fonts-wqy-microhei; .ci/run installs them).
"""
import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urldefrag, urlparse
from urllib.request import url2pathname

import pytest

from book_pages import SYNTHETIC_LESSONS, has_tex, html_pages, write_lessons
from extras import installed, needs, require_installed

from nanonet import cli
from nanonet.teaching import book, languages

pytestmark = [pytest.mark.lesson_run, needs("selenium", *book.BOOK_PACKAGES)]

CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser",
                                                "google-chrome"))), None)
CHROMEDRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").is_file() else None)
if installed("selenium") and not (CHROMIUM and CHROMEDRIVER):
    require_installed("Chromium and chromedriver (apt-get install chromium chromium-driver)")
    pytestmark.append(pytest.mark.skip(reason="no Chromium or chromedriver (Debian: apt-get "
                                              "install chromium chromium-driver)"))

#: the visible text of the page outside code, outputs and typeset math
VISIBLE_PROSE = """
const skip = "pre, code, script, style, .MathJax, .MathJax_Display, .MathJax_Preview, " +
             ".MJX_Assistive_MathML, .MathJax_CHTML, .MathJax_SVG";
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const parts = [];
while (walker.nextNode()) {
  const node = walker.currentNode;
  if (!node.parentElement.closest(skip)) parts.push(node.nodeValue);
}
return parts.join(" ");
"""
#: wait for MathJax's queue to empty (or say that MathJax is missing)
MATHJAX_DONE = """
const done = arguments[arguments.length - 1];
if (!window.MathJax || !window.MathJax.Hub) { done("no MathJax"); return; }
MathJax.Hub.Queue(function () { done("typeset"); });
"""
RAW_TEX = re.compile(r"\$\$|\\[A-Za-z]+|\\\(|\$[^$\s][^$]*\$")


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """The whole book (--quick, en and zh) and the book of the synthetic lessons."""
    folder = tmp_path_factory.mktemp("books")
    whole = book.build_book(folder / "book", cli.find_lessons(), quick=True)
    synthetic = book.build_book(folder / "synthetic",
                                write_lessons(folder / "lessons", SYNTHETIC_LESSONS), quick=True)
    return [whole.out, synthetic.out]


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--window-size=1100,900"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    os.environ.setdefault("SE_OFFLINE", "true")           # selenium-manager: download nothing
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


def open_page(driver, path: Path) -> dict:
    """Load `path`, let MathJax finish; what the checks need to know about the page."""
    driver.get_log("performance")                        # drop the previous page's entries
    driver.get(path.as_uri())
    typeset = driver.execute_async_script(MATHJAX_DONE)
    return {
        "typeset": typeset,
        "lang": driver.execute_script("return document.documentElement.lang"),
        "console": [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"],
        "requests": requested_urls(driver.get_log("performance")),
        "broken_images": driver.execute_script(
            "return Array.from(document.images).filter(i => !(i.complete && "
            "i.naturalWidth > 0)).map(i => i.src)"),
        "images": driver.execute_script("return document.images.length"),
        "prose": driver.execute_script(VISIBLE_PROSE),
        "math": driver.execute_script(
            "return document.querySelectorAll('.MathJax, .MathJax_Display, .MathJax_CHTML, "
            ".MathJax_SVG, mjx-container').length"),
        "math_errors": driver.execute_script(
            "return document.querySelectorAll('.noError, .merror').length"),
        "links": driver.execute_script(
            "return Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"),
        "switch": driver.execute_script(
            "return Array.from(document.querySelectorAll('a.language-switch')).map(a => a.href)"),
    }


def requested_urls(performance_log) -> list:
    """The URLs of every request the page sent (Network.requestWillBeSent)."""
    urls = []
    for entry in performance_log:
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def local_page(url: str):
    """The file a file:// link of the book points to (fragment dropped), or None."""
    url = urldefrag(url)[0]
    return Path(url2pathname(urlparse(url).path)) if url.startswith("file:") else None


@pytest.fixture(scope="module")
def visited(books, browser):
    """{page path: what open_page saw} for every HTML page of both books."""
    return {path: open_page(browser, path) for out in books for path in html_pages(out)}


def test_every_page_loads_with_no_console_error_and_every_image(visited):
    for path, seen in visited.items():
        assert not seen["console"], (path, seen["console"])
        assert not seen["broken_images"], (path, seen["broken_images"])
    lesson_pages = [p for p in visited if p.name != "index.html"]
    assert sum(visited[p]["images"] for p in lesson_pages) >= len(lesson_pages) / 2


def test_no_request_leaves_the_machine(visited):
    for path, seen in visited.items():
        assert seen["requests"], path                              # the log works
        remote = [url for url in seen["requests"]
                  if not url.startswith(("file:", "data:", "about:"))]
        assert not remote, (path, remote)


def test_the_math_is_typeset_and_no_raw_tex_is_left_visible(visited):
    with_math = 0
    for path, seen in visited.items():
        assert seen["lang"] in languages.HTML_LANG.values(), path
        source = path.read_text(encoding="utf-8")
        if path.name != "index.html" and path.parent.name in ("en", "zh"):
            assert seen["typeset"] == "typeset", (path, seen["typeset"])
        assert not RAW_TEX.search(seen["prose"]), (path, RAW_TEX.search(seen["prose"])[0])
        assert seen["math_errors"] == 0, path
        if has_tex(source):
            with_math += 1
            assert seen["math"] > 0, f"{path}: TeX in the source, none typeset"
    assert with_math >= 2                 # at least the synthetic lesson, in both languages


def test_every_page_is_reachable_from_the_index(books, visited):
    for out in books:
        reached, todo = set(), [out / "index.html"]
        while todo:
            page = todo.pop()
            if page in reached:
                continue
            reached.add(page)
            for url in visited[page]["links"]:
                target = local_page(url)
                assert target is not None, (page, url)             # no link leaves the book
                assert target.exists(), (page, url)
                if target.suffix == ".html":
                    todo.append(target)
        assert reached == set(html_pages(out))


def test_the_language_switch_lands_on_the_same_lesson_in_the_other_language(books, browser,
                                                                           visited):
    switched = 0
    for path, seen in visited.items():
        if path.parent.name not in ("en", "zh"):
            continue
        other = "zh" if path.parent.name == "en" else "en"
        (target,) = seen["switch"]
        browser.get(target)
        landed = local_page(browser.current_url)
        assert landed == path.parent.parent / other / path.name, (path, landed)
        assert browser.execute_script("return document.documentElement.lang") \
            == languages.HTML_LANG[other]
        switched += 1
    assert switched == sum(len(html_pages(out)) - 1 for out in books)


def test_screenshots_of_a_lesson_page_per_language(books, browser, visited, tmp_path):
    folder = Path(os.environ.get("NANONET_BOOK_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    for lang in ("en", "zh"):
        page = sorted((books[0] / lang).glob("01_*.html"))[0]
        open_page(browser, page)
        shot = folder / f"book_{lang}.png"
        assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    for lang in ("en", "zh"):
        open_page(browser, books[1] / lang / "01_alpha.html")
        browser.save_screenshot(str(folder / f"synthetic_{lang}.png"))
