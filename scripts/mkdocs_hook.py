"""Thin MkDocs adapter for the content pipeline (listed under ``hooks:`` in mkdocs.yml).

* before a build, renders the content into the docs folder, unless ``python -m scripts build``
  already did (it sets MARGIN_NOTES_PREPARED); under ``mkdocs serve`` this re-runs on every change;
* points an entry's "edit this page" link at its YAML file (front matter ``edit_source``);
* gives the templates the price strip (``mn_market``, read from the docs folder's ``market.json``).

No logic lives here: it calls :mod:`scripts.pipeline`. Other engines run ``python -m scripts render``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mkdocs.exceptions import PluginError  # noqa: E402

from scripts.pipeline.build import PREPARED_ENV, ROOT_ENV, prepare  # noqa: E402
from scripts.pipeline.content import Layout  # noqa: E402
from scripts.pipeline.errors import ContentError  # noqa: E402
from scripts.pipeline.market import PUBLISHED, strip_context  # noqa: E402


def on_pre_build(config, **kwargs):
    """Render the content into ``docs_dir`` (skipped when the pipeline ran just before MkDocs)."""
    if os.environ.get(PREPARED_ENV):
        return
    try:
        root = os.environ.get(ROOT_ENV) or Path(config.config_file_path).resolve().parent
        prepare(Layout(Path(root)), Path(config.docs_dir))
    except ContentError as error:
        raise PluginError("content problems:\n" + str(error)) from None


def on_env(env, config, files, **kwargs):
    """Give templates ``mn_market``: the strip of ``partials/market-strip.html`` (None without a snapshot)."""
    published = Path(config.docs_dir) / PUBLISHED
    data = json.loads(published.read_text(encoding="utf-8")) if published.is_file() else None
    env.globals["mn_market"] = strip_context(data)
    return env


def on_page_markdown(markdown, page, config, **kwargs):
    """Point the edit link at the file an editor changes, or hide it for generated pages."""
    source = page.meta.get("edit_source")
    if source and config.repo_url:
        page.edit_url = config.repo_url.rstrip("/") + "/" + (config.edit_uri or "").strip("/") + "/" + source
    else:
        page.edit_url = None
    return markdown
