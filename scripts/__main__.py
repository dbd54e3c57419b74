"""Command line: ``python -m scripts validate [FILES...] | build | render | serve | new | rule``.

validate  check entries (all, or the given files) and print every problem as file:line: $.path: message
build     check, render, ``mkdocs build --strict`` and swap the result into site/ (untouched on failure)
render    check and write the generated docs folder only (for other engines, e.g. Zensical)
serve     live preview on 127.0.0.1:8000; a save rebuilds the changed pages and those that show them
market    refresh content/market/snapshot.yaml from CoinGecko (file untouched on any failure)
new       write a draft entry with every required field: new <id> --title "..."
rule      run one rule's scenario and print the model's state after every step: rule <id> [--venue ...]

With GITHUB_ACTIONS=true or FORMAT=github, validate prints problems as GitHub annotations.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import threading
from pathlib import Path

from .pipeline.content import Layout
from .pipeline.errors import ContentError, Problem, format_problems, github_annotation
from .pipeline.load import display_path

# The pipeline (and through it the model, Markdown, jsonschema) is imported by the commands that use
# it: a validate run whose inputs did not change replays its last outcome without them.
ROOT = Path(__file__).resolve().parents[1]  # as scripts.pipeline.build.ROOT


def github_format() -> bool:
    """True when problems should print as GitHub annotations (in GitHub Actions, or FORMAT=github)."""
    return os.environ.get("GITHUB_ACTIONS") == "true" or os.environ.get("FORMAT", "").lower() == "github"


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
    outcome = validate_outcome(layout, args.files)
    notes, problems = outcome.notes, outcome.problems
    github = github_format()
    for note in notes:
        print(github_annotation(note, "notice") if github else f"{note.file}:{note.line}: {note.path}: note: "
              f"{note.message}")
    for warning in outcome.warnings:
        if github:
            print(github_annotation(warning, "warning"))
        _err(str(warning))
    if problems:
        if github:
            for problem in problems:
                print(github_annotation(problem))
        _err(format_problems(problems))
        return 1
    count = outcome.count
    drafts = len({note.file for note in notes})
    print(f"{count} entr{'y' if count == 1 else 'ies'} valid" + (
        f" ({drafts} draft{'s' if drafts != 1 else ''}: the notes above list what to finish)." if drafts else "."))
    return 0


def validate_outcome(layout: Layout, files):
    """What ``validate`` reports for ``files`` (all entries when empty): replayed from ``.cache/run.json``
    when no input changed since it was stored (scripts/pipeline/runcache.py), else checked and stored."""
    from .pipeline import runcache
    from .pipeline.statindex import StatIndex

    enabled = os.environ.get("MARGIN_NOTES_CACHE", "1") != "0"  # build.CACHE_ENV
    stats = StatIndex(layout.root, enabled)
    key = runcache.run_key(layout.root, files, stats) if enabled else ""
    outcome = runcache.replay(layout.root, key) if enabled else None
    if outcome is not None:
        stats.save()
        return outcome
    from .pipeline.build import check
    from .pipeline.drafts import draft_notes

    content, problems = check(layout, files, stats=stats)
    notes = draft_notes(content, [display_path(Path(f), layout.root) for f in files])
    outcome = runcache.Outcome(problems, list(content.warnings), notes, len(files) if files else len(content.entries))
    if enabled:
        runcache.store(layout.root, key, outcome)
    return outcome


_PROBLEM_LINE = re.compile(r"^(?P<file>[^:\s][^:]*):(?P<line>\d+): (?P<path>\$\S*): (?P<message>.*)$")


def _github_log(text: str) -> None:
    """Print ``text`` as usual, plus an annotation for each of its problem lines (GitHub format)."""
    for line in text.splitlines():
        match = _PROBLEM_LINE.match(line)
        if match:
            print(github_annotation(Problem(match["file"], int(match["line"]), match["path"], match["message"])))
    _err(text)


def cmd_build(args) -> int:
    """Build the site atomically into ``--site`` (default site/)."""
    from .pipeline.build import build

    return build(Layout(args.root), args.site, args.config, args.docs,
                 log=_github_log if github_format() else _err)


def cmd_render(args) -> int:
    """Write the generated docs folder only."""
    from .pipeline.build import prepare

    try:
        files = prepare(Layout(args.root), args.docs or args.root / ".build" / "docs", log=_err)
    except ContentError as error:
        _err(str(error))
        return 1
    print(f"{len(files)} files written.")
    return 0


def cmd_serve(args) -> int:
    """Serve the live preview (:mod:`scripts.preview_server`): a save rebuilds the changed pages only."""
    problem = port_problem(args.port)
    if problem:
        _err(f"serve: {problem}")
        return 1
    from .preview_server import serve

    return serve(args.root, args.config, args.docs or args.root / ".build" / "docs", args.port)


def port_problem(port: int) -> str | None:
    """Why the preview cannot listen on 127.0.0.1:``port`` (e.g. it is taken), or None when it can."""
    import errno
    import socket  # here: every other command starts without it

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return (f"port {port} is already in use (another preview or program is listening there); "
                        f"stop it, or choose another port: make serve PORT={port + 1}")
            return f"cannot listen on 127.0.0.1:{port} ({error.strerror}); choose another port: make serve PORT=8001"
    return None


class Stopped(BaseException):
    """Raised in the main thread when SIGTERM arrives, so cleanup code runs as for Ctrl-C.

    Like KeyboardInterrupt it is no Exception: code that reports a failed step and carries on (the
    preview server's rebuild loop) lets it through.
    """


def _on_sigterm(signum, frame):
    raise Stopped()


def cmd_market(args) -> int:
    """Refresh the market snapshot from CoinGecko (scripts/market.py)."""
    from .market import update

    return update(Layout(args.root), out=print, err=_err)


def cmd_new(args) -> int:
    """Write a draft entry from the scaffold; 1 with a message when the id is taken or no slug."""
    from .scaffold import ScaffoldError, new_entry

    try:
        path = new_entry(Layout(args.root), args.id, args.title, args.category)
    except ScaffoldError as error:
        _err(f"new: {error}")
        return 1
    shown = display_path(path, args.root)
    print(f"wrote {shown} (a draft). Next: replace every TODO, then make validate FILES={shown}")
    return 0


def cmd_rule(args) -> int:
    """Print one rule's scenario as a state table; 1 for an unknown rule or a failed expectation."""
    from .explore import ExploreError, report

    try:
        text, held = report(Layout(args.root), args.id, args.venue, args.fields)
    except ExploreError as error:
        _err(f"rule: {error}")
        return 1
    print(text)
    return 0 if held else 1


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
    new = sub.add_parser("new", help="write a draft entry with every required field")
    new.add_argument("id", help="the new entry's id (a slug, e.g. what-is-adl)")
    new.add_argument("--title", default=None, help="the page title (the question a reader types)")
    new.add_argument("--category", default=None, help="a category id (default: the first one)")
    new.set_defaults(run=cmd_new)
    rule = sub.add_parser("rule", help="run one rule's scenario and print the state after every step")
    rule.add_argument("id", help="the rule's id")
    rule.add_argument("--venue", default=None, help="run on another venue profile than the rule's")
    rule.add_argument("--fields", type=lambda text: [f.strip() for f in text.split(",") if f.strip()],
                      default=[], help="extra state fields to show, comma-separated (e.g. debt,liquidations)")
    rule.set_defaults(run=cmd_rule)
    args = parser.parse_args(argv)
    args.root = args.root.resolve()
    args.config = args.config.resolve()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if threading.current_thread() is threading.main_thread() \
        else None
    try:
        return args.run(args)
    except (KeyboardInterrupt, Stopped) as stop:
        how = "Ctrl-C" if isinstance(stop, KeyboardInterrupt) else "SIGTERM"
        _err(f"{args.command}: stopped by {how}; temporary folders removed, site/ left as it was.")
        return 130 if how == "Ctrl-C" else 143
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
