"""Thin MkDocs adapter for the content pipeline (listed under ``hooks:`` in mkdocs.yml).

* before a build, renders the content into the docs folder, unless ``python -m scripts build`` or
  ``serve`` (:mod:`scripts.preview_server`) already did (they set MARGIN_NOTES_PREPARED); under a plain
  ``mkdocs serve`` this re-runs on every change;
* under ``python -m scripts build``, takes the pages from the pack the build feeds it through a pipe
  (MARGIN_NOTES_PAGES, :mod:`scripts.pipeline.memdocs`) instead of a docs folder of 20,000 files,
  and has MkDocs read the front matter the pipeline wrote without YAML (:mod:`scripts.pipeline.fastmeta`);
* under ``mkdocs serve``, content problems do not stop the preview: every page shows them
  (:mod:`scripts.pipeline.preview`) until a save fixes them; the generated docs folder is not watched,
  so one save triggers one rebuild;
* points an entry's "edit this page" link at its YAML file (front matter ``edit_source``);
* an entry's sitemap ``lastmod`` is its ``reviewed`` date; a draft (front matter ``draft``) is left out
  of the sitemap;
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

from scripts.pipeline.content import Layout  # noqa: E402
from scripts.pipeline.errors import ContentError  # noqa: E402
from scripts.pipeline.market import PUBLISHED, strip_context  # noqa: E402
from scripts.pipeline.preview import problems_html  # noqa: E402

SERVE_ENV = "MARGIN_NOTES_SERVE"
# The names scripts.pipeline.build sets (a test keeps them equal): the pipeline itself is imported only
# when this hook runs it, not in every ``mkdocs build`` after ``python -m scripts build`` prepared the pages.
PREPARED_ENV = "MARGIN_NOTES_PREPARED"
ROOT_ENV = "MARGIN_NOTES_ROOT"
PAGES_ENV = "MARGIN_NOTES_PAGES"  # scripts.pipeline.memdocs.PAGES_ENV (a test keeps them equal)
_problems: list = []  # content problems of the current preview build


def on_startup(command, **kwargs):
    """Remember that this process serves a preview (the environment outlives a reloaded hook module)."""
    if command == "serve":
        os.environ[SERVE_ENV] = "1"


def on_serve(server, config, **kwargs):
    """Stop watching the generated docs folder: the hook writes it, and a save must rebuild once."""
    server.unwatch(config.docs_dir)
    return server


def on_pre_build(config, **kwargs):
    """Render the content into ``docs_dir`` (skipped when the pipeline ran just before MkDocs)."""
    _problems.clear()
    if os.environ.get(PREPARED_ENV):
        return
    from scripts.pipeline.build import prepare  # the whole pipeline: loaded only when it runs here

    try:
        root = os.environ.get(ROOT_ENV) or Path(config.config_file_path).resolve().parent
        prepare(Layout(Path(root)), Path(config.docs_dir))
    except ContentError as error:
        if not os.environ.get(SERVE_ENV):
            raise PluginError("content problems:\n" + str(error)) from None
        _problems[:] = error.problems
        print(f"{error}\nThe preview shows these problems until a save fixes them.", file=sys.stderr)
        _stub_missing_pages(config)


def on_files(files, config, **kwargs):
    """Under ``python -m scripts build``: the pages of the build's pack, listed and read as MkDocs would
    from a docs folder holding them (the docs folder it was given is empty); their front matter is read
    by :func:`scripts.pipeline.fastmeta.page_data` where it has the pipeline's form."""
    pack = os.environ.get(PAGES_ENV)
    if not pack:
        return files
    from scripts.pipeline import fastmeta
    from scripts.pipeline.memdocs import mkdocs_files, unpack

    fastmeta.install()  # (build1k, issue 14) this process builds the pack's pages once, then ends
    return mkdocs_files(unpack(pack), files, config)


def _stub_missing_pages(config) -> None:
    """Give the preview something to build when no good render exists yet (the pages show the problems)."""
    docs = Path(config.docs_dir)

    def targets(items):
        for item in items or []:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            if isinstance(value, list):
                yield from targets(value)
            elif isinstance(value, str) and value.endswith(".md"):
                yield value

    for target in ["index.md", *targets(config.nav)]:
        path = docs / target
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("# Content problems\n", encoding="utf-8")


def on_env(env, config, files, **kwargs):
    """Give templates ``mn_market``: the strip of ``partials/market-strip.html`` (None without a snapshot)."""
    packed = files.get_file_from_path(PUBLISHED) if os.environ.get(PAGES_ENV) else None
    if packed is not None:  # the build's pack holds the docs folder's files (see on_files)
        data = json.loads(packed.content_bytes.decode("utf-8"))
    else:
        published = Path(config.docs_dir) / PUBLISHED
        data = json.loads(published.read_text(encoding="utf-8")) if published.is_file() else None
    env.globals["mn_market"] = strip_context(data)
    return env


def on_page_markdown(markdown, page, config, **kwargs):
    """Point the edit link at the file an editor changes; set the sitemap date; keep drafts out of it."""
    source = page.meta.get("edit_source")
    if source and config.repo_url:
        page.edit_url = config.repo_url.rstrip("/") + "/" + (config.edit_uri or "").strip("/") + "/" + source
    else:
        page.edit_url = None
    if page.meta.get("reviewed"):
        page.update_date = str(page.meta["reviewed"])
    if page.meta.get("draft"):  # the sitemap lists pages with an address; a draft gets none
        page.canonical_url = page.abs_url = None
    return markdown


def on_post_page(output, page, config, **kwargs):
    """While the preview's content has problems, every page shows them."""
    return problems_html(_problems) if _problems else output


def on_post_build(config, **kwargs):
    """While the preview's content has problems, the 404 page shows them too."""
    if _problems:
        Path(config.site_dir, "404.html").write_text(problems_html(_problems), encoding="utf-8")
