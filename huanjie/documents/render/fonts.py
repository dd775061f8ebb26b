"""Vendored CJK fonts for reportlab, glyph coverage checks and cached text widths.

reportlab draws nothing (silently) for a character the font lacks, so a rare surname could be
printed as a blank on a voter card. Every builder passes its text through ``GlyphGuard``.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
REGULAR = "HJSerif"
BOLD = "HJSerif-Bold"
FONT_FILES = {
    REGULAR: FONT_DIR / "NotoSerifSC-Regular.ttf",
    BOLD: FONT_DIR / "NotoSerifSC-Bold.ttf",
}

# What a builder does when a text has characters the font cannot draw: "raise" (default: a blank
# where a name should be is worse than no document), "log" (warn and print anyway) or "ignore".
ON_MISSING_CHOICES = ("raise", "log", "ignore")
DEFAULT_ON_MISSING = "raise"

_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the two fonts with reportlab once per process (thread-safe, cheap after the first call)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name, path in FONT_FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(path)))
        # Lets <b> in Paragraph markup pick the bold file instead of faking bold.
        pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        _registered = True


def _cmap(font_name: str) -> dict[int, int]:
    register_fonts()
    return pdfmetrics.getFont(font_name).face.charToGlyph


def _needs_glyph(ch: str) -> bool:
    # Line breaks, tabs and zero-width format characters are layout, not ink.
    return unicodedata.category(ch) not in ("Cc", "Cf")


def missing_glyphs(text: str, font_name: str = REGULAR) -> list[str]:
    """Characters of ``text`` that the font has no glyph for, each once, in order of appearance."""
    cmap = _cmap(font_name)
    seen: set[str] = set()
    out: list[str] = []
    for ch in text:
        if ch in seen:
            continue
        seen.add(ch)
        if _needs_glyph(ch) and ord(ch) not in cmap:
            out.append(ch)
    return out


def describe_char(ch: str) -> str:
    return f"“{ch}”(U+{ord(ch):04X})"


class MissingGlyphError(ValueError):
    """Raised when text to be printed has characters the embedded font cannot draw."""

    def __init__(self, problems: list[tuple[str, str, list[str]]]):
        self.problems = problems
        lines = [
            f"{where}“{text}”含字体无法显示的字：{'、'.join(describe_char(c) for c in chars)}"
            for where, text, chars in problems[:20]
        ]
        if len(problems) > 20:
            lines.append(f"……另有 {len(problems) - 20} 处")
        super().__init__(
            "以下文字含有打印字体（思源宋体 Noto Serif SC）缺少的字，打印出来会是空白，"
            "请改用通用写法或手工填写：\n" + "\n".join(lines)
        )


class GlyphGuard:
    """Collects every text with missing glyphs during one build, then reports them all at once.

    Reporting at the end (instead of failing at the first name) lets the clerk fix all rare
    characters of a 3,000-voter list in one go.
    """

    def __init__(self, on_missing: str | None = None):
        on_missing = on_missing or DEFAULT_ON_MISSING
        if on_missing not in ON_MISSING_CHOICES:
            raise ValueError(f"on_missing must be one of {ON_MISSING_CHOICES}, not {on_missing!r}")
        self.on_missing = on_missing
        self.problems: list[tuple[str, str, list[str]]] = []
        self._regular, self._bold = _cmap(REGULAR), _cmap(BOLD)
        self._ok: set[str] = set()  # texts already checked: names repeat a lot (gender, village)

    def check(self, text: object, where: str = "") -> str:
        """Returns ``text`` as str; records it if a character is missing from either weight.

        Both weights are checked because the same name is bold on a card and regular in a list.
        """
        s = "" if text is None else str(text)
        if self.on_missing == "ignore" or s in self._ok:
            return s
        reg, bold = self._regular, self._bold
        chars = [
            ch for ch in dict.fromkeys(s) if _needs_glyph(ch) and (ord(ch) not in reg or ord(ch) not in bold)
        ]
        if chars:
            self.problems.append((where, s, chars))
        else:
            self._ok.add(s)
        return s

    def finish(self) -> None:
        if not self.problems:
            return
        if self.on_missing == "raise":
            raise MissingGlyphError(self.problems)
        log.warning("%s", MissingGlyphError(self.problems))


@lru_cache(maxsize=65536)
def string_width(text: str, font_name: str, size: float) -> float:
    """Width in points; cached because cards repeat the same labels thousands of times."""
    register_fonts()
    return pdfmetrics.stringWidth(text, font_name, size)


def fit_size(text: str, font_name: str, size: float, max_width: float, min_size: float = 6.0) -> float:
    """Largest font size <= ``size`` at which ``text`` fits into ``max_width`` (never below ``min_size``)."""
    w = string_width(text, font_name, size)
    if w <= max_width or w == 0:
        return size
    return max(min_size, size * max_width / w)
