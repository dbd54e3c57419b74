"""Load YAML content files keeping the line of every value, so later stages can point at it.

PyYAML composes the document into nodes (C parser where available); this module builds plain Python
data from the nodes and, in the same walk, a map from JSON path to line. Dates stay text
(``2026-11-28``) so the schema checks them as strings, and duplicate keys are problems, not silently
overwritten values.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import Problem, json_path, short

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str": "str",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:timestamp": "str",
}


@dataclass
class Document:
    """One loaded file: its display path, its data (None if it did not parse) and its line map."""

    file: str
    data: object = None
    lines: dict = field(default_factory=dict)
    text_lines: dict = field(default_factory=dict)

    def line(self, parts=()) -> int:
        """The line of the value at ``parts`` (a path tuple), or of its nearest ancestor that has one."""
        parts = tuple(parts)
        while parts and parts not in self.lines:
            parts = parts[:-1]
        return self.lines.get(parts, 1)

    def text_line(self, parts) -> int:
        """The line where the text of the string at ``parts`` starts (after ``|`` or ``>``)."""
        return self.text_lines.get(tuple(parts), self.line(parts))

    def problem(self, parts, message: str) -> Problem:
        """A problem at the value ``parts`` of this document."""
        return Problem(self.file, self.line(parts), json_path(parts), message)


_UNUSUAL_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


def line_counter(text: str):
    """A function giving the 1-based line of a YAML mark, counting lines the way editors do.

    YAML also breaks lines at U+2028, U+0085 and a lone CR; editors count LF only. Counting from the
    mark's character index keeps messages on the line an editor shows.
    """
    if not any(char in text for char in _UNUSUAL_BREAKS):
        return lambda mark: mark.line + 1
    newlines = [index for index, char in enumerate(text) if char == "\n"]
    return lambda mark: bisect.bisect_left(newlines, mark.index) + 1


class _Builder:
    """Turns a composed node tree into data and a line map, collecting problems on the way."""

    def __init__(self, loader, doc: Document, problems: list[Problem], line_of):
        self.line_of = line_of
        self.loader = loader
        self.doc = doc
        self.problems = problems
        self.seen: dict[int, object] = {}

    def build(self, node, path: tuple):
        if id(node) in self.seen:  # an alias: reuse, do not expand again (keeps "billion laughs" cheap)
            return self.seen[id(node)]
        if isinstance(node, yaml.MappingNode):
            value = self._mapping(node, path)
        elif isinstance(node, yaml.SequenceNode):
            value = []
            self.seen[id(node)] = value
            for index, item in enumerate(node.value):
                self.doc.lines.setdefault(path + (index,), self.line_of(item.start_mark))
                value.append(self.build(item, path + (index,)))
        else:
            value = self._scalar(node, path)
        self.seen[id(node)] = value
        return value

    def _mapping(self, node, path: tuple) -> dict:
        value: dict = {}
        self.seen[id(node)] = value
        first_line: dict = {}
        for key_node, value_node in node.value:
            line = self.line_of(key_node.start_mark)
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(Problem(self.doc.file, line, json_path(path), "keys must be plain words"))
                continue
            key = key_node.value
            if key in first_line:
                self.problems.append(Problem(
                    self.doc.file, line, json_path(path + (key,)),
                    f"key {short(key)} appears twice (first on line {first_line[key]}); keep one"))
                continue
            first_line[key] = line
            self.doc.lines.setdefault(path + (key,), line)
            value[key] = self.build(value_node, path + (key,))
        return value

    def _scalar(self, node, path: tuple):
        if node.style in ("|", ">"):
            self.doc.text_lines[path] = self.line_of(node.start_mark) + 1
        kind = _SCALAR_TAGS.get(node.tag)
        if kind is None:
            self.problems.append(Problem(
                self.doc.file, self.line_of(node.start_mark), json_path(path),
                f"unsupported YAML tag {short(node.tag, 80)}; write plain values"))
            return node.value
        if kind == "str":
            return node.value
        if kind == "null":
            return None
        if kind == "bool":
            return self.loader.construct_yaml_bool(node)
        if kind == "int":
            return self.loader.construct_yaml_int(node)
        return self.loader.construct_yaml_float(node)


def load_text(text: str, file: str) -> tuple[Document, list[Problem]]:
    """Parse YAML ``text`` (shown as ``file`` in messages); return the document and any problems."""
    doc = Document(file)
    problems: list[Problem] = []
    line_of = line_counter(text)
    loader = _BaseLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = line_of(mark) if mark else 1
            reason = (error.problem or error.context or "invalid YAML").strip()
            if isinstance(error, yaml.composer.ComposerError) and error.context and error.problem:
                reason = f"{error.context.strip()}, {reason}"  # e.g. "expected a single document ..., but found ..."
            return doc, [Problem(file, line, "$", f"invalid YAML: {reason}")]
        except yaml.reader.ReaderError as error:  # a character YAML does not allow, e.g. a control character
            line = text.count("\n", 0, max(error.position, 0)) + 1
            char = chr(error.character) if isinstance(error.character, int) else error.character
            return doc, [Problem(file, line, "$", f"invalid YAML: character {short(char)} is not allowed")]
        except yaml.YAMLError as error:
            first = (str(error).splitlines() or ["unknown error"])[0]
            return doc, [Problem(file, 1, "$", f"invalid YAML: {first}")]
        if node is None:
            return doc, [Problem(file, 1, "$", "the file is empty")]
        doc.lines[()] = line_of(node.start_mark)
        try:
            doc.data = _Builder(loader, doc, problems, line_of).build(node, ())
        except RecursionError:
            return Document(file), [Problem(file, 1, "$", "the YAML is nested too deeply")]
        except (ValueError, OverflowError) as error:  # e.g. an int or float scalar PyYAML cannot convert
            return Document(file), [Problem(file, 1, "$", f"invalid value: {short(str(error), 80)}")]
    finally:
        loader.dispose()
    return doc, problems


def load_file(path: Path, root: Path) -> tuple[Document, list[Problem]]:
    """Read and parse one YAML file; its messages name it relative to ``root``."""
    file = display_path(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return Document(file), [Problem(file, 1, "$", f"the file is not UTF-8 text ({error.reason})")]
    except OSError as error:
        return Document(file), [Problem(file, 1, "$", f"cannot read the file: {error.strerror}")]
    return load_text(text, file)


def display_path(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when it lies inside it, else as given."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def split_front_matter(text: str, file: str) -> tuple[Document, str, int, list[Problem]]:
    """Split a Markdown page into its front matter (loaded as YAML) and its body.

    Returns (front matter document, body, line of the body's first line, problems). A page without
    front matter has an empty document whose data is ``{}``.
    """
    if not text.startswith("---\n"):
        return Document(file, {}), text, 1, []
    end = text.find("\n---\n", 3)
    if end < 0:
        return Document(file, {}), text, 1, [Problem(file, 1, "$", "the front matter opened by --- on line 1 "
                                                                     "is never closed; add a line with ---")]
    doc, problems = load_text(text[4:end + 1], file)
    for key in list(doc.lines):  # line numbers inside the page, not inside the front matter
        doc.lines[key] += 1
    problems = [Problem(p.file, p.line + 1, p.path, p.message) for p in problems]
    if doc.data is None and not problems:
        doc.data = {}
    body_line = text.count("\n", 0, end + 5) + 1
    return doc, text[end + 5:], body_line, problems
