"""R69 stroke-order sorting. Expected orders are written by hand from the mainland stroke orders
(总笔画, then 横1 竖2 撇3 点4 折5 stroke by stroke), with the strokes shown in the comments."""

import json
import random
from pathlib import Path

import pytest

from huanjie.rules.strokes import (
    sort_by_strokes,
    stroke_sequence,
    stroke_sort_key,
    strokes_of,
    unknown_characters,
)

CASES = Path("/work/shared/spec/cases")

# Surnames in the order an official list uses. Comment: total strokes, then the strokes that
# decide the order within that count (1横 2竖 3撇 4点 5折).
SURNAMES_IN_ORDER = [
    # 2 strokes
    "丁",  # 12    横 竖钩
    "卜",  # 24    竖 点
    # 3 strokes
    "于",  # 112
    "万",  # 153   横 横折钩 撇
    "门",  # 425
    "马",  # 551
    # 4 strokes
    "王",  # 1121
    "亓",  # 1132  (3rd stroke 撇 after 王's 竖)
    "韦",  # 1152
    "尤",  # 1354
    "车",  # 1512
    "牛",  # 3112
    "毛",  # 3115  (decided at the 4th stroke against 牛)
    "仇",  # 3235
    "卞",  # 4124
    "文",  # 4134
    "方",  # 4153  (decided at the 3rd stroke against 文)
    "尹",  # 5113
    "孔",  # 5215  横撇 竖钩 提 竖弯钩
    "邓",  # 5452  又(横撇 点) 阝(横撇弯钩 竖)
    # 5 strokes
    "甘",  # 12211
    "艾",  # 12234
    "古",  # 12251 (decided at the 4th stroke)
    "左",  # 13121
    "厉",  # 13153
    "石",  # 13251
    "龙",  # 13534
    "平",  # 14312
    "占",  # 21251
    "卢",  # 21513
    "叶",  # 25112 口 十
    "田",  # 25121 竖 横折 横 竖 横 (decided at the 4th stroke against 叶)
    "史",  # 25134
    "白",  # 32511
    "乐",  # 35234
    "包",  # 35515
    "冯",  # 41551 冫(点 提) 马
    "兰",  # 43111
    "宁",  # 44512
    "司",  # 51251
    "皮",  # 53254
    "边",  # 53454
    "台",  # 54251
    # 6 strokes
    "邢",  # 113252
    "吉",  # 121251
    "成",  # 135534
    "毕",  # 153512
    "曲",  # 251221 竖 横折 横 竖 竖 横
    "吕",  # 251251 (decided at the 5th stroke against 曲)
    "朱",  # 311234
    "乔",  # 313432
    "伍",  # 321251
    "任",  # 323121
    "华",  # 323512
    "向",  # 325251
    "庄",  # 413121
    "刘",  # 413422 文 刂
    "齐",  # 413432 (decided at the 5th stroke against 刘)
    "关",  # 431134
    "米",  # 431234
    "江",  # 441121
    "池",  # 441525
    "汤",  # 441533
    "安",  # 445531
    "祁",  # 452452
    "许",  # 453112
    "阮",  # 521135 阝 元 — 6 strokes on the mainland
    "孙",  # 521234
    "阳",  # 522511
    "牟",  # 543112
    "纪",  # 551515
    # 7 strokes
    "花",  # 1223235
    "苏",  # 1225344
    "杜",  # 1234121
    "李",  # 1234521
    "杨",  # 1234533
    "吴",  # 2511134
    "何",  # 3212512
    "余",  # 3411234
    "汪",  # 4411121
    "沈",  # 4414535
    "宋",  # 4451234
    "张",  # 5153154 弓(横折 横 竖折折钩) 长 — 2nd stroke 横 before 陆/陈's 竖
    "陆",  # 52112.. 阝 击 — 7 strokes
    "陈",  # 5215234 阝 东 — 7 strokes
    # 8 strokes
    "苗",  # 12225121
    "范",  # 12244155
    "林",  # 12341234
    "欧",  # 13453534
    "罗",  # 25221354
    "季",  # 31234521
    "金",  # 34112431
    "周",  # 35121251
    "郑",  # 43113452 关 阝 — 8 strokes
    "宗",  # 44511234
    "官",  # 44525151
    "孟",  # 52125221
    # 9 strokes
    "赵",  # 121213434
    "胡",  # 122513511
    "柏",  # 123432511
    "钟",  # 311152512
    "施",  # 415331525
    "姜",  # 431121531
    "洪",  # 441122134
    "姚",  # 531341534
    "贺",  # 532512534 (decided at the 3rd stroke against 姚)
    # 10 strokes
    "秦",  # 1113431234
    "贾",  # 1252212534
    "夏",  # 1325111354
    "顾",  # 1355132534
    "柴",  # 2121351234
    "钱",  # 3111511534
    "徐",  # 3323411234
    "高",  # 4125125251
    "郭",  # 4125152152 享 阝 — 10 strokes (decided at the 6th stroke against 高)
    "唐",  # 4135112251
    # 11 strokes
    "黄",  # 12212512134 — 11 strokes on the mainland
    "龚",  # 13534122134
    "常",  # 24345251252
    "崔",  # 25232411121
    "麻",  # 41312341234
    "康",  # 41351124134
    "章",  # 41431251112
    "梁",  # 44153441234
    # 12 strokes
    "彭",  # 121251431333
    "董",  # 122312511211
    "蒋",  # 122412354124
    "韩",  # 122511121152 十 日 十 韦
    "程",  # 312342511121
    "傅",  # 321251124124
    "焦",  # 324111214444
    "鲁",  # 352512112511
    "谢",  # 453251113124
    # 13 strokes
    "蒲",  # 1224411251124
    "雷",  # 1452444425121
    "路",  # 2512121354251
    "鲍",  # 3525121135515
    "解",  # 3535112533112
    # 14 strokes
    "蔡",  # 12235445411234 — 14 strokes on the mainland
    "裴",  # 21112111413534
    "管",  # 31431444525151
    "廖",  # 41354154134333
    "谭",  # 45125221251112
    "熊",  # 5425113535 4444 (能: 撇折 点 竖 横折钩 …)
    # 15 strokes
    "潘",  # 441343123425121
    # 16 strokes
    "霍",  # 1452444432411121
    "穆",  # 3123432511234333
    # 17 strokes
    "魏",  # 31234531325113554
]


