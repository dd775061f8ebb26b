"""R66/R67 ID numbers. Check characters are worked out by hand in the comments:
S = Σ digit × weight (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2), Y = S mod 11,
Y 0..10 -> 1 0 X 9 8 7 6 5 4 3 2."""

import json
from datetime import date
from pathlib import Path

import pytest

from huanjie.rules.idnumber import (
    IdNumber,
    birth_date_from_id,
    gender_from_id,
    make_id,
    parse_id,
    validate_ids,
)

REF = date(2026, 3, 20)
CASES = Path("/work/shared/spec/cases")


def test_standard_examples_are_valid():
    # 11010519491231002X: S = 167, 167 mod 11 = 2 -> X; 17th digit 2 even -> female
    r = parse_id("11010519491231002X", REF)
    assert r.valid and r.code is None and r.reason is None
    assert r.normalised == "11010519491231002X"
    assert r.birth_date == date(1949, 12, 31)
    assert r.gender == "F"
    assert r.normalisations == ()
    # 440524188001010014: S = 28+36+0+25+16+16+2+8+48+0+0+9+0+5+0+0+2 = 195, 195 mod 11 = 8 -> 4;
    # 17th digit 1 odd -> male; born 1880-01-01
    r = parse_id("440524188001010014", REF)
    assert r.valid and r.gender == "M" and r.birth_date == date(1880, 1, 1)


def test_case_file_ex05():
    case = json.loads((CASES / "ex05-id-numbers.json").read_text(encoding="utf-8"))
    ref = date.fromisoformat(case["inputs"]["reference_date"])
    for raw, expected in zip(case["inputs"]["ids"], case["expected"]["results"], strict=True):
        r = parse_id(raw, ref)
        assert r.valid == expected["valid"], raw
        if expected["valid"]:
            assert r.normalised == expected["normalised"]
            assert r.birth_date.isoformat() == expected["birth_date"]
            assert r.gender == expected["gender"]


def test_wrong_check_character():
    # same first 17 digits as the standard example; the check character must be X, not 1
    r = parse_id("110105194912310021", REF)
    assert not r.valid
    assert r.code == "id_checksum"
    assert r.normalised == "110105194912310021"
    assert r.birth_date is None and r.gender is None
    assert "校验" in r.reason


def test_lower_case_x_is_normalised_with_a_note():
    r = parse_id("11010519491231002x", REF)
    assert r.valid and r.normalised == "11010519491231002X"
    assert r.normalisations == ("lowercase_x",)


def test_fullwidth_and_spaces_are_normalised():
    raw = "\u3000１１０１０５ １９４９１２３１\u00a0００２ｘ "
    r = parse_id(raw, REF)
    assert r.valid
    assert r.raw == raw
    assert r.normalised == "11010519491231002X"
    assert set(r.normalisations) == {"whitespace", "fullwidth", "lowercase_x"}


def test_fullwidth_capital_x():
    r = parse_id("１１０１０５１９４９１２３１００２Ｘ", REF)
    assert r.valid and r.normalisations == ("fullwidth",)


def test_excel_text_apostrophe_is_removed():
    r = parse_id("'11010519491231002X", REF)
    assert r.valid and "quote" in r.normalisations


@pytest.mark.parametrize("raw", ["", "   ", "\u3000", None])
def test_missing(raw):
    r = parse_id(raw, REF)
    assert not r.valid and r.code == "missing_id" and r.reason


@pytest.mark.parametrize(
    "raw",
    [
        "1101051949123100",  # 16 characters
        "1101051949123100211",  # 19 characters
        "11010519491231002Y",  # last character neither digit nor X
        "1101051949123X0021",  # X inside
        "11010519491231002-",
        "身份证11010519491231",
    ],
)
def test_format_errors(raw):
    r = parse_id(raw, REF)
    assert not r.valid and r.code == "id_format" and r.reason


def test_old_fifteen_digit_number_asks_for_the_new_one():
    r = parse_id("110105491231002", REF)
    assert r.code == "id_format"
    assert "15位" in r.reason and "18位" in r.reason


