"""Article bodies as HTML: Markdown converted once per body, in bounded time, every link it writes checked as a
browser reads it, and every link traced back to its line in the Markdown."""

from __future__ import annotations

import functools
import itertools
import re
import signal
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape

from ..content import model
from ..content.validate import REF, body_location
from ..errors import Location, Problems

SAFE_SCHEMES = ("http", "https", "mailto")
LINK_ATTR = re.compile(r'\s(?:href|src)="([^"]*)"')  # Markdown writes every attribute double-quoted
SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# Where an article writes a link's address: an inline link `](url)`, a reference definition `[r]: url`, and the
# attribute of raw HTML (`<a href="url">`, which Markdown keeps as text, its attribute still checked).
DESTINATION = re.compile(
    r"\]\([ \t]*<?([^)\s>]+)|^[ ]{0,3}\[[^\]\n]+\]:[ \t]*<?([^\s>]+)"
    r"|\s(?:href|src)[ \t]*=[ \t]*\"([^\"]*)\"",
    re.M,
)
BRACKET_OR_BLANK = re.compile(r"[\[\]]|\n[ \t]*\n")
TAG = re.compile(r"<[^>]*>")
# The first block boundary after a reference: the end of an element that holds phrasing only (a paragraph, a
# heading), or a tag that opens or closes a block in which a disclosure may stand.
BLOCK = re.compile(r"</(?:p|h[1-6])>|</?(?:li|td|th|dd|dt|blockquote|ul|ol|table|pre|div|hr)\b[^>]*>")
PHRASING_END = re.compile(r"</(?:p|h[1-6])>")
SECONDS = 10.0  # Markdown's time for one article: far above any real one, so a pathological text cannot freeze
BRACKET_BUDGET = 2_000_000  # characters Markdown may walk matching '[' with ']' (it walks from every '[' again)


@dataclass(frozen=True)
class Converted:
    """An article body as HTML, each [[reference]] left as a slot (marker, its number, marker) to fill per page."""

    html: str
    marker: str

    def fill(self, pieces: list[str], after: Callable[[list[int]], str] | None = None) -> str:
        """The HTML with slot n replaced by pieces[n]; inside a tag (an alt or title text) by its text only. With
        `after`, what after(slots) gives follows the block that holds those slots: after its paragraph or heading
        (which can hold no block), or at the end of its list item or table cell, before any list nested in it."""
        slot = re.compile(f"{self.marker}(\\d+){self.marker}")
        html = self.html
        if after is not None:
            places: dict[int, list[int]] = {}
            for m in slot.finditer(html):
                block = BLOCK.search(html, m.end())
                if block is None:
                    at = len(html)
                else:
                    at = block.end() if PHRASING_END.fullmatch(block.group()) else block.start()
                places.setdefault(at, []).append(int(m.group(1)))
            for at in sorted(places, reverse=True):
                html = html[:at] + str(after(places[at])) + html[at:]
        html = TAG.sub(lambda tag: slot.sub(lambda m: TAG.sub("", pieces[int(m.group(1))]), tag.group()), html)
        return slot.sub(lambda m: pieces[int(m.group(1))], html)


class TooSlow(Exception):
    """Markdown ran out of time on one article."""


def convert(article: model.Article, problems: Problems) -> Converted | None:
    """The article's body as HTML, or None with the reason reported at the article; a link whose scheme a browser
    would run (javascript:) is reported at its line in the Markdown."""
    done = _convert(article, problems)
    if done is None:
        return None
    for url in LINK_ATTR.findall(done.html):
        scheme = url_scheme(url)
        if scheme and scheme not in SAFE_SCHEMES:
            problems.error(
                link_location(article, url) or body_location(article, 0),
                f"link scheme '{scheme}:' is not allowed",
                "link to an https:// address or a page of this site",
            )
    return done