def test_surname_list_is_long_enough_and_has_no_duplicates():
    assert len(SURNAMES_IN_ORDER) >= 60
    assert len(set(SURNAMES_IN_ORDER)) == len(SURNAMES_IN_ORDER)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_common_surnames_sort_in_official_order(seed):
    shuffled = SURNAMES_IN_ORDER[:]
    random.Random(seed).shuffle(shuffled)
    assert sort_by_strokes(shuffled) == SURNAMES_IN_ORDER


def test_sorting_reversed_input_gives_the_same_order():
    assert sort_by_strokes(reversed(SURNAMES_IN_ORDER)) == SURNAMES_IN_ORDER


def test_four_stroke_group():
    # 王 1121 < 文 4134 < 方 4153 < 尹 5113 < 孔 5215 < 邓 5452
    assert sort_by_strokes(["邓", "孔", "尹", "方", "文", "王"]) == ["王", "文", "方", "尹", "孔", "邓"]


@pytest.mark.parametrize(
    "char, total, sequence",
    [
        ("王", 4, "1121"),
        ("文", 4, "4134"),
        ("方", 4, "4153"),
        ("尹", 4, "5113"),
        ("孔", 4, "5215"),  # 横撇 竖钩 提(=横) 竖弯钩
        ("邓", 4, "5452"),
        ("丁", 2, "12"),  # 竖钩 counts as 竖
        ("冯", 5, "41551"),  # 冫's second stroke is 提 -> 1
        ("史", 5, "25134"),  # 捺 counts as 点
    ],
)
def test_stroke_sequences_of_reference_characters(char, total, sequence):
    assert strokes_of(char) == total
    assert stroke_sequence(char) == sequence


