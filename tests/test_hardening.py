"""Issue 14: hostile or clumsy input ends in exit 0 or in exit 1 with every error at `path:line:col`, in bounded
time; never a traceback (exit 3), never a hang, never unsafe output. One test (or a few) per numbered item."""

from __future__ import annotations

import re
import time

import pytest
from conftest import edit, run_build


def errors_of(result) -> list[str]:
    """The error lines of a failed build, after checking it failed as a user error (exit 1, no traceback)."""
    assert result.returncode == 1, result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    return [line for line in result.stderr.splitlines() if ": error: " in line]


def add_to_article(site, text: str) -> int:
    """Append Markdown to the fixture article; return the line number its first line lands on."""
    path = site / "content/articles/summit.md"
    before = path.read_text(encoding="utf-8")
    path.write_text(before + "\n" + text, encoding="utf-8")
    return before.count("\n") + 2


# 1. Script injection from articles: the addresses Markdown writes are checked, entities decoded.


@pytest.mark.parametrize(
    "text, col",
    [
        ("See [x][r].\n\n[r]: javascript:alert(document.domain)\n", None),
        ("See [x](&#x6A;avascript:alert(document.domain)).\n", 9),
        ("See [x](javascript&colon;alert(document.domain)).\n", 9),
        ("See ![x](JaVaScRiPt:alert(document.domain)).\n", 10),
        ("See [x](java&#x09;script:alert(document.domain)).\n", 9),
        ("See [x](&#32;vbscript:msgbox).\n", 9),
    ],
    ids=["reference", "entity", "named-entity", "image", "tab", "space"],
)
def test_article_links_are_checked_as_markdown_writes_them(site, text, col):
    line = add_to_article(site, text)
    errs = errors_of(run_build(site))
    scheme = "vbscript" if "vbscript" in text else "javascript"
    where = f"{line}:{col}" if col else f"{line + 2}:6"  # a reference-style link: at its definition
    assert errs == [f"content/articles/summit.md:{where}: error: link scheme '{scheme}:' is not allowed"]


# 5. Every scan of article text is linear.


@pytest.mark.parametrize(
    "text, expect",
    [
        ("[[" * 20000, "unclosed reference '[['"),
        ("a [[b c\n" * 5000, "unclosed reference '[['"),
        ("<!--" * 20000, None),
        ("[a " * 20000, "too many unclosed or nested '['"),
    ],
    ids=["refs", "unclosed-lines", "comments", "brackets"],
)
def test_pathological_article_text_is_read_in_linear_time(site, text, expect):
    add_to_article(site, text)
    start = time.monotonic()
    result = run_build(site)
    assert time.monotonic() - start < 15
    if expect is None:
        assert result.returncode == 0, result.stderr
    else:
        assert all(expect in e for e in errors_of(result))


def test_article_scans_scale_linearly():
    from sitegen.content.prose import typed_figures
    from sitegen.content.validate import unclosed_refs

    for text in ("<!--" * 50000, "](" * 50000, "```" * 50000, "[[" * 50000, "[[a|" * 50000, "[[ " + " " * 200000):
        start = time.monotonic()
        typed_figures(text), unclosed_refs(text)
        assert time.monotonic() - start < 2, text[:10]


# 17. Article problems are reported at the article's own lines.


@pytest.mark.parametrize("command", ["build", "check"])
def test_broken_link_in_article_is_reported_at_its_markdown_line(site, command):
    line = add_to_article(site, "See [x](/mini/nowhere/) and [y](../other/).\n")
    errs = errors_of(run_build(site, command, "--base-url", "https://example.org/mini/"))
    assert errs == [
        f"content/articles/summit.md:{line}:9: error: broken link '/mini/nowhere/' on /mini/news/summit/: "
        "no page or file at /mini/nowhere/",
        f"content/articles/summit.md:{line}:33: error: broken link '../other/' on /mini/news/summit/: "
        "no page or file at /mini/news/other/",
    ]


def test_deeply_nested_list_is_an_article_error(site):
    add_to_article(site, "".join("  " * i + "- x\n" for i in range(500)))
    errs = errors_of(run_build(site))
    assert errs == [
        "content/articles/summit.md:7:1: error: the Markdown nests too deeply (lists or quotes inside each other)"
    ]


def test_private_use_characters_in_article_stay_text(site):
    add_to_article(site, "Marks \ue0001999\ue001 and \ue000\ue001 stay.\n")
    assert run_build(site).returncode == 0
    html = (site / "_site/news/summit/index.html").read_text(encoding="utf-8")
    assert "Marks \ue0001999\ue001 and \ue000\ue001 stay." in html
    assert re.search(r'<span class="fig" data-fact="events.summit-2023.projects">', html)


