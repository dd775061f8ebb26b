"""Benchmark: 5,000 voter cards (选民证), the largest print run of a village election.

Compares ``cards_pdf`` (direct canvas drawing with cached widths) with a naive baseline that
lays out every card from Paragraph flowables (the obvious way with platypus). The baseline runs
on a sample and is extrapolated, so the bench stays short.

    .venv/bin/python bench/bench_documents.py [N]
"""

from __future__ import annotations

import io
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402
from reportlab.platypus import Paragraph  # noqa: E402

from huanjie.documents.render import cards_pdf, fonts  # noqa: E402
from huanjie.documents.render.pdf import VOTER_CARD_FIELDS, _style  # noqa: E402

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗亓禤隗昝訾逄厍郗佘冼邝鄢蒯晁彧翟"
GIVEN = "建国秀英志强丽娟海燕红梅国庆春花明亮淑芬玉兰文华德胜犇淼"


def make_cards(n: int) -> list[dict]:
    cards = []
    for i in range(n):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 13 + 3) % len(GIVEN)]
        cards.append(
            {
                "village": "某某镇某某村",
                "name": name if i % 500 else "阿依古丽·买买提",
                "gender": "男" if i % 2 else "女",
                "group": f"第{'一二三四五六七八'[i % 8]}村民小组",
                "number": f"{i + 1:05d}",
            }
        )
    return cards


def naive_cards(cards: list[dict], per_page: int = 8) -> bytes:
    """Baseline: every line of every card is a Paragraph, wrapped and drawn on its own."""
    fonts.register_fonts()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    w, h = A4
    cell_w, cell_h = (w - 16 * mm) / 2, (h - 16 * mm) / 4
    title = _style("t", fonts.BOLD, 20, alignment=1)
    body = _style("b", fonts.REGULAR, 12)
    for page in range(math.ceil(len(cards) / per_page)):
        for k, card in enumerate(cards[page * per_page : (page + 1) * per_page]):
            x = 8 * mm + (k % 2) * cell_w + 10
            y = h - 8 * mm - (k // 2) * cell_h - 10
            c.rect(x, y - cell_h + 20, cell_w - 20, cell_h - 20)
            p = Paragraph("选民证", title)
            _, ph = p.wrap(cell_w - 30, 100)
            y -= ph + 6
            p.drawOn(c, x + 5, y)
            for label, key in VOTER_CARD_FIELDS:
                p = Paragraph(f"{label}：<b>{card[key]}</b>", body)
                _, ph = p.wrap(cell_w - 30, 100)
                y -= ph + 4
                p.drawOn(c, x + 5, y)
        c.showPage()
    c.save()
    return buf.getvalue()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    cards = make_cards(n)
    fonts.register_fonts()  # font loading (~0.7 s) is paid once per process, not per document

    t0 = time.perf_counter()
    pdf = cards_pdf(cards, issuer="某某村村民选举委员会", date_text="2021年3月10日")
    fast = time.perf_counter() - t0

    sample = min(n, 800)
    t0 = time.perf_counter()
    naive_cards(cards[:sample])
    naive = (time.perf_counter() - t0) * n / sample

    from reportlab.lib import rl_accel

    accel = (
        "C (rl-accel installed)" if rl_accel._c_funcs else "pure Python (pip install rl-accel: ~2x faster)"
    )
    pages = math.ceil(n / 8)
    print(
        f"cards_pdf: {n} cards, {pages} pages, {len(pdf) / 1e6:.2f} MB in {fast:.2f} s ({n / fast:.0f} cards/s)"
    )
    print(f"naive Paragraph baseline (measured on {sample}, scaled to {n}): {naive:.2f} s")
    print(f"reportlab accelerator: {accel}")
    print(f"speed-up: {naive / fast:.1f}x; budget 10 s: {'OK' if fast < 10 else 'TOO SLOW'}")


if __name__ == "__main__":
    main()
