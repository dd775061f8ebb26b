"""The county office creates a campaign and edits its policy; the campaign page reads it in Chinese."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict

from huanjie.accounts.models import AuditRecord
from huanjie.campaigns import policy_form, services
from huanjie.campaigns.models import Campaign
from huanjie.rules.policy import DEFAULT_POLICY

pytestmark = pytest.mark.django_db

DATES = dict(cutoff_date=dt.date(2027, 1, 1), starts_on=dt.date(2027, 1, 1), ends_on=dt.date(2027, 4, 30),
             term_start=dt.date(2027, 5, 1), term_years=5)


def test_create_campaign_with_villages_in_scope(world):
    c = services.create_campaign(world.users["county"], name="安平县2027年换届", term_number=13,
                                 jurisdiction="zhejiang", village_codes=[world.village_a1.code, world.village_b1.code],
                                 **DATES)
    assert c.slug == "130731-2027" and c.county == world.county and c.term_number == 13
    assert sorted(c.villages.values_list("village__code", flat=True)) == [world.village_a1.code, world.village_b1.code]
    assert AuditRecord.objects.get(action="campaign.create").changes["villages"] == [None, 2]
    again = services.create_campaign(world.users["county"], name="第二次", term_number=13, jurisdiction="national",
                                     village_codes=[world.village_a1.code], **DATES)
    assert again.slug == "130731-2027-2"


def test_create_campaign_refusals(world):
    with pytest.raises(services.CampaignInvalid) as exc:
        services.create_campaign(world.users["county"], name="", term_number=0, jurisdiction="mars",
                                 village_codes=["130732100001"], **{**DATES, "ends_on": dt.date(2026, 1, 1)})
    assert set(exc.value.errors) == {"name", "term_number", "jurisdiction", "ends_on", "villages"}
    with pytest.raises(services.CampaignInvalid):
        services.create_campaign(world.users["township_a"], name="x", term_number=1, jurisdiction="national",
                                 village_codes=[world.village_a1.code], **DATES)
    assert Campaign.objects.count() == 1


def _post(values: dict) -> QueryDict:
    q = QueryDict(mutable=True)
    for k, v in values.items():
        if isinstance(v, list):
            q.setlist(k, v)
        else:
            q[k] = v
    return q


def _form_post(values: dict, **changes) -> QueryDict:
    """What the browser sends for ``values`` (the form's own rendering), with ``changes`` applied."""
    data: dict = {}
    for f in policy_form.form_fields(values, []):
        name, kind = f["name"], f["spec"].kind
        if kind == "mf":
            data[name + "_M"], data[name + "_F"] = str(f["M"]), str(f["F"])
        elif kind in ("pair", "ratio"):
            data[name + "_a"], data[name + "_b"] = str(f["a"]), str(f["b"])
        elif kind == "departments":
            continue  # chosen on the accounts' department page
        elif kind == "relations":
            data[name] = [c for c, _, sel in f["options"] if sel]
        elif kind in ("severity", "education", "rounding"):
            data[name] = next(c for c, _, sel in f["options"] if sel)
        elif "text" in f:
            data[name] = f["text"]
        else:
            data[name] = str(f["value"])
    data.update(changes)
    return _post(data)


def test_the_unchanged_form_parses_back_to_the_defaults():
    parsed = policy_form.parse(_form_post(DEFAULT_POLICY.as_dict()), [])
    assert policy_form.overrides(parsed) == {}


def test_one_changed_value_is_stored_alone_and_audited(world):
    parsed = policy_form.parse(_form_post(DEFAULT_POLICY.as_dict(), p_notice_days="7", p_head_age_limit_F="54"), [])
    changes = services.set_policy(world.users["county"], world.campaign, parsed)
    world.campaign.refresh_from_db()
    assert world.campaign.policy == {"notice_days": 7, "head_age_limit": {"M": 60, "F": 54}}
    assert changes == {"notice_days": [5, 7], "head_age_limit": [{"M": 60, "F": 55}, {"M": 60, "F": 54}]}
    rec = AuditRecord.objects.get(action="campaign.policy")
    assert rec.changes["notice_days"] == [5, 7]
    rows = {r["spec"].key: r for r in policy_form.table_rows(world.campaign.policy)}
    assert rows["notice_days"]["value"] == "7 天" and rows["notice_days"]["changed"]
    assert rows["head_age_limit"]["value"] == "男 60 周岁、女 54 周岁"
    assert rows["women_share_target"]["value"] == "30%" and not rows["women_share_target"]["changed"]


def test_out_of_range_and_malformed_values_are_refused_per_field():
    with pytest.raises(policy_form.PolicyInvalid) as exc:
        policy_form.parse(_form_post(DEFAULT_POLICY.as_dict(), p_notice_days="90", p_team_total_a="8",
                                     p_team_size_by_population="0 999 3", p_newcomer_severity="maybe"), [])
    errors = exc.value.errors
    assert errors["notice_days"] == "应在 1—30 之间，收到 90。"
    assert "最少人数 8 大于最多人数 7" in errors["team_total"]
    assert "人口下限 上限 最少职数 最多职数" in errors["team_size_by_population"]
    assert errors["newcomer_severity"] == "请从列表中选择。"


def test_every_policy_value_has_a_spec_and_the_cutoff_is_the_campaigns_own():
    assert set(policy_form.FORM_KEYS) | {"cutoff_date"} == set(DEFAULT_POLICY.as_dict())


def test_the_policy_form_keeps_the_review_departments_chosen_on_the_department_page(world):
    world.campaign.policy = {"review_departments": ["gongan"]}
    world.campaign.save()
    parsed = policy_form.parse(_form_post(policy_form.effective(world.campaign.policy), p_notice_days="6"))
    assert "review_departments" not in parsed
    services.set_policy(world.users["county"], world.campaign, parsed)
    world.campaign.refresh_from_db()
    assert world.campaign.policy == {"review_departments": ["gongan"], "notice_days": 6}


def test_only_the_county_edits_the_policy(world):
    with pytest.raises(services.CampaignInvalid):
        services.set_policy(world.users["township_a"], world.campaign, {"notice_days": 7})
    with pytest.raises(Exception):  # noqa: B017 — another county's office gets 404
        services.set_policy(world.users["outsider"], world.campaign, {"notice_days": 7})


def test_pages(world, client_for):
    c = client_for("county")
    body = c.get("/campaigns/new/").content.decode()
    assert 'value="130731100002" checked' in body and "清溪镇" in body
    r = c.post("/campaigns/new/", {"name": "新一届", "term_number": "13", "jurisdiction": "national",
                                   "cutoff_date": "2027-01-01", "starts_on": "2027-01-01", "ends_on": "2027-04-30",
                                   "term_start": "2027-05-01", "term_years": "5", "villages": [world.village_a2.code]})
    assert r.status_code == 302 and r["Location"] == "/campaigns/130731-2027/policy/"
    body = c.post("/campaigns/new/", {"name": "x", "cutoff_date": "2027-13-01"}).content.decode()
    assert "年龄计算截止日：请填写有效日期" in body
    body = c.get(f"/campaigns/{world.campaign.slug}/policy/").content.decode()
    assert "P18" in body and "允许范围：1—30" in body and "预备人选公示期一般为5天" in body
    post = _form_post(DEFAULT_POLICY.as_dict(), p_notice_days="0")
    body = c.post(f"/campaigns/{world.campaign.slug}/policy/", post).content.decode()
    assert "公示天数：应在 1—30 之间，收到 0。" in body and 'name="p_notice_days" value="0"' in body
    body = c.get(f"/campaigns/{world.campaign.slug}/").content.decode()
    assert "{'M'" not in body and "男 60 周岁、女 55 周岁" in body


def test_project_policy_numbers_and_party_step_numbers_do_not_collide():
    """policy.md numbers P1–P20; the project numbered its own policy values (P21–P24) and the
    party's unnumbered procedure steps separately. Two meanings under one code would make a
    citation of the complaint deadline read as the party's recommendation step."""
    from huanjie.rules.data import law_sources

    value_codes = {s.rule for s in policy_form.SPECS if int(s.rule[1:]) > 20}
    step_codes = {c for c in law_sources.RULES if c.startswith("P") and int(c[1:]) > 20}
    assert value_codes and step_codes
    assert value_codes.isdisjoint(step_codes), value_codes & step_codes
