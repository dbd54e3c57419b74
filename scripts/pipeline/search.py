"""Site search: Pagefind indexes the built site, after ``mkdocs build`` and before the swap.

Pagefind (the ``pagefind`` package from PyPI, with its binary from ``pagefind_bin``) writes
``pagefind/`` into the built site: a small loader, the index split into chunks and one fragment per
page, so a reader's browser fetches only what a query needs. It indexes what the templates put inside
``data-pagefind-body`` (site-overrides/main.html): every page but drafts and embeds. The search box is
site-overrides/partials/search.html with assets/javascripts/search.js. The build runs the Pagefind
program itself (:func:`pagefind_binary`), the one ``python -m pagefind`` would run with the same arguments.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
from pathlib import Path

BUNDLE = "pagefind"


def pagefind_binary() -> Path | None:
    """The Pagefind program ``python -m pagefind`` runs (``pagefind.service.get_executable``'s order:
    ``PAGEFIND_BINARY_PATH``, the ``pagefind_bin_extended`` and ``pagefind_bin`` packages, then the
    ``PATH``), found without starting Python and the wrapper's imports for it (issue 14); None when none is."""
    given = os.environ.get("PAGEFIND_BINARY_PATH")
    if given is not None:
        return Path(given)
    for package in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            return __import__(package).get_executable()
        except ImportError:
            continue
    found = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return Path(found) if found else None


def index_site(site: Path) -> tuple[bool, str]:
    """Index the built site in ``site`` into ``site/pagefind/``; returns (passed, Pagefind's output)."""
    try:
        binary = pagefind_binary()
        if binary is None:
            return False, "Pagefind could not run: no Pagefind program found (pip install pagefind-bin)"
        result = subprocess.run([str(binary.resolve().absolute()), "--site", str(site), "--output-subdir", BUNDLE,
                                 "--force-language", "en", "--quiet"], capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, f"Pagefind could not run: {error}"
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or not (site / BUNDLE / "pagefind.js").is_file():
        return False, output or f"Pagefind exited with {result.returncode} and wrote no index"
    return True, output


def fragments(site: Path) -> list[dict]:
    """Every page record Pagefind wrote into ``site`` (url, content, meta), for checks and the benchmark."""
    records = []
    for path in sorted((site / BUNDLE / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        records.append(json.loads(data.removeprefix(b"pagefind_dcd")))
    return records
