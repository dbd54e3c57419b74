"""A problem always prints as one line, whatever characters the content put into its message."""

from scripts.pipeline.errors import Problem


def test_control_characters_in_a_message_are_escaped():
    problem = Problem("content/entries/x.yaml", 1, "$.id", "id '\rx' differs\nfrom\u2028the file name")
    assert str(problem) == "content/entries/x.yaml:1: $.id: id '\\rx' differs\\nfrom\\u2028the file name"
    assert len(str(problem).splitlines()) == 1


def test_id_that_is_no_slug_gets_no_rename_advice(project, cli):
    path = project.entries / "good-entry.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("id: good-entry", 'id: "\\rgood-entry"', 1),
                    encoding="utf-8")
    code, _, err = cli("--root", project.root, "validate")
    assert code == 1
    assert ("content/entries/good-entry.yaml:1: $.id: id '\\rgood-entry' differs from the file name; "
            "set id: good-entry") in err.splitlines()
