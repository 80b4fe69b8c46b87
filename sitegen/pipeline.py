"""build(): load -> validate -> render -> write, timed per stage. All reading and checking happens before the first write."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problems, SiteError
from .kinds import json_schemas
from .render import Renderer, check_article_links, plan
from .validate import load_content
from .write import Output, check_outputs, write_site


@dataclass
class BuildResult:
    """What a build did: counts, time per stage, warnings."""

    pages: int
    files: int
    bytes: int
    seconds: float
    stages: dict = field(default_factory=dict)
    warnings: list[SiteError] = field(default_factory=list)


def build(root: Path, out_dir: Path | None = None, base_url: str | None = None, write: bool = True) -> BuildResult:
    """Build the site under root into out_dir (default root/_site); raise BuildFailed with every user error."""
    start = time.perf_counter()
    stages: dict[str, float] = {}
    problems = Problems()

    # Load and validate every content file; cross-references only once all fields are valid.
    content = load_content(root, problems)
    problems.raise_if_any()
    stages["load"] = time.perf_counter() - start

    # Render every page and gather static files, checking templates and article links first.
    renderer = Renderer(content, root / "templates", root, base_url or content.site.base_url)
    renderer.check_templates(problems)
    for article in content.articles.values():
        check_article_links(article, problems)
    problems.raise_if_any()
    pages = plan(content)
    outputs = [out for page in pages if (out := _render_page(renderer, page, problems))]
    outputs += static_outputs(root / "static")
    check_outputs(outputs, problems)
    problems.raise_if_any()
    stages["render"] = time.perf_counter() - start - stages["load"]

    # Write into a staging folder and swap it in whole.
    written = write_site(outputs, out_dir or root / "_site") if write else 0
    stages["write"] = time.perf_counter() - start - stages["load"] - stages["render"]
    return BuildResult(len(pages), len(outputs), written, time.perf_counter() - start, stages, problems.warnings)


def _render_page(renderer: Renderer, page, problems: Problems) -> Output | None:
    """Render one page into an output, or None when it failed (the error is in problems)."""
    html = renderer.render(page, problems)
    return Output(page.dest, html.encode("utf-8"), f"page {page.dest}") if html is not None else None


def static_outputs(static_dir: Path) -> list[Output]:
    """Every file under static/, copied to the same path under the output folder."""
    if not static_dir.is_dir():
        return []
    files = sorted(p for p in static_dir.rglob("*") if p.is_file() and not p.name.startswith("."))
    return [Output(p.relative_to(static_dir).as_posix(), p.read_bytes(), f"static/{p.relative_to(static_dir).as_posix()}")
            for p in files]


def schema_files() -> dict[str, bytes]:
    """The JSON Schema files for the content, as committed under schema/ and published under data/."""
    return {name: (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
            for name, doc in json_schemas().items()}


def write_schemas(root: Path) -> list[str]:
    """Write schema/*.schema.json from the field definitions; return the names that changed."""
    folder = root / "schema"
    folder.mkdir(exist_ok=True)
    changed = []
    for name, data in schema_files().items():
        path = folder / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
            changed.append(name)
    return changed
