"""Resident ID numbers (居民身份证号码, GB 11643-1999) — rules R66 and R67.

``parse_id`` reads one cell as typed into a roster: it repairs harmless typing variants
(full-width digits, spaces, lower-case x, Excel's leading apostrophe) and records each repair
in ``normalisations`` so an import can warn about it; it never guesses digits. In particular a
number that Excel stored as a floating-point value ("1.10105194912310E+17", "110105194912310000",
"...0.0") has lost its last digits, and is reported as ``id_numeric_corrupted``.

Check character: S = Σ a_i·w_i over the first 17 digits with w_i = 2^(18-i) mod 11
(7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2); Y = S mod 11 maps to "10X98765432". Because
2 ≡ 13 (mod 11), S ≡ 2·Σ a_i·13^(17-i) (mod 11) = 2·int(first17, 13) (mod 11), which lets the
hot path use one C-level ``int()`` call instead of a Python loop.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

__all__ = [
    "CHECK_CHARS",
    "WEIGHTS",
    "IdNumber",
    "birth_date_from_id",
    "check_character",
    "gender_from_id",
    "make_id",
    "parse_id",
    "validate_ids",
]

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

MISSING = "missing_id"
FORMAT = "id_format"
CHECKSUM = "id_checksum"
DATE = "id_date"
CORRUPTED = "id_numeric_corrupted"

_NO_NORMALISATIONS: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IdNumber:
    raw: str
    valid: bool
    normalised: str | None
    birth_date: date | None
    gender: str | None  # "M" | "F"
    code: str | None  # None when valid
    reason: str | None  # Chinese message for the user
    normalisations: tuple[str, ...] = ()


def check_character(first17: str) -> str:
    """The check character for 17 ASCII digits."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError("需要17位数字")
    return CHECK_CHARS[(2 * int(first17, 13)) % 11]


def make_id(region6: str, birth: date, seq3: int) -> str:
    """A valid 18-character ID for the given address code, birth date and sequence number.

    An odd ``seq3`` gives a man's number, an even one a woman's (R67).
    """
    if len(region6) != 6 or not (region6.isascii() and region6.isdigit()):
        raise ValueError("地址码应为6位数字")
    if not 0 <= seq3 <= 999:
        raise ValueError("顺序码应在 0–999 之间")
    first17 = f"{region6}{birth.year:04d}{birth.month:02d}{birth.day:02d}{seq3:03d}"
    return first17 + check_character(first17)


