"""Does a figure's quote state it? The numbers a source writes (217, 4960.51亿, 1,595,138, 九百八十亿,
second, 第二, five-billion) are read with their scale words and the qualifier beside them (超过, 突破, 60多家,
over, nearly), and one of them must be the figure: its value with its scale, and its qualifier. A figure that is
a sum or a conversion of what the source says gives `derived:` instead, saying how; an estimate the source gives
(预计, expected) says so with `estimate: true`, and only then."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

SCALE_EXP = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12, "wan": 4, "yi": 8}
SCALE_NAMES = {"wan": "万", "yi": "亿"}  # how a scale is written in a message, when not in English
# Scale words after a number in a quote, with their powers of ten (in simplified and in traditional script).
SCALE_WORDS = {
    "万亿": 12,
    "千亿": 11,
    "百亿": 10,
    "亿": 8,
    "千万": 7,
    "百万": 6,
    "万": 4,
    "trillion": 12,
    "萬億": 12,
    "千億": 11,
    "百億": 10,
    "億": 8,
    "千萬": 7,
    "百萬": 6,
    "萬": 4,
    "billion": 9,
    "bln": 9,
    "bn": 9,
    "million": 6,
    "mln": 6,
    "mn": 6,
    "thousand": 3,
}
CN_DIGITS = dict(zip("零〇一二两兩三四五六七八九", (0, 0, 1, 2, 2, 2, 3, 4, 5, 6, 7, 8, 9)))
CN_UNITS = {"十": 1, "百": 2, "千": 3}
EN_NUMBERS = {
    w: n
    for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
        "eighteen nineteen twenty".split()
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100}
EN_ORDINALS = {
    w: n
    for n, w in enumerate(
        "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
        "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split()
    )
}
_SCALE = "|".join(sorted(SCALE_WORDS, key=len, reverse=True))
NUMBER = re.compile(
    rf"(?P<arabic>(?<![\d.])(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?)"
    rf"|(?P<cjk>[零〇一二两兩三四五六七八九十百千万亿萬億]+)"
    rf"|(?P<word>\b(?:{'|'.join(sorted(EN_NUMBERS | EN_ORDINALS, key=len, reverse=True))})\b)",
    re.IGNORECASE,
)
AFTER_SCALE = re.compile(rf"\s*-?\s*({_SCALE})(?![A-Za-z])", re.IGNORECASE)
# Qualifier words, before the number (超过5000亿, over 100) or just after it and its scale (60多家, 150余家, 200左右).
BEFORE = {
    "over": (
        "超过",
        "超",
        "逾",
        "突破",
        "站上",
        "多于",
        "高于",
        "more than",
        "over",
        "above",
        "exceeding",
        "exceeded",
        "in excess of",
    ),
    "about": ("大约", "约", "about", "around", "approximately", "roughly", "some"),
    "nearly": ("将近", "接近", "近", "nearly", "almost", "close to"),
    "under": ("不到", "不足", "少于", "低于", "less than", "fewer than", "under", "below"),
}
AFTER = {"over": ("多", "余", "以上", "+"), "about": ("左右",), "under": ("以下",)}
NOT_QUALIFIERS = ("签约", "合约", "节约", "条约", "公约", "预约", "契约", "最近", "附近")  # 约 and 近 in other words
ESTIMATE = re.compile(r"预计|預計|预期|預期|估计|估計|\bexpected\b|\bestimated?\b|\bforecast", re.IGNORECASE)
YEAR = re.compile(r"^(?:1[89]|20)\d\d$")


@dataclass(frozen=True)
class Stated:
    """A number as a quote writes it: its text, its value in units (its scale word applied), its qualifier."""

    text: str
    value: Decimal
    qualifier: str | None


def chinese_number(run: str) -> Decimal | None:
    """The value of a run of Chinese numerals: 九百八十亿 -> 98000000000, 二十二 -> 22, 万亿 -> 10**12; None when the
    run is no number (a lone 千 or 百)."""
    total, section, digit, seen = Decimal(0), Decimal(0), None, False
    for ch in run:
        if ch in CN_DIGITS:
            digit, seen = Decimal(CN_DIGITS[ch]), True
        elif ch in CN_UNITS:
            section += (digit if digit is not None else 1) * Decimal(10) ** CN_UNITS[ch]
            digit, seen = None, True
        else:  # 万 or 亿: everything so far is counted in it
            exp = 4 if ch in "万萬" else 8
            amount = section + (digit or 0)
            total = (total + (amount or (0 if total else 1))) * Decimal(10) ** exp
            section, digit = Decimal(0), None
    if not seen and total == 0:
        return None
    return total + section + (digit or 0)


def stated(quote: str) -> list[Stated]:
    """Every number the quote states, in order, with its scale and qualifier."""
    found, pos = [], 0
    while m := NUMBER.search(quote, pos):
        end, exp, pos = m.end(), 0, m.end()
        if m.group("arabic"):
            value = Decimal(m.group("arabic").replace(",", ""))
        elif m.group("cjk"):
            cjk = chinese_number(m.group("cjk"))
            if cjk is None:
                continue
            value = cjk
        else:
            word = m.group("word").lower()
            value = Decimal(EN_NUMBERS.get(word, EN_ORDINALS.get(word, 0)))
        scale = AFTER_SCALE.match(quote, end)
        if scale and not m.group("cjk"):  # a Chinese run holds its own 万 and 亿
            exp, end = SCALE_WORDS[scale.group(1).lower()], scale.end()
            pos = end
        found.append(Stated(quote[m.start() : end].strip(), value.scaleb(exp), _qualifier(quote, m.start(), end)))
    return found


def _qualifier(quote: str, start: int, end: int) -> str | None:
    """The qualifier written just before a number or just after it and its unit."""
    before = quote[max(0, start - 16) : start].lower().rstrip(" 了的达")
    after = quote[end : end + 4].lstrip("元美家个名位人项")
    for qualifier, words in BEFORE.items():
        if any(before.endswith(w) for w in words) and not before.endswith(NOT_QUALIFIERS):
            return qualifier
    for qualifier, words in AFTER.items():
        if after.startswith(words):
            return qualifier
    return None


def value_text(value: Decimal, scale: str | None) -> str:
    """A figure's value as its YAML writes it, with its scale: '218', '4960.51亿', '1.1 billion'."""
    text = f"{value.normalize():f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    if not scale:
        return text
    return text + SCALE_NAMES[scale] if scale in SCALE_NAMES else f"{text} {scale}"


