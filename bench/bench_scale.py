"""Scale: every page of the county, township and village offices on a county of a million voters.

Builds a county of ``--villages`` villages × ``--voters`` registered voters on PostgreSQL (with the
election-day benchmark's generator: people, registrations, elections in the voting stage, posts,
candidates, stations, accounts), and the 12-village demo county in a second database as the named
baseline. Then, for a county, a township and a village account, opens every page and API list the
account may open with a GET (documents such as PDFs and archives excluded, they are measured by
their own benchmarks) and prints the median of ``--repeat`` requests after one warm-up, the number
of SQL queries, and the ratio to the same page on the demo county.

    .venv/bin/python bench/bench_scale.py                        # 500 × 2,000 = 1,000,000 voters
    .venv/bin/python bench/bench_scale.py --villages 2500 --voters 2000   # a province-like 5 M run
    .venv/bin/python bench/bench_scale.py --reuse                # measure an already built database

Target (issue 17): no page over 300 ms at a million voters. Not part of ``make test``; run by
``make bench-scale``. Requests go through Django's test client in one process (the whole middleware
and template stack, no network), so the figures are the application's own time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
TARGET_MS = 300
SKIP_SUFFIXES = (".pdf", ".zip", ".xlsx", ".docx")
PERSONAS = ("county", "township", "village")
# Routes whose <code> is a village's (the rest take the account's own region or its township).
VILLAGE_ROUTES = ("oversight/commitments/", "oversight/risks/", "oversight/surveys/")


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huanjie.settings")
    import django

    django.setup()


# ---------------------------------------------------------------- building (child process)


def phase_build_scale(args) -> dict:
    _setup_django()
    from bench_election_day import build_county

    t0 = time.perf_counter()
    build_county(args.villages, args.voters)
    _analyze()
    return {"build_s": time.perf_counter() - t0}


def phase_build_demo(args) -> dict:
    _setup_django()
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("demo", verbosity=0)
    _analyze()
    return {"build_s": time.perf_counter() - t0}


def _analyze():
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")


# ---------------------------------------------------------------- measuring (child process)


def _personas():
    """One account per level, the village one in the township's scope (so the township sees it),
    the last of its villages in code order (a plan that walks the regions in code order reaches it
    last)."""
    from huanjie.accounts.models import User

    county = User.objects.filter(role="county").select_related("region").order_by("pk").first()
    township = User.objects.filter(role="township").select_related("region").order_by("pk").first()
    village = (
        User.objects.filter(role="village", region__code__startswith=township.region.code[:9])
        .select_related("region")
        .order_by("-region__code")
        .first()
    )
    return {"county": county, "township": township, "village": village}


def _objects(user):
    """The objects that fill a URL's arguments for this account: its campaign, an election in its
    scope (its own for a village), a round, a station, a person, its region and township."""
    from huanjie.campaigns.models import Campaign
    from huanjie.elections.models import Election, Round
    from huanjie.elections.voting.models import VotingStation
    from huanjie.people.models import Person

    prefix = user.region.scope_prefix
    election = (
        Election.objects.filter(organization__code__startswith=prefix).order_by("organization__code").first()
    )
    campaign = Campaign.objects.order_by("pk").first()
    rnd = Round.objects.filter(election=election).order_by("number").first()
    station = VotingStation.objects.filter(election=election).order_by("pk").first()
    person = Person.objects.filter(hukou_village=election.organization).order_by("pk").first()
    return {
        "slug": campaign.slug,
        "election": election.pk,
        "round": rnd.pk if rnd else None,
        "station": station.pk if station else None,
        "person": person.pk if person else None,
        "code": user.region.code,
        "village": election.organization.code,
        "township": election.organization.code[:9] + "000",
    }


def _pages(user, objs) -> list[tuple[str, str]]:
    """(name, path) of every GET page and API list this account may open."""
    from django.urls import URLPattern, URLResolver, get_resolver

    out = []

    def fill(route: str) -> str | None:
        import re

        def arg(m):
            name = m.group(2)
            if name == "slug":
                return objs["slug"]
            if name == "code":
                if "township/" in route:
                    return objs["township"]
                # a village's page (its survey, plan, signatures, preparation, party members)
                return objs["village"] if "village" in route or route.startswith(VILLAGE_ROUTES) else objs["code"]
            if name == "station_pk":
                return str(objs["station"]) if objs["station"] else "@"
            if name in ("election_id",):
                return str(objs["election"])
            if name == "person_id":
                return str(objs["person"])
            if name == "pk":
                if route.startswith("elections/round/"):
                    return str(objs["round"]) if objs["round"] else "@"
                if route.startswith("elections/"):
                    return str(objs["election"])
                if route.startswith("people/"):
                    return str(objs["person"])
            return "@"

        path = re.sub(r"<(?:(\w+):)?(\w+)>", arg, route)
        return None if "@" in path else path

    def walk(resolver, prefix=""):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                walk(p, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if route.endswith(SKIP_SUFFIXES) or route.startswith("api/docs") or "openapi" in route:
                    continue
                rule = getattr(p.callback, "huanjie_access", None)
                if route.startswith("api/"):
                    if route in ("api/",) or "{" in route:
                        continue
                elif rule is None or rule.public or user.role not in rule.roles:
                    continue
                path = fill(route)
                if path is not None:
                    out.append((route, "/" + path))

    walk(get_resolver())
    return out


def phase_measure(args) -> dict:
    _setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from huanjie.core.startup import freeze_loaded

    freeze_loaded()  # as the shipped server does on start (huanjie/wsgi.py)

    personas = _personas()
    results = {}
    for level in PERSONAS:
        user = personas[level]
        client = Client(raise_request_exception=False)
        client.force_login(user)
        objs = _objects(user)
        for route, path in _pages(user, objs):
            first = client.get(path)
            if first.status_code in (301, 302, 405):
                continue
            times, cpu = [], []
            with CaptureQueriesContext(connection) as ctx:
                client.get(path)
            queries = len(ctx.captured_queries)
            # The database's own time, summed over the page's queries as the client saw them.
            sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
            load = os.getloadavg()[0]
            for _ in range(args.repeat):
                t0, c0 = time.perf_counter(), time.process_time()
                client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            results[f"{level} {route}"] = {
                "status": first.status_code,
                "median_ms": statistics.median(times),
                # This process's CPU: Python and templates, barely moved by other work on the
                # machine (unlike the wall clock, which waits for the CPU under load).
                "cpu_ms": statistics.median(cpu),
                "sql_ms": sql_ms,
                "queries": queries,
                "load": (load + os.getloadavg()[0]) / 2,
            }
    return results


# ---------------------------------------------------------------- driver


def _child(phase: str, args, db_url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": db_url, "HUANJIE_VAR_DIR": str(ROOT / "var" / "bench-scale")}
    cmd = [sys.executable, __file__, "--phase", phase, "--villages", str(args.villages),
           "--voters", str(args.voters), "--repeat", str(args.repeat)]
    out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-4000:])
        raise SystemExit(f"阶段 {phase} 失败")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _recreate(pg_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return pg_url.rsplit("/", 1)[0] + "/" + name


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--villages", type=int, default=500)
    ap.add_argument("--voters", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--pg-url", default=os.environ.get("HUANJIE_TEST_POSTGRES_URL",
                                                       "postgres://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--reuse", action="store_true", help="measure the databases of the last run again")
    ap.add_argument("--markdown-all", action="store_true", help="every page in the markdown table, not the slowest 25")
    ap.add_argument("--phase", choices=["build_scale", "build_demo", "measure"], help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.phase:
        result = {"build_scale": phase_build_scale, "build_demo": phase_build_demo,
                  "measure": phase_measure}[args.phase](args)
        print(json.dumps(result))
        return 0

    base = args.pg_url.rsplit("/", 1)[0]
    scale_url, demo_url = base + "/huanjie_bench_scale", base + "/huanjie_bench_demo"
    if not args.reuse:
        t = _child("build_scale", args, _recreate(args.pg_url, "huanjie_bench_scale"))
        print(f"建库：{args.villages} 个村 × {args.voters} 名选民，用时 {t['build_s']:.0f} s", flush=True)
        t = _child("build_demo", args, _recreate(args.pg_url, "huanjie_bench_demo"))
        print(f"演示县（基线）建库用时 {t['build_s']:.0f} s", flush=True)
    big = _child("measure", args, scale_url)
    demo = _child("measure", args, demo_url)
    voters = args.villages * args.voters
    print(f"\n{'page (persona route)':<72} {'median':>9} {'CPU':>8} {'SQL ms':>8} {'SQL':>5} {'demo':>9} "
          f"{'ratio':>6} {'load':>5}")
    over = []
    for key, r in sorted(big.items()):
        d = demo.get(key)
        flag = " !" if r["median_ms"] > TARGET_MS else ""
        status = "" if r["status"] == 200 else f" [{r['status']}]"
        print(f"{key + status:<72} {r['median_ms']:>7.1f}ms {r['cpu_ms']:>6.1f}ms {r['sql_ms']:>6.1f}ms "
              f"{r['queries']:>5} {_ms(d):>9} {_ratio(r, d):>6} {r['load']:>5.1f}{flag}")
        if r["median_ms"] > TARGET_MS:
            over.append(key)
    worst = max(big.items(), key=lambda kv: kv[1]["median_ms"])
    loads = [r["load"] for r in big.values()]
    print(f"\n{len(big)} 个页面，{voters:,} 名选民；最慢 {worst[0]} {worst[1]['median_ms']:.0f} ms；"
          f"超过 {TARGET_MS} ms 的页面 {len(over)} 个；测量时 1 分钟平均负载 {min(loads):.1f}–{max(loads):.1f}"
          f"（{os.cpu_count()} 核）")
    print("\n" + markdown(big, demo, args, rows=None if args.markdown_all else 25))
    return 1 if over else 0


def _ms(d: dict | None) -> str:
    return f"{d['median_ms']:.1f}ms" if d else "—"


def _ratio(r: dict, d: dict | None) -> str:
    return f"{r['median_ms'] / d['median_ms']:.1f}×" if d and d["median_ms"] else "—"


def markdown(big: dict, demo: dict, args, rows: int | None = 25) -> str:
    """The README's table, slowest pages first: median, this process's CPU, SQL time and count,
    the ratio to the demo county and the machine's load average while the page was measured."""
    loads = [r["load"] for r in big.values()]
    ordered = sorted(big.items(), key=lambda kv: -kv[1]["median_ms"])
    shown = ordered if rows is None else ordered[:rows]
    out = [
        f"{args.villages} villages × {args.voters:,} voters ({args.villages * args.voters:,}) on PostgreSQL, "
        f"median of {args.repeat}; {len(big)} pages, {sum(r['median_ms'] > TARGET_MS for r in big.values())} over "
        f"{TARGET_MS} ms; load average {min(loads):.1f}–{max(loads):.1f} on {os.cpu_count()} cores.",
        "",
        "| page (account, route) | median ms | CPU ms | SQL ms | SQL queries | demo ms | ratio to demo | load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, r in shown:
        d = demo.get(key)
        out.append(f"| `{key}` | {r['median_ms']:.0f} | {r['cpu_ms']:.0f} | {r['sql_ms']:.0f} | {r['queries']} | "
                   f"{d['median_ms']:.0f} | {_ratio(r, d)} | {r['load']:.1f} |" if d else
                   f"| `{key}` | {r['median_ms']:.0f} | {r['cpu_ms']:.0f} | {r['sql_ms']:.0f} | {r['queries']} | — | — | "
                   f"{r['load']:.1f} |")
    if rows is not None and len(ordered) > rows:
        rest = ordered[rows:]
        out.append(f"| {len(rest)} other pages | ≤ {rest[0][1]['median_ms']:.0f} | | | ≤ "
                   f"{max(r['queries'] for _, r in rest)} | | | |")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
