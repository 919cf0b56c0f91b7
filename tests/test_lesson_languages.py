"""Every lesson in two languages from one source (nanonet.teaching.languages): each English
text cell has its Chinese twin right after it, with the same headings and display equations;
the printed prose follows --lang / NANONET_LANG."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nanonet.teaching import languages

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.py"))
jupytext = pytest.importorskip("jupytext")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def notebook(text: str):
    return jupytext.reads(text, fmt="py:percent")


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem[:2])
def test_every_text_cell_of_the_lesson_has_its_chinese_twin(path):
    lesson = jupytext.read(path)
    found = languages.pairs(lesson, path.name)
    assert found, f"{path.name} has no text cells"
    for english, chinese in found:
        assert CHINESE.search(chinese.source), f"{path.name}: a 'zh' cell holds no Chinese: " \
                                               f"{chinese.source[:60]!r}"


ENGLISH = "# %% [markdown]\n# ## Step 1\n# $$J = -y\\log\\hat y$$\n"
TWIN = "# %% [markdown] lang=\"zh\"\n# ## 第 1 步\n# $$J = -y \\log \\hat y$$\n"
CODE = "# %%\nx = 1\n"


def test_a_pair_with_the_same_headings_and_equations_passes():
    assert len(languages.pairs(notebook(ENGLISH + TWIN + CODE), "demo")) == 1


@pytest.mark.parametrize("text, problem", [
    (ENGLISH + CODE, "no Chinese twin"),                               # twin missing
    (ENGLISH + CODE + TWIN, "no Chinese twin"),                         # twin not next to it
    (TWIN + ENGLISH, "no English cell"),                                # Chinese alone first
    (ENGLISH + TWIN + TWIN, "no English cell"),                         # one twin too many
    (ENGLISH + TWIN.replace("## 第", "### 第"), "differ in headings"),  # heading level drifted
    (ENGLISH + TWIN.replace("-y", "+y"), "differ in headings or display equations"),
    (ENGLISH + TWIN.replace("# $$J = -y \\log \\hat y$$\n", ""), "display equations"),
])
def test_a_drifted_pair_is_named(text, problem):
    with pytest.raises(ValueError, match=problem):
        languages.pairs(notebook(text), "demo")


def test_for_language_keeps_the_code_and_one_language():
    source = notebook(ENGLISH + TWIN + CODE)
    for lang, heading in (("en", "Step 1"), ("zh", "第 1 步")):
        kept = languages.for_language(source, lang)
        assert [c.cell_type for c in kept.cells] == ["markdown", "code"]
        assert heading in kept.cells[0].source and "lang" not in kept.cells[0].metadata
    assert len(source.cells) == 3                              # the original is untouched


def test_words_follow_the_chosen_language():
    try:
        languages.set_language("zh")
        assert languages.words("loss", "损失") == "损失"
        languages.set_language("en")
        assert languages.words("loss", "损失") == "loss"
    finally:
        languages.set_language("en")
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        languages.set_language("fr")


@pytest.mark.parametrize("how", ["--lang", "NANONET_LANG"])
def test_a_lesson_prints_its_headings_in_chinese(how, tmp_path):
    environment = {"NANONET_LANG": "zh"} if how == "NANONET_LANG" else {}
    args = ["--lang", "zh"] if how == "--lang" else []
    done = subprocess.run([sys.executable, "-m", "nanonet", "lesson", "02", "--quick",
                           "--out", str(tmp_path), *args], capture_output=True, text=True,
                          cwd=ROOT, env={**_environment(), **environment}, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    headings = re.findall(r"^={78}\n(.+)\n={78}$", done.stdout, flags=re.MULTILINE)
    assert headings and all(CHINESE.search(h) for h in headings), headings


def test_an_unknown_language_exits_with_the_choices(tmp_path):
    done = subprocess.run([sys.executable, "-m", "nanonet", "lesson", "02", "--quick",
                           "--out", str(tmp_path)], capture_output=True, text=True, cwd=ROOT,
                          env={**_environment(), "NANONET_LANG": "fr"}, timeout=300)
    assert done.returncode == 2 and "unknown language 'fr'" in done.stderr


def _environment() -> dict:
    import os
    return {k: v for k, v in os.environ.items() if k != "NANONET_LANG"}


# ---------------------------------------------------------------- Chinese in figures
def test_a_chinese_label_is_drawn_without_tofu_where_a_font_is_present(tmp_path, monkeypatch):
    import warnings
    pytest.importorskip("matplotlib")
    from nanonet import plotting
    from nanonet.teaching import figure_text
    if figure_text.chinese_font() is None:
        pytest.skip("no Chinese font on this machine (CI installs fonts-wqy-microhei)")
    monkeypatch.setattr(languages, "_current", {"language": "zh"})
    text = figure_text.label("training loss", "训练损失")
    assert text == "训练损失"
    figure, axis = plotting.pyplot().subplots()
    axis.set_title(text)
    with warnings.catch_warnings():
        warnings.simplefilter("error")              # "Glyph … missing from font(s)" fails
        figure.savefig(tmp_path / "zh.png")


def test_without_a_chinese_font_labels_fall_back_to_english_with_one_note(monkeypatch, capsys):
    from nanonet.teaching import figure_text
    monkeypatch.setattr(figure_text, "_state", {"searched": True, "family": None,
                                                "noted": False})
    monkeypatch.setattr(languages, "_current", {"language": "zh"})
    assert figure_text.label("training loss", "训练损失") == "training loss"
    assert figure_text.label("accuracy", "准确率") == "accuracy"
    assert capsys.readouterr().out.count("no Chinese font found") == 1
    monkeypatch.setattr(languages, "_current", {"language": "en"})
    assert figure_text.label("accuracy", "准确率") == "accuracy"
