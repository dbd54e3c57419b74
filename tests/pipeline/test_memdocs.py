"""The full build's pages handed to MkDocs in one pack give the site a docs folder gives (issue 14).

``build`` no longer writes the docs folder: MkDocs takes the pages from :mod:`scripts.pipeline.memdocs`
through the hook. Each piece is compared with what MkDocs does with a real docs folder: the order of
``get_files``' walk, the text MkDocs reads from a file, and the whole built site, byte for byte.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from scripts import mkdocs_hook
from scripts.pipeline import memdocs
from scripts.pipeline.build import prepare, run_mkdocs
from scripts.pipeline.search import index_site

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "mkdocs.yml"

NAMES = st.sampled_from(["index", "a", "B", "_x", "a-b", "a.b", "z", "Index", "readme", "10", "2", "é", "a b"])
PATHS = st.lists(st.tuples(st.lists(NAMES, max_size=3), NAMES, st.sampled_from([".md", ".json", ".js", ""])),
                 min_size=1, max_size=12)


def _tree(files: list) -> list[str]:
    out = {}
    for folders, name, suffix in files:
        path = "/".join([*folders, name + suffix])
        out[path] = None
    # a name cannot be both a file and a folder
    return [path for path in out if not any(other.startswith(path + "/") for other in out)]


@settings(max_examples=40, deadline=None)
@given(PATHS)
def test_the_pack_lists_files_in_the_order_mkdocs_walks_a_docs_folder(tmp_path_factory, files):
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    paths = _tree(files)
    docs = tmp_path_factory.mktemp("docs")
    for path in paths:
        (docs / path).parent.mkdir(parents=True, exist_ok=True)
        (docs / path).write_text("x", encoding="utf-8")
    config_file = docs.parent / f"{docs.name}.yml"
    config_file.write_text(f"site_name: t\ndocs_dir: {docs}\n", encoding="utf-8")
    config = load_config(config_file=str(config_file))
    walked = [file.src_uri for file in get_files(config)]
    assert walked == sorted(paths, key=memdocs.walk_key)


TEXT = st.lists(st.sampled_from(["\r", "\n", "\r\n", "\ufeff", "a", "é", "😀", " ", "---"]) | st.text(max_size=3),
                max_size=20).map("".join)


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_a_page_reads_as_mkdocs_reads_its_file(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("page") / "page.md"
    data = text.encode("utf-8", "surrogatepass")
    path.write_bytes(data)
    try:
        with open(path, encoding="utf-8-sig", errors="strict") as handle:
            expected = handle.read()
    except UnicodeDecodeError:
        expected = None
    try:
        got = memdocs.text_as_read(data)
    except UnicodeDecodeError:
        got = None
    assert got == expected


def test_the_pack_gives_back_the_bytes_a_docs_folder_would_hold(tmp_path):
    pages = {"index.md": "# Hi\r\n", "a/b.json": '{"x": "é"}', "c.js": ""}
    path = tmp_path / "pack"
    path.write_bytes(memdocs.pack(pages))
    assert memdocs.unpack(str(path)) == {name: text.encode("utf-8") for name, text in pages.items()}


def test_the_handover_feeds_the_pack_to_a_process_and_ends_when_it_stops_early():
    import subprocess
    import sys

    pages = {f"entries/e{n}.md": "x" * 50_000 for n in range(40)}  # 2 MB: more than a pipe holds
    code = "import sys; from scripts.pipeline.memdocs import unpack; print(len(unpack(sys.argv[1])))"
    with memdocs.Handover(pages) as handover:
        folder = Path(handover.folder)
        assert folder.is_dir() and not any(folder.iterdir())
        done = subprocess.run([sys.executable, "-c", code, handover.source], pass_fds=handover.fds, cwd=REPO,
                              capture_output=True, text=True)
    assert done.stdout.strip() == "40", done.stderr
    assert not folder.exists()
    with memdocs.Handover(pages) as handover:  # a process that reads nothing: leaving does not hang
        subprocess.run([sys.executable, "-c", "pass"], pass_fds=handover.fds, check=True)


def test_only_a_page_set_without_readme_is_packed():
    assert memdocs.packable({"index.md": "", "a/index.md": "", "readme.md": ""})
    assert not memdocs.packable({"index.md": "", "a/README.md": ""})


def test_the_hook_reads_the_name_the_pipeline_sets():
    assert mkdocs_hook.PAGES_ENV == memdocs.PAGES_ENV


def _files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file()}


def test_the_packed_build_is_the_site_a_docs_folder_builds(project, tmp_path):
    about = project.content / "pages" / "about.md"
    text = about.read_text(encoding="utf-8")
    head, _, body = text.partition("\n---\n")
    about.write_text(head + "\n---\n" + body.replace("\n\n", "\r\n\r\n", 3).replace(".\n", ".\r", 1), encoding="utf-8")
    env = {"SOURCE_DATE_EPOCH": "1767225600"}
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        # a new process, as `make site` runs it: a pytest worker may hold threads, and then the build
        # would not fork MkDocs' process (scripts/pipeline/mkdocsfork.py), the path this compares
        done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(project.root), "--config", str(CONFIG),
                               "--docs", str(tmp_path / "unused-docs"), "build", "--site", str(tmp_path / "site")],
                              cwd=REPO, env=dict(os.environ, NO_MKDOCS_2_WARNING="1", MARGIN_NOTES_MKDOCS_FORK="1"),
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        assert (tmp_path / "unused-docs").is_dir() and not any((tmp_path / "unused-docs").iterdir())
        prepare(project, tmp_path / "docs")
        passed, output = run_mkdocs(CONFIG, tmp_path / "docs", tmp_path / "from-folder")
        assert passed, output
        assert index_site(tmp_path / "from-folder")[0]
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    packed, folder = _files(tmp_path / "site"), _files(tmp_path / "from-folder")
    assert len(packed) > 100
    assert b"\r" in (tmp_path / "docs" / "about.md").read_bytes()
    assert packed.keys() == folder.keys()
    assert [name for name in packed if packed[name] != folder[name]] == []
