"""Hand-written pages under content/pages/: how they are read, and that the navigation reaches them.

Shared by the cross-checks (safety gate, calculator fences), the link check and the page generator.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .content import Content
from .errors import Problem
from .load import display_path, split_front_matter


def hand_written_pages(content: Content):
    """Every page under content/pages/: ``(path, display name, front matter, body, body line, problems)``."""
    pages = content.layout.pages
    for page in sorted(pages.rglob("*.md")) if pages.is_dir() else []:
        file = display_path(page, content.layout.root)
        doc, body, line, problems = split_front_matter(read_page(page), file)
        yield page, file, doc, body, line, problems


def read_page(path) -> str:
    """The text of a hand-written page (undecodable bytes shown as U+FFFD; validation reports them)."""
    return path.read_bytes().decode("utf-8", errors="replace")


PAGE_KEYS = {"title", "description"}


def check_pages_in_nav(content: Content) -> list[Problem]:
    """Every hand-written page is in mkdocs.yml's nav (MkDocs --strict refuses a page outside it)."""
    config = content.layout.root / "mkdocs.yml"
    nav = nav_files(config if config.is_file() else Path(__file__).resolve().parents[2] / "mkdocs.yml")
    problems = []
    for page, file, _, _, _, _ in hand_written_pages(content):
        relative = page.relative_to(content.layout.pages).as_posix()
        if nav is not None and relative not in nav:
            problems.append(Problem(file, 1, "$", f"this page is not in the site's navigation; add it to nav "
                                                  f"in mkdocs.yml (e.g. - Title: {relative})"))
    return problems


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml for its nav only: tags such as !ENV or !!python/name become None."""


_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def nav_files(config: Path) -> set[str] | None:
    """The docs-relative files named in the nav of the MkDocs ``config`` (None without a nav)."""
    try:
        data = yaml.load(config.read_text(encoding="utf-8"), Loader=_ConfigLoader)  # noqa: S506 (safe loader)
    except (OSError, yaml.YAMLError):
        return None
    files: set[str] = set()

    def walk(node):
        if isinstance(node, str) and node.endswith(".md"):
            files.add(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    if not isinstance(data, dict) or "nav" not in data:
        return None
    walk(data["nav"])
    return files
