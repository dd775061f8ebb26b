"""``huanjie voters import`` (the management command behind it)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from huanjie.elections.models import Election, VoterRegistration

from ._roster_files import csv_bytes, person_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster_file(tmp_path):
    rows = [person_row(1, "新甲", "男", dt.date(1980, 1, 2)), person_row(2, "", "女", dt.date(1981, 1, 2))]
    path = tmp_path / "名册.csv"
    path.write_bytes(csv_bytes(rows))
    return path


def run(*args):
    import io

    out = io.StringIO()
    call_command("voters_import", *args, stdout=out)
    return out.getvalue()


def test_dry_run_json_saves_nothing(world, roster_file):
    Election.objects.create(
        campaign=world.campaign, organization=world.village_a1, title="t", election_date=dt.date(2027, 1, 10)
    )
    out = json.loads(
        run(str(roster_file), "--campaign", "anping-2026", "--village", "130731100002", "--json")
    )
    assert out["rows"] == 2 and out["accepted"] == 1
    assert out["errors"] == [{"row": 4, "field": "name", "code": "missing_name", "message": "姓名为空。", "name": ""}]
    assert not VoterRegistration.objects.exists()


def test_commit_is_all_or_nothing_unless_skip(world, roster_file, tmp_path):
    Election.objects.create(
        campaign=world.campaign, organization=world.village_a1, title="t", election_date=dt.date(2027, 1, 10)
    )
    args = [str(roster_file), "--campaign", "anping-2026", "--village", "130731100002", "--commit"]
    with pytest.raises(CommandError, match="未导入任何数据"):
        run(*args)
    assert not VoterRegistration.objects.exists()
    out = tmp_path / "rejected.xlsx"
    run(*args, "--skip-bad-rows", "--rejected-out", str(out))
    assert VoterRegistration.objects.count() == 1 and out.stat().st_size > 0


def test_missing_election_is_a_clear_error(world, roster_file):
    with pytest.raises(CommandError, match="还没有.*130731100004"):
        run(str(roster_file), "--campaign", "anping-2026", "--village", "130731100004")
    with pytest.raises(CommandError, match="找不到换届工作"):
        run(str(roster_file), "--campaign", "nope", "--village", "130731100002")
