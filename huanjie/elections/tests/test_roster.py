"""Reading messy rosters: header detection, row numbers, every problem code without the database."""

from __future__ import annotations

import datetime as dt

import pytest

from huanjie.elections.registration import roster
from huanjie.rules.idnumber import make_id

from ._roster_files import csv_bytes, person_row, xls_bytes, xlsx_bytes


def codes(parsed):
    return sorted((p.row, p.code) for p in parsed.errors)


def test_office_layout_rows_are_numbered_as_the_sheet_shows():
    # Row 1 title, row 2 填报单位, row 3 header, row 4 first person, row 5 blank, rows 6-7 people,
    # then 合计 and 制表人 footers that are not people.
    rows = [
        person_row(1, "王一", "男", dt.date(1980, 1, 2)),
        person_row(2, "李二", "女", dt.date(1985, 3, 4)),
        person_row(3, "张三", "男", dt.date(1990, 5, 6), 姓名=""),
    ]
    parsed = roster.parse_roster(xlsx_bytes(rows), "名册.xlsx")
    assert parsed.header_row == 3
    assert [r.row for r in parsed.rows] == [4, 6, 7]
    assert codes(parsed) == [(7, "missing_name")]
    assert parsed.accepted == 2


def test_merged_two_level_header_is_folded():
    rows = [person_row(1, "王一", "男", dt.date(1980, 1, 2))]
    parsed = roster.parse_roster(xlsx_bytes(rows, merged_header=True, blank_rows=False), "a.xlsx")
    assert parsed.mapping["id_number"] == 5 and parsed.mapping["name"] == 1
    # title, 填报单位, two header rows → the person is on row 5
    assert [r.row for r in parsed.rows] == [5]
    assert parsed.rows[0].id_number == make_id("130731", dt.date(1980, 1, 2), 23)


def test_id_stored_as_number_is_reported_never_guessed():
    rows = [
        person_row(1, "王一", "男", dt.date(1980, 1, 2)),
        person_row(2, "李二", "女", dt.date(1985, 3, 4)),
    ]
    parsed = roster.parse_roster(
        xlsx_bytes(rows, numeric_id_rows=(1,), title=False, blank_rows=False), "a.xlsx"
    )
    assert codes(parsed) == [(3, "id_numeric_corrupted")]
    assert parsed.rows[1].id_number is None
    assert "Excel" in parsed.errors[0].message


def test_id_as_scientific_text_is_corrupted():
    rows = [person_row(1, "王一", "男", dt.date(1980, 1, 2), 公民身份号码="1.30731E+17")]
    parsed = roster.parse_roster(csv_bytes(rows), "a.csv")
    assert codes(parsed) == [(3, "id_numeric_corrupted")]


def test_normalisations_are_warnings_not_errors():
    good = make_id("130731", dt.date(1975, 7, 7), 24)  # even serial: a woman
    assert good[-1] in "0123456789X"
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in good)
    rows = [person_row(1, "李 四", "女", dt.date(1975, 7, 7), 公民身份号码=" " + fullwidth + " ")]
    parsed = roster.parse_roster(csv_bytes(rows), "a.csv")
    assert parsed.errors == []
    assert parsed.rows[0].id_number == good
    assert {w.code for w in parsed.warnings} == {"id_whitespace", "id_fullwidth", "name_spaces"}


def test_lower_case_x_is_a_warning():
    # Find a birth date/serial whose check character is X, then write it in lower case.
    for serial in range(1, 999):
        number = make_id("130731", dt.date(1981, 2, 3), serial)
        if number.endswith("X"):
            break
    gender = "男" if serial % 2 else "女"
    rows = [person_row(1, "王五", gender, dt.date(1981, 2, 3), 公民身份号码=number[:-1] + "x")]
    parsed = roster.parse_roster(csv_bytes(rows), "a.csv")
    assert parsed.errors == []
    assert parsed.rows[0].id_number == number
    assert [w.code for w in parsed.warnings] == ["id_lowercase_x"]