def test_reference_inside_a_link_title_becomes_plain_text(site):
    add_to_article(site, 'See [x](https://example.org/ "about [[companies.chipco]]").\n')
    assert run_build(site).returncode == 0
    html = (site / "_site/news/summit/index.html").read_text(encoding="utf-8")
    assert 'title="about ChipCo"' in html


# 4. Aliases: a recursive one and an alias bomb are refused at file:line, in bounded time.

BOMB = "".join(f"x{n}: &a{n} [{', '.join([f'*a{n - 1}' if n else 'x'] * 9)}]\n" for n in range(10))


@pytest.mark.parametrize(
    "text, error",
    [
        ("tagline: &a [*a]\n", "content/site.yaml:7:10: error: recursive alias: this anchored value contains itself"),
        (
            BOMB,
            "content/site.yaml:15:5: error: aliases repeat this value into 4,412,961,486 more values (at most 100,000)",
        ),
    ],
    ids=["recursive", "bomb"],
)
def test_recursive_alias_and_alias_bomb_are_refused(site, text, error):
    path = site / "content/site.yaml"
    path.write_text(path.read_text() + text)
    start = time.monotonic()
    assert errors_of(run_build(site)) == [error]
    assert time.monotonic() - start < 10


# 6. Huge numbers are refused at validation.


@pytest.mark.parametrize(
    "old, new, error",
    [
        (
            "  edition: 4",
            "  edition: 1.0e+100000000",
            "content/events.yaml:4:12: error: the number 1.0e+100000000 is too large: at most 15 digits before "
            "the decimal point",
        ),
        (
            "    value: 217",
            "    value: 1.0e+999998\n    scale: billion",
            "content/events.yaml:8:12: error: the number 1.0e+999998 is too large: at most 15 digits before the "
            "decimal point",
        ),
        (
            "    value: 217",
            "    value: " + "9" * 5000,
            "content/events.yaml:8:12: error: the number 99999999999999999999… is too large: at most 15 digits "
            "before the "
            "decimal point",
        ),
        (
            "    value: 217",
            "    value: 0.0000000001",
            "content/events.yaml:8:12: error: the number 0.0000000001 has more than 9 digits after the decimal point",
        ),
    ],
    ids=["edition", "scaled", "digits", "decimals"],
)
def test_huge_numbers_are_refused(site, old, new, error):
    edit(site, "content/events.yaml", old, new)
    start = time.monotonic()
    assert errors_of(run_build(site)) == [error]
    assert time.monotonic() - start < 10


def test_long_base_60_number_in_a_text_field_is_explained(site):
    edit(site, "content/companies.yaml", "  name: ChipCo", "  name: " + ":".join(["1"] * 3000))
    assert errors_of(run_build(site)) == [
        "content/companies.yaml:2:9: error: expected text, got `1:1:1:1:1:1:1:1:1:1:…` "
        "is read by YAML as a whole number"
    ]


# 10. Keys that differ only in spelling are duplicates.


@pytest.mark.parametrize(
    "old, new, error",
    [
        (
            "  2021:",
            "  2022.0:",
            "content/profile.yaml:26:3: error: duplicate key '2022': it reads as '2022', already set on line 19 "
            "as '2022.0'",
        ),
        (
            "  2022:",
            "  2_021:",
            "content/profile.yaml:26:3: error: duplicate key '2_021': it reads as '2021', already set on line 19 "
            "as '2021'",
        ),
        (
            "rankings:\n",
            "rankings:\n  'gdp-county ':\n    value: 3\n    unit: rank\n    as_of: 2022\n    source: release\n"
            "    by: someone\n    scope: somewhere\n    quote: ranked third\n",
            "content/profile.yaml:42:3: error: duplicate key 'gdp-county': it reads as 'gdp-county', already set on "
            "line 34 as "
            "'gdp-county '",
        ),
    ],
    ids=["float-year", "underscore-year", "spaced-id"],
)
def test_keys_that_differ_only_in_spelling_are_duplicates(site, old, new, error):
    edit(site, "content/profile.yaml", old, new)
    assert errors_of(run_build(site)) == [error]


# 11. Control characters and unsafe address characters are refused.


