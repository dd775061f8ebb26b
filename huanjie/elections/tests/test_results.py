"""Results driven by the engine: validity, threshold, surplus, tie re-vote, 另行选举, women seat, 当选无效.

Every expected number is worked out by hand below from the rules (R24, R27–R32, R36, R39).
"""

from __future__ import annotations

import pytest

from huanjie.elections.models import Election, Post, Round
from huanjie.elections.voting import counting, results
from huanjie.elections.voting.models import ElectedMember, RoundRace

from .voting_helpers import NATIONAL_CANDIDATES, election_day, form_data

pytestmark = pytest.mark.django_db

D, DEP, M, W = Post.DIRECTOR, Post.DEPUTY, Post.MEMBER, Post.WOMEN_MEMBER
# 20 registered; issued 16, returned 15 = 14 valid + 0 blank + 1 invalid.
HEAD = (16, 15, 14, 0, 1)
TOP = {D: {"张明": 9, "李华": 5}, DEP: {"王强": 10, "赵敏": 4}}


def elected(rnd) -> list[tuple[str, str, int]]:
    return sorted(
        (m.post.name, m.name, m.votes)
        for m in ElectedMember.objects.filter(round=rnd, status=ElectedMember.ELECTED).select_related("post")
    )


def save(world, day, rnd, head, votes, write_ins=None, ack=()):
    return counting.save_form(
        world.users["village_a1"], rnd, day.stations[0], form_data(day, rnd, head, votes, write_ins), ack
    )


