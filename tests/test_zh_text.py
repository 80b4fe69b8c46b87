"""The Simplified Chinese text of the profile, checked as text: no generator code is imported, only the YAML and the
Chinese article are read.

What is checked, and the rules decided for it:

1. Every English text field has its Chinese sibling, `<field>_zh`, on the next line at the same indentation:
   `name`, `short_name`, `status`, `parent`, `province`, `summary`, `tagline`, `description`, `publisher`, `country`,
   and in figures `label`, `note`, `by`, `scope`, `shared_with`, in notes `text`; `title` in site.yaml only (source
   titles stay as the source gives them). Ids, URLs, dates, numbers, quotes and choices get no
   `_zh`; a listing, a coverage statement and how a figure is derived do.
   A `_zh` value is non-empty and contains Chinese characters. The allowed exceptions are names that have no
   Chinese form (a Latin brand): written in Latin letters, such a name is listed in the item's `translated:`, or it
   repeats the English name exactly (no source gives a Chinese name, and the text says so). A name with a Chinese
   form that no source gives is written in Chinese and listed in `translated:`.
   `translated:` names only name fields of its own item (`name`, `name_zh`, `publisher_zh`, `by_zh`, `label_zh`
   when the label is the name of a body or fund), and stands on the line after the item's last name field.
   Short names (`short_name_zh`) are our own labels in both languages, like the English `short_name`, not names
   claimed from a source, so they are not listed in `translated:`.
   A Chinese name that is not listed as our translation (`name_zh`, `parent_zh`, `province_zh`, `shared_with_zh`)
   must occur in research/ (the facts, the peer figures, the audit's quotes, the seed release) or in the sources'
   own titles and publishers.
2. content/i18n/zh.yaml has exactly en.yaml's keys, in the same order, with the same {placeholders} per key, and
   starts with the schema line and a two-line comment.
3. No run of 15 or more consecutive characters is shared between any Chinese text we wrote (every `*_zh` value,
   every zh.yaml value, the Chinese article's title, summary and body with its [[references]] cut out) and any
   Chinese quote in research/facts (its `quote`, `value` and `notes` text). Names and titles are cut out of both
   sides first (item names, source titles); whitespace and punctuation are ignored, pinyin glosses in the quotes are
   dropped, and the traditional characters that occur in the quotes are read as simplified, so a copied clause is
   caught however it is punctuated or written. Because names are cut, a copied list made only of names (such as
   the quoted list of sectors) is not flagged: names are shared with the sources by design.
4. The Chinese article has the English article's front-matter keys and sources, refers only to [[keys]] the English
   article or the YAML defines, and types no figure: the only digits left once references are cut out are years
   (19xx年/20xx年) and the month and day of a date (10月28日). Small counts written as words (三个, 第四届),
   as the English article writes "three" and "fourth", are allowed.
5. No time-relative word (最新, 目前, 现在, 当前, 迄今, 至今, 截至目前, 近期, 近年来, 今年, 去年, 明年, and
   如今, 近日, 日前, 近来) in a Chinese sentence that names no year or date (a {year} placeholder counts).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
SHARED = Path(__file__).resolve().parents[1] / "research"
FACTS = SHARED / "facts" / "jiangyin-facts.yaml"
ARTICLE_EN = CONTENT / "articles" / "2023-jiangyin-development-summit.md"
ARTICLE_ZH = CONTENT / "articles" / "2023-jiangyin-development-summit.zh.md"
FILES = (
    "site.yaml",
    "profile.yaml",
    "industries.yaml",
    "companies.yaml",
    "projects.yaml",
    "events.yaml",
    "sources.yaml",
)

TEXT_KEYS = {
    "name",
    "short_name",
    "status",
    "parent",
    "province",
    "summary",
    "tagline",
    "description",
    "publisher",
    "country",
    "label",
    "note",
    "by",
    "scope",
    "shared_with",
    "text",
    "coverage",
    "derived",
    "listing",
}
NAME_FIELDS = {"name", "name_zh", "publisher_zh", "by_zh", "label_zh"}
SOURCED_NAMES = ("name_zh", "parent_zh", "province_zh", "shared_with_zh")
CUT_NAMES = ("name_zh", "short_name_zh", "parent_zh", "province_zh", "shared_with_zh")
TIME_WORDS = (
    "截至目前",
    "近年来",
    "最新",
    "目前",
    "现在",
    "当前",
    "迄今",
    "至今",
    "近期",
    "今年",
    "去年",
    "明年",
    "如今",
    "近日",
    "日前",
    "近来",
)
CJK = re.compile(r"[\u3400-\u9fff]")
REF = re.compile(r"\[\[([^\]|]+)(?:\|[^\]]*)?\]\]")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
OVERLAP = 15
# Words that contain a time word but mean something else: 注明年份 (明年), 体现在 (现在).
NOT_TIME_WORDS = re.compile(r"[注说表证标写载阐查声指]明(?=年)|[表体出实呈显发]现(?=在)")
# Traditional characters found in the facts' quotes, with their simplified forms (pairs).
TRADITIONAL = (
    "據据陰阴報报數数預预計计達达現现掛挂總总資资縣县級级長长電电導导體体凈净車车間间劃划設设備备順顺進进駐驻臺台蘇苏"
    "萊莱醫医藥药術术發发噴喷霧雾劑剂臨临試试驗验請请獲获國国監监準准開开業业億亿個个來来網网觀观風风聞闻"
)
SIMPLIFY = str.maketrans(TRADITIONAL[0::2], TRADITIONAL[1::2])


def load(name: str):
    """A content file, parsed."""
    return yaml.safe_load((CONTENT / name).read_text(encoding="utf-8"))


def dicts(node, path="$"):
    """Every mapping in a parsed YAML tree, with a readable path."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from dicts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from dicts(value, f"{path}[{i}]")


