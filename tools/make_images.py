#!/usr/bin/env python3
"""Render the site's images once, with headless Chromium, into static/ (commit the results):

    python3 tools/make_images.py

- static/social.png (1200x630): the link preview card for OpenGraph and Twitter, from site.yaml's title and
  tagline and the city's Chinese name. It holds no figure, so it cannot go stale when the data change.
- static/apple-touch-icon.png (180x180) and static/favicon.ico (32x32 PNG in an ICO) from static/favicon.svg,
  for browsers and devices that do not take an SVG icon.

Rerun it after changing the title, the tagline or the icon. CHROMIUM names the browser (default /usr/bin/chromium).
"""

from __future__ import annotations

import os
import re
import struct
import sys
from html import escape
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "static"
CARD_SIZE, TOUCH_SIZE, ICO_SIZE = (1200, 630), 180, 32


def card_html(title: str, tagline: str, name_zh: str, icon_svg: str) -> str:
    """The social card as a page of exactly 1200x630 CSS pixels: icon, Chinese name, title, tagline."""
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
html, body {{ margin: 0; width: {CARD_SIZE[0]}px; height: {CARD_SIZE[1]}px; overflow: hidden; }}
body {{ background: #0b5d7a; color: #fff; display: flex; flex-direction: column; justify-content: center;
  padding: 0 96px; box-sizing: border-box;
  font-family: "Noto Sans", "Noto Sans CJK SC", "Liberation Sans", sans-serif; }}
.mark {{ width: 96px; height: 96px; margin-bottom: 36px; border: 3px solid #d7ecf3; border-radius: 22px; }}
.mark svg {{ display: block; width: 96px; height: 96px; }}
.zh {{ font-size: 64px; font-weight: 700; letter-spacing: .08em; margin: 0 0 8px;
  font-family: "Noto Sans CJK SC", sans-serif; }}
h1 {{ font-size: 76px; line-height: 1.1; margin: 0 0 28px; }}
p.tagline {{ font-size: 34px; line-height: 1.35; margin: 0; color: #d7ecf3; max-width: 960px; }}
</style></head><body>
<div class="mark">{icon_svg}</div>
<p class="zh" lang="zh-CN">{escape(name_zh)}</p>
<h1>{escape(title)}</h1>
<p class="tagline">{escape(tagline)}</p>
</body></html>"""


def icon_html(icon_svg: str, size: int, background: str = "transparent") -> str:
    """The SVG icon alone on a page of size x size pixels (a full-bleed background for home-screen icons)."""
    return (
        f"<!doctype html><html><head><style>html, body {{ margin: 0; width: {size}px; height: {size}px; "
        f"background: {background}; }}"
        f"svg {{ display: block; width: {size}px; height: {size}px; }}</style></head><body>{icon_svg}</body></html>"
    )


def ico(png: bytes, size: int) -> bytes:
    """An ICO file holding one PNG image (supported by every current browser)."""
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), 6 + 16)
    return header + entry + png


def shoot(page, html: str, width: int, height: int, transparent: bool = False) -> bytes:
    """A PNG screenshot of an HTML document at a viewport size."""
    page.set_viewport_size({"width": width, "height": height})
    page.set_content(html)
    return page.screenshot(type="png", omit_background=transparent)


def main() -> int:
    """Render the three images into static/."""
    from playwright.sync_api import sync_playwright

    site = yaml.safe_load((ROOT / "content/site.yaml").read_text(encoding="utf-8"))
    profile = yaml.safe_load((ROOT / "content/profile.yaml").read_text(encoding="utf-8"))
    icon = (STATIC / "favicon.svg").read_text(encoding="utf-8")
    card = card_html(site["title"], site.get("tagline", ""), profile["name_zh"], icon)
    assert not re.search(r"\d", re.sub(r"<[^>]*>|\{[^}]*\}", "", card.split("<body>")[1])), "no figures on the card"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
        page = browser.new_page()
        (STATIC / "social.png").write_bytes(shoot(page, card, *CARD_SIZE))
        (STATIC / "apple-touch-icon.png").write_bytes(
            shoot(page, icon_html(icon, TOUCH_SIZE, "#0b5d7a"), TOUCH_SIZE, TOUCH_SIZE)
        )
        (STATIC / "favicon.ico").write_bytes(
            ico(shoot(page, icon_html(icon, ICO_SIZE), ICO_SIZE, ICO_SIZE, True), ICO_SIZE)
        )
        browser.close()
    print("Wrote static/social.png, static/apple-touch-icon.png and static/favicon.ico.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
