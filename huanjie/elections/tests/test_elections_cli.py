"""``huanjie elections create`` for scripts."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from huanjie.accounts.models import AuditRecord
from huanjie.elections.models import Election

from .workflow_helpers import past_campaign

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_create_with_default_posts(world, capsys):
    call_command("elections_create", campaign="anping-2026", village=world.village_a1.code, date="2027-01-15")
    out = capsys.readouterr().out
    e = Election.objects.get(organization=world.village_a1)
    assert e.election_date == dt.date(2027, 1, 15)
    assert "已建立“东山村第十二届村民委员会选举”" in out and "主任1名、副主任1名、委员3名" in out
    rec = AuditRecord.objects.get(action="election.create")
    assert rec.actor is None and rec.actor_name == "命令行（县换届办）"


@pytest.mark.django_db
def test_create_with_posts_as_json(world, capsys):
    past_campaign(world, "zhejiang")
    call_command(
        "elections_create",
        campaign="anping-2026",
        village=world.village_b1.code,
        date="2026-03-20",
        posts="director=1,deputy=1,women_member=1,member=4",
        json=True,
    )
    result = json.loads(capsys.readouterr().out)
    assert result["posts"] == {"director": 1, "deputy": 1, "women_member": 1, "member": 4}
    assert result["election_date"] == "2026-03-20" and result["village"] == world.village_b1.code


@pytest.mark.django_db
def test_bad_input_is_a_chinese_command_error(world):
    cases = [
        (
            {"campaign": "nope", "village": world.village_a1.code, "date": "2027-01-15"},
            "找不到换届工作“nope”",
        ),
        ({"campaign": "anping-2026", "village": "999999999999", "date": "2027-01-15"}, "找不到区划代码"),
        ({"campaign": "anping-2026", "village": world.village_a1.code, "date": "2027/01/15"}, "YYYY-MM-DD"),
        (
            {
                "campaign": "anping-2026",
                "village": world.village_a1.code,
                "date": "2027-01-15",
                "posts": "director",
            },
            "--posts 格式",
        ),
        (
            {
                "campaign": "anping-2026",
                "village": world.village_a1.code,
                "date": "2027-01-15",
                "posts": "director=1,deputy=3,member=4",
            },
            "成员总数 8 名不符合规定",
        ),
        (
            {
                "campaign": "anping-2026",
                "village": world.village_a1.code,
                "date": "2027-01-15",
                "user": "village_a1",
            },
            "无权",
        ),
    ]
    for kwargs, message in cases:
        with pytest.raises(CommandError, match=message):
            call_command("elections_create", **kwargs)
    assert not Election.objects.exists()


def test_command_line_errors_are_one_line(tmp_path):
    env = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "HUANJIE_VAR_DIR": str(tmp_path)}

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "huanjie.cli", *args], capture_output=True, text=True, env=env, cwd=ROOT
        )

    assert run("migrate", "--noinput").returncode == 0
    result = run(
        "elections", "create", "--campaign", "nope", "--village", "130731100002", "--date", "2027-01-15"
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "找不到换届工作“nope”" in result.stderr
    missing = run("elections", "create", "--campaign", "nope")
    assert missing.returncode != 0 and "缺少必填参数" in missing.stderr
