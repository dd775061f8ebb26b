"""The two first-run paths of the README, each from an empty database file, through the console command."""

from __future__ import annotations

from .test_demo_and_cli import _huanjie


def test_both_first_run_paths_from_an_empty_database_file(tmp_path):
    """`make run` (migrate, demo --if-empty) loads the demo; `huanjie setup` makes a county without it,
    and a later `make run` then leaves that county alone."""
    demo_dir, real_dir = tmp_path / "demo", tmp_path / "real"
    demo_dir.mkdir()
    real_dir.mkdir()
    assert _huanjie("migrate", "--noinput", tmp_path=demo_dir).returncode == 0
    demo = _huanjie("demo", "--if-empty", "--size", "small", tmp_path=demo_dir)
    assert demo.returncode == 0 and "演示县已生成" in demo.stdout

    assert _huanjie("migrate", "--noinput", tmp_path=real_dir).returncode == 0
    setup = _huanjie("setup", "--county-code", "130731000000", "--county-name", "安平县",
                     "--admin-username", "anping_hjb", tmp_path=real_dir)
    assert setup.returncode == 0, setup.stderr
    assert "一次性密码：" in setup.stdout and "county_office" not in setup.stdout
    again = _huanjie("demo", "--if-empty", "--size", "small", tmp_path=real_dir)
    assert again.returncode == 0 and "跳过演示数据" in again.stdout
    regions = _huanjie("regions", "list", "--json", tmp_path=real_dir)
    assert '"130731000000"' in regions.stdout and "东山村" not in regions.stdout
    bad = _huanjie("setup", "--county-code", "1", "--county-name", "x", "--admin-username", "y", tmp_path=real_dir)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
