"""Problems found in content, and the one exception the pipeline raises for them.

A :class:`Problem` prints as ``file:line: $.path: message``: the format editors see in the terminal,
in CI logs and in ``mkdocs serve``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file: where it is (file, line, JSON path) and what is wrong."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        # one problem, one line: a control character from the content never splits a message
        message = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), self.message)
        return f"{self.file}:{self.line}: {self.path}: {message}"


class ContentError(Exception):
    """Raised when content has problems; carries them all, sorted, so a caller prints them at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__(format_problems(self.problems))


def format_problems(problems: list[Problem]) -> str:
    """Return the problems as sorted lines plus a one-line count."""
    lines = [str(problem) for problem in sorted(problems)]
    files = len({problem.file for problem in problems})
    noun = "problem" if len(problems) == 1 else "problems"
    lines.append(f"{len(problems)} {noun} in {files} file{'' if files == 1 else 's'}.")
    return "\n".join(lines)


def json_path(parts) -> str:
    """Format a sequence of keys and indexes as a JSON path: ``$.faq[2].answer``."""
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _PLAIN_KEY.match(str(part)):
            out.append(f".{part}")
        else:
            out.append(f"[{short(str(part))}]")
    return "".join(out)


def short(value, limit: int = 40) -> str:
    """A one-line, length-limited ``repr`` of a value for use inside a message."""
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("\n", "\\n")


def github_escape(text: str, prop: bool = False) -> str:
    """Escape ``text`` for a GitHub workflow command: ``%``, CR, LF; in a property also ``:`` and ``,``."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def github_annotation(problem: Problem, level: str = "error") -> str:
    """One problem as a GitHub Actions annotation: ``::error file=…,line=…,title=…::message``."""
    props = f"file={github_escape(problem.file, True)},line={problem.line},title={github_escape(problem.path, True)}"
    return f"::{level} {props}::{github_escape(problem.message)}"