@pytest.mark.parametrize(
    "char, total",
    [("邓", 4), ("阮", 6), ("陆", 7), ("陈", 7), ("郑", 8), ("郭", 10), ("黄", 11), ("蔡", 14)],
)
def test_mainland_counts_where_taiwan_counts_differ(char, total):
    # 阝 is 2 strokes and 黄's middle is 由 (11) on the mainland; Taiwan counts 阝 as 3 and 黃 as 12.
    assert strokes_of(char) == total


def test_second_character_decides_when_surnames_are_equal():
    # 三 3 strokes < 伟 6 strokes
    assert sort_by_strokes(["张伟", "张三"]) == ["张三", "张伟"]
    # 丽 7 (1254254) vs 芳 7 (1224153): 3rd stroke 2 < 5 -> 芳 first
    assert sort_by_strokes(["王丽", "王芳"]) == ["王芳", "王丽"]


def test_surname_groups_stay_together():
    # 王 (4) before 李 (7) whatever the given names: 王 with a 20-stroke given name still first.
    names = ["李一", "王馨", "李丁", "王丁"]
    assert sort_by_strokes(names) == ["王丁", "王馨", "李一", "李丁"]


def test_prefix_sorts_first():
    assert sort_by_strokes(["张三丰", "张三", "张"]) == ["张", "张三", "张三丰"]


def test_case_file_ex06():
    case = json.loads((CASES / "ex06-sorting.json").read_text(encoding="utf-8"))
    assert sort_by_strokes(case["inputs"]["names"]) == case["expected"]["order"]
    # 丁一 王五 文静 方圆 李四 张三, written out by hand as well
    assert sort_by_strokes(case["inputs"]["names"]) == ["丁一", "王五", "文静", "方圆", "李四", "张三"]


@pytest.mark.parametrize(
    "char, total",
    [
        ("亓", 4),  # 二 + 丌: 横 横 撇 竖
        ("邝", 5),  # 广 3 + 阝 2
        ("厍", 6),  # 厂 2 + 车 4
        ("佘", 7),  # 人 2 + 示 5
        ("冼", 8),  # 冫 2 + 先 6
        ("昝", 9),  # 夂 3 + 卜 2 + 日 4
        ("郗", 9),  # 希 7 + 阝 2
        ("逄", 9),  # 夅 6 + 辶 3 (not 逢, which has 夆 and 10 strokes)
        ("晁", 10),  # 日 4 + 兆 6
        ("隗", 11),  # 阝 2 + 鬼 9
        ("訾", 13),  # 此 6 + 言 7
        ("鄢", 13),  # 焉 11 + 阝 2
        ("蒯", 13),  # 艹 3 + 朋 8 + 刂 2
        ("禤", 15),  # 礻 4 + 罒 5 + 羽 6
    ],
)
def test_rare_surname_counts(char, total):
    assert strokes_of(char) == total
    assert stroke_sequence(char) is not None
    assert unknown_characters(char) == []


def test_rare_surnames_sort_by_count():
    names = ["禤", "蒯", "隗", "晁", "昝", "冼", "佘", "厍", "邝", "亓"]
    # counts 15 13 11 10 9 8 7 6 5 4 -> ascending
    assert sort_by_strokes(names) == ["亓", "邝", "厍", "佘", "冼", "昝", "晁", "隗", "蒯", "禤"]


def test_characters_with_identical_sequences_are_grouped_by_code_point():
    # 余 and 佘 are both 撇 捺 横 横 竖钩 撇 点 (3411234); 佘 U+4F58 < 余 U+4F59.
    assert stroke_sequence("余") == stroke_sequence("佘") == "3411234"
    names = ["余二", "佘一", "余一", "佘二"]
    assert sort_by_strokes(names) == ["佘一", "佘二", "余一", "余二"]


