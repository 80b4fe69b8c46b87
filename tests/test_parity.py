"""The two languages say the same (issue 23): every English text we wrote and its Chinese twin (a summary and
summary_zh, a note's text and text_zh, a figure's note, how it is derived, the coverage statement, each section of
the article and its Chinese edition) carry the same numbers and years, name the same sources, and hold the same
caveats. A caveat written in one language only is an error, as is a number, a year or a named source.

What counts, decided here and checked on the real content and on pairs made to fail:
- numbers: every run of digits outside [[references]] (1987, 2023, 3DIC's 3), with thousands separators dropped and
  scale words applied (500 billion is 5000亿); a month named in English is its number (July 2022 is 2022年7月);
- named sources: the names of the sources that the texts cite by name, each paired with its Chinese name (NAMED);
- caveats: what a careful reader must not lose, by kind (CAVEATS): an estimate, an inference or a reading of ours,
  a thing not said or not found, a limit ("only"), a promotional claim, real or nominal, a claim passed on as
  reported;
- in the article, each section also refers to the same [[figures]] in both languages."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from test_zh_text import FILES, dicts

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
PROSE = ("summary", "note", "text", "coverage", "derived", "description", "tagline")
REF = re.compile(r"\[\[([^\]|]+)(?:\|[^\]]*)?\]\]")
# Sources named in the texts: (English, Chinese) patterns.
NAMED = [
    (r"Xinhua Silk Road", r"新华丝路"),
    (r"Xinhua Jiangsu", r"新华网江苏"),
    (r"China Daily", r"中国日报"),
    (r"Yicai", r"第一财经"),
    (r"Wikipedia", r"维基百科"),
    (r"TrendForce", r"TrendForce|集邦"),
    (r"Jiangsu News|江苏新闻", r"江苏新闻"),
    (r"China News Service", r"中新社|中新网"),
    (r"Economic Information Daily", r"经济参考报"),
    (r"Wuxi Daily", r"无锡日报"),
    (r"Jiangnan Evening News", r"江南晚报"),
    (r"statistics bureau", r"统计局"),
    (r"New Year address|\bthe address\b", r"新春献词|献词"),
    (r"work report", r"工作报告"),
    (r"Zhongjun", r"中郡"),
    (r"CCID", r"赛迪"),
    (r"CAICT", r"中国信息通信研究院"),
    (r"PR Newswire", r"美通社"),
    (r"江阴发布", r"江阴发布"),
    (r"provincial news feature|Jiangsu news feature", r"中国江苏网"),
    (r"encyclopedia", r"(?<!维基)百科"),
    (r"self-media", r"自媒体"),
    (r"\b(?:press |promotional )?releases?\b", r"通稿|新闻稿"),
    (r"Juece", r"决策"),
]
# Words that hold a caveat's characters but are none: 无锡 (Wuxi), 实际使用外资 (capital actually used), 名单 (a list),
# 数据 (data), 一只 (a measure word), 不变 (unchanged), 不过 (however), 无关 (unrelated).
NOT_CAVEATS = re.compile(r"无锡|实际使用|实际到位|不同|名单|单位|数据|一只|不变|不过|无关")
CAVEATS = {
    "estimate": (r"\bestimat|\bexpected\b", r"预计|估计|预期"),
    "inference": (r"\binfer|\breads? (?:it|them|this|as)\b|\bread as\b|\breading\b", r"推断|理解|按.{0,8}处理"),
    "not said or found": (
        r"\bnot\b|\bno\b|\bnone\b|\bnor\b|\bwithout\b|\bneither\b|n't\b|\bundated\b",
        r"没有|未|不|无|并非",
    ),
    "only": (r"\bonly\b|\balone\b|\bsole\b|\bseparately\b", r"只|仅|唯一|单独|单这"),
    "promotional": (r"\bpromotional\b|\bpromotes?\b", r"宣传"),
    "basis": (r"\breal\b|\bnominal\b|current prices|comparable prices", r"实际|名义|当年价格|可比价格|现价"),
    # a claim given as a report's: what a named source says is matched by the named-source check; this catches a
    # text that passes on what "other reports" or an unnamed "according to" say while its twin states it flatly
    "reported": (
        r"\baccording to\b|\bother reports\b|\bas (?:[\w-]+ ){0,3}reported\b|\bquot(?:es|ed)\b",
        r"(?<![根数依])据(?!以|此)|其他报道|援引|转引",
    ),
}
MONTHS = {
    m: n
    for n, m in enumerate(
        "January February March April May June July August September October November December".split(), 1
    )
}
SCALES = {"billion": 9, "million": 6, "trillion": 12, "亿": 8, "万": 4}
NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    rf"(billion|million|trillion|亿|万)?|\b({'|'.join(MONTHS)})\b"
)


def numbers(text: str) -> set:
    """The numbers a text writes, outside references: with their scale applied (500 billion and 5000亿 are one
    number), without thousands separators; a month named in English counts as its number (July and 7月)."""
    found = set()
    for m in NUMBER.finditer(REF.sub(" ", text)):
        if m.group(3):
            found.add(Decimal(MONTHS[m.group(3)]))
        else:
            found.add(Decimal(m.group(1).replace(",", "")).scaleb(SCALES.get(m.group(2) or "", 0)).normalize())
    return found


def differences(en: str, zh: str) -> list[str]:
    """What one text says that its twin does not: numbers, named sources, caveats, references."""
    en, zh, found = " ".join(en.split()), " ".join(zh.split()), []
    if numbers(en) != numbers(zh):
        found.append(f"numbers {show(numbers(en))} against {show(numbers(zh))}")
    for english, chinese in NAMED:
        in_en, in_zh = bool(re.search(english, en, re.I)), bool(re.search(chinese, zh))
        if in_en != in_zh:
            found.append(f"source '{english}' named in {'English' if in_en else 'Chinese'} only")
    for kind, (english, chinese) in CAVEATS.items():
        in_en, in_zh = bool(re.search(english, en, re.I)), bool(re.search(chinese, NOT_CAVEATS.sub("", zh)))
        if in_en != in_zh:
            found.append(f"a caveat ({kind}) in {'English' if in_en else 'Chinese'} only")
    refs_en, refs_zh = sorted(REF.findall(en)), sorted(REF.findall(zh))
    if refs_en != refs_zh:
        found.append(f"references {refs_en} against {refs_zh}")
    return found


def show(found: set) -> list[str]:
    """Numbers for a message, as written."""
    return sorted(f"{n:f}" for n in found)


def yaml_pairs() -> list[tuple[str, str, str]]:
    """(where, English, Chinese) for every prose field of the content files and its twin."""
    pairs = []
    for name in FILES:
        for path, d in dicts(yaml.safe_load((CONTENT / name).read_text(encoding="utf-8"))):
            for key in PROSE:
                if isinstance(d.get(key), str) and isinstance(d.get(f"{key}_zh"), str):
                    pairs.append((f"{name}:{path}.{key}", d[key], d[f"{key}_zh"]))
    return pairs


def sections(path: Path) -> list[str]:
    """An article's body cut at its '## ' headings (the text before the first is the first section)."""
    body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    return re.split(r"(?m)^## .*$", body)


