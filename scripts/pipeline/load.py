"""Load YAML content files keeping the line of every value, so later stages can point at it.

PyYAML composes the document into nodes (C parser where available); this module builds plain Python
data from the nodes and, in the same walk, a map from JSON path to line. Dates stay text
(``2026-11-28``) so the schema checks them as strings, and duplicate keys are problems, not silently
overwritten values.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
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


class LazyLinesDocument(Document):
    """A document whose line maps are rebuilt from the file's bytes the first time a message needs a
    line (a run without problems never needs one)."""

    def __init__(self, file: str, data, source: bytes):
        self.file = file
        self.data = data
        self._source = source
        self._maps: tuple[dict, dict] | None = None

    def _line_maps(self) -> tuple[dict, dict]:
        if self._maps is None:
            doc, _ = load_bytes(self._source, self.file)
            self._maps = (doc.lines, doc.text_lines)
        return self._maps

    @property
    def lines(self) -> dict:
        """The line of every value, by path (rebuilt on first use)."""
        return self._line_maps()[0]

    @property
    def text_lines(self) -> dict:
        """The first text line of every block string, by path (rebuilt on first use)."""
        return self._line_maps()[1]


def source_bytes(doc) -> bytes | None:
    """The bytes a document's data was built from, when it keeps them (:class:`LazyLinesDocument`), else None."""
    return doc.__dict__.get("_source") if isinstance(doc, LazyLinesDocument) else None


class CachedDocument(LazyLinesDocument):
    """A document whose data came from the content cache: its line maps are rebuilt from the file's
    bytes (which the cache matched by hash) the first time a message needs a line, so a cache holds
    no line maps and a run without problems never parses the file."""


class ParsedDocument(LazyLinesDocument):
    """A document parsed from bytes without a problem, its line maps left to be rebuilt when needed
    (see :func:`load_bytes` with ``lazy_lines``)."""


# Bounds on one file: its size, how deep values nest, and how many values its aliases may expand to
# (a "billion laughs" file is a few lines whose aliases expand to billions of values).
MAX_BYTES = 256 * 1024
MAX_DEPTH = 40
MAX_VALUES = 100_000
_COLLECTION_TAGS = {yaml.MappingNode: "tag:yaml.org,2002:map", yaml.SequenceNode: "tag:yaml.org,2002:seq"}

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


class _Loader(_BaseLoader):
    """The safe loader with a quicker resolver: the same tags, without the path-resolver machinery.

    The C composer calls :meth:`resolve` for every node and the two path-resolver hooks around it; the
    safe loader has no path resolvers (checked below, else this class is not used), so the hooks do
    nothing and a scalar is matched only against the implicit resolvers of its first character.
    """

    # Hooks the composer calls around each node; with no path resolvers they have nothing to do. Builtins
    # that take the same arguments and touch nothing are cheaper to call than Python functions.
    descend_resolver = staticmethod(slice)
    ascend_resolver = staticmethod(tuple)

    def resolve(self, kind, value, implicit):
        """The tag of a node, as PyYAML's resolver decides it (without its path-resolver bookkeeping)."""
        if kind is _SCALAR:
            if implicit[0]:
                for tag, regexp in _IMPLICIT.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return _STR
        return _COLLECTION_TAGS[kind]


_SCALAR = yaml.ScalarNode
_IMPLICIT = _BaseLoader.yaml_implicit_resolvers  # the same dict the base class reads, by first character
if None in _IMPLICIT or _BaseLoader.yaml_path_resolvers or _BaseLoader.DEFAULT_SCALAR_TAG != "tag:yaml.org,2002:str":
    _Loader = _BaseLoader  # noqa: F811 (a resolver setup this shortcut does not cover: use the library's)


_STR = "tag:yaml.org,2002:str"
_BLOCK = ("|", ">")


class _TooDeep(Exception):
    """Raised by the builder at the first node (in document order) nested deeper than MAX_DEPTH."""

    def __init__(self, node):
        super().__init__()
        self.node = node


