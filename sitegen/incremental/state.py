"""What a successful build leaves for the next one: its inputs, content, outputs and what each page read."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from ..content.history import History
from ..content.localize import Localizer
from ..content.model import Content
from ..errors import SiteError
from ..output.links import LinkState
from ..output.search import Bundle
from ..output.write import Output
from .memory import ObjectMemo


@dataclass
class State:
    """What a successful build leaves for the next one, so an edit re-renders only the pages it touches."""

    inputs: dict[str, tuple]  # source path -> (mtime_ns, size, digest) for content/, templates/, static/
    content: Content
    envs: dict  # language -> its Jinja environment (memory only)
    base_url: str
    out_dir: Path
    outputs: dict[str, Output]  # every file written but the search bundle's
    deps: dict[str, tuple]  # page -> what it read (a tuple: a tenth of a frozenset's memory)
    warnings: list[SiteError]
    items: dict = field(default_factory=dict)  # each list file as last parsed (validate.ListFile), for the next load
    links: LinkState | None = None  # what the link check knows of every page
    manifest: object = None  # output file -> (size, mtime_ns) as last written (set by the cache, packed)
    memo: ObjectMemo | None = None  # encoded rows of the data files, by the items they were made from
    related: dict = field(default_factory=dict)  # language -> the renderer's index of items by attribute (memory only)
    pages: list = field(default_factory=list)  # the plan, whose item pages the next plan reuses (memory only)
    registry: object = None  # the kinds of content, as models/ declared them
    localizer: Localizer | None = None  # each language's copies of the content's objects, for the next build's
    views: dict = field(default_factory=dict)  # language -> the content as its pages read it
    cldr: dict = field(default_factory=dict)  # what CLDR answered (dates in words, plural forms), asked again never
    articles: dict = field(default_factory=dict)  # article bodies as HTML, by their Markdown (site.article)
    history: History | None = None  # the committed changes of content/, as of the HEAD it names
    search: Bundle = field(default_factory=Bundle)  # the search bundle's files, as one value

    def on_disk(self) -> "State":
        """The state as the cache stores it: without what lives in memory only (the Jinja environment, the
        related() index, the plan) and without the manifest, which the cache stores in a file of its own."""
        return replace(self, envs={}, manifest=None, related={}, pages=[])
