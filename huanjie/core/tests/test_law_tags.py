"""The citation template tags (issue 16): Chinese sources from the profile version, our code small."""

from __future__ import annotations

from django.template import Context, Template

from huanjie.rules.profiles import get_profile, profile_for


def render(source: str, **context) -> str:
    return Template("{% load law %}" + source).render(Context(context))


def test_cite_prints_the_source_of_the_version_with_the_code_as_a_small_reference():
    import datetime as dt

    old = profile_for("zhejiang", dt.date(2025, 12, 31))
    assert render('{% cite "R24" p %}', p=old) == (
        '<span class="cite">（《村民委员会组织法》第十五条第二款；《浙江省村民委员会选举办法》第二十七条第一款'
        ' <small class="rule-ref">R24</small>）</span>'
    )
    new = profile_for("zhejiang", dt.date(2026, 1, 2))
    assert "（2018年修正文本）第十五条第二款" in render('{% cite "R24" p %}', p=new)
    assert render('{% cite "R16" "zhejiang-2020" "由规则引擎计算" %}').startswith(
        '<span class="cite">（《浙江省村民委员会选举办法》第二十二条第一款，由规则引擎计算 <small'
    )
    # a rule no text states
    assert "本系统的理解" in render('{% cite "R3" p %}', p=get_profile("national"))


def test_cite_refs_replaces_codes_in_a_message_and_escapes_the_rest():
    out = render("{% cite_refs m p %}", m="<b>张三</b>须另行选举（R31、R35）。", p="national-2018")
    assert out.startswith("&lt;b&gt;张三&lt;/b&gt;须另行选举<span class=\"cite\">（《村民委员会组织法》第十五条第二款")
    assert '<small class="rule-ref">R31、R35</small>）</span>。' in out
    # no rule, nothing to replace; unknown codes stay as written
    assert render("{% cite_refs m %}", m="第（R99）项 (x)") == "第（R99）项 (x)"


def test_cite_refs_takes_the_version_from_the_page_election():
    class Election:  # what the tag needs of an election: its profile on the election day
        def profile(self):
            return get_profile("shanghai")

    out = render("{% cite_refs m %}", m="名单（R10）", election=Election())
    assert "《上海市村民委员会选举办法》（2020年修正文本）第十条" in out