class _Builder:
    """Turns a composed node tree into data and a line map, collecting problems on the way.

    With ``check_depth``, it also stops at the first node nested deeper than ``MAX_DEPTH`` (raising
    :class:`_TooDeep`), visiting nodes in the order :func:`_depth` does, so one walk does both. A value
    PyYAML cannot convert is kept in ``invalid`` (the first one) and the walk goes on, so that a
    depth problem later in the file is still the one reported, as when depth was checked first.
    """

    def __init__(self, loader, doc: Document, problems: list[Problem], line_of, check_depth: bool = False):
        self.line_of = line_of
        self.loader = loader
        self.doc = doc
        self.problems = problems
        self.seen: dict[int, object] = {}
        self.limit = MAX_DEPTH if check_depth else None
        self.invalid: Exception | None = None

    def _skipped(self, node, level: int) -> None:
        """Depth-check a subtree the builder does not build (a complex or repeated key's value)."""
        if self.limit is not None:
            found = _deep_node(node, level)
            if found is not None:
                raise _TooDeep(found)

    def build(self, node, path: tuple, level: int = 1):
        """The Python value of ``node`` at ``path``, aliases shared and the nesting limit enforced."""
        key = id(node)
        if key in self.seen:  # an alias: reuse, do not expand again (keeps "billion laughs" cheap)
            return self.seen[key]
        if self.limit is not None and level > self.limit:
            raise _TooDeep(node)
        kind = type(node)
        if kind is yaml.ScalarNode:
            value = self._scalar(node, path)
            self.seen[key] = value
            return value
        if node.tag != _COLLECTION_TAGS[kind]:
            self.problems.append(Problem(
                self.doc.file, self.line_of(node.start_mark), json_path(path),
                f"unsupported YAML tag {_tag(node.tag)}; remove it and write plain values"))
        if kind is yaml.MappingNode:
            value = self._mapping(node, path, level)
        else:
            value = []
            self.seen[key] = value
            lines, line_of, build, fast = self.doc.lines, self.line_of, self.build, self.limit is not None
            for index, item in enumerate(node.value):
                where = path + (index,)
                if where not in lines:
                    lines[where] = line_of(item.start_mark)
                if fast and type(item) is yaml.ScalarNode and item.tag == _STR and item.style not in _BLOCK \
                        and level < self.limit:
                    value.append(item.value)  # a plain string: what build() returns, without the call
                else:
                    value.append(build(item, where, level + 1))
        self.seen[key] = value
        return value

    def _mapping(self, node, path: tuple, level: int) -> dict:
        value: dict = {}
        self.seen[id(node)] = value
        first_line: dict = {}
        lines, line_of, build, limit = self.doc.lines, self.line_of, self.build, self.limit
        for key_node, value_node in node.value:
            scalar_key = type(key_node) is yaml.ScalarNode
            if limit is not None and scalar_key and level + 1 > limit:
                raise _TooDeep(key_node)
            line = line_of(key_node.start_mark)
            if not scalar_key or key_node.tag == "tag:yaml.org,2002:merge":
                if not scalar_key:
                    self._skipped(key_node, level + 1)
                self._skipped(value_node, level + 1)
                self.problems.append(Problem(self.doc.file, line, json_path(path), "keys must be plain words"))
                continue
            key = key_node.value
            if key in first_line:
                self._skipped(value_node, level + 1)
                self.problems.append(Problem(
                    self.doc.file, line, json_path(path + (key,)),
                    f"key {short(key)} appears twice (first on line {first_line[key]}); keep one"))
                continue
            first_line[key] = line
            where = path + (key,)
            if where not in lines:
                lines[where] = line
            if limit is not None and type(value_node) is yaml.ScalarNode and value_node.tag == _STR \
                    and value_node.style not in _BLOCK:
                value[key] = value_node.value  # a plain string (no alias in this file): as build() would
            else:
                value[key] = build(value_node, where, level + 1)
        return value

    def _scalar(self, node, path: tuple):
        if node.style in _BLOCK:
            self.doc.text_lines[path] = self.line_of(node.start_mark) + 1
        kind = _SCALAR_TAGS.get(node.tag)
        if kind is None:
            self.problems.append(Problem(
                self.doc.file, self.line_of(node.start_mark), json_path(path),
                f"unsupported YAML tag {_tag(node.tag)}; remove it and write plain values"))
            return node.value
        if kind == "str":
            return node.value
        if kind == "null":
            return None
        try:
            if kind == "bool":
                return self.loader.construct_yaml_bool(node)
            if kind == "int":
                return self.loader.construct_yaml_int(node)
            return self.loader.construct_yaml_float(node)
        except (ValueError, OverflowError) as error:  # e.g. an int or float scalar PyYAML cannot convert
            if self.invalid is None:
                self.invalid = error
            return None


class _Fallback(Exception):
    """Raised by :func:`_fast_value` at anything it does not handle: the full builder takes over."""