def _convert(article: model.Article, problems: Problems) -> Converted | None:
    """Convert a body whose [[references]] are swapped for slots; report what Markdown cannot read in good time."""
    body = article.body
    cost, worst = bracket_cost(body)
    if cost > BRACKET_BUDGET:
        problems.error(
            body_location(article, worst),
            "too many unclosed or nested '[' for Markdown to read in good time",
            "close each '[' with ']', or write '\\[' for a bracket shown as it is",
        )
        return None
    marker = free_marker(body)
    count = itertools.count()
    text = REF.sub(lambda m: f"{marker}{next(count)}{marker}", body)
    md = _markdown()
    try:
        with time_limit(SECONDS):
            md.reset()
            html = md.convert(text)
    except RecursionError:
        problems.error(
            body_location(article, 0),
            "the Markdown nests too deeply (lists or quotes inside each other)",
            "nest lists and quotes at most a few levels deep",
        )
        return None
    except TooSlow:
        problems.error(
            body_location(article, 0),
            f"Markdown took more than {SECONDS:.0f} s to convert this article",
            "look for long runs of brackets, backticks, headings or deeply nested lists",
        )
        return None
    finally:
        md.reset()
    return Converted(html, marker)


def free_marker(body: str) -> str:
    """A private-use character the body does not hold, to mark the references' slots unmistakably."""
    used = set(body)
    for first, last in ((0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD)):
        for code in range(first, last + 1):
            if chr(code) not in used:
                return chr(code)
    raise ValueError("no free private-use character")  # a body of 137,000 distinct private-use characters


def bracket_cost(text: str) -> tuple[int, int]:
    """How many characters Markdown walks matching each '[' with its ']' (to the paragraph's end when none
    closes it), and the offset of the costliest '['. Linear: each bracket is pushed and popped once."""
    stack: list[int] = []
    cost, worst, worst_at = 0, -1, 0
    for m in BRACKET_OR_BLANK.finditer(text + "\n\n"):
        c = m.group()
        if c == "[":
            stack.append(m.start())
        elif c == "]" and stack:
            start = stack.pop()
            cost += m.start() - start
            if m.start() - start > worst:
                worst, worst_at = m.start() - start, start
        elif c != "]":  # a blank line: Markdown matches brackets within one paragraph
            if stack:
                cost += len(stack) * m.start() - sum(stack)
                if m.start() - stack[0] > worst:
                    worst, worst_at = m.start() - stack[0], stack[0]
                stack.clear()
    return cost, min(worst_at, len(text))


def url_scheme(url: str) -> str:
    """The scheme of an attribute value as a browser reads it (entities decoded, tabs and newlines dropped,
    surrounding spaces and control characters stripped), lowercased; '' for a relative address."""
    value = re.sub(r"[\t\n\r]", "", unescape(url)).strip("".join(map(chr, range(33))))
    m = SCHEME.match(value)
    return m.group(1).lower() if m else ""


def link_location(article: model.Article, url: str) -> Location | None:
    """Where the article's Markdown writes the address `url` (as found in its HTML), if it does."""
    wanted, prefix = unescape(url), None
    for m in DESTINATION.finditer(article.body):
        group = m.lastindex or 1
        value = unescape(m.group(group))
        if value == wanted:
            return body_location(article, m.start(group))
        if prefix is None and value and wanted.startswith(value):  # `](a(b))`: the address holds parentheses
            prefix = m.start(group)
    return body_location(article, prefix) if prefix is not None else None


TIMER_SIGNALS = (
    {signal.ITIMER_REAL: signal.SIGALRM, signal.ITIMER_PROF: signal.SIGPROF} if hasattr(signal, "setitimer") else {}
)


@contextmanager
def time_limit(seconds: float, timer: int = getattr(signal, "ITIMER_REAL", 0), error: type = TooSlow):
    """Raise `error` in the block after `seconds` of the timer's time (real time; CPU time with ITIMER_PROF), in the
    main thread, where signals arrive; elsewhere, or without interval timers, no limit."""
    if threading.current_thread() is not threading.main_thread() or timer not in TIMER_SIGNALS:
        yield
        return

    def expired(signum, frame):
        raise error(f"more than {seconds} s")

    previous = signal.signal(TIMER_SIGNALS[timer], expired)
    signal.setitimer(timer, seconds)
    try:
        yield
    finally:
        signal.setitimer(timer, 0)
        signal.signal(TIMER_SIGNALS[timer], previous)


@functools.cache
def _markdown():
    """The Markdown converter, made once, with raw HTML switched off (it would bypass autoescaping)."""
    import markdown
    from markdown.extensions.sane_lists import SaneListExtension
    from markdown.extensions.tables import TableExtension
    from markdown.extensions.toc import TocExtension

    # Extension objects, not names: looking names up scans every installed package's entry points.
    md = markdown.Markdown(extensions=[TableExtension(), TocExtension(), SaneListExtension()], output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md
