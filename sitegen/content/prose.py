"""Find figures typed into prose, so every figure in an article comes from the YAML through a [[reference]].

Years (1900-2099) and ordinals (4th, 21st) may stand; so may digits inside names such as 3DIC or PL-5."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence

UNITS = (
    r"%|per\s?cent|percent|billion|million|trillion|thousand|bn|mn|yuan|rmb|cny|usd|eur|euros?|dollars?"
    r"|km2|km²|km|square\s+kilomet(?:re|er)s?|mu|people|persons|residents|projects?|compan(?:y|ies)|firms?"
    r"|enterprises?|employees|workers|funds?|guests|tonnes?|tons?|teu|times|years?"
)
SCALE_WORDS = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|several|a)\s+(?:billion|million|trillion)"
)
NUMBER = r"(?<![\w.,-])\d+(?:,\d{3})*(?:\.\d+)?"
TYPED = re.compile(
    rf"(?P<unit>{NUMBER}\s*(?:{UNITS})(?![\w-]))"  # 217 projects, 5.9%, 100 billion
    rf"|(?P<money>(?:US\$|HK\$|\$|€|¥|£)\s*\d+(?:[.,]\d+)*)"  # US$1.1, €1
    rf"|(?P<words>\b{SCALE_WORDS}\b)"  # one hundred billion
    rf"|(?P<cjk>{NUMBER}\s*[亿万])"  # 4960亿
    rf"|(?P<number>{NUMBER}(?![\w-]))"  # 217, 475.418, 1,595,138
    r"|(?P<glued>(?<![\d.,A-Za-z_-])\d+(?:,\d{3})*(?:\.\d+)?(?![\d.A-Za-z_-]))",  # 共217个, 增长5.9% (beside Chinese)
    re.IGNORECASE,
)
CJK_DATE = "年月日"  # 2023年10月28日: the numbers of a date written in Chinese may stand
YEAR = re.compile(r"^(?:19|20)\d\d$")
MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
DAY_OF_MONTH = re.compile(rf"^\s+{MONTHS}\b|{MONTHS}\s+$")
# A reference: `[[key]]` or `[[key|style]]` on one line. Its inside holds no bracket, so finding every reference
# is linear: from each `[[` the search stops at the next bracket (a lazy `.*?` would run to the end each time).
REF = re.compile(r"\[\[([^\[\]\n]*)\]\]")
INLINE_CODE = re.compile(r"`[^`\n]*`")
BLANK = re.compile(r"[^\n]")


def _masked(text: str) -> str:
    """The text with references, code, link targets and comments blanked out, offsets kept. Every pass is linear:
    a pair is found with str.find, never with a lazy `.*?` that would run to the end from every unclosed opener."""
    text = REF.sub(_blank, text)
    text = _blank_pairs(text, "```", "```")
    text = INLINE_CODE.sub(_blank, text)
    text = _blank_pairs(text, "](", ")")
    return _blank_pairs(text, "<!--", "-->")


def _blank(match: re.Match) -> str:
    """A match with every character but newlines replaced by a space."""
    return BLANK.sub(" ", match.group(0))


def _blank_pairs(text: str, opener: str, closer: str) -> str:
    """Blank each `opener ... closer` span, nearest closer first (the regular expression `opener.*?closer` with
    re.S, in one pass)."""
    out, pos = [], 0
    while (start := text.find(opener, pos)) != -1:
        end = text.find(closer, start + len(opener))
        if end == -1:
            break
        end += len(closer)
        out += [text[pos:start], BLANK.sub(" ", text[start:end])]
        pos = end
    return "".join(out) + text[pos:]


def typed_figures(text: str) -> list[tuple[int, str]]:
    """(offset, snippet) for every figure typed literally in the prose."""
    found = []
    for m in TYPED.finditer(_masked(text)):
        snippet = m.group(0).strip()
        if m.lastgroup == "number" and (YEAR.match(snippet) or _is_day(text, m.start(), m.end())):
            continue
        if m.lastgroup == "glued" and text[m.end() : m.end() + 1] in CJK_DATE and m.end() < len(text):
            continue
        found.append((m.start(), snippet))
    return found


def _is_day(text: str, start: int, end: int) -> bool:
    """True when the number is the day of a written date: '28 October' or 'October 28'."""
    return bool(DAY_OF_MONTH.match(text[end : end + 12]) or DAY_OF_MONTH.search(text[max(0, start - 12) : start]))


DATED = re.compile(rf"\b(?:1[89]|20)\d\d\b|(?:1[89]|20)\d\d年|{MONTHS}|\{{(?:year|date|[a-z_]*year)\}}")
SENTENCE_END = re.compile(r"[。！？]|[.!?](?=\s|$)|\n\s*\n")


TIME_WORD_HINT = "name the year or date it holds for (e.g. 'in 2023'), or drop the word"


class TimeWords:
    """The time-relative words of every declared language (models/languages.yaml) as one pattern: each language's
    words, as regular expressions, matched as whole words in a language that says so ('now', not 'known')."""

    def __init__(self, languages: Iterable[tuple[Sequence[str], bool]]):
        parts = [
            rf"\b(?:{'|'.join(words)})\b" if whole else f"(?:{'|'.join(words)})" for words, whole in languages if words
        ]
        self.pattern = re.compile("|".join(parts), re.IGNORECASE) if parts else None

    def find(self, text: str) -> list[tuple[int, str]]:
        """(offset, word) for every time-relative word ('latest', 'so far', 'now' ...) in a sentence that names no
        year, month or date placeholder: such a word is true the day it is written and false later. One pass each
        over the text for the words, the sentence ends and the dates (none at all for the many texts without such a
        word)."""
        if self.pattern is None or not self.pattern.search(text):
            return []
        masked = _masked(text)
        ends = [0] + [e.end() for e in SENTENCE_END.finditer(masked)] + [len(masked)]
        dated = {bisect_right(ends, d.start()) for d in DATED.finditer(masked)}  # sentences naming a year or date
        return [
            (m.start(), m.group(0)) for m in self.pattern.finditer(masked) if bisect_right(ends, m.start()) not in dated
        ]