def test_id_problems_each_have_their_code():
    ok = make_id("130731", dt.date(1980, 1, 2), 23)
    wrong_check = ok[:-1] + ("0" if ok[-1] != "0" else "1")
    bad_date = "13073119801302" + "0231"  # month 13
    rows = [
        person_row(1, "甲", "男", dt.date(1980, 1, 2), 公民身份号码=""),
        person_row(2, "乙", "男", dt.date(1980, 1, 2), 公民身份号码="13073119800102"),
        person_row(3, "丙", "男", dt.date(1980, 1, 2), 公民身份号码=wrong_check),
        person_row(4, "丁", "男", dt.date(1980, 1, 2), 公民身份号码=bad_date),
    ]
    parsed = roster.parse_roster(csv_bytes(rows), "a.csv")
    assert codes(parsed) == [(3, "missing_id"), (4, "id_format"), (5, "id_checksum"), (6, "id_date")]


def test_gender_and_birth_mismatch_compared_at_the_precision_given():
    birth = dt.date(1985, 3, 2)
    rows = [
        person_row(1, "甲", "男", birth, 出生年月="1985.03"),  # month precision, matches
        person_row(2, "乙", "男", birth, 出生年月="1985年3月"),  # matches
        person_row(3, "丙", "男", birth, 出生年月="1985-03-02"),  # day precision, matches
        person_row(4, "丁", "男", birth, 出生年月="1985-03-09"),  # day differs → mismatch
        person_row(5, "戊", "男", birth, 出生年月="1985.04"),  # month differs → mismatch
        person_row(6, "己", "女", birth, serial=97),  # 97 is odd: the ID says male, the sheet 女
        person_row(7, "庚", "男", birth, 出生年月="1985"),  # year only, matches
    ]
    parsed = roster.parse_roster(csv_bytes(rows), "a.csv")
    assert codes(parsed) == [(6, "birth_date_mismatch"), (7, "birth_date_mismatch"), (8, "gender_mismatch")]
    assert "1985-03-02" in parsed.rows[3].errors[0].message


def test_excel_serial_birth_dates():
    birth = dt.date(1985, 3, 2)
    rows = [
        person_row(1, "甲", "男", birth, 出生年月=birth),
        person_row(2, "乙", "男", birth, serial=41, 出生年月=dt.date(1985, 3, 3)),
    ]
    parsed = roster.parse_roster(
        xlsx_bytes(rows, serial_birth_rows=(0, 1), title=False, blank_rows=False), "a.xlsx"
    )
    # serial 31108 = 1985-03-02 (days since 1899-12-30) matches; 1985-03-03 does not
    assert codes(parsed) == [(3, "birth_date_mismatch")]


def test_duplicate_in_file_names_the_first_row():
    rows = [
        person_row(1, "甲", "男", dt.date(1980, 1, 2)),
        person_row(2, "乙", "女", dt.date(1981, 1, 2)),
        person_row(1, "甲", "男", dt.date(1980, 1, 2)),
    ]
    parsed = roster.parse_roster(csv_bytes(rows), "a.csv")
    assert codes(parsed) == [(5, "duplicate_in_file")]
    assert "第3行" in parsed.errors[0].message


def test_xls_and_gbk_csv():
    rows = [person_row(1, "王一", "男", dt.date(1980, 1, 2))]
    assert roster.parse_roster(xls_bytes(rows), "a.xls").accepted == 1
    assert roster.parse_roster(csv_bytes(rows, "gb18030"), "a.csv").rows[0].name == "王一"


def test_explicit_mapping_overrides_detection():
    data = "\n".join(["甲列,乙列", f"王一,{make_id('130731', dt.date(1980, 1, 2), 23)}"]).encode()
    with pytest.raises(roster.RosterError):
        roster.parse_roster(data, "a.csv")
    parsed = roster.parse_roster(data, "a.csv", mapping={"name": "A", "id_number": "乙列"})
    assert parsed.rows[0].name == "王一" and parsed.errors == []


def test_birth_text_forms():
    assert roster.parse_birth("1985.03") == (1985, 3, None)
    assert roster.parse_birth("1985年3月") == (1985, 3, None)
    assert roster.parse_birth("1985-03-02") == (1985, 3, 2)
    assert roster.parse_birth("１９８５.０３") == (1985, 3, None)
    assert roster.parse_birth(31108.0) == (1985, 3, 2)
    assert roster.parse_birth("19850302") == (1985, 3, 2)
    assert roster.parse_birth("一九八五") is None