@pytest.mark.parametrize(
    "rel, old, new, error",
    [
        (
            "content/companies.yaml",
            "  name: ChipCo",
            '  name: "Chip\\x01Co"',
            "content/companies.yaml:2:9: error: the text holds the control character U+0001, which no page or "
            "feed may hold",
        ),
        (
            "content/site.yaml",
            "title: Mini Profile",
            'title: "Mini\\0Profile"',
            "content/site.yaml:1:8: error: the text holds the control character U+0000, which no page or feed may hold",
        ),
        (
            "content/site.yaml",
            "title: Mini Profile",
            'title: "Mini\\uFFFEProfile"',
            "content/site.yaml:1:8: error: the text holds the control character U+FFFE, which no page or feed may hold",
        ),
        (
            "content/site.yaml",
            "base_url: https://example.org/mini/",
            'base_url: https://example.org/mi"ni/',
            "content/site.yaml:3:11: error: 'https://example.org/mi\"ni/' is not an http(s) URL",
        ),
        (
            "content/articles/summit.md",
            "## The flagship",
            "## The\0flagship",
            "content/articles/summit.md:9:7: error: the text holds the control character U+0000, which no page "
            "or feed may hold",
        ),
    ],
    ids=["x01", "nul", "nonchar", "quote-in-url", "article-nul"],
)
def test_control_characters_are_refused(site, rel, old, new, error):
    edit(site, rel, old, new)
    assert errors_of(run_build(site)) == [error]


def test_base_url_option_with_a_quote_is_a_usage_error(site):
    result = run_build(site, "--base-url", 'https://example.org/a"b/')
    assert result.returncode == 2 and "--base-url must be" in result.stderr


# 18. The item splitter accepts exactly what PyYAML accepts.


def test_quoted_text_wrapped_onto_a_dash_line_is_valid(site):
    edit(
        site,
        "content/industries.yaml",
        "  summary: Cloth and clothing made in the city.",
        '  summary: "Cloth and clothing made\n- in the city."',
    )
    assert run_build(site).returncode == 0
    html = (site / "_site/industries/textiles/index.html").read_text(encoding="utf-8")
    assert "Cloth and clothing made - in the city." in html
    edit(site, "content/industries.yaml", "  summary: Chip packaging and testing.", "  summary: Chip packaging, again.")
    assert run_build(site).returncode == 0  # incremental: the splitter meets it again


def test_a_real_syntax_error_in_a_list_file_is_still_reported_once(site):
    edit(site, "content/industries.yaml", "  summary: Chip packaging and testing.", '  summary: "Chip packaging')
    assert errors_of(run_build(site)) == [
        "content/industries.yaml:11:1: error: YAML syntax: found unexpected end of stream"
    ]


# 13. A missing UI string or a stray placeholder is reported at the strings file.


@pytest.mark.parametrize(
    "old, new, error",
    [
        ("nav_data: Data\n", "", "content/i18n/en.yaml:1:1: error: missing string 'nav_data'"),
        ("tier_pillar: Pillar industry\n", "", "content/i18n/en.yaml:1:1: error: missing string 'tier_pillar'"),
        (
            'data_rows: "{rows} rows"',
            'data_rows: "{rows} rows {nope}"',
            "content/i18n/en.yaml:139:12: error: string 'data_rows' has the unknown placeholder {nope}",
        ),
        (
            'data_figures: "{rows} figures"',
            'data_figures: "{rows figures"',
            "content/i18n/en.yaml:140:15: error: string 'data_figures': expected '}' before end of string",
        ),
    ],
    ids=["menu", "template", "placeholder", "brace"],
)
def test_ui_string_mistakes_are_reported_in_the_strings_file(site, old, new, error):
    edit(site, "content/i18n/en.yaml", old, new)
    assert errors_of(run_build(site)) == [error]


# 14. A template that is not UTF-8 is a located error.


@pytest.mark.parametrize(
    "name, data, error",
    [
        ("404.html", None, "templates/404.html:4:7: error: invalid UTF-8 byte 0xe9"),
        ("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00", "templates/logo.png:1:1: error: invalid UTF-8 byte 0x89"),
    ],
    ids=["latin-1", "binary"],
)
def test_template_that_is_not_utf8_is_reported(site, name, data, error):
    path = site / "templates" / name
    if data is None:
        data = path.read_bytes().replace(
            b"{% block content %}", "{% block content %}\n<p>Caf\xe9</p>".encode("latin-1")
        )
    path.write_bytes(data)
    assert errors_of(run_build(site)) == [error]


# 21. The header logo keeps its size when the stylesheet does not load.


def test_logo_is_small_without_the_stylesheet(page, live_site):
    base, _ = live_site
    page.route("**/*.css", lambda route: route.abort())
    page.goto(base)
    box = page.locator(".brand-mark").bounding_box()
    assert box["width"] <= 32 and box["height"] <= 32


# 2. Nothing from outside the project, and nothing from a hidden folder, is published.


