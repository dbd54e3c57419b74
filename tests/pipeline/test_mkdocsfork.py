"""MkDocs run in the child forked before the pipeline gives what a new ``python -m mkdocs`` gives (issue 14).

The whole built site is compared in tests/pipeline/test_memdocs.py (``build`` runs MkDocs in the fork);
here: the exit status and output of a failing build, a child never asked to run, and the cases where
no fork is made.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

from scripts.pipeline import mkdocsfork
from scripts.pipeline.build import run_mkdocs
from scripts.pipeline.mkdocsfork import MkDocsFork

REPO = Path(__file__).resolve().parents[2]


def _site(tmp_path: Path, page: str) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(page, encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: Fork test\n", encoding="utf-8")
    return config


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _case_failing_build(tmp_path: Path) -> None:
    config = _site(tmp_path, "# Home\n\nSee [the missing page](missing.md).\n")
    docs, out = tmp_path / "docs", tmp_path / "out"
    expected = run_mkdocs(config, docs, out)
    fork = MkDocsFork.start()
    assert fork is not None
    with fork:
        got = run_mkdocs(config, docs, out, fork=fork)
    assert _gone(fork.pid)
    assert expected[0] is False and "missing.md" in expected[1] and "strict mode" in expected[1]
    assert got == expected


def _case_passing_build(tmp_path: Path) -> None:
    config = _site(tmp_path, "# Home\n\nWords.\n")
    with MkDocsFork.start() as fork:
        passed, output = run_mkdocs(config, tmp_path / "docs", tmp_path / "out", fork=fork)
    assert passed, output
    assert re.search(r"Documentation built in [0-9.]+ seconds", output)
    assert "Fork test" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def _case_child_never_asked(tmp_path: Path) -> None:
    fork = MkDocsFork.start()
    assert fork is not None and not _gone(fork.pid)
    fork.close()
    assert _gone(fork.pid)


def _case_interrupt_right_after_a_close(tmp_path: Path) -> None:
    config = _site(tmp_path, "# Home\n\nWords.\n")
    fork = MkDocsFork.start()
    control, real_close = fork._control, os.close

    def close(fd: int) -> None:  # Ctrl-C arriving just after the instructions' pipe was closed
        real_close(fd)
        if fd == control:
            os.close = real_close
            raise KeyboardInterrupt

    os.close = close
    try:
        run_mkdocs(config, tmp_path / "docs", tmp_path / "out", fork=fork)
    except KeyboardInterrupt:
        pass  # the interrupt itself, not an error closing the pipe a second time
    else:
        raise AssertionError("the interrupt was lost")
    finally:
        os.close = real_close
    fork.close()  # as build() does again in its finally
    assert _gone(fork.pid)


def _fresh(case: str, tmp_path: Path) -> None:
    """Run ``case`` in a new Python process: a pytest worker may hold threads (servers of other tests),
    and then :meth:`MkDocsFork.start` rightly refuses to fork."""
    code = f"from pathlib import Path; from tests.pipeline.test_mkdocsfork import {case}; {case}(Path({str(tmp_path)!r}))"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                          env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_failing_build_reports_what_a_new_process_reports(tmp_path):
    _fresh("_case_failing_build", tmp_path)


def test_a_passing_build_writes_the_site_and_says_so(tmp_path):
    _fresh("_case_passing_build", tmp_path)


def test_a_child_never_asked_to_run_exits_by_itself(tmp_path):
    _fresh("_case_child_never_asked", tmp_path)


def test_an_interrupt_right_after_a_pipe_is_closed_stays_an_interrupt(tmp_path):
    _fresh("_case_interrupt_right_after_a_close", tmp_path)


def test_no_fork_while_another_thread_runs():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert MkDocsFork.start() is None
    finally:
        stop.set()
        other.join()


def test_the_switch_turns_the_fork_off(monkeypatch):
    monkeypatch.setenv(mkdocsfork.FORK_ENV, "0")
    assert MkDocsFork.start() is None


def test_the_preloaded_modules_are_the_site_extensions_and_the_hooks_imports():
    hook = (Path(mkdocsfork.__file__).parents[1] / "mkdocs_hook.py").read_text(encoding="utf-8")
    for name in re.findall(r"^from (scripts\.\S+) import", hook, re.MULTILINE):
        assert name in mkdocsfork.PRELOAD, name
    assert "markdown.extensions.abbr" in mkdocsfork._extension_modules()
    assert "pymdownx.superfences" in mkdocsfork._extension_modules()