_MERGE = "tag:yaml.org,2002:merge"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_AS_TEXT = (_STR, "tag:yaml.org,2002:timestamp")


def _fast_value(loader, node, level: int):
    """The value :class:`_Builder` gives a file without aliases and without problems, with no line map.

    Raises :class:`_Fallback` at anything else (a tag, a duplicate, merge or non-text key, a value
    PyYAML cannot convert, nesting deeper than ``MAX_DEPTH``): the caller then runs the full builder,
    whose data, lines and messages are the reference.
    """
    kind = type(node)
    if kind is _SCALAR:
        tag = node.tag
        if tag in _AS_TEXT:
            return node.value
        scalar = _SCALAR_TAGS.get(tag)
        if scalar == "null":
            return None
        try:
            if scalar == "bool":
                return loader.construct_yaml_bool(node)
            if scalar == "int":
                return loader.construct_yaml_int(node)
            if scalar == "float":
                return loader.construct_yaml_float(node)
        except (ValueError, OverflowError):
            raise _Fallback from None
        raise _Fallback
    items = node.value
    if items and level >= MAX_DEPTH:
        raise _Fallback
    deeper = level + 1
    if kind is yaml.MappingNode:
        if node.tag != _MAP:
            raise _Fallback
        value: dict = {}
        for key_node, value_node in items:
            if type(key_node) is not _SCALAR or key_node.tag != _STR:
                raise _Fallback
            key = key_node.value
            if key in value:
                raise _Fallback
            if type(value_node) is _SCALAR and value_node.tag == _STR:
                value[key] = value_node.value
            else:
                value[key] = _fast_value(loader, value_node, deeper)
        return value
    if node.tag != _SEQ:
        raise _Fallback
    return [item.value if type(item) is _SCALAR and item.tag == _STR else _fast_value(loader, item, deeper)
            for item in items]


def _fast_shared(loader, root):
    """:func:`_fast_value` for a tree with aliases: each node built once, an alias sharing its value as
    :class:`_Builder` shares it, without a line map.

    Raises :class:`_Fallback` wherever :func:`_bounds` finds a problem (an alias inside the value it
    names, more than ``MAX_VALUES`` values once aliases are expanded) and wherever :func:`_fast_value`
    would (nesting is checked on each node's first occurrence, as both walks check it): the caller then
    runs the full checks and builder, whose data, lines and messages are the reference.
    """
    built: dict[int, tuple] = {}  # id(node) -> (value, number of values it expands to)
    opened: set[int] = set()

    def value(node, level: int):
        key = id(node)
        done = built.get(key)
        if done is not None:
            return done
        if key in opened:
            raise _Fallback
        kind = type(node)
        if kind is _SCALAR:
            done = built[key] = (_fast_value(loader, node, level), 1)
            return done
        items = node.value
        if items and level >= MAX_DEPTH:
            raise _Fallback
        opened.add(key)
        deeper, size = level + 1, 1
        if kind is yaml.MappingNode:
            if node.tag != _MAP:
                raise _Fallback
            out: dict = {}
            for key_node, value_node in items:
                if type(key_node) is not _SCALAR or key_node.tag != _STR or key_node.value in out:
                    raise _Fallback
                item, count = value(value_node, deeper)
                out[key_node.value] = item
                size += 1 + count
        else:
            if node.tag != _SEQ:
                raise _Fallback
            out = []
            for child in items:
                item, count = value(child, deeper)
                out.append(item)
                size += count
        if size > MAX_VALUES:
            raise _Fallback
        opened.discard(key)
        done = built[key] = (out, size)
        return done

    return value(root, 1)[0]


