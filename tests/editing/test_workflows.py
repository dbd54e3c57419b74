"""GitHub workflows, templates and pre-commit: they parse, and they call the README's make targets."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
CHECKLIST = ["Sources and dates", "Our own words", "Verified rules", "Third-party claims marked",
             "No trading advice"]


def _load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def _runs(workflow: dict) -> list[str]:
    return [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]


def _uses(workflow: dict) -> list[str]:
    return [step["uses"].split("@")[0] for job in workflow["jobs"].values() for step in job["steps"]
            if "uses" in step]


def _make_targets(commands: list[str]) -> list[str]:
    """The make targets a list of shell scripts runs (a command line starting with make, after VAR=...)."""
    pattern = re.compile(r'^\s*(?:[A-Z_]+=(?:"[^"]*"|\S+)\s+)*make ([a-z][a-z-]*)', re.M)
    return [m[1] for command in commands for m in pattern.finditer(command)]


def _makefile_targets() -> set[str]:
    return set(re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))


def _readme_targets() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `make ([a-z][a-z-]*)", readme, re.M))


def test_ci_runs_on_pull_requests_and_calls_the_readme_targets():
    ci = _load(WORKFLOWS / "ci.yml")
    assert "pull_request" in ci["on"]
    targets = _make_targets(_runs(ci))
    assert targets == ["install", "validate", "lint", "test", "site"]
    assert set(targets) <= _makefile_targets() and set(targets) <= _readme_targets()
    (job,) = ci["jobs"].values()
    assert "chromium" in job["steps"][0]["run"] and "apt-get install" in job["steps"][0]["run"]
    assert ci["jobs"]["check"]["env"]["FORMAT"] == "github"
    upload = [step for step in job["steps"] if step.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload and upload[0]["with"]["path"] == "site/"


def test_pages_builds_with_the_site_url_variable_and_deploys_on_main():
    pages = _load(WORKFLOWS / "pages.yml")
    assert pages["on"]["push"]["branches"] == ["main"]
    assert pages["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert pages["jobs"]["build"]["env"]["SITE_URL"] == "${{ vars.SITE_URL }}"
    assert _make_targets(_runs(pages)) == ["site"]
    assert "actions/upload-pages-artifact" in _uses(pages)
    assert _uses({"jobs": {"deploy": pages["jobs"]["deploy"]}}) == ["actions/deploy-pages"]
    assert pages["jobs"]["deploy"]["needs"] == "build"


def test_every_make_target_in_the_readme_table_exists():
    assert _readme_targets() <= _makefile_targets()
    assert {"site", "validate", "serve", "test", "new", "rule", "lint", "install"} <= _readme_targets()


def test_pull_request_template_carries_the_reviewers_checklist():
    template = (ROOT / ".github" / "PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    checklist = contributing.split("## What a reviewer checks", 1)[1]
    for item in CHECKLIST:
        assert f"- [ ] **{item}.**" in template, item
        assert f"- **{item}.**" in checklist, item


def test_wrong_answer_issue_form_asks_for_page_claim_and_source():
    form = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / "answer-is-wrong.yml").read_text(encoding="utf-8"))
    assert form["name"] == "This answer is wrong"
    required = [item["id"] for item in form["body"] if item.get("validations", {}).get("required")]
    assert required == ["page", "claim", "source"]


def test_pre_commit_runs_the_validator_on_changed_entries_and_ruff():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    entries = hooks["validate-entries"]
    assert entries["entry"].endswith("-m scripts validate") and entries["pass_filenames"] is True
    assert re.search(entries["files"], "content/entries/what-is-adl.yaml")
    assert not re.search(entries["files"], "content/glossary.yaml")
    shared = hooks["validate-content"]
    assert shared["pass_filenames"] is False
    for path in ("content/glossary.yaml", "content/schema/entry.schema.json", "calculators/model/venues.py",
                 "calculators/model/venues/bybit.yaml", "content/market/snapshot.yaml"):
        assert re.search(shared["files"], path), path
    assert hooks["ruff"]["entry"].startswith(".venv/bin/ruff check") and hooks["ruff"]["types"] == ["python"]
    assert "ruff==" in (ROOT / "requirements.txt").read_text() and "ruff==" in (ROOT / "constraints.txt").read_text()
