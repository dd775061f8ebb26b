"""Counting forms: aggregated entry (F blocks, W acknowledged), double entry, ballot by ballot."""

from __future__ import annotations

import pytest
from django.utils import timezone

from huanjie.accounts.models import AuditRecord
from huanjie.elections.aftervote.locking import ResultLocked
from huanjie.elections.models import Post
from huanjie.elections.voting import counting, results
from huanjie.elections.voting.models import CountingForm, ResultSubmission

from .voting_helpers import NATIONAL_CANDIDATES, clerk, election_day, form_data

pytestmark = pytest.mark.django_db

D, DEP, M = Post.DIRECTOR, Post.DEPUTY, Post.MEMBER
VOTES = {
    D: {"张明": 9, "李华": 5},
    DEP: {"王强": 10, "赵敏": 4},
    M: {"孙立": 12, "周芳": 11, "吴刚": 10, "郑丽": 5, "冯伟": 3},
}
HEAD = (16, 15, 14, 0, 1)


def test_f_error_blocks_saving_then_corrected(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    user = world.users["village_a1"]
    # returned 17 > issued 16 (F.01), and 14 + 0 + 1 = 15 ≠ 17 (F.03).
    bad = form_data(day, day.round, (16, 17, 14, 0, 1), VOTES)
    with pytest.raises(counting.FormBlocked) as exc:
        counting.save_form(user, day.round, day.stations[0], bad)
    assert [f.code for f in exc.value.findings if f.severity == "error"] == ["F.01", "F.03"]
    assert "收回选票 17 张，多于发出的 16 张" in str(exc.value)
    assert not CountingForm.objects.exists()
    form = counting.save_form(user, day.round, day.stations[0], form_data(day, day.round, HEAD, VOTES))
    assert form.status == CountingForm.ACCEPTED
    assert form.lines.count() == 9
    assert AuditRecord.objects.filter(action="counting.form_save").count() == 1


def test_post_over_valid_times_seats(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    # 主任 1 seat: 9 + 6 = 15 > 14 valid × 1 (F.02).
    data = form_data(day, day.round, HEAD, {**VOTES, D: {"张明": 9, "李华": 6}})
    with pytest.raises(counting.FormBlocked) as exc:
        counting.save_form(world.users["village_a1"], day.round, day.stations[0], data)
    assert [f.code for f in exc.value.findings] == ["F.02"]


def test_warning_must_be_acknowledged(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    user = world.users["village_a1"]
    # 2 invalid of 15: 2 × 10 = 20 > 15 → W.01. 13 + 0 + 2 = 15.
    head = (16, 15, 13, 0, 2)
    votes = {**VOTES, D: {"张明": 9, "李华": 4}, DEP: {"王强": 9, "赵敏": 4}, M: {"孙立": 12, "周芳": 11}}
    with pytest.raises(counting.NeedsAcknowledgement) as exc:
        counting.save_form(user, day.round, day.stations[0], form_data(day, day.round, head, votes))
    assert [f.code for f in exc.value.findings] == ["W.01"]
    form = counting.save_form(
        user, day.round, day.stations[0], form_data(day, day.round, head, votes), ["W.01"]
    )
    assert form.acknowledged_warnings == ["W.01"]
    assert AuditRecord.objects.get(action="counting.form_save").changes["acknowledged"] == [None, ["W.01"]]


def test_locked_result_refuses_changes(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    user = world.users["village_a1"]
    counting.save_form(user, day.round, day.stations[0], form_data(day, day.round, HEAD, VOTES))
    ResultSubmission.objects.create(election=day.election, submitted_at=timezone.now(), submitted_by=user)
    day.election.refresh_from_db()
    with pytest.raises(ResultLocked):
        counting.save_form(user, day.round, day.stations[0], form_data(day, day.round, HEAD, VOTES))
    with pytest.raises(ResultLocked):
        results.compute_result(user, day.round)


def test_double_entry_disagreement_then_chair_resolution(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES, double_entry=True)
    first, second, chair = world.users["village_a1"], clerk(world, "clerk2"), clerk(world, "chair")
    station = day.stations[0]
    f1 = counting.save_form(first, day.round, station, form_data(day, day.round, HEAD, VOTES))
    assert f1.entry == 1 and f1.status == CountingForm.SAVED
    assert counting.differences(day.round, station) is None
    # the second clerk reads 吴刚 as 9 instead of 10
    typo = {**VOTES, M: {**VOTES[M], "吴刚": 9}}
    f2 = counting.save_form(second, day.round, station, form_data(day, day.round, HEAD, typo))
    assert f2.entry == 2 and f2.status == CountingForm.SAVED
    diffs = counting.differences(day.round, station)
    assert [(d.field, d.first, d.second) for d in diffs] == [("line:委员:吴刚", 10, 9)]
    with pytest.raises(results.ResultError, match="尚未完成双人录入核对"):
        results.compute_result(first, day.round)
    with pytest.raises(counting.CountingError, match="录入员不能自行处理"):
        counting.resolve_double_entry(second, day.round, station, 2, "以我为准")
    with pytest.raises(counting.CountingError, match="处理意见"):
        counting.resolve_double_entry(chair, day.round, station, 1, " ")
    chosen = counting.resolve_double_entry(
        chair, day.round, station, 1, "核对纸质计票单，吴刚得10票，采用第1次录入"
    )
    assert chosen.status == CountingForm.ACCEPTED and chosen.resolved_by == chair
    assert CountingForm.objects.get(entry=2).status == CountingForm.SAVED
    rec = AuditRecord.objects.get(action="counting.double_entry_resolve")
    assert rec.changes["不一致"][1] == ["委员“吴刚”: 10 / 9"]
    out = results.compute_result(chair, day.round).output
    assert out["tally"]["委员"]["吴刚"] == 10


def test_double_entry_match_is_accepted_and_third_entry_refused(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES, double_entry=True)
    first, second = world.users["village_a1"], clerk(world, "clerk2")
    station = day.stations[0]
    counting.save_form(first, day.round, station, form_data(day, day.round, HEAD, VOTES))
    counting.save_form(second, day.round, station, form_data(day, day.round, HEAD, VOTES))
    assert set(CountingForm.objects.values_list("status", flat=True)) == {CountingForm.ACCEPTED}
    # the first clerk corrects their own entry: it is still entry 1, and now differs again
    changed = {**VOTES, D: {"张明": 8, "李华": 5}}
    again = counting.save_form(first, day.round, station, form_data(day, day.round, HEAD, changed))
    assert again.entry == 1 and again.status == CountingForm.SAVED
    with pytest.raises(counting.CountingError, match="同一人只能录入一次"):
        counting.save_form(clerk(world, "clerk3"), day.round, station, form_data(day, day.round, HEAD, VOTES))


def test_ballot_by_ballot(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    user = world.users["village_a1"]
    station = day.stations[0]
    form = counting.start_ballot_form(user, day.round, station, 6)
    d, dep, m = (day.posts[c].pk for c in (D, DEP, M))
    v1 = counting.add_ballot(
        user, form, {d: {"approve": ["张明"]}, dep: {"approve": ["王强"]}, m: {"approve": ["孙立", "周芳"]}}
    )[1]
    assert v1["valid"] is True
    # 4 approvals for 3 委员 seats: that post is void (R26 over_selection), the rest of the sheet counts
    v2 = counting.add_ballot(
        user, form, {d: {"approve": ["张明"]}, m: {"approve": ["孙立", "周芳", "吴刚", "郑丽"]}}
    )[1]
    assert v2["invalid"] == [{"post": "委员", "code": "over_selection", "reason": "所选人数多于应选人数"}]
    v3 = counting.add_ballot(user, form, {}, unreadable=True)[1]
    assert v3["invalid"][0]["code"] == "unreadable"
    counting.add_ballot(user, form, {})  # blank: valid with no selections (R26)
    counting.add_ballot(user, form, {d: {"write_in": ["钱七"]}})
    with pytest.raises(counting.CountingError, match="不是主任的候选人"):
        counting.add_ballot(user, form, {d: {"approve": ["不存在"]}})
    data, rows = counting.ballot_summary(form)
    # 5 ballots: #3 wholly void; #4 blank; #1, #2, #5 valid (≥ 1 mark) → 3 + 1 + 1 = 5.
    assert (data.returned, data.valid, data.blank, data.invalid) == (5, 3, 1, 1)
    tally = {(ln.name, ln.write_in): ln.votes for ln in data.lines if ln.votes}
    assert tally == {
        ("张明", False): 2,
        ("钱七", True): 1,
        ("王强", False): 1,
        ("孙立", False): 1,
        ("周芳", False): 1,
    }
    assert data.post_invalid == {m: 1}
    # W.01: 1 × 10 = 10 > 5; W.02: 钱七 1 × 5 = 5 ≥ 3 valid.
    with pytest.raises(counting.NeedsAcknowledgement) as exc:
        counting.finish_ballot_form(user, form)
    assert sorted(f.code for f in exc.value.findings) == ["W.01", "W.02"]
    form = counting.finish_ballot_form(user, form, ["W.01", "W.02"])
    assert form.status == CountingForm.ACCEPTED and form.ballots_returned == 5
    counting.remove_ballot(user, form, 5)
    form.refresh_from_db()
    assert form.status == CountingForm.DRAFT  # a changed form is checked and accepted again