def check(values: dict) -> list[tuple[str, str, str]]:
    """What is wrong between a figure and its quote, as (field to report at, message, hint); [] when the quote
    states the figure. `values` are the figure's fields."""
    quote, derived = values.get("quote"), values.get("derived")
    if not quote:
        if derived:
            return []
        return [
            (
                "",
                "missing key 'quote': the source's own words that state the figure",
                "copy the short passage of the source that gives the number, in its language: 'quote: ...'; a sum "
                "or a conversion of what the source says gives 'derived: ...' instead, saying how",
            )
        ]
    if derived:  # the quote states what it was derived from, not the figure itself
        return []
    problems = _estimate(quote, values.get("estimate"))
    value, scale = values["value"], values.get("scale")
    wanted = value.scaleb(SCALE_EXP[scale]) if scale else value
    numbers = stated(quote)
    matches = [n for n in numbers if n.value == wanted]
    shown = value_text(value, scale)
    if not matches:
        said = [n.text for n in numbers if not YEAR.match(n.text) or YEAR.match(shown)]
        words = f"it says {', '.join(dict.fromkeys(said))}" if said else "it states no other number"
        return problems + [
            (
                "value",
                f"the quote does not state {shown}; {words}",
                "copy the number as the source writes it (a scale such as 亿 or billion, and separators, "
                "are read), or correct the value; a sum or conversion says how with 'derived: ...'",
            )
        ]
    qualifier = values.get("qualifier")
    if not any(n.qualifier == qualifier for n in matches):
        first = matches[0]
        if qualifier is None:
            problems.append(
                (
                    "value",
                    f"the quote gives {first.text} with the qualifier '{first.qualifier}'",
                    f"add 'qualifier: {first.qualifier}' to the figure",
                )
            )
        else:
            problems.append(
                (
                    "qualifier",
                    f"the quote does not say '{qualifier}' of {shown}"
                    + (f"; it says '{first.qualifier}'" if first.qualifier else ""),
                    f"write 'qualifier: {first.qualifier}'" if first.qualifier else "remove the qualifier",
                )
            )
    return problems


def _estimate(quote: str, estimate: bool | None) -> list[tuple[str, str, str]]:
    """An estimate in the quote must be marked on the figure, and a figure marked as one must quote it."""
    word = ESTIMATE.search(quote)
    if word and not estimate:
        return [
            (
                "quote",
                f"the quote gives an estimate ('{word.group(0)}')",
                "add 'estimate: true' to the figure: the page then says it is an estimate",
            )
        ]
    if estimate and not word:
        return [
            (
                "estimate",
                "the figure is marked as an estimate, but its quote does not say so",
                "quote the words that make it an estimate (预计, expected), or remove 'estimate: true'",
            )
        ]
    return []


class QuoteStatesFigure:
    """A rule on figures: each carries the short verbatim quote that states it (or says how it is derived), and the
    quote's number, qualifier and estimate match the figure's."""

    def check(self, values: dict, keys, node, cx) -> bool:
        """Report each mismatch at the field it concerns (the figure when it lacks a quote)."""
        found = check(values)
        for name, message, hint in found:
            at = node if not name else keys[name][1] if name in keys else keys["value"][1]
            cx.error(at, message, hint)
        return not found

    def json_schema(self) -> dict:
        """A quote, or how the figure is derived."""
        return {"anyOf": [{"required": ["quote"]}, {"required": ["derived"]}]}
