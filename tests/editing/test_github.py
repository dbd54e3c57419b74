"""GitHub annotations: with GITHUB_ACTIONS=true or FORMAT=github, each problem lands on its line in a PR."""

from __future__ import annotations

import pytest

from scripts.pipeline.errors import Problem, github_annotation, github_escape


@pytest.mark.parametrize("text, prop, expected", [
    ("plain", False, "plain"),
    ("50% off\r\nnext", False, "50%25 off%0D%0Anext"),
    ("a: b, c", False, "a: b, c"),
    ("a: b, c", True, "a%3A b%2C c"),
    ("100%: x\n", True, "100%25%3A x%0A"),
])
def test_escape(text, prop, expected):
    assert github_escape(text, prop) == expected


def test_annotation():
    problem = Problem("content/entries/a,b.yaml", 7, "$.faq[0].answer", "bad: 5% more\nthan allowed")
    assert github_annotation(problem) == (
        "::error file=content/entries/a%2Cb.yaml,line=7,title=$.faq[0].answer::bad: 5% more%0Athan allowed"
        .replace("5% more", "5%25 more"))
    assert github_annotation(problem, "notice").startswith("::notice file=")


BROKEN = {  # kind of problem -> (edit of good-entry.yaml, expected annotation)
    "yaml syntax": (("title: What is a good entry?", "title: [unclosed"),
                    "::error file=content/entries/good-entry.yaml,line=2,title=$::invalid YAML: the list in brackets"),
    "schema": (("difficulty: beginner", "difficulty: easy"),
               "::error file=content/entries/good-entry.yaml,line=6,title=$.difficulty::'easy' is not one of: "
               "beginner, intermediate, advanced"),
    "cross-check": (("related: [can-a-futures-balance-go-negative]", "related: [can-a-futures-balance]"),
                    "::error file=content/entries/good-entry.yaml,line=39,title=$.related[0]::no entry has the id "),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
@pytest.mark.parametrize("env", [{"GITHUB_ACTIONS": "true"}, {"FORMAT": "github"}])
def test_validate_prints_annotations(kind, env, project, cli, monkeypatch):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    (old, new), expected = BROKEN[kind]
    path = project.entries / "good-entry.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    code, out, err = cli("--root", project.root, "validate")
    assert code == 1
    annotations = [line for line in out.splitlines() if line.startswith("::error ")]
    assert annotations and annotations[0].startswith(expected), annotations
    assert err.splitlines()[-1].endswith("in 1 file.")  # the plain report stays on stderr


def test_a_false_rule_is_annotated_on_its_step(project, good_text, cli, monkeypatch):
    from calculators.model.scenario import TABLE_COLUMNS
    from calculators.model.venues import VENUE_IDS

    monkeypatch.setenv("FORMAT", "github")
    field = TABLE_COLUMNS[0]  # the wallet balance, whatever the model calls it
    rule = (f"rules:\n  - id: withdraw-reduces-wallet\n    venue: {VENUE_IDS[0]}\n"
            "    statement: A withdrawal takes its amount from the wallet.\n"
            "    sources: [{title: Some page, url: https://www.bybit.com/x, publisher: Bybit, accessed: \"2026-01-01\"}]\n"
            "    scenario:\n      given: {wallet: 1000}\n      steps:\n        - withdraw: 400\n"
            f"        - expect: {{{field}: 601}}\n")
    (project.entries / "good-entry.yaml").write_text(good_text + rule, encoding="utf-8")
    code, out, _ = cli("--root", project.root, "validate")
    line = good_text.count("\n") + 10
    assert code == 1
    assert (f"::error file=content/entries/good-entry.yaml,line={line},title=$.rules[0].scenario.steps[1]::"
            f"rule withdraw-reduces-wallet, step 2 (expect): {field} is 600, expected = 601") in out.splitlines()


def test_plain_format_without_the_variables(project, cli, monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("FORMAT", raising=False)
    path = project.entries / "good-entry.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("difficulty: beginner", "difficulty: easy"))
    code, out, err = cli("--root", project.root, "validate")
    assert code == 1 and "::error" not in out + err


def test_build_annotates_content_problems_too(project, cli, monkeypatch, tmp_path):
    monkeypatch.setenv("FORMAT", "github")
    path = project.entries / "good-entry.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("difficulty: beginner", "difficulty: easy"))
    code, out, err = cli("--root", project.root, "--docs", tmp_path / "docs", "build", "--site", tmp_path / "site")
    assert code == 1 and not (tmp_path / "site").exists()
    assert out.splitlines() == ["::error file=content/entries/good-entry.yaml,line=6,title=$.difficulty::'easy' is "
                                "not one of: beginner, intermediate, advanced"]
    assert "content/entries/good-entry.yaml:6: $.difficulty: 'easy'" in err


def test_draft_notes_are_notices(project, cli, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert cli("--root", project.root, "new", "what-is-adl")[0] == 0
    code, out, _ = cli("--root", project.root, "validate", project.entries / "what-is-adl.yaml")
    assert code == 0
    notices = [line for line in out.splitlines() if line.startswith("::")]
    assert notices and all(line.startswith("::notice file=content/entries/what-is-adl.yaml,line=") for line in notices)
    assert "::notice file=content/entries/what-is-adl.yaml,line=11,title=$.summary::still a placeholder; write the real text" in notices
