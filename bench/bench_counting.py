"""Benchmark: enter one counting form and get the round's result back, for a village of 5,000 voters.

Target (issue 6, "Speed"): under 300 ms for the service call path ``counting.save_form`` (checks F/W,
writes the form and its lines, audit) + ``results.compute_result`` (adds up the accepted forms of
all stations, builds the engine input, counts, stores the result and the elected, audit).

The village has 5,000 registered voters, 5 stations (4 forms already entered), 主任/副主任/委员 with
11 candidates and write-ins. The naive baseline does the same work the obvious way: one INSERT per
line, one SUM query per candidate and station, and the registered voters loaded as rows.

    .venv/bin/python bench/bench_counting.py [--voters 5000] [--repeat 20]

Runs on SQLite (a temporary file); also on PostgreSQL when DATABASE_URL is given (a temporary
database is created next to the one named and dropped afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_MS = 300

STATION_VOTES = {
    "director": {"张明": 500, "李华": 280},
    "deputy": {"王强": 450, "赵敏": 250, "钱进": 70},
    "member": {"孙立": 600, "周芳": 550, "吴刚": 500, "郑丽": 300, "冯伟": 200, "陈红": 100},
}
WRITE_INS = {"member": [("卫东", 10, "M"), ("蒋琴", 5, "F")]}
HEAD = (850, 800, 780, 5, 15)  # issued, returned, valid, blank, invalid


def _setup(voters: int):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huanjie.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from huanjie.elections.tests.voting_helpers import election_day, form_data
    from huanjie.elections.voting import counting
    from huanjie.testing.world import build_world

    world = build_world()
    candidates = {
        "director": [("张明", "M"), ("李华", "F")],
        "deputy": [("王强", "M"), ("赵敏", "F"), ("钱进", "M")],
        "member": [("孙立", "M"), ("周芳", "F"), ("吴刚", "M"), ("郑丽", "F"), ("冯伟", "M"), ("陈红", "F")],
    }
    day = election_day(
        world, voters=voters, candidates=candidates, stations=tuple(f"第{i}投票站" for i in range(1, 6))
    )
    user = world.users["village_a1"]
    for st in day.stations[:-1]:
        counting.save_form(user, day.round, st, form_data(day, day.round, HEAD, STATION_VOTES, WRITE_INS))
    return day, user, form_data


def _ours(day, user, form_data) -> float:
    from huanjie.elections.voting import counting, results

    t = time.perf_counter()
    counting.save_form(
        user, day.round, day.stations[-1], form_data(day, day.round, HEAD, STATION_VOTES, WRITE_INS)
    )
    rr = results.compute_result(user, day.round)
    ms = (time.perf_counter() - t) * 1000
    assert rr.output["election_valid"] and len(rr.output["elected"]) == 5, rr.output
    return ms


def _naive(day, user) -> float:
    """The obvious way: a row per INSERT, a SUM per candidate and station, voters loaded as rows."""
    from django.db import transaction
    from django.db.models import Sum

    from huanjie.elections.models import VoterRegistration
    from huanjie.elections.voting.models import CountingForm, CountingLine, RoundResult
    from huanjie.rules import Candidate, Race, VoteCount, count_vote

    t = time.perf_counter()
    with transaction.atomic():
        station = day.stations[-1]
        form, _ = CountingForm.objects.update_or_create(
            round=day.round,
            station=station,
            entry=1,
            defaults=dict(
                entered_by=user,
                ballots_issued=HEAD[0],
                ballots_returned=HEAD[1],
                valid_ballots=HEAD[2],
                blank_ballots=HEAD[3],
                invalid_ballots=HEAD[4],
                status=CountingForm.ACCEPTED,
            ),
        )
        form.lines.all().delete()
        for code, by_name in STATION_VOTES.items():
            for name, votes in by_name.items():
                CountingLine.objects.create(form=form, post=day.posts[code], name=name, votes=votes)
        for code, rows in WRITE_INS.items():
            for name, votes, gender in rows:
                CountingLine.objects.create(
                    form=form, post=day.posts[code], name=name, votes=votes, write_in=True, gender=gender
                )
        registered = len(list(VoterRegistration.objects.filter(election=day.election, status="registered")))
        forms = list(CountingForm.objects.filter(round=day.round, status=CountingForm.ACCEPTED))
        races = []
        for post in day.posts.values():
            cands = [c for c in day.candidates.values() if c.post_id == post.pk]
            votes = {}
            for c in cands:
                total = 0
                for f in forms:
                    total += (
                        CountingLine.objects.filter(form=f, post=post, name=c.person.name).aggregate(
                            s=Sum("votes")
                        )["s"]
                        or 0
                    )
                votes[c.person.name] = total
            races.append(
                Race(
                    post.name,
                    post.seats,
                    tuple(Candidate(c.person.name, c.person.gender) for c in cands),
                    votes=votes,
                )
            )
        vote = VoteCount(
            races=tuple(races),
            registered_voters=registered,
            ballots_issued=sum(f.ballots_issued for f in forms),
            ballots_returned=sum(f.ballots_returned for f in forms),
        )
        out = count_vote(vote).as_dict()
        RoundResult.objects.update_or_create(round=day.round, defaults={"output": out})
    return (time.perf_counter() - t) * 1000


def child(args) -> dict:
    from django.db import connection

    day, user, form_data = _setup(args.voters)
    ours, naive = [], []
    for _ in range(args.repeat):
        ours.append(_ours(day, user, form_data))
        naive.append(_naive(day, user))
    return {
        "vendor": connection.vendor,
        "ours_ms": statistics.median(ours),
        "ours_max_ms": max(ours),
        "naive_ms": statistics.median(naive),
        "voters": args.voters,
    }


def run(db: str, args) -> bool:
    tmp = Path(tempfile.mkdtemp(prefix="hj-bench-counting-"))
    env = dict(os.environ, HUANJIE_VAR_DIR=str(tmp), DJANGO_SETTINGS_MODULE="huanjie.settings")
    pg_name = None
    if db == "sqlite":
        env.pop("DATABASE_URL", None)
        env["HUANJIE_SQLITE_PATH"] = str(tmp / "bench.sqlite3")
    else:
        import psycopg

        url = os.environ["DATABASE_URL"]
        pg_name = f"hj_bench_counting_{os.getpid()}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {pg_name}")
        env["DATABASE_URL"] = f"{url.rsplit('/', 1)[0]}/{pg_name}"
    try:
        res = subprocess.run(
            [sys.executable, __file__, "--child", "--voters", str(args.voters), "--repeat", str(args.repeat)],
            env=env,
            capture_output=True,
            text=True,
        )
        if res.returncode != 0:
            print(res.stderr[-3000:])
            return False
        got = json.loads(res.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if pg_name:
            import psycopg

            with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")
    ok = got["ours_ms"] < TARGET_MS
    print(
        f"[{got['vendor']}] {got['voters']:,} 名选民、5 个投票站：录入一张计票单并计算结果 "
        f"中位 {got['ours_ms']:.1f} ms（最慢 {got['ours_max_ms']:.1f} ms；目标 < {TARGET_MS} ms：{'达标' if ok else '未达标'}）"
    )
    print(
        f"[{got['vendor']}]   逐行插入、逐人逐站求和的做法：{got['naive_ms']:.1f} ms，"
        f"本实现为其 {got['ours_ms'] / got['naive_ms']:.2f} 倍（快 {got['naive_ms'] / got['ours_ms']:.1f} 倍）"
    )
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--voters", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.quick:
        args.repeat = 5
    if args.child:
        print(json.dumps(child(args)))
        return 0
    ok = run("sqlite", args)
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        ok = run("postgres", args) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