def test_extension_b_character_sorts_after_known_characters_of_its_count():
    ext_b = "\U00020000"  # 𠀀, Unihan kTotalStrokes 2 (the same count as 丁 and 卜)
    assert strokes_of(ext_b) == 2
    assert stroke_sequence(ext_b) is None
    assert unknown_characters("张" + ext_b) == [ext_b]
    # after 丁 and 卜 (2 strokes, known), before 于 (3 strokes)
    assert sort_by_strokes(["于", ext_b, "卜", "丁"]) == ["丁", "卜", ext_b, "于"]
    # the same inside a given name
    assert sort_by_strokes(["王" + ext_b, "王卜", "王于"]) == ["王卜", "王" + ext_b, "王于"]


def test_traditional_characters_use_the_mainland_unihan_count():
    # 陳 = 阝 2 + 東 8 = 10 under the mainland count; it has no sequence, so it goes after
    # every known 10-stroke character (郭 10) and before 11-stroke 黄.
    assert strokes_of("陳") == 10
    assert unknown_characters("陳") == ["陳"]
    assert sort_by_strokes(["黄", "陳", "郭", "陈"]) == ["陈", "郭", "陳", "黄"]


def test_kangxi_radical_and_fullwidth_forms_are_read_as_their_ordinary_characters():
    assert strokes_of("\u2f45") == 4  # ⽅ KANGXI RADICAL SQUARE -> 方
    assert unknown_characters("\u2f45") == []


def test_non_chinese_after_chinese_and_middle_dot_names():
    names = ["Tom", "阿依古丽买买提", "阿依古丽·买买提", "123", "阿依古丽", "龙"]
    # 龙 5 < 阿 7; the middle dot ends a name part like the end of the name does;
    # digits and Latin letters come after every Chinese name.
    assert sort_by_strokes(names) == ["龙", "阿依古丽", "阿依古丽·买买提", "阿依古丽买买提", "123", "Tom"]
    assert unknown_characters("阿依古丽·买买提") == []
    assert unknown_characters("Tom 张") == ["T", "o", "m"]


def test_whitespace_is_ignored_and_order_is_total():
    # "张　三" (padded with an ideographic space) compares like 张三; the tie is broken by code
    # points: the second characters are U+3000 and 三 U+4E09, so the padded one comes first.
    padded = "张\u3000三"
    assert stroke_sort_key(padded) != stroke_sort_key("张三")
    # 丁 2 < 三 3 < 伟 6: the padded name stays between 张丁 and 张伟, next to 张三
    assert sort_by_strokes(["张伟", padded, "张三", "张丁"]) == ["张丁", padded, "张三", "张伟"]
    assert sort_by_strokes([padded, "张三"]) == sort_by_strokes(["张三", padded]) == [padded, "张三"]
    # and the padding never moves a name past a different one: 张　三 < 张伟 (三 3 < 伟 6)
    assert sort_by_strokes(["张伟", padded]) == [padded, "张伟"]


@pytest.mark.parametrize("odd", ["", " ", "·", "\x00", "A1", "😀", "〇", "\U000323af", "\U0002ebf0", "Ａ"])
def test_never_crashes(odd):
    key = stroke_sort_key(odd)
    hash(key)
    assert sort_by_strokes([odd, "张三", odd]) in ([odd, odd, "张三"], ["张三", odd, odd])
    unknown_characters(odd)
    strokes_of(odd)
    stroke_sequence(odd)


def test_keys_are_comparable_and_hashable():
    assert stroke_sort_key("丁一") < stroke_sort_key("王五")
    assert len({stroke_sort_key("王五"), stroke_sort_key("王五")}) == 1


def test_strokes_of_rejects_strings_that_are_not_one_character():
    assert strokes_of("王五") is None
    assert strokes_of("") is None
    assert stroke_sequence("王五") is None
