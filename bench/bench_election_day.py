"""Load test: election day in a county of 300 villages (issue 6, "Speed").

Every village's clerk logs in (a phase of its own: clerks arrive before the count), then posts the
station's counting form through the counting work's form page
(``elections:counting_form`` → ``counting.save_form``; ``--via json`` uses ``elections:counting_form_api``
instead), presses "compute" (``elections:result_compute`` → ``results.compute_result``), reads the
result page and submits the result (报送, it locks), while the county office and a township office
refresh their dashboards every second.

Two ways to send the clerks:

- election night (the default): each of the 300 clerks arrives at a random moment of a two-minute
  window (``--arrival``) and pauses about two seconds between pages (``--think``) — the whole
  county's results in two minutes, far denser than a real evening, when they come in over hours.
  Its latencies are what a clerk waits for on that night.
- capacity (``--closed-loop``): ``--workers`` clerks (12) that never pause, each starting the next
  village the moment one is done. The server is saturated by design, so a request's latency is
  the queue in front of it: by Little's law, mean latency = clerks in flight ÷ throughput (12 ÷
  24 req/s ≈ 0.5 s) whatever one request costs. Read its requests per second, not its latencies.

Everything runs against a throwaway database this script creates (a SQLite file in a temporary
directory; a PostgreSQL database created and dropped, if the server is reachable) and the shipped
server (``huanjie serve``: a waitress worker per core, 8 threads each) on 127.0.0.1 on a free
port. The load is bounded: one job per village, and a hard deadline.

On PostgreSQL a sampler reads ``pg_stat_activity`` every 100 ms during the load and reports how many
of the application's connections were busy and how many waited on a lock, and of those how many on
an audit chain's head row (the per-region lock every audited write takes). The machine's load
average is printed with each run: the latencies are wall-clock times and grow with other work on
the same cores.

    .venv/bin/python bench/bench_election_day.py            # election night, 300 villages, both databases
    .venv/bin/python bench/bench_election_day.py --closed-loop   # capacity: 12 clerks without pauses
    .venv/bin/python bench/bench_election_day.py --quick    # 30 villages, 10 s
    .venv/bin/python bench/bench_election_day.py --db sqlite --villages 100 --workers 8

Reports requests per second and p50/p95/p99 latency per endpoint, and fails (exit 1) when a
request failed or a form was lost (rows counted in the database at the end).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SLUG = "bench-election-day"
PASSWORD = "Bench-Election-Day-2026"
COUNTY_CODE = "130731000000"
VILLAGES_PER_TOWNSHIP = 30


# ---------------------------------------------------------------- set-up (child process, Django)


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huanjie.settings")
    import django

    django.setup()


def build_county(villages: int, voters: int, seed: int = 7) -> dict:
    """A county with ``villages`` villages ready to count: elections in the voting stage with posts,
    candidates, registered voters, one central station and round 1; one clerk per village."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction

    from huanjie.accounts.models import User
    from huanjie.campaigns.models import Campaign, CampaignVillage
    from huanjie.elections.models import Election, Post, Round, VoterRegistration
    from huanjie.elections.nomination.models import Candidate
    from huanjie.elections.voting.models import VotingStation
    from huanjie.people.models import Person, Region
    from huanjie.rules.idnumber import make_id

    call_command("migrate", verbosity=0)
    rnd = random.Random(seed)
    today = dt.date.today()
    password = make_password(PASSWORD)  # one hash for all accounts: set-up time, not the load
    with transaction.atomic():
        county = Region.objects.create(code=COUNTY_CODE, name="安平县", level="county", kind="county")
        townships = []
        for t in range(math.ceil(villages / VILLAGES_PER_TOWNSHIP)):
            townships.append(
                Region.objects.create(
                    code=f"130731{100 + t:03d}000",
                    name=f"第{t + 1}镇",
                    level="township",
                    kind="town",
                    parent=county,
                )
            )
        regions = Region.objects.bulk_create(
            [
                Region(
                    code=f"{townships[i // VILLAGES_PER_TOWNSHIP].code[:9]}{i % VILLAGES_PER_TOWNSHIP + 1:03d}",
                    name=f"第{i // VILLAGES_PER_TOWNSHIP + 1}镇{i % VILLAGES_PER_TOWNSHIP + 1}村",
                    level="village",
                    kind="village",
                    parent=townships[i // VILLAGES_PER_TOWNSHIP],
                )
                for i in range(villages)
            ]
        )
        regions = list(Region.objects.filter(level="village").order_by("code"))
        campaign = Campaign.objects.create(
            name="压力测试换届",
            slug=SLUG,
            county=county,
            term_number=12,
            term_start=today,
            cutoff_date=today,
            starts_on=today - dt.timedelta(days=90),
            ends_on=today + dt.timedelta(days=90),
        )
        CampaignVillage.objects.bulk_create(
            [
                CampaignVillage(campaign=campaign, village=v, audit_done_on=today, training_done_on=today)
                for v in regions
            ]
        )
        Election.objects.bulk_create(
            [
                Election(
                    campaign=campaign,
                    organization=v,
                    title=f"{v.name}村民委员会选举",
                    election_date=today,
                    stage=Election.VOTING,
                )
                for v in regions
            ]
        )
        elections = list(
            Election.objects.filter(campaign=campaign)
            .select_related("organization")
            .order_by("organization__code")
        )
        Post.objects.bulk_create(
            [
                Post(election=e, code=code, name=name, seats=seats, rank=rank)
                for e in elections
                for code, name, seats, rank in (
                    ("director", "主任", 1, 0),
                    ("deputy", "副主任", 1, 1),
                    ("member", "委员", 3, 3),
                )
            ]
        )
        Round.objects.bulk_create([Round(election=e, number=1, held_on=today) for e in elections])
        VotingStation.objects.bulk_create([VotingStation(election=e, name="中心会场") for e in elections])
        # Voters: birth dates spread so (birth, serial) never repeats; serial parity = gender (R67).
        people = []
        start = dt.date(1950, 1, 1).toordinal()
        for vi, v in enumerate(regions):
            for k in range(voters):
                gender = "M" if k % 2 == 0 else "F"
                birth = dt.date.fromordinal(start + (vi * voters + k) % 18000)
                serial = 2 * ((vi * voters + k) // 18000) + (1 if gender == "M" else 0)
                people.append(
                    Person(
                        name=f"村民{vi:03d}{k:04d}",
                        gender=gender,
                        birth_date=birth,
                        id_number=make_id("130731", birth, serial % 1000),
                        hukou_village=v,
                        residence_village=v,
                        group_name=f"第{k % 5 + 1}组",
                    )
                )
        Person.objects.bulk_create(people, batch_size=5000)
        by_village: dict[int, list] = {}
        for pid, vid in Person.objects.filter(hukou_village__in=regions).values_list(
            "id", "hukou_village_id"
        ):
            by_village.setdefault(vid, []).append(pid)
        VoterRegistration.objects.bulk_create(
            [
                VoterRegistration(campaign=campaign, election=e, person_id=pid, registered_on=today)
                for e in elections
                for pid in by_village[e.organization_id]
            ],
            batch_size=5000,
        )
        posts = {(p.election_id, p.code): p for p in Post.objects.filter(election__in=elections)}
        names = dict(Person.objects.filter(hukou_village__in=regions).values_list("id", "name"))
        cands = []
        plan = {}
        for e in elections:
            pool = by_village[e.organization_id][:9]
            layout = {"director": pool[0:2], "deputy": pool[2:4], "member": pool[4:9]}
            plan[e.pk] = {}
            for code, pids in layout.items():
                post = posts[(e.pk, code)]
                plan[e.pk][code] = {"post": post.pk, "seats": post.seats, "names": [names[p] for p in pids]}
                cands += [
                    Candidate(election=e, post=post, person_id=pid, list_order=i)
                    for i, pid in enumerate(pids)
                ]
        Candidate.objects.bulk_create(cands)
        User.objects.bulk_create(
            [
                User(
                    username=f"clerk{i:03d}",
                    display_name=f"{v.name}录入员",
                    role="village",
                    region=v,
                    password=password,
                )
                for i, v in enumerate(regions)
            ]
            + [
                User(
                    username="county",
                    display_name="县换届办",
                    role="county",
                    region=county,
                    password=password,
                ),
                User(
                    username="township",
                    display_name="第1镇换届办",
                    role="township",
                    region=townships[0],
                    password=password,
                ),
            ]
        )
    stations = dict(VotingStation.objects.filter(election__in=elections).values_list("election_id", "id"))
    rounds = dict(Round.objects.filter(election__in=elections).values_list("election_id", "id"))
    jobs = []
    for i, e in enumerate(elections):
        jobs.append(
            {
                "username": f"clerk{i:03d}",
                "election": e.pk,
                "station": stations[e.pk],
                "round": rounds[e.pk],
                "form": random_form(rnd, voters, plan[e.pk]),
            }
        )
    return {"jobs": jobs, "township_code": townships[0].code}


def random_form(rnd: random.Random, registered: int, plan: dict) -> dict:
    """Plausible figures that pass the F checks: more than half turned out, the winners clear the
    threshold (v*2 > returned) and no post has more votes than valid ballots × seats."""
    issued = registered - rnd.randrange(0, 4)
    returned = issued - rnd.randrange(0, 3)
    invalid, blank = rnd.randrange(0, 2), rnd.randrange(0, 2)
    valid = returned - invalid - blank
    lines = []
    for p in plan.values():
        seats, names = p["seats"], p["names"]
        winners = [valid * 7 // 10 - rnd.randrange(0, 3) for _ in range(seats)]
        losers = [rnd.randrange(0, valid * 2 // 10 + 1) for _ in range(len(names) - seats)]
        # "index": the candidate's place on the ballot (list_order), the field v_<post>_<index> of the form
        for index, (name, votes) in enumerate(zip(names, winners + losers, strict=True)):
            lines.append({"post": p["post"], "name": name, "votes": votes, "index": index})
    return {
        "issued": issued,
        "returned": returned,
        "valid": valid,
        "blank": blank,
        "invalid": invalid,
        "lines": lines,
    }


# ---------------------------------------------------------------- HTTP client


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = {}
        self.failures: list[str] = []

    def add(self, endpoint: str, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.samples.setdefault(endpoint, []).append(seconds)
            if not ok:
                self.failures.append(f"{endpoint}: {detail}"[:300])


class Session:
    """One browser: cookies, the CSRF token, one keep-alive connection."""

    def __init__(self, port: int, rec: Recorder):
        self.port, self.rec = port, rec
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(
        self,
        endpoint: str,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict | None = None,
        expect=(200,),
    ) -> tuple[int, bytes]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        t0 = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException) as exc:
            self.rec.add(endpoint, time.perf_counter() - t0, False, f"{method} {path}: {exc!r}")
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            return 0, b""
        elapsed = time.perf_counter() - t0
        for header, value in resp.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        ok = resp.status in expect
        self.rec.add(endpoint, elapsed, ok, f"{method} {path} → {resp.status} {data[:200]!r}")
        if resp.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        return resp.status, data

    def csrf_form(self, data: dict) -> bytes:
        return urlencode({**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}).encode()

    def login(self, username: str) -> bool:
        status, html = self.request("GET /login/", "GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        body = urlencode(
            {
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1).decode() if token else "",
            }
        ).encode()
        status, _ = self.request(
            "POST /login/",
            "POST",
            "/login/",
            body,
            {"Content-Type": "application/x-www-form-urlencoded"},
            expect=(302,),
        )
        return status == 302

    def close(self):
        self.conn.close()

    def reconnect(self):
        self.conn.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)


def clerk_login(port: int, rec: Recorder, job: dict) -> Session | None:
    """Clerks log in when they arrive in the morning, before the counting: a separate phase (each
    login verifies an Argon2 hash, about half a second of CPU on purpose)."""
    s = Session(port, rec)
    ok = s.login(job["username"])
    s.close()
    return s if ok else None


def clerk_job(s: Session, job: dict, acknowledge: list[str], done: list, deadline: float, via: str,
              start_at: float | None = None, think=lambda: 0.0) -> None:
    """One village's counting, as its clerk does it. Paced (``start_at``): the clerk arrives at
    that moment and pauses ``think()`` seconds between pages (reads the figures, the result)."""
    rec = s.rec
    if start_at is not None:
        time.sleep(max(0.0, start_at - time.monotonic()))
    if time.monotonic() > deadline:
        rec.add("job", 0.0, False, f"{job['username']}: 超过时限，未开始")
        return
    s.reconnect()
    try:
        pk = job["election"]
        if via == "json":
            body = {"station": job["station"], **job["form"], "acknowledge": acknowledge, "compute": True}
            status, data = s.request(
                "POST counting form JSON (save + count)",
                "POST",
                f"/elections/{pk}/results/api/counting-form/",
                json.dumps(body).encode(),
                {"Content-Type": "application/json", "X-CSRFToken": s.cookies.get("csrftoken", "")},
            )
            if status != 200:
                return
        else:
            # The counting work's own form page (elections:counting_form) and its compute button.
            f = job["form"]
            fields = [(k, f[k]) for k in ("issued", "returned", "valid", "blank", "invalid")]
            fields += [(f"v_{ln['post']}_{ln['index']}", ln["votes"]) for ln in f["lines"]]
            fields += [("ack", code) for code in acknowledge]
            fields.append(("csrfmiddlewaretoken", s.cookies.get("csrftoken", "")))
            form_url = f"/elections/round/{job['round']}/counting/{job['station']}/"
            status, _ = s.request(
                "POST counting form",
                "POST",
                form_url,
                urlencode(fields).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"},
                expect=(302,),
            )
            if status != 302:
                return
            time.sleep(think())
            status, _ = s.request(
                "POST compute result",
                "POST",
                f"/elections/round/{job['round']}/result/compute/",
                s.csrf_form({}),
                {"Content-Type": "application/x-www-form-urlencoded"},
                expect=(302,),
            )
            if status != 302:
                return
        time.sleep(think())
        status, page = s.request("GET result page", "GET", f"/elections/{pk}/results/")
        if '<span class="tag ok">当选</span>' not in page.decode(errors="replace"):
            rec.add("job", 0.0, False, f"{job['username']}: 结果页没有当选人员（计票未完成）")
            return
        time.sleep(think())
        s.request(
            "POST submit (报送)",
            "POST",
            f"/elections/{pk}/results/",
            s.csrf_form({}),
            {"Content-Type": "application/x-www-form-urlencoded"},
            expect=(302,),
        )
        done.append(pk)
    finally:
        s.close()


def dashboard_loop(s: Session, path: str, endpoint: str, stop: threading.Event, pages: int) -> None:
    s.reconnect()
    n = 0
    while not stop.is_set():
        t0 = time.monotonic()
        page = n % max(pages, 1) + 1
        s.request(endpoint, "GET", f"{path}?page={page}" if page > 1 else path)
        n += 1
        stop.wait(max(0.0, 1.0 - (time.monotonic() - t0)))  # refresh every second
    s.close()


def wait_for_server(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError("服务器启动失败")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("服务器在规定时间内没有响应")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ActivitySampler(threading.Thread):
    """Samples ``pg_stat_activity`` of the bench's database while the load runs: busy connections,
    lock waits, and lock waits on the audit chain's head (the query that waits is the head row's
    ``SELECT … FOR UPDATE``)."""

    def __init__(self, dsn: str, interval: float = 0.1):
        super().__init__(daemon=True)
        self.dsn, self.interval = dsn, interval
        self.stop = threading.Event()
        self.samples: list[tuple[int, int, int]] = []
        self.tables: dict[str, int] = {}  # the first table each waiting statement names
        self.error = ""

    def run(self):
        try:
            import psycopg

            with psycopg.connect(self.dsn, autocommit=True) as conn:
                while not self.stop.is_set():
                    rows = conn.execute(
                        "SELECT wait_event_type, query FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'"
                    ).fetchall()
                    waits = [q for kind, q in rows if kind == "Lock"]
                    audit = [q for q in waits if "auditchainhead" in (q or "").lower()]
                    for q in waits:
                        m = re.search(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"', q or "")
                        name = m.group(1) if m else (q or "")[:40]
                        self.tables[name] = self.tables.get(name, 0) + 1
                    self.samples.append((len(rows), len(waits), len(audit)))
                    self.stop.wait(self.interval)
        except Exception as exc:  # noqa: BLE001 — the sampler reports, it never fails the load
            self.error = repr(exc)[:200]

    def summary(self) -> dict:
        n = len(self.samples) or 1
        return {
            "samples": len(self.samples),
            "busy_mean": sum(s[0] for s in self.samples) / n,
            "busy_max": max((s[0] for s in self.samples), default=0),
            "lock_wait_mean": sum(s[1] for s in self.samples) / n,
            "lock_wait_max": max((s[1] for s in self.samples), default=0),
            "audit_wait_mean": sum(s[2] for s in self.samples) / n,
            "audit_wait_max": max((s[2] for s in self.samples), default=0),
            "audit_wait_samples": sum(1 for s in self.samples if s[2]),
            "wait_tables": dict(sorted(self.tables.items(), key=lambda kv: -kv[1])[:5]),
            "error": self.error,
        }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def run_child(args) -> int:
    """Build the county, start the server, drive the load, count the rows; print one JSON line."""
    _setup_django()
    t0 = time.perf_counter()
    county = build_county(args.villages, args.voters)
    setup_s = time.perf_counter() - t0
    from django.db import connections

    from huanjie.rules.forms import CODES

    connections.close_all()
    acknowledge = [c for c in CODES if c.startswith("W")]
    port = free_port()
    log = open(Path(os.environ["HUANJIE_VAR_DIR"]) / "server.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "huanjie.cli", "serve", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=os.environ.copy(),
        cwd=str(ROOT),
    )
    rec = Recorder()
    done: list[int] = []
    try:
        wait_for_server(port, server)
        t1 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.login_workers) as pool:
            sessions = list(pool.map(lambda job: clerk_login(port, rec, job), county["jobs"]))
            offices = list(
                pool.map(lambda name: clerk_login(port, rec, {"username": name}), ["county", "township"])
            )
        login_s = time.perf_counter() - t1
        login_samples = {k: rec.samples.pop(k) for k in ("GET /login/", "POST /login/") if k in rec.samples}
        stop = threading.Event()
        pages = math.ceil(args.villages / 50)
        watchers = [
            threading.Thread(
                target=dashboard_loop,
                args=(
                    offices[0],
                    f"/elections/campaign/{SLUG}/results/county/",
                    "GET county dashboard",
                    stop,
                    pages,
                ),
            ),
            threading.Thread(
                target=dashboard_loop,
                args=(
                    offices[1],
                    f"/elections/campaign/{SLUG}/results/township/",
                    "GET township dashboard",
                    stop,
                    1,
                ),
            ),
        ]
        if None in offices:
            raise RuntimeError("县、乡镇账号登录失败")
        sampler = None
        if os.environ.get("DATABASE_URL", "").startswith("postgres"):
            sampler = ActivitySampler(os.environ["DATABASE_URL"])
            sampler.start()
        load_before = os.getloadavg()
        for w in watchers:
            w.start()
        deadline = time.monotonic() + args.duration
        start = time.perf_counter()
        if args.closed_loop:
            # Capacity: a fixed number of clerks, each starting the next village the moment one is done.
            with ThreadPoolExecutor(max_workers=args.workers) as pool:
                for s, job in zip(sessions, county["jobs"], strict=True):
                    if s is not None:
                        pool.submit(clerk_job, s, job, acknowledge, done, deadline, args.via)
        else:
            # Election night: each village's clerk arrives at a random moment of the window and
            # pauses between pages; no clerk waits for another to start.
            rnd = random.Random(11)
            t0 = time.monotonic()
            arrivals = sorted(t0 + rnd.uniform(0, args.arrival) for _ in county["jobs"])
            pauses = [rnd.uniform(args.think / 2, args.think * 3 / 2) for _ in range(4 * len(county["jobs"]))]
            lock = threading.Lock()

            def think() -> float:
                with lock:
                    return pauses.pop() if pauses else args.think

            with ThreadPoolExecutor(max_workers=len(county["jobs"])) as pool:
                for s, job, at in zip(sessions, county["jobs"], arrivals, strict=True):
                    if s is not None:
                        pool.submit(clerk_job, s, job, acknowledge, done, deadline, args.via, at, think)
        load_s = time.perf_counter() - start
        load_after = os.getloadavg()
        if sampler is not None:
            sampler.stop.set()
            sampler.join(timeout=5)
        stop.set()
        for w in watchers:
            w.join(timeout=30)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    log_lines = (Path(os.environ["HUANJIE_VAR_DIR"]) / "server.log").read_text(errors="replace").splitlines()
    server_errors = [ln.strip() for ln in log_lines if "Error" in ln or "Exception" in ln]
    # The first traceback's last lines: what went wrong, not only that it did.
    first_trace = next((i for i, ln in enumerate(log_lines) if ln.startswith("Traceback")), None)
    if first_trace is not None:
        end = next((j for j in range(first_trace + 1, len(log_lines)) if log_lines[j] and not log_lines[j][0].isspace()
                    and not log_lines[j].startswith("Traceback")), first_trace)
        server_errors += log_lines[max(first_trace, end - 6): end + 1]

    from huanjie.elections.voting.models import CountingForm, CountingLine, ResultSubmission, RoundResult

    expected_lines = sum(len(j["form"]["lines"]) for j in county["jobs"])
    rows = {
        "forms": CountingForm.objects.filter(status=CountingForm.ACCEPTED).count(),
        "lines": CountingLine.objects.count(),
        "results": RoundResult.objects.count(),
        "submissions": ResultSubmission.objects.filter(locked=True).count(),
    }

    def summary(values, seconds):
        return {
            "n": len(values),
            "rps": len(values) / seconds,
            "p50": percentile(values, 0.5),
            "p95": percentile(values, 0.95),
            "p99": percentile(values, 0.99),
            "max": max(values),
        }

    stats = {k: summary(v, load_s) for k, v in sorted(rec.samples.items()) if k != "job"}
    total = sum(v["n"] for v in stats.values())
    logins = {k: summary(v, login_s) for k, v in login_samples.items()}
    lost = []
    if rows["forms"] != args.villages:
        lost.append(f"计票单 {rows['forms']} 张，应为 {args.villages} 张")
    if rows["lines"] != expected_lines:
        lost.append(f"计票单明细 {rows['lines']} 行，应为 {expected_lines} 行")
    if rows["results"] != args.villages or rows["submissions"] != args.villages:
        lost.append(f"计票结果 {rows['results']}、报送 {rows['submissions']}，应各为 {args.villages}")
    print(
        json.dumps(
            {
                "setup_s": setup_s,
                "login_s": login_s,
                "logins": logins,
                "load_s": load_s,
                "requests": total,
                "rps": total / load_s,
                "endpoints": stats,
                "rows": rows,
                "failures": rec.failures[:20],
                "failure_count": len(rec.failures),
                "server_errors": sorted(set(server_errors[:-7]))[:10] + server_errors[-7:],
                "lost": lost,
                "done": len(done),
                "activity": sampler.summary() if sampler is not None else None,
                "loadavg": [load_before[0], load_after[0]],
            },
            ensure_ascii=False,
        )
    )
    return 0


# ---------------------------------------------------------------- orchestration (parent process)


def run_backend(args, db: str) -> dict | None:
    with tempfile.TemporaryDirectory(prefix="hj-bench-day-") as tmp:
        env = {
            **os.environ,
            "HUANJIE_VAR_DIR": tmp,
            "HUANJIE_DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "huanjie.settings",
            "HUANJIE_ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
        env.pop("DATABASE_URL", None)
        pg_name = None
        if db == "sqlite":
            env["HUANJIE_SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
        else:
            try:
                import psycopg

                pg_name = f"huanjie_bench_day_{os.getpid()}"
                with psycopg.connect(args.pg_url, autocommit=True, connect_timeout=3) as conn:
                    conn.execute(f"CREATE DATABASE {pg_name}")
            except Exception as exc:  # noqa: BLE001 — report and skip: PostgreSQL is optional
                print(f"PostgreSQL 不可用，跳过：{exc}")
                return None
            env["DATABASE_URL"] = args.pg_url.rsplit("/", 1)[0] + "/" + pg_name
        cmd = [
            sys.executable,
            __file__,
            "--child",
            "--villages",
            str(args.villages),
            "--voters",
            str(args.voters),
            "--duration",
            str(args.duration),
            "--workers",
            str(args.workers),
            "--arrival",
            str(args.arrival),
            "--think",
            str(args.think),
            *(["--closed-loop"] if args.closed_loop else []),
            "--login-workers",
            str(args.login_workers),
            "--via",
            args.via,
        ]
        try:
            res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=args.duration + 600)
        finally:
            if pg_name:
                import psycopg

                with psycopg.connect(args.pg_url, autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")
        if res.returncode != 0:
            print(res.stdout[-3000:], res.stderr[-5000:])
            return {"failure_count": 1, "failures": ["子进程失败"], "lost": [], "endpoints": {}}
        line = [ln for ln in res.stdout.splitlines() if ln.startswith("{")][-1]
        return json.loads(line)


def report(db: str, r: dict, args) -> None:
    if args.closed_loop:
        mode = f"容量测试：{args.workers} 个并发录入员不停顿"
    else:
        mode = f"选举当晚：各村录入员在 {args.arrival:.0f} 秒内随机到达，页面之间停顿约 {args.think:.0f} 秒"
    print(f"\n--- {db}: {args.villages} 个村, 每村 {args.voters} 名选民；{mode}；2 个看板每秒刷新")
    print(
        f"准备数据 {r['setup_s']:.1f} s；登录阶段 {r['login_s']:.1f} s；负载 {r['load_s']:.1f} s："
        f"{r['requests']} 个请求，{r['rps']:.1f} 请求/秒；完成 {r['done']} 个村"
    )
    print(f"{'接口':<36}{'次数':>6}{'请求/秒':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for endpoint, s in [*r["logins"].items(), *r["endpoints"].items()]:
        print(
            f"{endpoint:<36}{s['n']:>6}{s['rps']:>9.1f}{s['p50'] * 1000:>9.0f}{s['p95'] * 1000:>9.0f}"
            f"{s['p99'] * 1000:>9.0f}{s['max'] * 1000:>9.0f}"
        )
    print(f"机器负载（1 分钟平均，{os.cpu_count()} 核）：开始 {r['loadavg'][0]:.1f}，结束 {r['loadavg'][1]:.1f}")
    a = r.get("activity")
    if a:
        print(
            f"pg_stat_activity 采样 {a['samples']} 次（每 100 ms）：忙连接平均 {a['busy_mean']:.2f}、最多 {a['busy_max']}；"
            f"等锁平均 {a['lock_wait_mean']:.2f}、最多 {a['lock_wait_max']}；"
            f"等审计链头锁平均 {a['audit_wait_mean']:.2f}、最多 {a['audit_wait_max']}，"
            f"出现于 {a['audit_wait_samples']} 次采样" + (f"；采样出错：{a['error']}" if a["error"] else "")
        )
        if a.get("wait_tables"):
            print("  等锁的语句（按所涉表，采样次数）：", a["wait_tables"])
    print("数据库核对：", r["rows"])
    if r["failure_count"]:
        print(f"失败请求 {r['failure_count']} 个：", *r["failures"], sep="\n  ")
    if r["lost"]:
        print("丢失：", "；".join(r["lost"]))
    if r.get("server_errors"):
        print("服务器日志中的错误：", *r["server_errors"], sep="\n  ")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="30 个村、10 秒")
    ap.add_argument("--villages", type=int, default=None)
    ap.add_argument("--voters", type=int, default=None, help="每村登记选民数")
    ap.add_argument("--duration", type=float, default=None, help="负载最长秒数")
    ap.add_argument("--arrival", type=float, default=None,
                    help="选举当晚：各村录入员在这么多秒内随机到达（默认 300 个村 120 秒）")
    ap.add_argument("--think", type=float, default=2.0, help="录入员在两个页面之间停顿的平均秒数（默认 2）")
    ap.add_argument("--closed-loop", action="store_true",
                    help="容量测试：--workers 个录入员不停顿地一个村接一个村录入（延迟 = 并发数 ÷ 吞吐量）")
    ap.add_argument("--workers", type=int, default=12, help="容量测试的并发录入员数")
    ap.add_argument("--login-workers", type=int, default=4, help="登录阶段并发数（Argon2 占用 CPU）")
    ap.add_argument(
        "--via",
        choices=["form", "json"],
        default="form",
        help="form：计票单录入页面（elections:counting_form）；json：elections:counting_form_api",
    )
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.villages = args.villages or (30 if args.quick else 300)
    args.voters = args.voters or (60 if args.quick else 200)
    args.arrival = args.arrival if args.arrival is not None else (10.0 if args.quick else 120.0)
    args.duration = args.duration or ((10.0 if args.quick else 90.0) if args.closed_loop else args.arrival + 60.0)
    if args.child:
        return run_child(args)
    failed = False
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        r = run_backend(args, db)
        if r is None:
            continue
        if "endpoints" in r and r.get("rows"):
            report(db, r, args)
        failed = failed or bool(r["failure_count"] or r["lost"])
    print("\n结果：", "失败" if failed else "通过（没有失败的请求，没有丢失的计票单）")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
