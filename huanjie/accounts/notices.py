"""The account notice (账号通知单) handed over on paper with a new or reset account, and the account list as Excel.

One A4 sheet per account: who it is for, the user name, the one-time password, where to log in
and the rules for the first login, with a line for the recipient to sign. The notice is made in
the same request that generates the password and is never stored: the password exists only on
the page shown once and on this paper.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from huanjie.documents.render import Notice, SheetSpec, TableSpec, notices_pdf, workbook_bytes

from .passwords import minimum_length
from .services import IssuedPassword


def _unit(user) -> str:
    if user.department_id:
        return user.department.name
    return user.region.full_name if user.region_id else ""


def _date_text(on: dt.date) -> str:
    return f"{on.year}年{on.month}月{on.day}日"


def account_notices_pdf(issued: Sequence[IssuedPassword], *, issuer: str, login_url: str, on: dt.date) -> bytes:
    min_length = minimum_length()
    notices = []
    for item in issued:
        user = item.user
        opening = "开通换届通系统账号" if item.action == "create" else "重置换届通系统账号的密码"
        notices.append(Notice(
            title="换届通账号通知单",
            paragraphs=[f"根据换届选举工作需要，现为{user.display_name}{opening}，账号信息如下。"],
            issuer=issuer,
            date_text=_date_text(on),
            tables=[TableSpec(
                columns=["项目", "内容"],
                rows=[
                    ["使用单位", _unit(user)],
                    ["账号类型", user.role_label],
                    ["用户名", user.username],
                    ["一次性密码", item.password],
                    ["登录地址", login_url],
                    ["办理事项", item.action_label],
                ],
                widths=[1, 3],
                font_size=14,
            )],
            closing_paragraphs=[
                f"一、首次登录后须立即修改密码：至少 {min_length} 个字符，不能包含用户名，不能全是数字。",
                "二、账号只限本单位使用，不得转借，密码不得告知他人。",
                f"三、忘记密码或账号被锁定时，请联系{issuer}重置或解锁。",
                "领取人签字：＿＿＿＿＿＿　　领取日期：＿＿＿＿＿＿",
            ],
        ))
    return notices_pdf(notices, page_numbers=False)


def accounts_workbook(users, *, title: str) -> bytes:
    """The account list as the page shows it (no passwords: they are never stored)."""
    rows = [[u.username, u.display_name, u.role_label, u.region.full_name if u.region_id else "",
             u.department.name if u.department_id else "", status_label(u)] for u in users]
    return workbook_bytes([SheetSpec(name="账号", title=title,
                                     columns=["用户名", "姓名/单位", "角色", "管辖区域", "所属部门", "状态"],
                                     rows=rows, text_columns=["用户名"])])


def status_label(user) -> str:
    """停用, 已锁定, 待修改初始密码 or 正常 (``locked_until`` annotated by the list query)."""
    if not user.is_active:
        return "停用"
    if getattr(user, "locked_until", None):
        return "已锁定"
    if user.must_change_password:
        return "待修改初始密码"
    return "正常"
