"""Bar charts for printed reports: the same chart as a reportlab drawing (vector, in a PDF) and as
a PNG (for Word, which cannot take a reportlab drawing). The web pages draw the same data with
ECharts; the documents cannot run JavaScript.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from .fonts import FONT_FILES, REGULAR, register_fonts

PALETTE = ["#b3261e", "#1f6feb", "#1a7f37", "#9a6700"]


@dataclass
class BarChart:
    """Grouped bars: one group per category, one bar per series (values are numbers ≥ 0)."""

    title: str
    categories: list[str]
    series: list[tuple[str, list[float]]]
    unit: str = ""

    def top(self) -> float:
        high = max([v for _, values in self.series for v in values] + [0])
        step = 10 ** max(0, len(str(int(high))) - 1)
        return max(step, ((int(high) // step) + 1) * step)


def chart_drawing(chart: BarChart, width: float, height: float = 220):
    """A reportlab Drawing of the chart (points)."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    register_fonts()
    d = Drawing(width, height)
    d.add(String(width / 2, height - 14, chart.title, fontName=REGULAR, fontSize=11, textAnchor="middle"))
    bc = VerticalBarChart()
    bc.x, bc.y, bc.width, bc.height = 40, 50, width - 60, height - 100
    bc.data = [tuple(values) for _, values in chart.series]
    bc.categoryAxis.categoryNames = list(chart.categories)
    bc.categoryAxis.labels.fontName = REGULAR
    bc.categoryAxis.labels.fontSize = 8
    if len(chart.categories) > 6:
        bc.categoryAxis.labels.angle = 30
        bc.categoryAxis.labels.boxAnchor = "ne"
    bc.valueAxis.valueMin, bc.valueAxis.valueMax = 0, chart.top()
    bc.valueAxis.labels.fontName = REGULAR
    bc.valueAxis.labels.fontSize = 8
    bc.barLabelFormat = "%s"
    bc.barLabels.fontName = REGULAR
    bc.barLabels.fontSize = 7
    bc.barLabels.nudge = 6
    for i in range(len(chart.series)):
        bc.bars[i].fillColor = colors.HexColor(PALETTE[i % len(PALETTE)])
    d.add(bc)
    legend = Legend()
    legend.x, legend.y = 40, height - 28
    legend.fontName, legend.fontSize = REGULAR, 9
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 90
    legend.colorNamePairs = [(colors.HexColor(PALETTE[i % len(PALETTE)]), name + (f"（{chart.unit}）" if chart.unit else ""))
                             for i, (name, _) in enumerate(chart.series)]
    d.add(legend)
    return d


def chart_png(chart: BarChart, width: int = 1200, height: int = 560) -> bytes:
    """The chart as a PNG (Pillow, the PDF font), for documents that take images."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(FONT_FILES[REGULAR]), 22)
    small = ImageFont.truetype(str(FONT_FILES[REGULAR]), 18)
    draw.text((width / 2, 18), chart.title, fill="black", font=font, anchor="mt")
    left, right, top, bottom = 90, width - 30, 110, height - 80
    top_value = chart.top()
    for k in range(6):  # grid and value axis
        y = bottom - (bottom - top) * k / 5
        draw.line([(left, y), (right, y)], fill="#dddddd", width=1)
        draw.text((left - 10, y), _num(top_value * k / 5), fill="#444444", font=small, anchor="rm")
    x = left + 20
    for i, (name, _) in enumerate(chart.series):  # legend
        draw.rectangle([x, 62, x + 22, 80], fill=PALETTE[i % len(PALETTE)])
        label = name + (f"（{chart.unit}）" if chart.unit else "")
        draw.text((x + 30, 71), label, fill="black", font=small, anchor="lm")
        x += 50 + draw.textlength(label, font=small)
    groups = max(1, len(chart.categories))
    group_w = (right - left) / groups
    bar_w = group_w * 0.7 / max(1, len(chart.series))
    for g, category in enumerate(chart.categories):
        gx = left + g * group_w + group_w * 0.15
        for s, (_, values) in enumerate(chart.series):
            v = values[g]
            h = (bottom - top) * (v / top_value if top_value else 0)
            x0 = gx + s * bar_w
            draw.rectangle([x0, bottom - h, x0 + bar_w - 2, bottom], fill=PALETTE[s % len(PALETTE)])
            draw.text((x0 + bar_w / 2, bottom - h - 4), _num(v), fill="black", font=small, anchor="mb")
        draw.text((left + g * group_w + group_w / 2, bottom + 12), category, fill="black", font=small, anchor="mt")
    draw.line([(left, bottom), (right, bottom)], fill="black", width=2)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"

