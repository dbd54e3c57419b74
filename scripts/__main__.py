"""Command line: ``python -m scripts validate [FILES...] | build | render | serve``.

validate  check entries (all, or the given files) and print every problem as file:line: $.path: message
build     check, render, ``mkdocs build --strict`` and swap the result into site/ (untouched on failure)
render    check and write the generated docs folder only (for other engines, e.g. Zensical)
serve     live preview on 127.0.0.1:8000 that rebuilds when an entry changes
market    refresh content/market/snapshot.yaml from CoinGecko (file untouched on any failure)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from .pipeline.build import DOCS_ENV, ROOT, ROOT_ENV, build, check, prepare
from .pipeline.content import Layout
from .pipeline.errors import ContentError, format_problems


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def cmd_validate(args) -> int:
    """Validate content; print problems; 0 when clean, 1 otherwise."""
    layout = Layout(args.root)
    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        for f in missing:
            _err(f"{f}:1: $: no such file")
        return 1
    content, problems = check(layout, args.files)
    if problems:
        _err(format_problems(problems))
        return 1
    count = len(args.files) if args.files else len(content.entries)
    print(f"{count} entr{'y' if count == 1 else 'ies'} valid.")
    return 0


def cmd_build(args) -> int:
    """Build the site atomically into ``--site`` (default site/)."""
    return build(Layout(args.root), args.site, args.config, args.docs, log=_err)


def cmd_render(args) -> int:
    """Write the generated docs folder only."""
    try:
        files = prepare(Layout(args.root), args.docs or args.root / ".build" / "docs")
    except ContentError as error:
        _err(str(error))
        return 1
    print(f"{len(files)} files written.")
    return 0


def cmd_serve(args) -> int:
    """Render once, then hand over to ``mkdocs serve`` (its hook re-renders on every change)."""
    docs = args.docs or args.root / ".build" / "docs"
    try:
        prepare(Layout(args.root), docs)
    except ContentError as error:
        _err(str(error))
        _err("Fix these and save; the preview rebuilds on its own.")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", **{DOCS_ENV: str(docs.resolve()), ROOT_ENV: str(args.root)})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "mkdocs", "serve", "--livereload", "-f", str(args.config),
               "-a", f"127.0.0.1:{args.port}", "-w", str(args.root / "content")]
    try:
        return subprocess.call(command, cwd=args.config.parent, env=env)
    except KeyboardInterrupt:
        return 0


def cmd_market(args) -> int:
    """Refresh the market snapshot from CoinGecko (scripts/market.py)."""
    from .market import update

    return update(Layout(args.root), out=print, err=_err)


def main(argv=None) -> int:
    """Parse ``argv`` and run the command; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m scripts", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="project folder holding content/")
    parser.add_argument("--config", type=Path, default=ROOT / "mkdocs.yml", help="MkDocs configuration")
    parser.add_argument("--docs", type=Path, default=None, help="generated docs folder (default .build/docs)")
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check entries and print every problem")
    validate.add_argument("files", nargs="*", help="entry files (default: all)")
    validate.set_defaults(run=cmd_validate)
    build_cmd = sub.add_parser("build", help="check, render and build site/ atomically")
    build_cmd.add_argument("--site", type=Path, default=ROOT / "site", help="output folder (default site/)")
    build_cmd.set_defaults(run=cmd_build)
    sub.add_parser("render", help="write the generated docs folder only").set_defaults(run=cmd_render)
    serve = sub.add_parser("serve", help="live preview on 127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(run=cmd_serve)
    sub.add_parser("market", help="refresh content/market/snapshot.yaml from CoinGecko").set_defaults(run=cmd_market)
    args = parser.parse_args(argv)
    args.root = args.root.resolve()
    args.config = args.config.resolve()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