def _no_alias(root) -> bool:
    """Whether no node of the tree is met twice (an alias is a node met again), stopping at the first."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        key = id(node)
        if key in seen:
            return False
        seen.add(key)
        kind = type(node)
        if kind is yaml.MappingNode:
            for pair in node.value:
                stack += pair
        elif kind is yaml.SequenceNode:
            stack += node.value
    return True


def load_text(text: str, file: str, source: bytes | None = None) -> tuple[Document, list[Problem]]:
    """Parse YAML ``text`` (shown as ``file`` in messages); return the document and any problems.

    With ``source`` (the bytes ``text`` was decoded from), a short file without aliases (where only the
    depth can be out of bounds) that loads without a problem comes back as a :class:`ParsedDocument`,
    its line maps built only if a message needs them.
    """
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as error:
            line_of = line_counter(text)
            mark = error.problem_mark or error.context_mark
            line = line_of(mark) if mark else 1
            reason = (error.problem or error.context or "invalid YAML").strip()
            if isinstance(error, yaml.composer.ComposerError) and error.context and error.problem:
                reason = f"{error.context.strip()}, {reason}"  # e.g. "expected a single document ..., but found ..."
            opened = line_of(error.context_mark) if error.context_mark else line
            line, reason = explain_yaml_error(text, line, reason, opened)
            return Document(file), [Problem(file, line, "$", f"invalid YAML: {reason}")]
        except yaml.reader.ReaderError as error:  # a character YAML does not allow, e.g. a control character
            line = text.count("\n", 0, max(error.position, 0)) + 1
            char = chr(error.character) if isinstance(error.character, int) else error.character
            return Document(file), [Problem(file, line, "$", f"invalid YAML: character {short(char)} is not allowed")]
        except yaml.YAMLError as error:
            first = (str(error).splitlines() or ["unknown error"])[0]
            return Document(file), [Problem(file, 1, "$", f"invalid YAML: {first}")]
        if node is None:
            return Document(file), [Problem(file, 1, "$", "the file is empty")]
        plain = _plain(text)
        if source is not None and 2 * len(text) < MAX_VALUES:
            try:
                data = _fast_value(loader, node, 1) if plain or _no_alias(node) else _fast_shared(loader, node)
                doc = ParsedDocument(file, data, source)
                doc.json_safe = True  # text keys; text, numbers, booleans, null: JSON gives it back as it is
                return doc, []
            except (_Fallback, RecursionError):
                pass  # the full checks and builder below find the problem and its line
        doc = Document(file)  # made here: the lazy path above needs neither it nor the line counter
        problems: list[Problem] = []
        line_of = line_counter(text)
        bound = None if plain else _bounds(node, line_of, text)
        if bound:
            return doc, [Problem(file, bound[0], "$", bound[1])]
        doc.lines[()] = line_of(node.start_mark)
        builder = _Builder(loader, doc, problems, line_of, check_depth=plain)
        try:
            doc.data = builder.build(node, ())
        except _TooDeep as deep:  # what _bounds reports, found in the same walk
            return Document(file), [Problem(file, line_of(deep.node.start_mark), "$", _TOO_DEEP)]
        except RecursionError:
            return Document(file), [Problem(file, 1, "$", "the YAML is nested too deeply")]
        if builder.invalid is not None:
            return Document(file), [Problem(file, 1, "$", f"invalid value: {short(str(builder.invalid), 80)}")]
    finally:
        loader.dispose()
    return doc, problems


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    return node.value if isinstance(node, yaml.SequenceNode) else []


_TOO_DEEP = f"values are nested more than {MAX_DEPTH} levels deep; flatten the structure"


def _plain(text: str) -> bool:
    """No alias, and too short for MAX_VALUES nodes: only the depth can be out of bounds.

    An alias (``*name``) needs an anchor (``&name``) before it, so a text without ``*`` or without
    ``&`` has none (Markdown emphasis puts ``*`` in many texts, ``&`` is rarer).
    """
    return ("*" not in text or "&" not in text) and 2 * len(text) < MAX_VALUES


def _deep_node(root, level: int = 1):
    """The first node (in document order) nested deeper than MAX_DEPTH, counting ``root`` at ``level``."""
    stack = [(root, level)]
    while stack:
        node, level = stack.pop()
        if level > MAX_DEPTH:
            return node
        if not isinstance(node, yaml.ScalarNode):
            stack += [(child, level + 1) for child in reversed(_children(node))]
    return None


def _depth(root, line_of) -> tuple[int, str] | None:
    """:func:`_bounds` for a tree without aliases: only the depth can be too large."""
    node = _deep_node(root)
    return None if node is None else (line_of(node.start_mark), _TOO_DEEP)


def _bounds(root, line_of, text: str = "*") -> tuple[int, str] | None:
    """(line, message) when the node tree nests too deeply or its aliases expand too far, else None.

    An iterative depth-first walk that visits each node once (an alias is a node met again): expanded
    sizes are summed from the children's sizes, never by expanding, so the check is cheap for any input.
    """
    if _plain(text):
        return _depth(root, line_of)
    size: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack = [(root, 1, False)]
    while stack:
        node, level, done = stack.pop()
        key = id(node)
        if done:
            open_nodes.discard(key)
            size[key] = 1 + sum(size[id(child)] for child in _children(node))
            if size[key] > MAX_VALUES:
                return (line_of(node.start_mark), f"this file's aliases (*name) expand to more than "
                        f"{MAX_VALUES:,} values; write the values out instead of repeating aliases")
            continue
        if key in size:
            continue
        if key in open_nodes:
            return (line_of(node.start_mark), "an alias (*name) refers to a value that contains it; remove the alias")
        if level > MAX_DEPTH:
            return (line_of(node.start_mark), _TOO_DEEP)
        open_nodes.add(key)
        stack.append((node, level, True))
        stack += [(child, level + 1, False) for child in reversed(_children(node))]
    return None


def load_file(path: Path, root: Path) -> tuple[Document, list[Problem]]:
    """Read and parse one YAML file; its messages name it relative to ``root``."""
    file = display_path(path, root)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return Document(file), [Problem(file, 1, "$", f"the file has {size // 1024:,} KB; at most "
                                            f"{MAX_BYTES // 1024} KB. Split it into several entries")]
        data = path.read_bytes()
    except OSError as error:
        return Document(file), [Problem(file, 1, "$", f"cannot read the file: {error.strerror}")]
    return load_bytes(data, file)


def load_bytes(data: bytes, file: str, lazy_lines: bool = False) -> tuple[Document, list[Problem]]:
    """Parse the bytes of a file (at most ``MAX_BYTES``, checked by :func:`load_file`) shown as ``file``.

    With ``lazy_lines``, a document without problems keeps its line maps to be rebuilt when needed.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return Document(file), [Problem(file, line, "$", f"the file is not UTF-8 text (byte {data[error.start]:#04x} "
                                        "cannot be read); save it as UTF-8")]
    return load_text(text.removeprefix("\ufeff"), file, data if lazy_lines else None)


