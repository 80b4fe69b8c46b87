"""Public addresses: a site path under the base path, absolute URLs for canonical links and feeds."""

from __future__ import annotations

from urllib.parse import urlsplit

LOCAL_BASE_URL = "http://127.0.0.1:8000/"  # without --base-url: for viewing locally, links from the site root


def base_path(base_url: str) -> str:
    """The path part of the base URL, always starting and ending with '/'."""
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else path + "/"


def absolute(base_url: str, url: str) -> str:
    """A root-relative URL made absolute with the base URL's scheme and host: '/repo/x/' -> 'https://h/repo/x/'."""
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}{url}"


def page_url(dest: str, base: str) -> str:
    """The public URL path of an output file: 'projects/x/index.html' -> '/base/projects/x/'."""
    return base + (dest[: -len("index.html")] if dest.endswith("index.html") else dest)


def page_href(base: str, number: int) -> str:
    """The site path of page `number` of an index under base ('projects/', 'projects/page/2/')."""
    return f"{base}/" if number == 1 else f"{base}/page/{number}/"