def text_keys(name: str) -> set[str]:
    """The English text fields of a file that need a Chinese sibling."""
    return TEXT_KEYS | {"title"} if name == "site.yaml" else TEXT_KEYS


def zh_values() -> list[tuple[str, str]]:
    """(where, text) for every *_zh value in the content files."""
    return [
        (f"{name}:{path}.{key}", value)
        for name in FILES
        for path, d in dicts(load(name))
        for key, value in d.items()
        if str(key).endswith("_zh") and isinstance(value, str)
    ]


def front_matter(path: Path) -> tuple[dict, str]:
    """An article's front matter and body."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path
    front, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(front), body


def chinese_texts() -> list[tuple[str, str]]:
    """(where, text) for every Chinese text we wrote: *_zh values, zh.yaml strings, the article (references cut)."""
    strings = yaml.safe_load((CONTENT / "i18n/zh.yaml").read_text(encoding="utf-8"))
    meta, body = front_matter(ARTICLE_ZH)
    article = [
        ("article:title", meta["title"]),
        ("article:summary", meta["summary"]),
        ("article:body", REF.sub("\n", body)),
    ]
    return zh_values() + [(f"zh.yaml:{k}", v) for k, v in strings.items()] + article


# 1. Every English text field has its Chinese sibling.


@pytest.mark.parametrize("name", FILES)
def test_every_text_field_has_its_chinese_sibling_on_the_next_line(name):
    lines = (CONTENT / name).read_text(encoding="utf-8").splitlines()
    missing = []
    for n, line in enumerate(lines):
        m = re.match(r"^(\s*)(- )?(\w+):\s*(\S.*)?$", line)
        if not m or m.group(3) not in text_keys(name) or not m.group(4) or m.group(4).startswith(("[", "|", ">")):
            continue
        indent = m.group(1) + ("  " if m.group(2) else "")
        nxt = lines[n + 1] if n + 1 < len(lines) else ""
        if not nxt.startswith(f"{indent}{m.group(3)}_zh: "):
            missing.append(f"{name}:{n + 1}: '{m.group(3)}' has no '{m.group(3)}_zh' on the next line")
    assert missing == []


@pytest.mark.parametrize("name", FILES)
def test_chinese_values_are_chinese_and_every_sibling_has_its_english(name):
    problems = []
    keys = text_keys(name)
    for path, d in dicts(load(name)):
        translated = d.get("translated", [])
        for key, value in d.items():
            if key in keys and isinstance(value, str) and not d.get(f"{key}_zh"):
                problems.append(f"{path}.{key}: no {key}_zh")
            if not str(key).endswith("_zh"):
                continue
            base = key.removesuffix("_zh")
            if base not in keys and not (name == "sources.yaml" and key == "title_zh"):
                problems.append(f"{path}.{key}: '{base}' is not a text field that takes a Chinese sibling")
            elif base not in d:
                problems.append(f"{path}.{key}: no English '{base}' beside it")
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{path}.{key}: empty")
            elif not CJK.search(value) and key not in translated and value != d.get(base):
                problems.append(f"{path}.{key}: {value!r} has no Chinese characters and is not listed in translated")
    assert problems == []


@pytest.mark.parametrize("name", FILES)
def test_translated_names_only_name_fields_of_its_item_after_the_last_name(name):
    problems = []
    for path, d in dicts(load(name)):
        if "translated" not in d:
            continue
        fields = d["translated"]
        if not isinstance(fields, list) or not fields:
            problems.append(f"{path}.translated: expected a non-empty list of field names")
            continue
        problems += [
            f"{path}.translated: '{f}' is not a name field of this item"
            for f in fields
            if f not in NAME_FIELDS or f not in d
        ]
        keys = list(d)
        before = keys[keys.index("translated") - 1]
        if before not in NAME_FIELDS | {"short_name", "short_name_zh"}:
            problems.append(f"{path}.translated: follows '{before}', not the item's last name field")
    assert problems == []


def known_chinese() -> str:
    """All text of the facts file and of the sources' titles and publishers: where a Chinese name may come from."""
    sources = " ".join(f"{s.get('title', '')} {s.get('title_zh', '')} {s['publisher']}" for s in load("sources.yaml"))
    research = [p.read_text(encoding="utf-8") for p in sorted(SHARED.rglob("*")) if p.suffix in (".yaml", ".txt")]
    return "\n".join(research) + sources


