import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from huanjie.demo.county import build_demo
from huanjie.people.models import Person, Region

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_demo_is_deterministic_for_a_seed():
    def snapshot():
        return list(Person.objects.order_by("id_number").values_list("name", "id_number", "group_name")[:300])

    with transaction.atomic():
        build_demo(seed=5, size="small")
        first = snapshot()
        transaction.set_rollback(True)
    assert not Region.objects.exists()
    build_demo(seed=5, size="small")
    assert snapshot() == first


@pytest.mark.django_db
def test_demo_refuses_a_non_empty_database(world):
    with pytest.raises(CommandError, match="空数据库"):
        call_command("demo", size="small")
    call_command("demo", size="small", if_empty=True)  # make run: skip quietly


@pytest.mark.django_db
def test_lists_as_json(world, capsys):
    call_command("regions_list", json=True)
    rows = json.loads(capsys.readouterr().out)
    assert {"code": "130731100002", "name": "东山村", "level": "village", "kind": "village",
            "parent": "130731100000", "slug": "130731100002"} in rows
    call_command("campaigns_list", json=True)
    campaigns = json.loads(capsys.readouterr().out)
    assert campaigns[0]["slug"] == "anping-2026" and len(campaigns[0]["villages"]) == 3


def _huanjie(*args, tmp_path):
    env = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "HUANJIE_VAR_DIR": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "huanjie.cli", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT)


def test_cli_errors_are_one_line_without_traceback(tmp_path):
    result = _huanjie("demo", "--size", "huge", tmp_path=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "取值无效" in result.stderr and "--size" in result.stderr


def test_cli_demo_migrate_and_audit_verify(tmp_path):
    assert _huanjie("migrate", "--noinput", tmp_path=tmp_path).returncode == 0
    result = _huanjie("demo", "--size", "small", "--seed", "2", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "county_office" in result.stdout and "village_a1" in result.stdout
    verify = _huanjie("audit", "verify", tmp_path=tmp_path)
    assert verify.returncode == 0 and "哈希链连续" in verify.stdout
    again = _huanjie("demo", "--size", "small", tmp_path=tmp_path)
    assert again.returncode == 1 and "空数据库" in again.stderr and "Traceback" not in again.stderr
