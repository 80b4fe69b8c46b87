"""The floor: a minimal jinja2 + markdown loop over the same synthetic projects (no validation, no links).

python3 bench/floor.py SITE_DIR OUT_DIR
"""

import sys
from pathlib import Path

import jinja2
import markdown
import yaml

PAGE = jinja2.Template(
    "<!doctype html><html lang=en><title>{{ p.name }}</title><h1>{{ p.name }}</h1>"
    "{{ summary }}<p>{{ p.investment.value }} {{ p.investment.scale }} {{ p.investment.unit }}</p>",
    autoescape=True,
)
INDEX = jinja2.Template(
    "<!doctype html><html lang=en><title>Projects</title><ul>{% for p in projects %}"
    "<li><a href='{{ p.id }}/'>{{ p.name }}</a>{% endfor %}</ul>",
    autoescape=True,
)


def main(site: Path, out: Path) -> None:
    """Render one page per project and an index."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    projects = yaml.load((site / "content/projects.yaml").read_text(), Loader=loader)
    md = markdown.Markdown()
    for p in projects:
        md.reset()
        dest = out / p["id"] / "index.html"
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(PAGE.render(p=p, summary=jinja2.utils.markupsafe.Markup(md.convert(p["summary"]))))
    (out / "index.html").write_text(INDEX.render(projects=projects))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