def test_chinese_names_not_marked_as_ours_come_from_a_source():
    known = known_chinese()
    unsourced = [
        f"{name}:{path}.{key} = {d[key]!r}"
        for name in FILES
        for path, d in dicts(load(name))
        for key in SOURCED_NAMES
        if isinstance(d.get(key), str) and key not in d.get("translated", []) and d[key] not in known
    ]
    assert unsourced == []


# 2. The interface strings.


def test_zh_strings_have_exactly_the_english_keys_in_order():
    en = yaml.safe_load((CONTENT / "i18n/en.yaml").read_text(encoding="utf-8"))
    zh = yaml.safe_load((CONTENT / "i18n/zh.yaml").read_text(encoding="utf-8"))
    assert list(zh) == list(en)


def test_zh_strings_keep_the_placeholders_of_each_key():
    en = yaml.safe_load((CONTENT / "i18n/en.yaml").read_text(encoding="utf-8"))
    zh = yaml.safe_load((CONTENT / "i18n/zh.yaml").read_text(encoding="utf-8"))
    differ = {
        k: (sorted(set(PLACEHOLDER.findall(str(en[k])))), sorted(set(PLACEHOLDER.findall(str(zh.get(k, ""))))))
        for k in en
    }
    assert {k: v for k, v in differ.items() if v[0] != v[1]} == {}
    assert all(isinstance(v, str) and v.strip() for v in zh.values())


