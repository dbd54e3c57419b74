"""The content folder as the pipeline sees it: where things live, and the loaded documents."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .load import Document


def iter_strings(value, path=()):
    """Every string inside loaded YAML data, with its path: ``(("faq", 0, "answer"), "text")``."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from iter_strings(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from iter_strings(item, path + (index,))


@dataclass(frozen=True)
class Layout:
    """Paths of one project: the content folder and what is inside it."""

    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def entries(self) -> Path:
        return self.content / "entries"

    @property
    def schemas(self) -> Path:
        return self.content / "schema"

    @property
    def pages(self) -> Path:
        return self.content / "pages"

    def entry_names(self) -> list[tuple[str, bool]]:
        """``(name, is a symbolic link)`` of every entry file: every ``*.yaml`` by name, then every
        ``*.yml`` (the one listing of the entries; OSError when the folder cannot be listed)."""
        with os.scandir(self.entries) as listing:
            items = [(item.name, item.is_symlink()) for item in listing]
        return [item for suffix in (".yaml", ".yml") for item in sorted(i for i in items if i[0].endswith(suffix))]

    def entry_files(self) -> list[Path]:
        """Every entry file, in :meth:`entry_names` order (none when the folder cannot be listed)."""
        try:
            return [self.entries / name for name, _ in self.entry_names()]
        except OSError:
            return []


@dataclass
class Content:
    """Everything loaded from content/: entries by file, plus categories, glossary and site texts."""

    layout: Layout
    entries: list[Document] = field(default_factory=list)
    categories: Document | None = None
    glossary: Document | None = None
    site: Document | None = None
    market: Document | None = None
    warnings: list = field(default_factory=list)  # Problems to show that do not fail (crosscheck.WARNINGS)
    pages: dict | None = None  # the rendered pages {path: Page}, once every check passed (build.check)

    def published(self) -> list[dict]:
        """The data of every entry that is not a draft, sorted by id."""
        items = [doc.data for doc in self.entries if isinstance(doc.data, dict) and not doc.data.get("draft")]
        return sorted(items, key=lambda data: str(data.get("id")))

    def category_list(self) -> list[dict]:
        """The categories in their listed order (empty if the file did not load)."""
        data = self.categories.data if self.categories else None
        return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []

    def glossary_list(self) -> list[dict]:
        """The glossary terms in their listed order (empty if the file did not load)."""
        data = self.glossary.data if self.glossary else None
        return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []

    def market_snapshot(self) -> dict | None:
        """The market snapshot (content/market/snapshot.yaml), or None when there is none."""
        data = self.market.data if self.market else None
        return data if isinstance(data, dict) else None

    def site_texts(self) -> dict:
        """The site texts (home intro, disclaimer)."""
        data = self.site.data if self.site else None
        return data if isinstance(data, dict) else {}
