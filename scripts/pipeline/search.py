"""Site search: Pagefind indexes the built site, after ``mkdocs build`` and before the swap.

Pagefind (the ``pagefind`` package from PyPI, with its binary from ``pagefind_bin``) writes
``pagefind/`` into the built site: a small loader, the index split into chunks and one fragment per
page, so a reader's browser fetches only what a query needs. It indexes what the templates put inside
``data-pagefind-body`` (site-overrides/main.html): every page but drafts and embeds. The search box is
site-overrides/partials/search.html with assets/javascripts/search.js.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

BUNDLE = "pagefind"


def index_site(site: Path) -> tuple[bool, str]:
    """Index the built site in ``site`` into ``site/pagefind/``; returns (passed, Pagefind's output)."""
    try:
        result = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", BUNDLE,
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
