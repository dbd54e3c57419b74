"""The build runs the Pagefind program ``python -m pagefind`` would run (issue 14: without its Python start)."""

from __future__ import annotations

from scripts.pipeline import search


def test_the_program_is_the_one_the_python_wrapper_runs(monkeypatch):
    from pagefind.service import get_executable

    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    assert search.pagefind_binary() == get_executable()
    assert search.pagefind_binary().is_file()


def test_the_variable_the_wrapper_reads_names_another_program(monkeypatch, tmp_path):
    from pagefind.service import get_executable

    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "my-pagefind"))
    assert search.pagefind_binary() == get_executable() == tmp_path / "my-pagefind"
    passed, output = search.index_site(tmp_path)
    assert not passed and output.startswith("Pagefind could not run:") and "my-pagefind" in output