@lru_cache(maxsize=65536)
def resolved(path: Path) -> Path:
    """``path.resolve()``, computed once per path in a process (each file's path is resolved once)."""
    return path.resolve()


def display_path(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when it lies inside it, else as given."""
    try:
        return resolved(path).relative_to(resolved(root)).as_posix()
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


def _tag(tag: str) -> str:
    """A YAML tag as written in the file (``!!python/object:x``), quoted and shortened for a message."""
    return short(tag.replace("tag:yaml.org,2002:", "!!"), 80)


_QUOTE_START = re.compile(r"""^\s*(?:-\s+)?(?:[^\s:#'"][^:#]*:\s+)?(["'])""")


def _unclosed_quote(text: str, last_line: int) -> int | None:
    """The first line up to ``last_line`` whose value opens a quote it does not close, or None."""
    for number, line in enumerate(text.split("\n")[:last_line], start=1):
        match = _QUOTE_START.match(line)
        if not match:
            continue
        quote, rest = match.group(1), line[match.end():]
        closed = rest.replace("''", "") if quote == "'" else re.sub(r'\\.', "", rest)
        if quote not in closed:
            return number
    return None


def explain_yaml_error(text: str, line: int, reason: str, opened: int | None = None) -> tuple[int, str]:
    """(line, message) in plain words for a YAML syntax error PyYAML reported as ``reason`` at ``line``.

    ``opened`` is the line of the construct the error is in (where an unclosed bracket opened).
    """
    if "tab" in reason:
        return line, ("a tab character is used for indentation; YAML indents with spaces only: "
                      "replace the tab with spaces")
    quote_line = _unclosed_quote(text, line)
    if quote_line and ("end of stream" in reason or "expected key" in reason or "expected" in reason):
        return quote_line, ("the quoted text on this line has no closing quote; add the same quote "
                            "mark (\" or ') at the end of the value")
    if "mapping values are not allowed" in reason:
        return line, ("this value contains a colon followed by a space (': '); put the whole value in "
                      "quotes, or check that the line is indented like the keys around it")
    if "expected ',' or ']'" in reason:
        return opened or line, "the list in brackets [ ... ] that starts on this line is not closed; add the closing ]"
    if "expected ',' or '}'" in reason:
        return opened or line, "the mapping in braces { ... } that starts on this line is not closed; add the closing }"
    if "expected key" in reason or "expected '-' indicator" in reason or "expected <block end>" in reason:
        return line, ("this line is indented differently from the lines around it; keys of one mapping "
                      "start in the same column, and so do the '- ' items of one list (spaces only)")
    if "cannot start any token" in reason:
        return line, f"{reason}; put the value in quotes"
    return line, reason
