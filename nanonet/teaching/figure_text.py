"""Text in a lesson's figures, in the lesson's language — and a font that can draw Chinese.

matplotlib's own font (DejaVu Sans) has no Chinese characters: drawn with it, 损失 becomes
empty boxes ("tofu"). ``chinese_font()`` finds a font that has them — one matplotlib knows, or
one installed on the system (``apt install fonts-wqy-microhei``, Noto Sans CJK, Source Han
Sans, SimHei, Microsoft YaHei, PingFang …), which it registers with matplotlib — and puts it
first in matplotlib's sans-serif list. Then:

- ``label(en, zh)`` is a figure's title, axis label or legend entry: `zh` when the lesson prints
  in Chinese (``--lang zh``) and a Chinese font is present; otherwise `en`, and, the first time
  a Chinese label falls back, one printed note saying which font to install;
- ``can_draw_chinese()`` is for a figure whose *data* is Chinese text (the article's
  sentences as tick labels): True once a font is in place; a lesson that gets False draws
  English stand-ins ("sentence 1") and says so.
"""
from __future__ import annotations

import re
from typing import Optional

from .languages import language

__all__ = ["KNOWN_FAMILIES", "chinese_font", "can_draw_chinese", "label"]

#: font families with Chinese characters, the most common first
KNOWN_FAMILIES = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC",
                  "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "SimHei",
                  "Microsoft YaHei", "PingFang SC", "Heiti SC", "Droid Sans Fallback",
                  "AR PL UMing CN")
#: file names of such fonts, for fonts installed after matplotlib built its font list
_FILE_NAMES = re.compile(r"wqy|cjk|sourcehan|simhei|msyh|pingfang|droidsansfallback|uming",
                         flags=re.IGNORECASE)
_state = {"searched": False, "family": None, "noted": False}


def chinese_font() -> Optional[str]:
    """The family name of a font that can draw Chinese, placed first in matplotlib's
    ``font.sans-serif`` list, or None if there is none (or no matplotlib). Searched once."""
    if not _state["searched"]:
        _state["searched"], _state["family"] = True, _find_and_register()
    return _state["family"]


def _find_and_register() -> Optional[str]:
    try:
        import matplotlib
        from matplotlib import font_manager
    except ImportError:
        return None
    family = _known_family(font_manager)
    if family is None:                           # installed after matplotlib's font cache
        for path in font_manager.findSystemFonts():
            if _FILE_NAMES.search(path):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue                     # a font file matplotlib cannot read
        family = _known_family(font_manager)
    if family is not None:
        fonts = [f for f in matplotlib.rcParams["font.sans-serif"] if f != family]
        matplotlib.rcParams["font.sans-serif"] = [family] + fonts
        matplotlib.rcParams["font.family"] = "sans-serif"
    return family


def _known_family(font_manager) -> Optional[str]:
    names = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((family for family in KNOWN_FAMILIES if family in names), None)


def can_draw_chinese() -> bool:
    """True if figures can show Chinese characters (a Chinese font is in place)."""
    return chinese_font() is not None


def label(en: str, zh: str) -> str:
    """A figure's text in the lesson's language: `zh` if it prints in Chinese and a Chinese
    font is present, else `en` (with one note, the first time, when Chinese was wanted)."""
    if language() != "zh":
        return en
    if can_draw_chinese():
        return zh
    if not _state["noted"]:
        _state["noted"] = True
        print("（图中文字用英文：没有找到中文字体，例如 apt install fonts-wqy-microhei）"
              "(figure labels in English: no Chinese font found, e.g. apt install "
              "fonts-wqy-microhei)")
    return en
