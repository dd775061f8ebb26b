"""The demo's 东山村 after its vote (demo/villageposts.py): representatives meeting the statutory
shares (R38) and published, group leaders with 四长合一, the supporting posts, 岗前培训."""

import pytest

from huanjie.campaigns.models import CampaignVillage
from huanjie.elections.voting.models import ElectedMember
from huanjie.people.models import Region
from huanjie.preparation import services as preparation
from huanjie.villageposts import services

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def dongshan(demo_county):
    village = Region.objects.filter(level=Region.VILLAGE, valid_until=None).order_by("code").first()
    return CampaignVillage.objects.select_related("village", "campaign").get(village=village)


def test_representatives_meet_the_statutory_shares_and_are_published(dongshan):
    check = services.check(dongshan)
    assert check["representatives_ok"] and check["women_ok"] and check["publishable"]
    # R38 by the counts themselves: reps*5 >= members*4 and women*3 >= members
    assert check["representatives"] * 5 >= check["meeting_members"] * 4
    assert check["women"] * 3 >= check["meeting_members"]
    assert services.setup_of(dongshan).published_on is not None


def test_group_leaders_and_four_in_one(dongshan):
    stats = services.group_stats(dongshan)
    assert stats["with_leader"] == stats["groups"] > 0
    assert 0 < stats["four_in_one"] <= stats["party_group_leaders"] <= stats["with_leader"]


def test_supporting_posts_and_induction(dongshan):
    held = {c for m in ElectedMember.objects.filter(election__organization=dongshan.village) for c in m.extra_post_codes}
    assert {"youth_league", "women_federation", "militia", "women_director"} <= held
    heads = [i for i in preparation.inductees(dongshan.campaign, dongshan.village.code)]
    assert heads and all(i.done for i in heads)
    everyone = preparation.inductees(dongshan.campaign, dongshan.village.code, required_only=False)
    assert all(i.done for i in everyone)
    # the county's list of who has not attended is not empty (another village's 主任)
    assert any(not i.done for i in preparation.inductees(dongshan.campaign, dongshan.campaign.county.code[:6]))