@pytest.mark.parametrize(
    "raw",
    [
        "1.10105194912310E+17",  # how Excel shows an 18-digit number
        "1.1010519491231E17",
        "1.10105E+17",
        "1.10105194912310e+17",
        # Excel keeps 15 significant digits: 11010519491231002X typed as 110105194912310021 comes
        # back as 110105194912310000. Check: S over 11010519491231000 = 163, 163 mod 11 = 9 -> 3,
        # not 0, so the zeros are padding.
        "110105194912310000",
        "110105194912310000.0",
        "11010519491231002.0",
    ],
)
def test_numbers_mangled_by_excel_are_reported_not_guessed(raw):
    r = parse_id(raw, REF)
    assert not r.valid
    assert r.code == "id_numeric_corrupted"
    assert r.normalised is None and r.birth_date is None
    assert "Excel" in r.reason and "文本" in r.reason


def test_float_cell_is_corrupted():
    r = parse_id(1.1010519491231002e17, REF)
    assert r.code == "id_numeric_corrupted"


def test_real_id_ending_in_000_is_valid():
    # 110106194912314000: first 17 digits differ from the standard example in the 6th digit
    # (5 -> 6, weight 4: +4) and the 15th (0 -> 4, weight 8: +32) and 17th (2 -> 0, weight 2: -4):
    # S = 167 + 4 + 32 - 4 = 199, 199 mod 11 = 1 -> check 0. A genuine number, so it must pass.
    r = parse_id("110106194912314000", REF)
    assert r.valid
    assert r.gender == "F"  # 17th digit 0 is even


@pytest.mark.parametrize(
    "raw",
    [
        "110105194913310025",  # month 13
        "110105194902300025",  # 30 February
        "110105190002290025",  # 1900 was not a leap year
        "110105000001010025",  # year 0
    ],
)
def test_impossible_birth_dates(raw):
    r = parse_id(raw, REF)
    assert r.code == "id_date" and r.reason


def test_birth_date_after_reference_date():
    future = make_id("110105", date(2026, 3, 21), 1)
    r = parse_id(future, REF)
    assert r.code == "id_date"
    assert "2026-03-21" in r.reason
    # born on the reference date itself is allowed
    assert parse_id(make_id("110105", date(2026, 3, 20), 1), REF).valid


def test_leap_day_2000_is_a_real_date():
    r = parse_id(make_id("110105", date(2000, 2, 29), 10), REF)
    assert r.valid and r.birth_date == date(2000, 2, 29)


def test_make_id_computes_the_check_character():
    assert make_id("110105", date(1949, 12, 31), 2) == "11010519491231002X"
    # 33010219900517123: S = 21+27+0+5+0+8+2+9+54+0+0+45+10+35+8+8+6 = 238,
    # 238 mod 11 = 7 -> 5
    assert make_id("330102", date(1990, 5, 17), 123) == "330102199005171235"
    r = parse_id("330102199005171235", REF)
    assert r.valid and r.gender == "M"  # 17th digit 3 is odd


@pytest.mark.parametrize("region, seq", [("11010", 1), ("11010a", 1), ("110105", -1), ("110105", 1000)])
def test_make_id_rejects_bad_parts(region, seq):
    with pytest.raises(ValueError):
        make_id(region, date(1990, 1, 1), seq)


def test_gender_and_birth_date_helpers():
    assert gender_from_id("11010519491231002X") == "F"
    assert gender_from_id("440524188001010014") == "M"
    assert birth_date_from_id("11010519491231002X") == date(1949, 12, 31)
    assert gender_from_id("110105194912310021") is None
    assert birth_date_from_id("garbage") is None


def test_result_is_frozen():
    r = parse_id("11010519491231002X", REF)
    assert isinstance(r, IdNumber)
    with pytest.raises(AttributeError):
        r.valid = False


def test_validate_ids_matches_parse_id():
    raws = [
        "11010519491231002X",
        "11010519491231002x",
        "110105194912310021",
        "1.10105194912310E+17",
        "110105491231002",
        "",
        "１１０１０５１９４９１２３１００２Ｘ",
        "440524188001010014",
        "110105194913310025",
        make_id("110105", date(2026, 3, 21), 1),
    ]
    assert validate_ids(raws, REF) == [parse_id(r, REF) for r in raws]
    assert [r.valid for r in validate_ids(raws, REF)] == [
        True, True, False, False, False, False, True, True, False, False,
    ]  # fmt: skip


def test_validate_ids_accepts_a_generator():
    ids = (make_id("110105", date(1980, 1, d), d) for d in range(1, 29))
    results = validate_ids(ids, REF)
    assert len(results) == 28 and all(r.valid for r in results)
    # sequence numbers 1..28: odd -> M, even -> F
    assert [r.gender for r in results[:4]] == ["M", "F", "M", "F"]
