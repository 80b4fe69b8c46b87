"""schema.org JSON-LD, as templates declare it: jsonld() writes a mapping the template builds from the content into
a <script type="application/ld+json">, leaving out what is empty (an optional field is absent, not null) and escaping
the characters that could end the <script> element early, so no text in the content can break out of it."""

from __future__ import annotations

import json
import re

from markupsafe import Markup

CONTEXT = "https://schema.org"
SAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
UNSAFE = re.compile("[<>&\u2028\u2029]")


def jsonld(doc: dict) -> Markup:
    """A <script type="application/ld+json"> element holding doc in the schema.org context; '<', '>' and '&' are
    written as \\u escapes."""
    text = json.dumps({"@context": CONTEXT, **_present(doc)}, ensure_ascii=False, separators=(",", ":"))
    return Markup('<script type="application/ld+json">' + UNSAFE.sub(lambda m: SAFE[m.group()], text) + "</script>")


def _present(value):
    """A value without the keys (at any depth) whose value is None, '' or empty."""
    if isinstance(value, dict):
        return {k: _present(v) for k, v in value.items() if v not in (None, "", [], (), {})}
    if isinstance(value, (list, tuple)):
        return [_present(v) for v in value]
    return value