def test_zh_strings_file_header():
    lines = (CONTENT / "i18n/zh.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../../schema/strings.schema.json"
    assert lines[1].startswith("# ") and lines[2].startswith("# ") and CJK.search(lines[1] + lines[2])
    assert not lines[3].startswith("#")


def test_dates_read_the_chinese_way():
    """Dates come from CLDR (Babel), not from the strings files: Chinese ones as 2023年10月28日."""
    from sitegen.site.numbers import human_date

    assert [human_date(d, "zh_Hans_CN") for d in ("2023-10-28", "2023-10", "2023")] == [
        "2023年10月28日",
        "2023年10月",
        "2023年",
    ]
    assert [human_date(d, "en_GB") for d in ("2023-10-28", "2023-10", "2023")] == [
        "28 October 2023",
        "October 2023",
        "2023",
    ]


# 3. No sentence copied from the Chinese quotes in the facts.


def _strings(node):
    """Every string inside a YAML value."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


def quotes() -> list[str]:
    """The Chinese text quoted in the facts file (quote, value, notes)."""
    facts = yaml.safe_load(FACTS.read_text(encoding="utf-8"))["facts"]
    found = [s for f in facts for key in ("quote", "value", "notes") for s in _strings(f.get(key)) if CJK.search(s)]
    assert len(found) > 40, "the facts file should quote many Chinese sources"
    return found


def names() -> list[str]:
    """Names and titles cut out before comparing, longest first."""
    found = {d[k] for name in FILES for _, d in dicts(load(name)) for k in CUT_NAMES if isinstance(d.get(k), str)}
    found |= {s["title"] for s in load("sources.yaml")}
    return sorted((n for n in found if len(n) > 1), key=len, reverse=True)


def segments(text: str, cut: list[str]) -> list[str]:
    """The text with names cut out, pinyin glosses dropped, traditional characters simplified, split where a name
    was and stripped of everything but letters, digits and Chinese characters."""
    text = re.sub(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+\)", "", text).translate(SIMPLIFY)
    for name in cut:
        text = text.replace(name.translate(SIMPLIFY), "\0")
    return [re.sub(r"[^0-9A-Za-z\u3400-\u9fff]", "", part) for part in text.split("\0")]


def grams(text: str, n: int = OVERLAP):
    """Every run of n characters in a text."""
    return {text[i : i + n] for i in range(len(text) - n + 1)}


def shared_runs(texts: list[tuple[str, str]], sources: list[str], cut: list[str]) -> list[str]:
    """Where one of our texts shares OVERLAP or more consecutive characters with a quote."""
    quoted = set().union(*(grams(s) for q in sources for s in segments(q, cut)))
    return [
        f"{where}: '{g}'"
        for where, text in texts
        for seg in segments(text, cut)
        for g in sorted(grams(seg))
        if g in quoted
    ]


def test_no_chinese_text_shares_a_long_run_with_a_quoted_source():
    assert shared_runs(chinese_texts(), quotes(), names()) == []


def test_the_overlap_check_catches_a_copied_clause():
    """The check can fail: a quote copied with other punctuation, or in traditional characters, is caught."""
    quote = "根據江陰2024年政府工作報告披露的數據,2023年江陰GDP增速預計達到5.8%"
    copied = [("x", "据江阴2024年政府工作报告披露的数据。2023年江阴GDP增速预计达到")]
    assert shared_runs(copied, [quote], []) != []
    assert shared_runs([("x", "江阴2024年的政府工作报告预计,2023年增速为")], [quote], []) == []


# 4. The Chinese article: its keys, its references, no typed figure.


def defined_keys() -> set[str]:
    """Every [[key]] the YAML defines: figures and item links."""
    keys = set()
    profile = load("profile.yaml")
    keys |= {f"profile.gdp.{y}" for y in profile["gdp"]}
    keys |= {f"profile.figures.{k}" for k in profile.get("figures", {})}
    keys |= {f"profile.rankings.{k}" for k in profile.get("rankings", {})}
    for kind in ("industries", "companies", "projects", "events"):
        for item in load(f"{kind}.yaml"):
            keys.add(f"{kind}.{item['id']}")
            keys |= {f"{kind}.{item['id']}.{k}" for k in (item.get("figures") or {})}
            keys |= {f"{kind}.{item['id']}.{k}" for k in ("projects", "investment") if k in item}
    return keys


def test_the_chinese_article_matches_the_english_front_matter():
    en, _ = front_matter(ARTICLE_EN)
    zh, _ = front_matter(ARTICLE_ZH)
    assert list(zh) == list(en)
    assert zh["sources"] == en["sources"]
    assert CJK.search(zh["title"]) and len(zh["title"]) <= 90
    assert CJK.search(zh["summary"]) and len(zh["summary"]) <= 200


def test_the_chinese_article_refers_only_to_known_keys():
    _, en_body = front_matter(ARTICLE_EN)
    _, zh_body = front_matter(ARTICLE_ZH)
    known = set(REF.findall(en_body)) | defined_keys()
    used = REF.findall(zh_body)
    assert used, "the article draws its figures from the data"
    assert sorted(set(used) - known) == []


def typed_figures(text: str) -> list[str]:
    """Digits left in a text once references, years and the month and day of dates are taken out."""
    text = REF.sub(" ", text)
    text = re.sub(r"(?:19|20)\d\d年|(?<!\d)\d{1,2}月|(?<!\d)\d{1,2}日", " ", text)
    return re.findall(r"\S*[0-9０-９]\S*", text)


def test_the_chinese_article_types_no_figure():
    meta, body = front_matter(ARTICLE_ZH)
    assert typed_figures(f"{meta['title']}\n{meta['summary']}\n{body}") == []


@pytest.mark.parametrize(
    "text, typed",
    [
        ("2023年10月28日,共签约[[events.summit-2023.projects]]。", False),
        ("共签约217个项目", True),
        ("计划总投资超过1000亿元", True),
        ("排名第2", True),
        ("2023年增长5.9%", True),
    ],
)
def test_typed_figures_are_found(text, typed):
    assert bool(typed_figures(text)) is typed


# 5. No time-relative word without a year.


def undated_time_words(text: str) -> list[str]:
    """Time-relative words in sentences that name no year, date or {year}."""
    found = []
    for sentence in re.split(r"[。!?!?\n]", NOT_TIME_WORDS.sub("", text)):
        if re.search(r"(?:19|20)\d\d|\{year\}|\d{1,2}月\d{1,2}日", sentence):
            continue
        found += [w for w in TIME_WORDS if w in sentence]
    return found


def test_no_time_relative_word_without_a_year():
    assert [f"{where}: {w}" for where, text in chinese_texts() for w in undated_time_words(text)] == []


@pytest.mark.parametrize(
    "text, found",
    [
        ("目前江阴有三个千亿级产业。", ["目前"]),
        ("截至2023年,江阴有三个千亿级产业。", []),
        ("2020年增长较快。今年继续增长。", ["今年"]),
        ("数据中日期最晚的一届大会({year}年)", []),
        ("页面没有注明年份,优势体现在制造业。", []),
        ("明年再办一届。", ["明年"]),
    ],
)
def test_time_relative_words_are_found(text, found):
    assert undated_time_words(text) == found
