"""R69 stroke-order sorting (按姓氏笔画为序) from mainland stroke data, without ICU.

A name is compared character by character. For each character:

1. Chinese characters come before anything else; within them fewer **total strokes** first
   (mainland counts: 邓 4, 阮 6, 陆 7, 陈 7, 郑 8, 郭 10, 黄 11, 蔡 14);
2. same count: the **stroke sequence** in the five classes 横1 竖2 撇3 点4 折5, stroke by stroke;
3. a character whose sequence is not in the table (rare or Extension B+ characters) sorts after
   every known character of its Unihan stroke count; a Chinese character without any count sorts
   after all counted ones. Callers should warn with :func:`unknown_characters`;
4. characters that are still equal (different characters with the same sequence, such as 己 已 巳)
   are ordered by code point, so one surname never splits around another;
5. not Chinese: Latin letters, digits and other symbols sort after all Chinese characters,
   case-insensitively, then by code point.

Whitespace (including U+3000 used to pad two-character names) is ignored. A name separator
(the middle dot of 阿依古丽·买买提 and its look-alikes, or a hyphen) sorts before every
character, so it ends a name part the same way the end of the name does: 阿依古丽 <
阿依古丽·买买提 < 阿依古丽买…. A name that is a prefix of another sorts first. Names with equal
keys (e.g. differing only in spaces) are ordered by their code points, so the order is total.

The finer rules of 《GB13000.1字符集汉字字序（笔画序）规范》 (R69 step 3) are not implemented.
Data: huanjie/rules/data/README.md.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

__all__ = [
    "sort_by_strokes",
    "stroke_sequence",
    "stroke_sort_key",
    "strokes_of",
    "unknown_characters",
]

_SEPARATORS = frozenset("·・•‧．.‐‑－-⸱･")
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")

# Each character becomes a code string; a name's key is the concatenation of its codes, a
# "\x00" terminator, then the name itself as UTF-8 bytes. Every code is written with characters
# below U+0100, so keys are one-byte strings and list.sort compares them with memcmp.
#   separator:        "\x01"
#   known CJK:        "\x02" + chr(0x20 + total) + "\x01" + sequence digits + utf8(char)
#   unknown CJK:      "\x02" + chr(0x20 + Unihan total, or 0xFF) + "\x02" + utf8(char)
#   anything else:    "\x03" + utf8(lower-case form) + utf8(char)
# The header fixes the length of the digits and UTF-8 is prefix-free, so no code is a prefix of
# another: comparing two keys compares the names character by character, a name that is a
# prefix of another sorts first (the terminator is lower than every code), and names with equal
# codes fall back to their UTF-8 bytes, i.e. their code points.
_NO_COUNT = 0xFF - 0x20
_TERMINATOR = "\x00"

_SEQUENCES: dict[str, str] = {}
_CODES: dict[str, str] = {}


def _utf8(text: str) -> str:
    return text.encode("utf-8", "surrogatepass").decode("latin-1")


def _load_sequences() -> None:
    text = resources.files("huanjie.rules").joinpath("data/strokes.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line[0] == "#":
            continue
        char, _total, seq = line.split("\t")
        _SEQUENCES[char] = seq
        _CODES[char] = "\x02" + chr(0x20 + len(seq)) + "\x01" + seq + _utf8(char)


_load_sequences()


class _Unihan:
    """Unihan kTotalStrokes, loaded on first use: most rosters never need it."""

    starts: list[int] | None = None
    runs: list[str] = []

    @classmethod
    def total(cls, cp: int) -> int | None:
        if cls.starts is None:
            cls._load()
        i = bisect_right(cls.starts, cp) - 1
        if i < 0:
            return None
        offset = cp - cls.starts[i]
        run = cls.runs[i]
        if offset >= len(run):
            return None
        return ord(run[offset]) - 0x20

    @classmethod
    def _load(cls) -> None:
        path = resources.files("huanjie.rules").joinpath("data/unihan_strokes.txt")
        starts, runs = [], []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line or line[0] == "#":
                continue
            start, encoded = line.split("\t")
            starts.append(int(start, 16))
            runs.append(encoded)
        cls.runs = runs
        cls.starts = starts


def _is_cjk(cp: int) -> bool:
    return (
        0x3400 <= cp <= 0x4DBF
        or 0x4E00 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x3FFFF
        or 0x2E80 <= cp <= 0x2FDF
        or cp == 0x3007
    )


def _canonical(char: str) -> str:
    """The character the tables know it by (Kangxi radicals, compatibility ideographs, full width)."""
    if char in _SEQUENCES:
        return char
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 else char


@lru_cache(maxsize=4096)
def _slow_code(char: str) -> str:
    if char.isspace() or char in _ZERO_WIDTH:
        return ""
    if char in _SEPARATORS:
        return "\x01"
    canon = _canonical(char)
    if canon in _SEQUENCES:
        seq = _SEQUENCES[canon]
        return "\x02" + chr(0x20 + len(seq)) + "\x01" + seq + _utf8(char)
    if canon in _SEPARATORS:
        return "\x01"
    cp = ord(canon)
    total = _Unihan.total(cp)
    if total is not None or _is_cjk(cp):
        return "\x02" + chr(0x20 + (total if total is not None else _NO_COUNT)) + "\x02" + _utf8(char)
    lower = canon.lower()
    return "\x03" + _utf8(lower if len(lower) == 1 else canon) + _utf8(char)


def _key_string(name: str, _codes: dict[str, str] = _CODES, _code_of=_CODES.__getitem__) -> str:
    try:
        body = "".join(map(_code_of, name))
    except KeyError:
        body = "".join([_codes[c] if c in _codes else _slow_code(c) for c in name])
    return body + _TERMINATOR + name.encode("utf-8", "surrogatepass").decode("latin-1")


def _as_name(name: object) -> str:
    return name if isinstance(name, str) else ("" if name is None else str(name))


@lru_cache(maxsize=1 << 16)
def stroke_sort_key(name: str) -> tuple[str, str]:
    """Hashable, comparable key: sorting by it gives the R69 order, ties broken by code points.

    The first element is an opaque one-byte string (see the comments above); only compare keys.
    Different names always get different keys.
    """
    name = _as_name(name)
    return (_key_string(name), name)


def sort_by_strokes(names: Iterable[str]) -> list[str]:
    """Names in R69 stroke order (total: names with equal strokes are ordered by code points)."""
    # Plain one-byte string keys take list.sort's memcmp path; the per-name cache of
    # stroke_sort_key would only churn on a one-off bulk sort.
    return sorted([_as_name(n) for n in names], key=_key_string)


def strokes_of(char: str) -> int | None:
    """Mainland total stroke count of one character, or None if unknown / not one character."""
    if not isinstance(char, str) or len(char) != 1:
        return None
    canon = _canonical(char)
    seq = _SEQUENCES.get(canon)
    if seq is not None:
        return len(seq)
    return _Unihan.total(ord(canon))


def stroke_sequence(char: str) -> str | None:
    """Stroke sequence as digits 1横 2竖 3撇 4点 5折 (e.g. 王 -> "1121"), or None if unknown."""
    if not isinstance(char, str) or len(char) != 1:
        return None
    return _SEQUENCES.get(_canonical(char))


def unknown_characters(name: str) -> list[str]:
    """Characters of ``name`` without a known stroke sequence, in order, each once.

    Whitespace and name separators (·) are not listed; Latin letters, digits, rare and
    Extension B+ characters are, so callers can warn that their position is approximate.
    """
    if not isinstance(name, str):
        return []
    seen: list[str] = []
    for c in name:
        if c in _SEQUENCES or c in seen:
            continue
        code = _slow_code(c)
        if code in ("", "\x01") or (code[0] == "\x02" and code[2] == "\x01"):
            continue
        seen.append(c)
    return seen
