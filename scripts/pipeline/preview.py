"""The page the live preview shows instead of the site while the content has problems.

``mkdocs serve`` keeps serving the last good pages; while a saved file has problems, every page (and the
404 page) is replaced by this one, listing each problem with its file, line, field and message. The
preview server adds its reload script before ``</body>``, so the site comes back on the next good save.
"""

from __future__ import annotations

import html

from .errors import Problem

_STYLE = ("body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;"
          "color:#1a1a1a;background:#fff}h1{color:#b00020}table{border-collapse:collapse;width:100%}"
          "th,td{border:1px solid #ccc;padding:.4rem .6rem;text-align:left;vertical-align:top}"
          "td.line{text-align:right}code{font-size:.95em}"
          "@media (prefers-color-scheme:dark){body{color:#eee;background:#121212}h1{color:#ff8a80}"
          "th,td{border-color:#555}}")


def problems_html(problems: list[Problem]) -> str:
    """A standalone HTML page listing ``problems`` (every text escaped)."""
    problems = sorted(problems)
    files = len({problem.file for problem in problems})
    rows = "\n".join(
        f'<tr><td><code>{html.escape(p.file)}</code></td><td class="line">{p.line}</td>'
        f"<td><code>{html.escape(p.path)}</code></td><td>{html.escape(str(p)[len(f'{p.file}:{p.line}: {p.path}: '):])}</td></tr>"
        for p in problems)
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {files} file{'s' if files != 1 else ''}"
    return (f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<link rel="icon" href="data:,">\n'  # no request for /favicon.ico (a 404 in the console)
            f"<title>Content problems · Margin Notes preview</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
            f'<main id="mn-problems">\n<h1>The content has problems</h1>\n'
            f"<p>{count}. The preview shows the site again once they are fixed: save the file and this page "
            f"reloads on its own.</p>\n"
            f"<table>\n<thead><tr><th>File</th><th>Line</th><th>Field</th><th>Problem</th></tr></thead>\n"
            f"<tbody>\n{rows}\n</tbody>\n</table>\n</main>\n</body>\n</html>\n")