def article_pairs() -> list[tuple[str, str, str]]:
    """(where, English, Chinese) for each section of each article and its Chinese edition, and their summaries."""
    pairs = []
    for en in sorted((CONTENT / "articles").glob("*.md")):
        if en.name.endswith(".zh.md"):
            continue
        zh = en.with_name(en.stem + ".zh.md")
        a, b = sections(en), sections(zh)
        assert len(a) == len(b), f"{en.name}: {len(a)} sections, the Chinese edition {len(b)}"
        pairs += [(f"{en.name} section {i}", x, y) for i, (x, y) in enumerate(zip(a, b))]
        meta = [
            yaml.safe_load(p.read_text(encoding="utf-8").split("\n---\n", 1)[0].removeprefix("---\n")) for p in (en, zh)
        ]
        pairs.append((f"{en.name} summary", meta[0]["summary"], meta[1]["summary"]))
    return pairs


def test_every_prose_pair_of_the_content_says_the_same_in_both_languages():
    assert len(yaml_pairs()) > 150
    found = [f"{where}: {d}" for where, en, zh in yaml_pairs() for d in differences(en, zh)]
    assert found == []


def test_each_section_of_the_article_says_the_same_in_both_languages():
    assert len(article_pairs()) >= 6
    found = [f"{where}: {d}" for where, en, zh in article_pairs() for d in differences(en, zh)]
    assert found == []


@pytest.mark.parametrize(
    "en, zh, expected",
    [
        (
            "The address does not say real or nominal.",
            "献词给出了增速。",
            ["a caveat (not said or found) in English only", "a caveat (basis) in English only"],
        ),
        ("Construction began in July 2022.", "项目于2023年7月开工。", ["numbers ['2022', '7'] against ['2023', '7']"]),
        ("Over 500 billion yuan in 2024.", "2024年超过5000亿元。", []),
        (
            "The Wuxi Daily reported it.",
            "据报道，项目已开工。",
            ["source 'Wuxi Daily' named in English only", "a caveat (reported) in Chinese only"],
        ),
        (
            "ProteLight develops peptide drugs.",
            "据其他报道，普莱医药研发多肽药物。",
            ["a caveat (reported) in Chinese only"],
        ),
        ("Over 3,300 firms, according to the release.", "据通稿，有3300多家企业。", []),
        (
            "Investors signed [[events.x.projects]].",
            "签约[[events.x.investment]]。",
            ["references ['events.x.projects'] against ['events.x.investment']"],
        ),
    ],
)
def test_a_difference_between_the_languages_is_found(en, zh, expected):
    assert differences(en, zh) == expected
