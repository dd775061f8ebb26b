"""Benchmark: voter cards (选民证) for a 5,000-voter village, end to end from the database.

Target (issue 4): under 10 s. Measures ``assign_card_numbers`` + ``voter_cards_pdf`` (one query
for the voters, one bulk update for the numbers, cards drawn straight on the canvas) against a
naive baseline measured in the same run: one ORM save per voter for the number, the person read
lazily per registration (N+1 queries) and every card laid out from Paragraph flowables (drawing
measured on a sample and scaled up, as in bench_documents.py).

    .venv/bin/python bench/bench_voter_cards.py [N]

Runs in a throwaway SQLite database (or DATABASE_URL's database if set: it must be empty).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国秀英志强丽娟海燕红梅国庆春花明亮淑芬玉兰文华德胜"
GROUPS = [f"第{n}村民小组" for n in "一二三四五六七八九十"]


@dataclass(frozen=True)
class Clerk:
    scope_prefix: str
    role: str = "village"
    pk: None = None

    def __str__(self) -> str:
        return "基准测试"


def setup(n: int):
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from huanjie.campaigns.models import Campaign, CampaignVillage
    from huanjie.elections.models import Election, VoterRegistration
    from huanjie.people.models import Person, Region
    from huanjie.rules.idnumber import make_id

    county = Region.objects.create(code="130731000000", name="安平县", level="county", kind="county")
    town = Region.objects.create(
        code="130731100000", name="清溪镇", level="township", kind="town", parent=county
    )
    village = Region.objects.create(
        code="130731100002", name="东山村", level="village", kind="village", parent=town
    )
    campaign = Campaign.objects.create(
        name="基准",
        slug="bench",
        county=county,
        term_number=12,
        term_start=dt.date(2027, 1, 1),
        cutoff_date=dt.date(2027, 1, 1),
        starts_on=dt.date(2026, 11, 1),
        ends_on=dt.date(2027, 4, 30),
    )
    CampaignVillage.objects.create(campaign=campaign, village=village)
    election = Election.objects.create(
        campaign=campaign,
        organization=village,
        title="东山村第十二届村民委员会选举",
        election_date=dt.date(2027, 1, 10),
    )
    people = []
    for i in range(n):
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=(i * 37) % 23000)
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 13 + 3) % len(GIVEN)]
        people.append(
            Person(
                name=name,
                gender="MF"[i % 2],
                birth_date=birth,
                id_number=make_id("130731", birth, i % 1000),
                hukou_village=village,
                group_name=GROUPS[i % len(GROUPS)],
            )
        )
    # make_id can repeat (same birth day and serial): keep one person per ID number
    people = list({p.id_number: p for p in people}.values())
    Person.objects.bulk_create(people, batch_size=2000)
    people = list(Person.objects.filter(hukou_village=village))
    VoterRegistration.objects.bulk_create(
        [
            VoterRegistration(
                campaign=campaign,
                election=election,
                person=p,
                group_name=p.group_name,
                registered_on=dt.date(2026, 12, 1),
            )
            for p in people
        ],
        batch_size=2000,
    )
    return election, len(people)


def naive(election, sample: int) -> float:
    """One save per voter, the person read lazily, cards from Paragraphs (drawing scaled from a sample)."""
    from bench_documents import naive_cards
    from django.db import transaction

    from huanjie.elections.models import VoterRegistration

    t0 = time.perf_counter()
    cards = []
    with transaction.atomic():
        for i, reg in enumerate(
            VoterRegistration.objects.filter(election=election).order_by("group_name", "id"), 1
        ):
            reg.card_number = f"{i:05d}"
            reg.save()
            person = reg.person  # one query per voter
            cards.append(
                {
                    "village": "清溪镇东山村",
                    "name": person.name,
                    "gender": person.get_gender_display(),
                    "group": reg.group_name,
                    "number": reg.card_number,
                }
            )
        transaction.set_rollback(True)
    orm = time.perf_counter() - t0
    t0 = time.perf_counter()
    naive_cards(cards[:sample])
    drawing = (time.perf_counter() - t0) * len(cards) / sample
    return orm + drawing


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 5000
    tmp = tempfile.mkdtemp(prefix="huanjie-bench-cards-")
    os.environ.setdefault("HUANJIE_VAR_DIR", tmp)
    os.environ.setdefault("HUANJIE_SQLITE_PATH", str(Path(tmp) / "bench.sqlite3"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huanjie.settings")
    import django

    django.setup()
    from huanjie.documents.render import fonts
    from huanjie.elections.registration import documents

    election, voters = setup(n)
    fonts.register_fonts()  # font loading is paid once per process, not per document
    base = naive(election, sample=min(voters, 800))

    t0 = time.perf_counter()
    numbered = documents.assign_card_numbers(Clerk(election.organization.code), election)
    pdf = documents.voter_cards_pdf(election)
    fast = time.perf_counter() - t0

    pages = math.ceil(voters / 8)
    print(
        f"voter cards: {voters} voters ({numbered} numbered), {pages} pages, {len(pdf) / 1e6:.2f} MB "
        f"in {fast:.2f} s ({voters / fast:.0f} cards/s)"
    )
    print(f"naive baseline (save per voter, lazy person, Paragraph cards scaled from a sample): {base:.2f} s")
    print(f"speed-up: {base / fast:.1f}x; budget 10 s: {'OK' if fast < 10 else 'TOO SLOW'}")


if __name__ == "__main__":
    main()
