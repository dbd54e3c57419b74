"""``mkdocs build`` in a process forked from the build before its pipeline runs (issue 14).

A new ``python -m mkdocs`` process started Python again and imported (and, without ``.pyc`` files,
compiled) what the build's own process had imported already: Python-Markdown and the site's
extensions, PyYAML, the calculator fence (the calculator catalogue, the exchange model and its venue
profiles), the hook's pipeline modules. At 1,000 entries that was about a tenth of the build's own
CPU. :meth:`MkDocsFork.start` imports those modules (:data:`PRELOAD`: each one the MkDocs process
imports in every build, so importing it first costs nothing the build did not pay already) and makes
the calculator catalogue the fence reads (``scripts.calcfence.specs``, which the pipeline's checks
read too), then forks a child that waits. :meth:`MkDocsFork.run` hands the child what ``subprocess.run`` would have
given a new process (arguments, environment, working folder), plus the read end of a pipe for the
pack of pages (:mod:`.memdocs`); the child runs MkDocs' command line as ``python -m mkdocs`` does,
its output going to two files the build reads back when it ends. The child is forked early, before
the pipeline loads the content: it holds only the imported modules, so its memory is that of the
MkDocs process it replaces, not that plus the pipeline's.

MkDocs itself (``mkdocs.__main__``, which reads the terminal's width when imported, Material, Jinja)
is imported in the child only, after its output went to the files, as in a new process. Where
``os.fork`` is missing, or another thread runs (a fork copies only the calling thread), ``start``
returns None and the build starts ``python -m mkdocs`` as before.
"""

from __future__ import annotations

import importlib
import importlib.util
import locale
import marshal
import os
import signal
import sys
import tempfile
import threading
import traceback

from .memdocs import PAGES_ENV, encoded

# Set to "0", the build starts ``python -m mkdocs`` as before (to compare the two, or to rule the fork out).
FORK_ENV = "MARGIN_NOTES_MKDOCS_FORK"

# What every ``mkdocs build`` of the site imports (mkdocs.yml: its Markdown extensions, the calculator
# fence; scripts/mkdocs_hook.py) and the build's process imports as well.
PRELOAD = ("yaml", "markdown", "scripts.calcfence", "scripts.pipeline.market", "scripts.pipeline.preview",
           "scripts.pipeline.content", "scripts.pipeline.errors", "scripts.pipeline.memdocs")


def _extension_modules() -> list[str]:
    """The modules of the site's Markdown extensions (:data:`.safety.SITE_EXTENSIONS`, kept equal to
    mkdocs.yml's list by a test), as Python-Markdown imports them."""
    from .safety import SITE_EXTENSIONS

    return [name if "." in name else f"markdown.extensions.{name}" for name in SITE_EXTENSIONS]