def test_valid_election_threshold_and_elected(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    # 委员 3 seats: 12 + 11 + 10 + 5 + 3 = 41 ≤ 14 valid × 3 = 42.
    save(world, day, day.round, HEAD, {**TOP, M: {"孙立": 12, "周芳": 11, "吴刚": 10, "郑丽": 5, "冯伟": 3}})
    rr = results.compute_result(world.users["village_a1"], day.round)
    out = rr.output
    # R24: 15 × 2 = 30 > 20 registered; R23/R27: base 15, threshold = smallest v with v×2 > 15 = 8.
    assert out["election_valid"] is True
    assert out["participation_base"] == 15 and out["threshold"] == 8
    assert elected(day.round) == sorted(
        [
            ("主任", "张明", 9),
            ("副主任", "王强", 10),
            ("委员", "孙立", 12),
            ("委员", "周芳", 11),
            ("委员", "吴刚", 10),
        ]
    )
    assert out["tie_revote"] is None and out["runoff"] is None
    assert results.is_complete(day.election)
    day.election.refresh_from_db()
    assert day.election.stage == Election.COUNTED
    text = results.explain(day.round)
    assert any("15 × 2 = 30 > 登记选民 20 人" in line for line in text["lines"])
    assert any("票数 × 2 > 15，即至少 8 票" in line for line in text["lines"])
    member_rows = {r["name"]: r for r in text["races"][2]["rows"]}
    assert member_rows["郑丽"]["status"] == "below" and "5 < 8" in member_rows["郑丽"]["why"]


def test_turnout_not_over_half_is_invalid(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    # 10 returned of 20 registered: 10 × 2 = 20 is not > 20 (R24) → invalid, nobody elected.
    save(
        world,
        day,
        day.round,
        (12, 10, 10, 0, 0),
        {D: {"张明": 6, "李华": 4}, DEP: {"王强": 6, "赵敏": 4}, M: {"孙立": 9, "周芳": 8}},
        ack=("W.03",),
    )
    out = results.compute_result(world.users["village_a1"], day.round).output
    assert out["election_valid"] is False and out["reason"] == "turnout_not_over_half"
    assert elected(day.round) == []
    assert results.follow_ups_needed(day.round) == {}


def test_surplus_goes_by_votes(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    # four members pass 8 (12, 11, 10, 9); 3 seats go by votes (R28): 郑丽 with 9 is not elected.
    save(world, day, day.round, HEAD, {**TOP, M: {"孙立": 12, "周芳": 11, "吴刚": 10, "郑丽": 9, "冯伟": 0}})
    results.compute_result(world.users["village_a1"], day.round)
    members = [e for e in elected(day.round) if e[0] == "委员"]
    assert members == sorted([("委员", "孙立", 12), ("委员", "周芳", 11), ("委员", "吴刚", 10)])
    rows = {r["name"]: r for r in results.explain(day.round)["races"][2]["rows"]}
    assert rows["郑丽"]["status"] == "surplus"


def test_tie_for_last_seat_then_revote(world):
    user = None
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    user = world.users["village_a1"]
    # 12, 11 pass; 吴刚 and 郑丽 both 9 ≥ 8 tie for the 3rd seat (R29). Sum 42 ≤ 42.
    save(world, day, day.round, HEAD, {**TOP, M: {"孙立": 12, "周芳": 11, "吴刚": 9, "郑丽": 9, "冯伟": 1}})
    out = results.compute_result(user, day.round).output
    assert out["tie_revote"]["post"] == "委员" and out["tie_revote"]["seats"] == 1
    assert set(out["tie_revote"]["candidates"]) == {"吴刚", "郑丽"}
    assert not results.is_complete(day.election)
    r2 = results.create_follow_up_round(user, day.round)
    assert r2.kind == Round.TIE_REVOTE and r2.number == 2 and r2.created_from == day.round
    race = RoundRace.objects.get(round=r2)
    assert {c["name"] for c in race.candidates} == {"吴刚", "郑丽"} and race.seats == 1
    with pytest.raises(results.ResultError):  # created once only
        results.create_follow_up_round(user, day.round, Round.TIE_REVOTE)
    # re-vote: most votes wins, no majority needed (R29): 8 > 7.
    counting.save_form(
        user, r2, day.stations[0], form_data(day, r2, (15, 15, 15, 0, 0), {M: {"吴刚": 8, "郑丽": 7}})
    )
    out2 = results.compute_result(user, r2).output
    assert out2["threshold"] is None
    assert elected(r2) == [("委员", "吴刚", 8)]
    assert results.is_complete(day.election)


def test_tie_revote_refuses_write_ins(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    user = world.users["village_a1"]
    save(world, day, day.round, HEAD, {**TOP, M: {"孙立": 12, "周芳": 11, "吴刚": 9, "郑丽": 9, "冯伟": 1}})
    results.compute_result(user, day.round)
    r2 = results.create_follow_up_round(user, day.round)
    data = form_data(day, r2, (15, 15, 15, 0, 0), {M: {"吴刚": 8, "郑丽": 6}}, {M: [("钱七", 1, "M")]})
    with pytest.raises(counting.FormBlocked) as exc:
        counting.save_form(user, r2, day.stations[0], data)
    assert [f.code for f in exc.value.findings if f.severity == "error"] == ["F.08"]


def test_runoff_one_third_rule(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    user = world.users["village_a1"]
    # only 孙立 12 and 周芳 11 reach 8: shortfall 1 → 另行选举 with 1 + 1 = 2 candidates by votes (R31):
    # 吴刚 5 and 郑丽 4.
    save(world, day, day.round, HEAD, {**TOP, M: {"孙立": 12, "周芳": 11, "吴刚": 5, "郑丽": 4, "冯伟": 2}})
    out = results.compute_result(user, day.round).output
    assert out["unfilled"] == [{"post": "委员", "seats": 1}]
    assert out["runoff"]["candidates"] == ["吴刚", "郑丽"]
    r2 = results.create_follow_up_round(user, day.round)
    assert r2.kind == Round.RUNOFF
    # 另行选举: 15 returned; R32 threshold = smallest v with v×3 ≥ 15 = 5. 吴刚 6 × 3 = 18 ≥ 15 → elected.
    counting.save_form(user, r2, day.stations[0], form_data(day, r2, HEAD, {M: {"吴刚": 6, "郑丽": 5}}))
    out2 = results.compute_result(user, r2).output
    assert out2["threshold"] == 5
    assert elected(r2) == [("委员", "吴刚", 6)]
    assert any("票数 × 3 ≥ 15，即至少 5 票" in line for line in results.explain(r2)["lines"])
    assert results.is_complete(day.election)


def test_runoff_below_one_third_may_remain_vacant(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    user = world.users["village_a1"]
    save(world, day, day.round, HEAD, {**TOP, M: {"孙立": 12, "周芳": 11, "吴刚": 5, "郑丽": 4, "冯伟": 2}})
    results.compute_result(user, day.round)
    r2 = results.create_follow_up_round(user, day.round)
    # 吴刚 4 × 3 = 12 < 15: nobody reaches a third (R32). Already elected: 主任, 副主任, 2 委员 = 4 ≥ 3
    # (national R35 [INTERP]) → the seat may stay empty.
    counting.save_form(
        user, r2, day.stations[0], form_data(day, r2, (16, 15, 7, 7, 1), {M: {"吴刚": 4, "郑丽": 3}})
    )
    out2 = results.compute_result(user, r2).output
    assert out2["elected"] == [] and out2["unfilled"] == [{"post": "委员", "seats": 1}]
    assert out2["may_remain_vacant"] is True
    # issue 16: no further 另行选举 is proposed; the meeting may leave the seat empty (R35)
    assert out2["runoff"] is None and out2["shortfall_action"] == "meeting_may_leave_vacant"
    assert results.follow_ups_needed(r2) == {}


def test_women_post_counts_only_women(world):
    cands = {
        D: [("张明", "M"), ("李华", "F")],
        DEP: [("王强", "M"), ("赵敏", "F")],
        W: [("刘芳", "F"), ("陈梅", "F")],
        M: [("孙立", "M"), ("吴刚", "M"), ("周芳", "F")],
    }
    day = election_day(world, jurisdiction="zhejiang", candidates=cands)
    assert set(day.posts) == {D, DEP, W, M}  # ZJ sets the 妇女委员 post apart (R19, R36)
    user = world.users["village_a1"]
    votes = {**TOP, W: {"刘芳": 5, "陈梅": 0}, M: {"孙立": 12, "吴刚": 11, "周芳": 5}}
    data = form_data(day, day.round, HEAD, votes, {W: [("张伟", 9, "M")]})
    with pytest.raises(counting.NeedsAcknowledgement) as exc:
        counting.save_form(user, day.round, day.stations[0], data)
    # 张伟 9 × 5 = 45 ≥ 14 valid → W.02; a man on the women-only post → W.04.
    assert sorted(f.code for f in exc.value.findings) == ["W.02", "W.04"]
    data = form_data(day, day.round, HEAD, votes, {W: [("张伟", 9, "M")]})
    counting.save_form(user, day.round, day.stations[0], data, acknowledge=["W.02", "W.04"])
    out = results.compute_result(user, day.round).output
    # 张伟's 9 would pass 8, but a man's votes on the women post do not count (R36); 刘芳 5 < 8.
    assert out["not_counted"][0]["name"] == "张伟" and out["not_counted"][0]["code"] == "man_on_women_post"
    assert ("妇女委员", "张伟", 9) not in elected(day.round)
    assert all(e[0] != "妇女委员" for e in elected(day.round))
    # no woman elected anywhere → the 另行选举 keeps the women-only post with women candidates.
    assert out["runoff"]["post"] == "妇女委员" and out["runoff"]["women_only"] is True
    assert out["runoff"]["candidates"] == ["刘芳", "陈梅"]
    r2 = results.create_follow_up_round(user, day.round)
    race = RoundRace.objects.get(round=r2)
    assert race.women_only is True and [c["name"] for c in race.candidates] == ["刘芳", "陈梅"]


def test_void_election_reopens_the_seat(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    user, township = world.users["village_a1"], world.users["township_a"]
    save(world, day, day.round, HEAD, {**TOP, M: {"孙立": 12, "周芳": 11, "吴刚": 10, "郑丽": 5, "冯伟": 3}})
    results.compute_result(user, day.round)
    member = ElectedMember.objects.get(round=day.round, name="孙立")
    with pytest.raises(results.ElectionError):  # the village committee cannot declare it
        results.void_election_of(user, member, "贿选", "清政〔2027〕3号")
    with pytest.raises(results.ResultError):
        results.void_election_of(township, member, "贿选", "")
    rr = results.void_election_of(township, member, "以贿赂手段当选", "清政〔2027〕3号")
    member.refresh_from_db()
    assert member.status == ElectedMember.VOID and member.void_document == "清政〔2027〕3号"
    # counted again without 孙立: 周芳 11 and 吴刚 10 stay; 郑丽 5 < 8 → one seat open, 另行选举 between
    # the next two by votes: 郑丽 5, 冯伟 3 (R31).
    assert rr.output["not_counted"][0]["code"] == "declared_void"
    assert [e for e in elected(day.round) if e[0] == "委员"] == sorted(
        [("委员", "周芳", 11), ("委员", "吴刚", 10)]
    )
    assert rr.output["runoff"]["candidates"] == ["郑丽", "冯伟"]
    assert {s["post"].code: s["open"] for s in results.seat_status(day.election)}[M] == 1
    r2 = results.create_follow_up_round(user, day.round)
    assert "孙立" not in [c["name"] for c in RoundRace.objects.get(round=r2).candidates]


def test_void_with_surplus_takes_next_qualifier(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    user, township = world.users["village_a1"], world.users["township_a"]
    save(world, day, day.round, HEAD, {**TOP, M: {"孙立": 12, "周芳": 11, "吴刚": 10, "郑丽": 9, "冯伟": 0}})
    results.compute_result(user, day.round)
    results.void_election_of(township, ElectedMember.objects.get(name="孙立"), "伪造选票", "清政〔2027〕4号")
    # without 孙立 the next majority-winner 郑丽 (9 ≥ 8) takes the seat (R28).
    assert ("委员", "郑丽", 9) in elected(day.round)
    assert results.is_complete(day.election)


def test_compute_refuses_missing_station(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES, stations=("中心会场", "第二投票站"))
    save(world, day, day.round, HEAD, {**TOP, M: {"孙立": 12}})
    with pytest.raises(results.ResultError, match="第二投票站尚未录入计票单"):
        results.compute_result(world.users["village_a1"], day.round)



def test_counting_the_first_round_ticks_the_election_day_on_the_timeline(world):
    """Once the first round held on a past day is counted, 选举日 is done on the timeline, dated that day."""
    from huanjie.elections import services
    from huanjie.elections.models import StepRecord

    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    save(world, day, day.round, HEAD, {**TOP, M: {"孙立": 12, "周芳": 11, "吴刚": 10, "郑丽": 5, "冯伟": 3}})
    results.compute_result(world.users["village_a1"], day.round)
    assert StepRecord.objects.get(election=day.election, key="election_day").done_on == day.election.election_date
    assert {s.key: s.status for s in services.timeline(day.election)}["election_day"] == "done"


def test_nothing_of_the_election_day_is_recorded_before_it(world):
    """The issue: counting, computing and submitting were accepted on 2026-11-30 for an election on
    2027-01-20, and the result documents then said the vote was held. Counting is an election-day
    fact: refused until the (movable) election day has come."""
    import datetime as dt

    from huanjie.elections.aftervote import services as aftervote

    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    save(world, day, day.round, HEAD, {**TOP, M: {"孙立": 12, "周芳": 11, "吴刚": 10, "郑丽": 5, "冯伟": 3}})
    ahead = dt.date.today() + dt.timedelta(days=40)
    day.election.election_date = ahead
    day.election.save()
    day.round.held_on = ahead
    day.round.save()
    with pytest.raises(results.ResultError, match="早于选举日"):
        results.compute_result(world.users["village_a1"], day.round)
    with pytest.raises(results.ElectionError, match="早于选举日"):
        save(world, day, day.round, HEAD, {**TOP, M: {"孙立": 12, "周芳": 11, "吴刚": 10, "郑丽": 5, "冯伟": 3}})
    with pytest.raises(aftervote.AfterVoteError, match="早于选举日"):
        aftervote.submit_result(world.users["village_a1"], day.election)
    assert not day.election.steps.filter(key="election_day").exists()
