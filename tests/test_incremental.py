"""Incremental rebuilds: after any sequence of edits, the output equals a full build byte for byte."""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

import pytest
from conftest import REPO, build, make_site, tree_bytes

from sitegen.errors import BuildFailed


def edit_figure(root: Path, rng: random.Random) -> str:
    path = rng.choice(
        ["content/events.yaml", "content/profile.yaml", "content/companies.yaml", "content/projects.yaml"]
    )
    text = (root / path).read_text()

    # A figure whose quote writes its value as the YAML does: an editor changes both, as the build checks they agree.
    def quoted(m):
        return re.compile(rf"\n\s+quote: [^\n]*?(?<![\d.,]){re.escape(m.group(2))}(?![\d.,]\d)").search(text, m.end())

    spots = [
        (m, q)
        for m in re.finditer(r"(\n\s+value: )(\d+(?:\.\d+)?)\n", text)
        if (q := quoted(m)) and not re.search(r"\n\s+value: ", text[m.end() : q.start()])
    ]
    m, q = rng.choice(spots)
    new = str(rng.randint(1, 999))
    at = q.end() - len(m.group(2))
    (root / path).write_text(text[: m.start(2)] + new + text[m.end(2) : at] + new + text[q.end() :])
    return f"{path}: value {m.group(2)} -> {new}"


def edit_text(root: Path, rng: random.Random) -> str:
    path = rng.choice(
        ["content/industries.yaml", "content/companies.yaml", "content/projects.yaml", "content/sources.yaml"]
    )
    text = (root / path).read_text()
    m = rng.choice(list(re.finditer(r'\n  (name|summary|title|publisher): "([^"\n]+)"', text)))
    word = rng.choice(["Changed", "Edited", "Revised"])
    (root / path).write_text(text[: m.start(2)] + f"{word} {m.group(2)}" + text[m.end(2) :])
    return f"{path}: {m.group(1)} edited"


def edit_template(root: Path, rng: random.Random) -> str:
    name = rng.choice(sorted(p.name for p in (root / "templates").glob("*.html")))
    path = root / "templates" / name
    path.write_text(
        path.read_text()
        + f"{{# edit {rng.random()} #}}\n"
        + ("<!-- x -->\n" if name.startswith("_") is False and "extends" not in path.read_text() else "")
    )
    text = path.read_text()
    if "{% block content %}" in text:
        path.write_text(text.replace("{% block content %}", "{% block content %}<!-- edited -->", 1))
    return f"templates/{name} edited"


def edit_article(root: Path, rng: random.Random) -> str:
    path = next((root / "content/articles").glob("*.md"))
    word = rng.choice(["first", "second", "third", "last"])
    path.write_text(path.read_text() + f"\nA {word} closing line, on [[profile.gdp.2022]].\n")
    return "article edited"


def edit_string(root: Path, rng: random.Random) -> str:
    path = root / "content/i18n/en.yaml"
    text = path.read_text()
    m = rng.choice(list(re.finditer(r"\n(nav_[a-z]+|sources_title|not_found_title): (.+)", text)))
    path.write_text(text[: m.start(2)] + m.group(2) + " X" + text[m.end(2) :])
    return f"string {m.group(1)} edited"


def edit_static(root: Path, rng: random.Random) -> str:
    path = root / "static/style.css"
    path.write_text(path.read_text() + f"\n/* {rng.random()} */\n")
    return "style.css edited"


def add_and_remove_project(root: Path, rng: random.Random) -> str:
    path = root / "content/projects.yaml"
    text = path.read_text()
    if "id: added-project" in text:
        path.write_text(text.split("\n- id: added-project")[0] + "\n")
        return "project removed"
    path.write_text(
        text.rstrip("\n") + '\n\n- id: added-project\n  name: "An added project"\n'
        '  name_zh: "新增项目"\n  company: jcet\n'
        "  industry: integrated-circuits\n  status: [signed]\n  year: 2024\n"
        '  summary: "Added by the test."\n  summary_zh: "测试新增。"\n  source: xinhua-2023-summit\n'
    )
    return "project added"


def break_and_fix(root: Path, rng: random.Random) -> str:
    path = root / "content/site.yaml"
    text = path.read_text()
    path.write_text(text + "\nunknown_key: 1\n")
    with pytest.raises(BuildFailed):
        build(root, root / "_inc", last=STATE[0])
    path.write_text(text)
    return "broken then fixed"


