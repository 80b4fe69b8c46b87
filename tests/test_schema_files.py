"""The generated JSON Schemas accept the real content and reject what the validator rejects."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
import pytest
import yaml
from conftest import FIXTURE, REPO, make_site, run_build

from sitegen.content.kinds import load_registry
from sitegen.errors import Problems

SCHEMA_OF = {
    k.file: f"{k.file.removesuffix('.yaml')}.schema.json"
    for k in load_registry(REPO, Problems()).kinds
    if k.shape in ("list", "single")
}
SCHEMA_OF["i18n/en.yaml"] = "strings.schema.json"


def as_json(value):
    """YAML data as the YAML language server sees it (YAML 1.2: dates stay text; keys are strings)."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


ENGLISH_ONLY = load_registry(REPO, Problems(), ("en",)).schema_files  # the schemas of a site in English only


def schema_errors(rel: str, text: str, english_only: bool = False) -> list[str]:
    data = ENGLISH_ONLY[SCHEMA_OF[rel]] if english_only else (REPO / "schema" / SCHEMA_OF[rel]).read_bytes()
    schema = json.loads(data)
    validator = jsonschema.Draft202012Validator(schema)
    return [e.message for e in validator.iter_errors(as_json(yaml.safe_load(text)))]


@pytest.mark.parametrize("rel", sorted(SCHEMA_OF))
def test_real_content_is_valid_against_its_schema(rel):
    text = (REPO / "content" / rel).read_text()
    first = text.splitlines()[0]
    depth = "../" * (rel.count("/") + 1)
    assert first == f"# yaml-language-server: $schema={depth}schema/{SCHEMA_OF[rel]}", "editors need the schema line"
    assert schema_errors(rel, text) == []


BAD = [
    ("projects.yaml", "    value: 10\n", "    value: -10\n"),  # negative amount
    ("projects.yaml", "  summary:", "  sumary:"),  # unknown key
    ("projects.yaml", "- id: chip-line", "- id: Chip_Line"),  # invalid id
    ("sources.yaml", "url: https://example.org/report", "url: javascript:alert(1)"),  # URL scheme
    ("events.yaml", "    value: 217\n", "    value: '217'\n"),  # number as text
    ("companies.yaml", "  name: ChipCo", "  name: no"),  # YAML boolean trap
    ("companies.yaml", "  name: ChipCo", "  name: 012345"),  # YAML octal trap
    ("projects.yaml", "  company: chipco\n", ""),  # missing required key
    ("projects.yaml", "  status: [provincial-major]", "  status: [major]"),  # not one of the choices
    ("profile.yaml", "    unit: rank", "    unit: ranks"),  # unknown unit
    ("site.yaml", "updated: 2024-01-02", "updated: 2 January 2024"),  # not a date
]


@pytest.mark.parametrize("rel, old, new", BAD, ids=[f"{b[0]}:{b[2].strip()[:20]}" for b in BAD])
def test_schema_rejects_what_the_validator_rejects(tmp_path, rel, old, new):
    text = (FIXTURE / "content" / rel).read_text()
    assert old in text
    bad = text.replace(old, new, 1)
    assert schema_errors(rel, text, english_only=True) == []  # the fixture site is in English only
    assert schema_errors(rel, bad, english_only=True), "the JSON Schema accepted it"
    root = make_site(tmp_path / "s", {f"content/{rel}": bad})
    assert run_build(root, "check").returncode == 1, "the validator accepted it"