@lru_cache(maxsize=65536)
def _birth_date(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


# --- normalisation -----------------------------------------------------------------------

_FULLWIDTH = {ord("０") + i: ord("0") + i for i in range(10)}
_FULLWIDTH.update({ord("Ｘ"): ord("X"), ord("ｘ"): ord("x")})
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_SCIENTIFIC = re.compile(r"^[0-9]+(\.[0-9]*)?[eE][+]?[0-9]+$")
_DECIMAL_ZERO = re.compile(r"^[0-9]+\.0*$")


def _normalise(text: str) -> tuple[str, tuple[str, ...]]:
    fixes: list[str] = []
    stripped = "".join(c for c in text if not (c.isspace() or c in _ZERO_WIDTH))
    if stripped != text:
        fixes.append("whitespace")
    # Excel users type a leading apostrophe to keep the number as text; some exports keep it.
    if stripped[:1] in ("'", "‘", "’", "`"):
        stripped = stripped[1:]
        fixes.append("quote")
    widened = stripped.translate(_FULLWIDTH)
    if widened != stripped:
        fixes.append("fullwidth")
    if widened.endswith("x"):
        widened = widened[:-1] + "X"
        fixes.append("lowercase_x")
    return widened, tuple(fixes)


# --- messages ----------------------------------------------------------------------------

_MSG_MISSING = "身份证号码为空，请填写18位居民身份证号码。"
_MSG_OLD15 = "这是15位的旧身份证号码，已停止使用，请换成18位的居民身份证号码。"
_MSG_CORRUPTED = (
    "身份证号码被 Excel 当成数字保存，显示为“{shown}”，后几位数字已经丢失，无法还原。"
    "请把该列设置为“文本”格式后，按身份证原件重新录入。"
)
_MSG_CHECKSUM = "身份证号码校验位不符，号码中可能有录错的数字，请与身份证原件逐位核对。"


def _msg_format(text: str) -> str:
    if len(text) != 18:
        return f"身份证号码应为18位，当前为{len(text)}位。"
    return "身份证号码格式不对：前17位应为数字，最后一位应为数字或字母X。"


def _msg_bad_date(birth8: str) -> str:
    return f"身份证号码中的出生日期“{birth8[:4]}-{birth8[4:6]}-{birth8[6:]}”不是有效日期，请核对号码。"


def _msg_future(birth: date, reference: date) -> str:
    return f"身份证号码中的出生日期 {birth.isoformat()} 晚于 {reference.isoformat()}，请核对号码。"


def _invalid(
    raw: str, code: str, reason: str, fixes: tuple[str, ...], normalised: str | None = None
) -> IdNumber:
    return IdNumber(raw, False, normalised, None, None, code, reason, fixes)


# --- parsing -----------------------------------------------------------------------------


def _parse_slow(raw: str, reference: date) -> IdNumber:
    text, fixes = _normalise(raw)
    if not text:
        return _invalid(raw, MISSING, _MSG_MISSING, fixes)
    if _SCIENTIFIC.match(text) or _DECIMAL_ZERO.match(text):
        return _invalid(raw, CORRUPTED, _MSG_CORRUPTED.format(shown=raw.strip()), fixes)
    if len(text) == 15 and text.isascii() and text.isdigit():
        return _invalid(raw, FORMAT, _MSG_OLD15, fixes)
    return _parse_18(raw, text, fixes, reference)


def _parse_18(raw: str, text: str, fixes: tuple[str, ...], reference: date) -> IdNumber:
    if len(text) != 18 or not text.isascii():
        return _invalid(raw, FORMAT, _msg_format(text), fixes)
    first17 = text[:17]
    last = text[17]
    if not first17.isdigit() or not (last.isdigit() or last == "X"):
        return _invalid(raw, FORMAT, _msg_format(text), fixes)
    check_ok = CHECK_CHARS[(2 * int(first17, 13)) % 11] == last
    if not check_ok and text.endswith("000"):
        # Excel keeps 15 significant digits and pads with zeros: the real last digits are gone.
        return _invalid(raw, CORRUPTED, _MSG_CORRUPTED.format(shown=raw.strip()), fixes)
    birth8 = text[6:14]
    birth = _birth_date(birth8)
    if birth is None:
        return _invalid(raw, DATE, _msg_bad_date(birth8), fixes, text)
    if birth > reference:
        return _invalid(raw, DATE, _msg_future(birth, reference), fixes, text)
    if not check_ok:
        return _invalid(raw, CHECKSUM, _MSG_CHECKSUM, fixes, text)
    gender = "M" if ord(text[16]) & 1 else "F"
    return IdNumber(raw, True, text, birth, gender, None, None, fixes)


def _coerce(raw: object) -> tuple[str, IdNumber | None]:
    """Turn a spreadsheet cell value into text; a float cell is already a corrupted ID."""
    if raw is None:
        return "", None
    if isinstance(raw, bool):
        return str(raw), None
    if isinstance(raw, float):
        shown = repr(raw)
        if raw != raw or raw in (float("inf"), float("-inf")):
            return shown, None
        if raw.is_integer() and raw < 1e15:
            # 15 digits or fewer fit exactly in a double; let the format rules judge it.
            return str(int(raw)), None
        return shown, _invalid(shown, CORRUPTED, _MSG_CORRUPTED.format(shown=shown), _NO_NORMALISATIONS)
    if isinstance(raw, int):
        return str(raw), None
    return str(raw), None


def parse_id(raw: str, reference_date: date | None = None) -> IdNumber:
    """Validate one ID number (R66, R67).

    ``reference_date`` (default: today) is the date a birth date may not be after.
    ``raw`` should be a str; None, int and float cells from spreadsheets are accepted too.
    """
    reference = reference_date or date.today()
    if not isinstance(raw, str):
        raw, early = _coerce(raw)
        if early is not None:
            return early
    # Fast path: a clean 18-character ASCII number needs no normalisation.
    if len(raw) == 18 and raw.isascii() and raw[:17].isdigit():
        return (
            _parse_18(raw, raw, _NO_NORMALISATIONS, reference)
            if raw[17] != "x"
            else _parse_slow(raw, reference)
        )
    return _parse_slow(raw, reference)


# Bulk construction: the generated frozen __init__ goes through object.__setattr__ per field;
# the slot descriptors' __set__ is the same assignment at half the cost.
_new = object.__new__
_SETTERS = tuple(
    getattr(IdNumber, f).__set__
    for f in ("raw", "valid", "normalised", "birth_date", "gender", "code", "reason", "normalisations")
)


def validate_ids(ids: Iterable[str], reference_date: date | None = None) -> list[IdNumber]:
    """``parse_id`` over many numbers, fast for the common clean and valid case.

    The cyclic garbage collector is paused while the result list is built: a million new
    objects would otherwise trigger repeated full collections that cost more than the checks.
    """
    reference = reference_date or date.today()
    birth_of = _birth_date
    checks = CHECK_CHARS
    empty = _NO_NORMALISATIONS
    cls = IdNumber
    new = _new
    s_raw, s_valid, s_norm, s_birth, s_gender, s_code, s_reason, s_fixes = _SETTERS
    out: list[IdNumber] = []
    append = out.append
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for raw in ids:
            if raw.__class__ is str and len(raw) == 18 and raw.isascii():
                head = raw[:17]
                if head.isdigit():
                    birth = birth_of(raw[6:14])
                    if (
                        birth is not None
                        and birth <= reference
                        and checks[(2 * int(head, 13)) % 11] == raw[17]
                    ):
                        item = new(cls)
                        s_raw(item, raw)
                        s_valid(item, True)
                        s_norm(item, raw)
                        s_birth(item, birth)
                        s_gender(item, "M" if raw[16] in "13579" else "F")
                        s_code(item, None)
                        s_reason(item, None)
                        s_fixes(item, empty)
                        append(item)
                        continue
            append(parse_id(raw, reference))
    finally:
        if gc_was_enabled:
            gc.enable()
    return out


def gender_from_id(raw: str) -> str | None:
    """Gender "M" or "F" from a valid ID (17th digit odd = male), else None."""
    return parse_id(raw).gender


def birth_date_from_id(raw: str) -> date | None:
    """Birth date from a valid ID, else None."""
    return parse_id(raw).birth_date