EDITS = [
    edit_figure,
    edit_text,
    edit_template,
    edit_article,
    edit_string,
    edit_static,
    add_and_remove_project,
    break_and_fix,
]
STATE = [None]


def test_random_edits_rebuild_incrementally_to_the_full_build(tmp_path):
    """The structural edits (EDITS) in a row, with three projects to an index page so that the project index spans
    pages; the campaign below makes them too, among edits of every text, with the site's own page size."""
    seed, page_size = 3, 3
    rng = random.Random(seed)
    root = make_site(tmp_path / "site", content=REPO / "content")
    set_page_size(root, page_size)  # 3: the project index spans pages
    STATE[0] = build(root, root / "_inc").state
    partial = 0
    for step in range(8):
        what = rng.choice(EDITS)(root, rng)
        result = build(root, root / "_inc", last=STATE[0])
        STATE[0] = result.state
        build(root, tmp_path / f"full-{step}")
        assert tree_bytes(root / "_inc") == tree_bytes(tmp_path / f"full-{step}"), f"step {step}: {what}"
        partial += result.rendered < result.pages
    assert partial >= 2, "most edits should re-render only some pages"


def test_an_english_note_reaches_the_data_page_in_every_language(tmp_path):
    """The drift found on 2026-12-06: an English note changes data/facts.json, whose size the Data page shows in
    both languages; the Chinese Data page kept the old size."""
    root = make_site(tmp_path / "site", content=REPO / "content")
    state = build(root, root / "_inc").state
    path = root / "content/profile.yaml"
    path.write_text(path.read_text().replace('    note: "', '    note: "Edited. ', 1))
    build(root, root / "_inc", last=state)
    build(root, tmp_path / "fresh")
    for page in ("data/index.html", "zh/data/index.html"):
        assert (root / "_inc" / page).read_bytes() == (tmp_path / "fresh" / page).read_bytes(), page
    assert tree_bytes(root / "_inc") == tree_bytes(tmp_path / "fresh")