class MkDocsFork:
    """A forked child waiting to run ``mkdocs build`` once; ``with MkDocsFork.start() as fork:`` (or None)."""

    def __init__(self, pid: int, control: int, pages: int, pages_in_child: int, out, err):
        self.pid, self._control, self._pages, self._out, self._err = pid, control, pages, out, err
        self._pages_in_child = pages_in_child  # the number of the child's read end (a fork keeps numbers)
        self._running = self._waited = False

    @classmethod
    def start(cls) -> "MkDocsFork | None":
        """Import :data:`PRELOAD` and the extensions' modules, and fork the waiting child (None where
        no fork is possible; see the module's text)."""
        if not hasattr(os, "fork") or threading.active_count() != 1 or os.environ.get(FORK_ENV) == "0":
            return None
        for name in (*PRELOAD, *_extension_modules()):
            importlib.import_module(name)
        try:  # the catalogue as the fence formats it (kept for the process): each page's calculators need it
            importlib.import_module("scripts.calcfence").specs()
        except Exception:  # noqa: BLE001 (the child meets the same error where MkDocs reports it)
            pass
        out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        control_read, control_write = os.pipe()
        pages_read, pages_write = os.pipe()
        for stream in (sys.stdout, sys.stderr):  # nothing buffered may be written twice
            if stream is not None:
                stream.flush()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(control_write)
            os.close(pages_write)
            _child(control_read, pages_read, out, err)
        os.close(control_read)
        os.close(pages_read)
        return cls(pid, control_write, pages_write, pages_read, out, err)

    def run(self, command: list[str], cwd, env: dict[str, str], pages=None, docs_env: str = "") -> tuple[int, str, str]:
        """Run ``python -m mkdocs`` ``command`` (its arguments) in the child as ``subprocess.run`` runs it
        in ``cwd`` with ``env``. With ``pages`` (see :func:`.memdocs.encoded`), the hook reads them from
        the pack pipe, and the variable ``docs_env`` names an empty docs folder made meanwhile, as
        :class:`.memdocs.Handover` does. Returns (exit code, standard output, standard error) as text."""
        env = dict(env)
        env.pop(PAGES_ENV, None)
        records = encoded(pages) if pages is not None else None  # here: a text UTF-8 cannot hold fails the build
        folder = None
        try:
            if records is not None:
                folder = tempfile.mkdtemp(prefix="margin-notes-docs-")
                env.update({docs_env: folder, PAGES_ENV: f"fd:{self._pages_in_child}"})
            return self._run(command, str(cwd), env, records)
        finally:
            if folder is not None:
                os.rmdir(folder)

    def _run(self, command: list[str], cwd: str, env: dict[str, str], records) -> tuple[int, str, str]:
        try:
            message = marshal.dumps({"command": list(command), "cwd": str(cwd), "env": env})
            self._running = True
            _write_all(self._control, message)
            os.close(self._take("_control"))
            if records is not None:
                _feed(self._pages, records)
            os.close(self._take("_pages"))
            code = self._wait()
        except BaseException:
            self.close()
            raise
        return code, _text(self._out), _text(self._err)

    def _wait(self) -> int:
        _, status = os.waitpid(self.pid, 0)
        self._waited = True
        return os.waitstatus_to_exitcode(status)

    def _take(self, name: str) -> int | None:
        """The pipe end kept in the attribute ``name``, which forgets it before the caller closes it: a
        Ctrl-C right after ``os.close`` returned must not leave a closed number for :meth:`close` to
        close again (it raised EBADF over the interrupt)."""
        fd = getattr(self, name)
        setattr(self, name, None)
        return fd

    def close(self) -> None:
        """End the child (it exits by itself when it was never asked to run) and close the files."""
        for name in ("_control", "_pages"):
            fd = self._take(name)
            if fd is not None:
                os.close(fd)  # a child still waiting reads the end of its instructions and exits
        if not self._waited:
            if self._running:  # interrupted while MkDocs ran: stop it now, as subprocess.run does
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self._wait()
        self._out.close()
        self._err.close()

    def __enter__(self) -> "MkDocsFork":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _feed(fd: int, records) -> None:
    """Write the pack (as :func:`.memdocs.pack`) into the pipe; a child that stopped reading ends it."""
    try:
        with open(fd, "wb", closefd=False) as handle:
            for record in records:
                marshal.dump(record, handle)
            marshal.dump(None, handle)
    except (BrokenPipeError, OSError):  # MkDocs ended without reading the whole pack: its output says why
        pass


def _text(handle) -> str:
    """What the child wrote into ``handle``, decoded as ``subprocess.run(..., text=True)`` decodes it."""
    handle.seek(0)
    data = handle.read()
    text = data.decode(locale.getpreferredencoding(False))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _child(control: int, pages: int, out, err) -> None:
    """The forked child: wait for the instructions, run MkDocs' command line, exit with its code."""
    code = 1
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        with open(control, "rb") as handle:
            data = handle.read()
        if not data:  # the build ended before MkDocs was needed
            os._exit(0)
        message = marshal.loads(data)
        env = message["env"]
        if PAGES_ENV not in env:
            os.close(pages)
        os.environ.clear()
        os.environ.update(env)
        _output_to(out, err)
        os.chdir(message["cwd"])
        code = _mkdocs(message["command"])
    except BaseException:  # noqa: BLE001 (the child reports and exits; it never returns into the build)
        try:
            traceback.print_exc()
        except BaseException:  # noqa: BLE001
            pass
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:  # noqa: BLE001
                pass
        os._exit(code)


def _output_to(out, err) -> None:
    """Send the child's standard output and error (file descriptors 1 and 2, and ``sys.stdout`` and
    ``sys.stderr``, which a test runner may have replaced) to ``out`` and ``err``, set up as a new
    Python process sets up its standard streams on files (``PYTHONIOENCODING`` or the locale's
    encoding; errors strict on output, replaced by escapes on error)."""
    os.dup2(out.fileno(), 1)
    os.dup2(err.fileno(), 2)
    encoding, _, errors = os.environ.get("PYTHONIOENCODING", "").partition(":")
    encoding = encoding or locale.getpreferredencoding(False)
    sys.stdout = sys.__stdout__ = open(1, "w", encoding=encoding, errors=errors or "strict", closefd=False)
    sys.stderr = sys.__stderr__ = open(2, "w", encoding=encoding, errors="backslashreplace", closefd=False)


def _mkdocs(command: list[str]) -> int:
    """``python -m mkdocs`` with ``command``: its exit code (a traceback printed for an uncaught error)."""
    spec = importlib.util.find_spec("mkdocs.__main__")
    sys.argv = [spec.origin, *command]
    from mkdocs.__main__ import cli

    try:
        cli.main(args=command, prog_name="python -m mkdocs")
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        print(stop.code, file=sys.stderr)  # as Python does with a message for an exit
        return 1
    return 0