def test_link_out_of_the_project_is_refused(site, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web\n")
    (site / "static/passwd.txt").symlink_to(secret)
    errs = errors_of(run_build(site))
    assert errs == [
        f"static/passwd.txt: error: it is a link to {secret}, outside the project, which would be published"
    ]


def test_link_inside_the_project_and_hidden_folders(site):
    (site / "static/x/.env").mkdir(parents=True)
    (site / "static/x/.env/secret").write_text("token\n")
    (site / "static/x/.hidden.txt").write_text("hidden\n")
    (site / "static/again.svg").symlink_to(site / "static/favicon.svg")
    assert run_build(site).returncode == 0
    assert not (site / "_site/x").exists()
    assert (site / "_site/again.svg").read_bytes() == (site / "static/favicon.svg").read_bytes()


# 19. Every error has a place; articles with another Markdown suffix are not ignored silently; the preview answers
# a NUL in a URL with 404 and HEAD like GET (see test_preview_guards below).


def test_static_file_colliding_with_a_generated_one_is_blamed_on_the_static_file(site):
    (site / "static/sitemap.xml").write_text("<urlset/>\n")
    result = run_build(site)
    assert errors_of(result) == [
        "static/sitemap.xml: error: 'sitemap.xml' is written twice: by static/sitemap.xml "
        "and by publish: sitemap of every page"
    ]
    assert "rename or remove static/sitemap.xml" in result.stderr


@pytest.mark.parametrize("name", ["news.MD", "news.markdown"])
def test_article_with_another_markdown_suffix_is_an_error(site, name):
    (site / "content/articles" / name).write_text((site / "content/articles/summit.md").read_text())
    assert errors_of(run_build(site)) == [
        f"content/articles/{name}: error: '{name}' is not read: articles are named *.md"
    ]


# 3 and 19. The preview: a warning beyond loopback; on loopback, only loopback Host names and its own pages'
# websockets; a NUL in a URL is a 404; HEAD answers like GET.


def http(port: int, request: str) -> str:
    """Send one raw HTTP request to the preview; return the status line and headers."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request.encode("latin-1"))
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
    return data.decode("latin-1")


def upgrade(port: int, origin: str) -> str:
    return http(
        port,
        f"GET /livereload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n",
    )


def test_preview_guards(site):
    from test_serve import start_preview

    proc, port = start_preview(site)
    try:
        get = "GET / HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n"
        assert http(port, get.format(f"127.0.0.1:{port}")).startswith("HTTP/1.1 200")
        assert http(port, get.format(f"localhost:{port}")).startswith("HTTP/1.1 200")
        assert http(port, get.format(f"evil.example:{port}")).startswith("HTTP/1.1 403")
        assert http(port, get.format("127.0.0.1:1")).startswith("HTTP/1.1 403")
        assert upgrade(port, f"http://127.0.0.1:{port}").startswith("HTTP/1.1 101")
        assert upgrade(port, "http://evil.example").startswith("HTTP/1.1 403")
        assert upgrade(port, "http://[x").startswith("HTTP/1.1 403")
        assert http(port, f"GET /%00 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").startswith(
            "HTTP/1.1 404"
        )
        head = http(port, f"HEAD / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")
        assert head.startswith("HTTP/1.1 200") and head.endswith("\r\n\r\n") and "text/html" in head
    finally:
        proc.terminate()
        proc.wait(10)


def test_preview_beyond_loopback_warns(site):
    import subprocess
    import sys

    from conftest import REPO
    from test_serve import free_port

    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "build.py"),
            "serve",
            "--root",
            str(site),
            "--port",
            str(port),
            "--host",
            "0.0.0.0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "Serving" not in proc.stdout.readline():
            pass
        time.sleep(0.3)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "warning: --host 0.0.0.0 lets every machine that can reach this one open the preview" in err


# Found by the property tests: a syntax error at the end of a file without a final line break was placed on a line
# past the end.


def test_syntax_error_at_the_end_of_a_file_is_on_its_last_line(site):
    path = site / "content/site.yaml"
    path.write_text(path.read_text() + "oops")
    assert errors_of(run_build(site)) == ["content/site.yaml:7:5: error: YAML syntax: could not find expected ':'"]


# Found by the property tests: an address with an unclosed '[' in its host made urlsplit raise (exit 3).


def test_address_with_an_unclosed_bracket_is_an_error(site):
    edit(site, "content/site.yaml", "languages: [en]", "languages: [en]\nrepository: https://[profile.gdp.2022/")
    line = add_to_article(site, "See [x](http://[x/).\n")
    assert errors_of(run_build(site)) == [
        "content/site.yaml:5:13: error: 'https://[profile.gdp.2022/' is not an http(s) URL"
    ]  # content errors stop the build before any link is checked
    edit(site, "content/site.yaml", "repository: https://[profile.gdp.2022/", "repository: https://example.org/")
    assert errors_of(run_build(site, "--base-url", "https://example.org/mini/")) == [
        f"content/articles/summit.md:{line}:9: error: broken link 'http://[x/' on /mini/news/summit/: it is not a "
        "valid address"
    ]
    assert run_build(site, "--base-url", "https://[x/").returncode == 2