def test_verify_compares_an_incremental_build_with_a_fresh_one(tmp_path):
    """--verify (or SITEGEN_VERIFY=1) builds afresh beside and compares; a difference is a generator bug (exit 3),
    named by the first file that differs."""
    import os

    from conftest import run_build

    root = make_site(tmp_path / "site", content=REPO / "content")
    assert run_build(root).returncode == 0
    path = root / "content/profile.yaml"
    path.write_text(path.read_text().replace('    note: "', '    note: "Edited. ', 1))
    done = run_build(root, env={**os.environ, "SITEGEN_VERIFY": "1"})
    assert done.returncode == 0, done.stderr
    robots = root / "_site/robots.txt"
    stat, text = robots.stat(), robots.read_text()
    robots.write_text(text.replace("Allow", "Alloy"))  # changed by hand, in place, so that size and time stay
    os.utime(robots, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    path.write_text(path.read_text().replace("Edited. ", "Edited again. ", 1))
    done = run_build(root, "--verify")
    assert done.returncode == 3 and "robots.txt differs from a fresh build" in done.stderr, done.stderr


def test_figure_edit_rerenders_only_pages_that_show_it(tmp_path):
    root = make_site(tmp_path / "site", content=REPO / "content")
    state = build(root, root / "_inc").state
    path = root / "content/companies.yaml"
    text = path.read_text().replace("value: 19812", "value: 19813")
    path.write_text(text.replace("| 19,812 (2023)", "| 19,813 (2023)"))  # and the quote that states it
    result = build(root, root / "_inc", last=state)
    # the company, its project, lists naming it, the article, sources, and the Data page (it lists the downloads'
    # sizes), in each of the two languages: the same pages in both
    assert result.rendered <= 16, result.rendered
    pages = {d for d, entry in result.state.outputs.items() if d.endswith(".html") and entry is not state.outputs[d]}
    assert len(pages) == result.rendered and {p for p in pages if not p.startswith("zh/")} == {
        p.removeprefix("zh/") for p in pages if p.startswith("zh/")
    }


@pytest.mark.parametrize("search", [False, True], ids=["preview", "command line"])
def test_an_edit_after_the_output_was_removed_by_hand_rebuilds_it_whole(tmp_path, search):
    # the preview keeps the last state in memory: a folder (or one page) deleted meanwhile must not be trusted
    import shutil

    root = make_site(tmp_path / "site", content=REPO / "content")
    state = build(root, root / "_inc").state
    fresh = tree_bytes(root / "_inc")
    shutil.rmtree(root / "_inc")
    result = build(root, root / "_inc", last=state, search=search)
    pages = {k: v for k, v in fresh.items() if not k.startswith("pagefind/")}  # the preview indexes later, when idle
    assert tree_bytes(root / "_inc") == (fresh if search else pages) and result.search_stale is not search
    state = result.state
    (root / "_inc/companies/jcet/index.html").unlink()
    path = root / "content/companies.yaml"
    path.write_text(path.read_text().replace("packages and tests chips", "tests and packages chips", 1))
    result = build(root, root / "_inc", last=state, search=search)  # no "cannot write" error
    assert (root / "_inc/companies/jcet/index.html").is_file()


def test_unchanged_rebuild_renders_and_writes_nothing(tmp_path):
    root = make_site(tmp_path / "site", content=REPO / "content")
    state = build(root, root / "_inc").state
    result = build(root, root / "_inc", last=state)
    assert (result.rendered, result.written) == (0, 0)


def set_page_size(root, size: int) -> None:
    """Split every index into pages of `size` items, as the site's models say."""
    for path in (root / "models").glob("*.yaml"):
        path.write_text(path.read_text().replace("per_page: 100", f"per_page: {size}"))


def test_index_pages_split_and_link_to_each_other(tmp_path):
    root = make_site(tmp_path / "site", content=REPO / "content")
    set_page_size(root, 3)
    result = build(root, root / "_site")  # the build's link check proves every pager link resolves
    pages = sorted(
        p.relative_to(root / "_site").as_posix()
        for p in (root / "_site/projects").rglob("index.html")
        if "/page/" in p.as_posix()
    )
    assert pages == ["projects/page/2/index.html", "projects/page/3/index.html"]
    second = (root / "_site/projects/page/2/index.html").read_text()
    assert 'rel="prev"' in second and 'rel="next"' in second and "Page 2 of 3" in second
    assert result.rendered == result.pages


def test_sources_page_depends_only_on_the_figures_it_lists(tmp_path):
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    import synth  # the benchmark's content: more figures per source than the sources page lists

    root = synth.write_site(tmp_path / "site", 120)
    state = build(root, root / "_inc").state
    sources = (root / "_inc/sources/index.html").read_text()
    listed = set(re.findall(r'data-fact="projects\.(project-\d+)\.investment"', sources))
    hidden = next(f"project-{i}" for i in range(120) if f"project-{i}" not in listed)
    shown = sorted(listed)[0]
    for project, value in ((hidden, 901), (shown, 902)):
        synth.edit_one_figure(root, project=int(project.split("-")[1]), value=value)
        result = build(root, root / "_inc", last=state)
        rendered = {d for d, entry in result.state.outputs.items() if entry is not state.outputs.get(d)}
        state = result.state
        assert f"projects/{project}/index.html" in rendered
        assert ("sources/index.html" in rendered) == (project == shown), (project, rendered)
        build(root, tmp_path / f"full-{value}")
        assert tree_bytes(root / "_inc") == tree_bytes(tmp_path / f"full-{value}")


def test_pages_that_list_an_edited_item_show_its_new_values(tmp_path):
    """An edited item must reach every page that lists it, and a changed attribute must move it to its new list."""
    root = make_site(tmp_path / "site", content=REPO / "content")
    state = build(root, root / "_inc").state
    path = root / "content/projects.yaml"
    text = path.read_text()
    steps = [
        text.replace('name: "SJ Semiconductor 3DIC packaging project"', 'name: "Renamed 3DIC project"', 1),
        text.replace("  industry: integrated-circuits\n", "  industry: high-end-textiles\n", 2),
    ]
    for n, new in enumerate(steps):
        assert new != text
        path.write_text(new)
        state = build(root, root / "_inc", last=state).state
        build(root, tmp_path / f"full-{n}")
        assert tree_bytes(root / "_inc") == tree_bytes(tmp_path / f"full-{n}"), f"step {n}"
    assert "Renamed 3DIC project" not in (root / "_inc/industries/integrated-circuits/index.html").read_text()
    path.write_text(steps[0])
    state = build(root, root / "_inc", last=state).state
    assert "Renamed 3DIC project" in (root / "_inc/industries/integrated-circuits/index.html").read_text()
    assert "Renamed 3DIC project" in (root / "_inc/companies/sj-semiconductor/index.html").read_text()


def mutate(text: str, rng: random.Random) -> str:
    """One random edit of a list file: a value, a comment line, a deleted line, a moved, copied or dropped item,
    the lead comment, a stray character (often invalid YAML) or a new last item."""
    lines = text.split("\n")
    items = [n for n, line in enumerate(lines) if line.startswith("- ")]
    n = rng.randrange(len(lines))
    kind = rng.randrange(8)
    if kind == 0:
        values = [k for k, line in enumerate(lines) if re.search(r"value: \d", line)]
        k = rng.choice(values)
        lines[k] = re.sub(r"value: \d+", f"value: {rng.randint(1, 99999)}", lines[k])
    elif kind == 1:
        lines.insert(n, "# a comment line")
    elif kind == 2:
        del lines[n]
    elif kind in (3, 4):  # copy or drop a whole item
        k = rng.randrange(len(items))
        end = items[k + 1] if k + 1 < len(items) else len(lines)
        block = lines[items[k] : end]
        if kind == 3:
            lines[items[rng.randrange(len(items))] : items[rng.randrange(len(items))]] = block
        else:
            del lines[items[k] : end]
    elif kind == 5:
        lines[0] = f"# lead {rng.random()}"
    elif kind == 6:
        k = rng.randrange(len(text))
        return text[:k] + rng.choice("x:-\n #&'\"") + text[k + 1 :]
    else:
        lines += [
            "- id: late-" + str(rng.randint(1, 999)),
            '  name: "A late project"',
            "  company: jcet",
            "  industry: integrated-circuits",
            "  status: [signed]",
            "  year: 2024",
            '  summary: "Added last."',
            "  source: xinhua-2023-summit",
            "",
        ]
    return "\n".join(lines)


def locations(value) -> list:
    """Every location held in parsed content, in order."""
    from sitegen.errors import Location

    if isinstance(value, Location):
        return [value]
    if isinstance(value, (tuple, list)):
        return [loc for v in value for loc in locations(v)]
    if isinstance(value, dict):
        return [loc for v in value.values() for loc in locations(v)]
    if hasattr(value, "__dataclass_fields__"):
        return [loc for v in vars(value).values() for loc in locations(v)]
    return []


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_list_files_parsed_item_by_item_match_a_fresh_parse(tmp_path, seed):
    """A list file is parsed item by item, an item whose text is unchanged taken from the memo of the last good
    load; whatever the edit, the content, its locations, errors and warnings equal a load without the memo."""
    from sitegen.content.validate import load_content
    from sitegen.errors import Problems

    root = make_site(tmp_path / "site", content=REPO / "content")
    rng, good = random.Random(seed), {}
    assert load_content(root, Problems(), memo=good) is not None
    for path in ("content/projects.yaml", "content/companies.yaml") * 12:
        before = (root / path).read_text()
        (root / path).write_text(mutate(before, rng))
        memo, again, fresh = dict(good), Problems(), Problems()
        content, expected = load_content(root, again, memo=memo), load_content(root, fresh, memo={})
        assert content == expected and locations(content) == locations(expected)  # == leaves locations out
        assert [e.format() for e in again.errors + again.warnings] == [
            e.format() for e in fresh.errors + fresh.warnings
        ]
        if content is None:
            (root / path).write_text(before)  # keep the file mostly valid, as an editor fixing a mistake would
        else:
            good = memo


CAMPAIGN = int(os.environ.get("CAMPAIGN_EDITS", "8"))  # 1,000 or more for a long run (an edit takes two builds)
CAMPAIGN_SEED = int(os.environ.get("CAMPAIGN_SEED", str(random.randrange(10**6))))


def campaign_edit(root: Path, rng: random.Random) -> str:
    """One random edit of any content file, in either language: a text gains or loses a word (a name, a note, an
    article's sentence, an interface string, in English or Chinese), or a number changes (with its quote, where the
    quote writes it as the YAML does); or one of the structural edits above."""
    if rng.random() < 0.2:
        return rng.choice(EDITS)(root, rng)
    files = sorted(p for p in (root / "content").rglob("*") if p.suffix in (".yaml", ".md"))
    path = rng.choice(files)
    text = path.read_text(encoding="utf-8")
    texts = list(re.finditer(r"(?m)^(\s*(?:- )?[a-z_]+(?:_zh)?: )\"([^\"\n]{3,})\"$", text))
    if path.suffix == ".md" or not texts:
        lines = [m for m in re.finditer(r"(?m)^[A-Z\u4e00-\u9fff][^\n\[\]]{10,}$", text)]
        if not lines:
            return "nothing to edit"
        m = rng.choice(lines)
        word = rng.choice(["Also", "Again", "另外", "同时"])
        path.write_text(text[: m.start()] + word + " " + text[m.start() :], encoding="utf-8")
        return f"{path.name}: a line of prose edited"
    m = rng.choice(texts)
    word = rng.choice(["changed", "revised", "修订", "改写"])
    new = f"{m.group(2)} {word}" if rng.random() < 0.7 else m.group(2)[: max(3, len(m.group(2)) // 2)]
    path.write_text(text[: m.start(2)] + new + text[m.end(2) :], encoding="utf-8")
    return f"{path.name}: {m.group(1).strip()} edited"


def test_random_edit_campaign_incremental_equals_fresh(tmp_path):
    """Issue 22 item 2: random edits across every content file in both languages, each built incrementally (an edit
    that breaks the build is undone) and compared with a fresh build, byte for byte. CAMPAIGN_EDITS=1000 for the
    long run; CAMPAIGN_SEED repeats one."""
    rng = random.Random(CAMPAIGN_SEED)
    root = make_site(tmp_path / "site", content=REPO / "content")
    state = build(root, root / "_inc").state
    made = failed = 0
    for step in range(CAMPAIGN):
        before = {p: p.read_bytes() for p in (root / "content").rglob("*") if p.is_file()}
        what = campaign_edit(root, rng)
        try:
            state = build(root, root / "_inc", last=state).state
        except BuildFailed:
            for p, data in before.items():  # as an editor would: the mistake undone
                p.write_bytes(data)
            failed += 1
            continue
        build(root, tmp_path / "fresh")
        assert tree_bytes(root / "_inc") == tree_bytes(tmp_path / "fresh"), f"seed {CAMPAIGN_SEED}, step {step}: {what}"
        made += 1
    print(f"campaign: seed {CAMPAIGN_SEED}, {made} edits built and equal to a fresh build, {failed} refused")
    assert made >= CAMPAIGN // 2


def test_a_read_of_one_attribute_of_every_item_is_digested_as_afresh_when_items_shift():
    """The digest of one attribute of every item reuses, from the last build, the digests of the items whose text is
    unchanged at the same place. Items that share a fingerprint (the figures of one item) can move to each other's
    places when other items lose and gain figures: the digest must still be the one a build without a last build
    makes."""
    from types import SimpleNamespace

    from sitegen.incremental.digests import Digests
    from sitegen.site.reads import attribute

    def digest(figures: dict, memo: dict) -> bytes:
        """The digest of the read in a build of these figures, which leaves its digests in `memo` as a build does."""
        prints = {("figures", key): owner * 16 for key, (owner, _) in figures.items()}
        view = SimpleNamespace(figures={key: SimpleNamespace(source=source) for key, (_, source) in figures.items()})
        digests = Digests(view, prints, {}, SimpleNamespace(marks={}), {}, "en", memo)
        found = digests[("figures", attribute("source"))]
        digests.keep()
        return found

    before = {"a.1": (b"A", "s"), "a.2": (b"A", "s"), "c.1": (b"C", "s1"), "c.2": (b"C", "s2"), "b.1": (b"B", "s")}
    after = {"a.1": (b"a", "s"), "c.1": (b"C", "s1"), "c.2": (b"C", "s2"), "b.1": (b"b", "s"), "b.2": (b"b", "s")}
    edited = {**before, "c.2": (b"D", "s3")}  # one item's text changed in its place
    for then, now in ((before, after), (before, edited), (edited, before)):
        memo: dict = {}
        digest(then, memo)
        assert digest(now, memo) == digest(now, {}), now
