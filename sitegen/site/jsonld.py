"""schema.org JSON-LD for the pages: the city, the summits, the companies, the articles and the dataset of downloads.

Each description is a Python dict built from the model and serialised with json.dumps; `script()` escapes the
characters that could end the <script> element early, so no text in the content can break out of it. Only what
the content states is said: no country, licence or organiser that the data does not hold."""
from __future__ import annotations

import json
from collections.abc import Callable

from markupsafe import Markup

from ..content import model
from ..content.languages import Language

CONTEXT = "https://schema.org"
SAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script(doc: dict) -> Markup:
    """A <script type="application/ld+json"> element holding doc; '<', '>' and '&' are written as \\u escapes."""
    text = json.dumps({"@context": CONTEXT, **doc}, ensure_ascii=False, separators=(",", ":"))
    return Markup('<script type="application/ld+json">' + text.translate(str.maketrans(SAFE)) + "</script>")


def _drop_empty(doc: dict) -> dict:
    """The dict without keys whose value is None, '' or empty, so optional fields are left out, not null."""
    return {k: v for k, v in doc.items() if v not in (None, "", [], ())}


def creative_work(source: model.Source) -> dict:
    """A source as a schema.org CreativeWork: title, publisher, date and address."""
    return _drop_empty({"@type": "CreativeWork", "name": source.title, "datePublished": source.date, "url": source.url,
                        "publisher": {"@type": "Organization", "name": source.publisher}})


class JsonLd:
    """The JSON-LD of one content snapshot, for templates: ld.city(), .event(e), .organization(c), .article(a),
    .dataset(downloads). `link(path)` makes a site path absolute; `item_link(kind, id)` gives an item page's URL."""

    def __init__(self, content: model.Content, link: Callable[[str], str], item_link: Callable[[str, str], str],
                 language: Language, other: Callable, shared: Callable[[str], str] | None = None):
        """Bind the content (as the renderer tracks it), the URL makers (`shared` for files every language shares),
        the language of the pages and `other(item, field)`, a text in another language (its alternate name)."""
        self.content, self.link, self.item_link = content, link, item_link
        self.lang, self.code = language.tag, language.code
        self.other, self.shared = other, shared or link

    def publisher(self) -> dict:
        """The site's publisher as an Organization."""
        return {"@type": "Organization", "name": self.content.site.publisher, "url": self.link("")}

    def place(self) -> dict:
        """The city as a Place, for where a summit was held and what the data covers."""
        p = self.content.profile
        return {"@type": "Place", "name": p.name, "address": {"@type": "PostalAddress", "addressLocality": p.name,
                                                              "addressRegion": p.province}}

    def city(self) -> Markup:
        """The city: a City within its prefecture-level city and province (AdministrativeAreas)."""
        p = self.content.profile
        return script(
            {
                "@type": "City",
                "@id": self.link("") + "#city",
                "name": p.name,
                "alternateName": self.other(p, "name"),
                "description": p.summary,
                "url": self.link(""),
                "containedInPlace": {
                    "@type": "AdministrativeArea",
                    "name": p.parent,
                    "containedInPlace": {"@type": "AdministrativeArea", "name": p.province},
                },
                "subjectOf": {"@type": "Dataset", "name": self.dataset_name(), "url": self.link("data/")},
            }
        )

    def event(self, event: model.Event) -> Markup:
        """A summit as an Event held in the city on its date."""
        url = self.item_link("events", event.id)
        return script(
            {
                "@type": "Event",
                "@id": url + "#event",
                "name": event.name,
                "alternateName": event.short_name,
                "startDate": event.date,
                "description": event.summary,
                "url": url,
                "location": self.place(),
                "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
            }
        )

    def organization(self, company: model.Company) -> Markup:
        """A company as an Organization; its page here is the page about it, not its own website."""
        url = self.item_link("companies", company.id)
        return script(
            _drop_empty(
                {
                    "@type": "Organization",
                    "@id": url + "#organization",
                    "name": company.name,
                    "alternateName": self.other(company, "name"),
                    "description": company.summary,
                    "mainEntityOfPage": url,
                }
            )
        )

    def article(self, article: model.Article) -> Markup:
        """An article as a NewsArticle by the site's publisher, citing its sources."""
        url = self.item_link("articles", article.slug)
        return script(
            {
                "@type": "NewsArticle",
                "@id": url + "#article",
                "headline": article.title,
                "description": article.summary,
                "datePublished": article.date,
                "dateModified": article.updated or article.date,
                "author": self.publisher(),
                "publisher": self.publisher(),
                "mainEntityOfPage": url,
                "url": url,
                "image": self.shared("social.png"),
                "inLanguage": self.lang,
                "about": {"@id": self.link("") + "#city"},
                "citation": [creative_work(self.content.sources[s]) for s in article.sources],
            }
        )

    def dataset_name(self) -> str:
        """The name of the open data."""
        return self.strings()["dataset_name"].format(site=self.content.site.title)

    def strings(self) -> dict:
        """The interface strings of the pages' language."""
        return self.content.strings[self.code]

    def dataset(self, downloads: tuple) -> Markup:
        """The downloads as a Dataset: one DataDownload per data file, the period the figures cover, their sources."""
        site, t = self.content.site, self.strings()
        years = sorted({str(d)[:4] for d in self.content.figures.column("as_of").values()})
        files = [
            {
                "@type": "DataDownload",
                "name": d.dest.rpartition("/")[2],
                "contentUrl": self.shared(d.dest),
                "encodingFormat": d.media_type,
                "contentSize": f"{d.bytes} B",
                "description": t[f"data_holds_{d.name}"],
            }
            for d in downloads
            if d.kind != "schema"
        ]
        return script(
            _drop_empty(
                {
                    "@type": "Dataset",
                    "@id": self.link("data/") + "#dataset",
                    "name": self.dataset_name(),
                    "description": t["data_description"],
                    "url": self.link("data/"),
                    "creator": self.publisher(),
                    "publisher": self.publisher(),
                    "dateModified": site.updated,
                    "inLanguage": self.lang,
                    "isAccessibleForFree": True,
                    "spatialCoverage": self.place(),
                    "temporalCoverage": f"{years[0]}/{years[-1]}" if years else None,
                    "distribution": files,
                    "isBasedOn": [creative_work(s) for s in self.content.sources.values()],
                }
            )
        )
