"""The live preview's HTTP server (used by :mod:`scripts.preview_server`): MkDocs' live-reload server
with inotify, the problems page and what each build changed.

* A save is seen through inotify at once (MkDocs' own server polls every half second); the build waits
  50 ms for a save's further events, 20 ms once the last event closed or renamed a file.
* Every page it serves carries :data:`RELOAD_SCRIPT` (``preview_reload.js``) instead of MkDocs' reload
  script: the page waits on ``/livereload/mn/<build>``, which answers the moment a build ends with the
  addresses of the pages that build wrote; a page among them swaps its new content in place, the
  others stay as they are; after a full build or with content problems every page reloads.
* While the content has problems every page answers with the problems page.
"""

from __future__ import annotations

import collections
import json
import os
import re
import time
from pathlib import Path

import watchdog.events
import watchdog.observers
from mkdocs.livereload import LiveReloadServer

RELOAD_SCRIPT = Path(__file__).with_name("preview_reload.js")
# Events that change a file (inotify also reports files being opened and read).
_CHANGES = {"created", "modified", "deleted", "moved", "closed"}
_SETTLED = {"closed", "moved"}  # events that end a save (a written file closed, a file renamed into place)
_NEWS = re.compile(r"/livereload/mn/([0-9]+)")


class PreviewServer(LiveReloadServer):
    """MkDocs' live-reload server with inotify, the changed paths, what each build wrote (for the pages
    waiting on it), the problems page and a search note."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.observer = watchdog.observers.Observer()  # inotify on Linux: no polling delay
        # wait this long for a save's further events before building: 50 ms, or 20 ms once the last
        # event closed a written file or renamed one into place (a save is then normally complete)
        self.build_delay = 0.05
        self.settled = False
        self.changed: set[str] = set()
        self.first_change = 0.0  # when the first event of the changes not yet taken arrived
        self.problems_page: bytes | None = None
        self.search_note: dict | None = None
        # what each recent build changed, for the pages waiting on /livereload/mn/: (epoch, reload all
        # pages, addresses of the pages rebuilt); guarded by _epoch_cond
        self.news: collections.deque[tuple[int, bool, tuple[str, ...]]] = collections.deque(maxlen=64)
        self.reload_script = RELOAD_SCRIPT.read_text(encoding="utf-8")

    def record(self, reload: bool, pages=()) -> None:
        """Note what the build now running did (called by the builder, before the browsers are told)."""
        with self._epoch_cond:
            self.news.append((self._wanted_epoch, reload, tuple(pages)))

    def publish(self) -> None:
        """Tell the waiting pages now that the build running has ended (called by the builder when its
        build is done and recorded; MkDocs' build loop does the same once the builder returns)."""
        with self._epoch_cond:
            self._visible_epoch = self._wanted_epoch
            self._epoch_cond.notify_all()

    def _news(self, since: int) -> bytes:
        """What changed after build ``since`` (the caller holds ``_epoch_cond``): JSON for the reload script."""
        newer = [item for item in self.news if item[0] > since]
        complete = len(self.news) < (self.news.maxlen or 0) or (self.news and self.news[0][0] <= since)
        reload = not complete or any(item[1] for item in newer) or (
            self._visible_epoch > since and not newer)  # a build that recorded nothing
        pages = sorted({page for item in newer for page in item[2]})
        return json.dumps({"epoch": self._visible_epoch, "reload": reload, "pages": pages}).encode()

    def watch(self, path, func=None, *, recursive: bool = True) -> None:
        """Watch ``path``; every changed file under it is recorded and asks for a rebuild."""
        path = os.path.abspath(path)
        if path in self._watched_paths:
            self._watched_paths[path] += 1
            return
        self._watched_paths[path] = 1

        def callback(event):
            if event.is_directory or event.event_type not in _CHANGES:
                return
            paths = {os.fsdecode(event.src_path), os.fsdecode(getattr(event, "dest_path", "") or "")} - {""}
            if all("__pycache__" in p for p in paths):
                return
            with self._rebuild_cond:
                if not self.changed:
                    self.first_change = time.perf_counter()
                self.changed |= paths
                self.settled = event.event_type in _SETTLED
                self._want_rebuild = True
                self._rebuild_cond.notify_all()

        handler = watchdog.events.FileSystemEventHandler()
        handler.on_any_event = callback
        self._watch_refs[path] = self.observer.schedule(handler, path, recursive=recursive)

    @property
    def build_delay(self) -> float:
        """MkDocs' build loop waits this long after each event for another one."""
        return min(self._delay, 0.02) if self.settled else self._delay

    @build_delay.setter
    def build_delay(self, seconds: float) -> None:
        self._delay = seconds

    def take_changes(self) -> tuple[set[str], float | None]:
        """The paths changed since the last call, and when the first of them was seen (``perf_counter``)."""
        with self._rebuild_cond:
            changed, self.changed = self.changed, set()
            return changed, (self.first_change if changed else None)

    def _serve_request(self, environ, start_response):
        problems = self.problems_page
        path = environ["PATH_INFO"].encode("latin-1").decode("utf-8", "ignore")
        if match := _NEWS.fullmatch(path):
            since = int(match[1])
            with self._epoch_cond:
                self._epoch_cond.wait_for(lambda: self._visible_epoch > since, timeout=self.poll_response_timeout)
                body = self._news(since)
            start_response("200 OK", [("Content-Type", "application/json"), ("Cache-Control", "no-store"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        if problems is None or path.startswith("/livereload/") or not _is_page(path):
            return super()._serve_request(environ, start_response)
        with self._epoch_cond:
            self._epoch_cond.wait_for(lambda: self._visible_epoch == self._wanted_epoch)
            epoch = self._visible_epoch
        relative = path[len(self.mount_path):] if path.startswith(self.mount_path) else path.lstrip("/")
        target = Path(self.root, relative, "index.html" if relative.endswith("/") or not relative else "")
        status = "200 OK" if path.rstrip("/") + "/" == self.mount_path or target.is_file() else "404 Not Found"
        body = self._inject_js_into_html(problems, epoch)
        start_response(status, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]

    def _inject_js_into_html(self, content, epoch):
        """Add the reload script (scripts/preview_reload.js) and the search note before ``</body>``."""
        reload = self.reload_script.replace("EPOCH, MOUNT", f"{int(epoch)}, {json.dumps(self.mount_path)}")
        script = f"<script>{reload}</script>"
        note = self.search_note
        if note is not None:
            script += ("<script>(function(){var n=%s;document.documentElement.dataset.mnPreviewSearch=n.built;"
                       "var i=document.querySelector('[data-mn-search-query]');"
                       "if(i){i.placeholder=n.short;i.title=n.long;}})();</script>" % json.dumps(note))
        end = content.rfind(b"</body>")
        end = len(content) if end < 0 else end
        return content[:end] + script.encode() + content[end:]


def _is_page(path: str) -> bool:
    """Whether ``path`` asks for a page (a folder, an .html file or a name without extension)."""
    name = path.rsplit("/", 1)[-1]
    return not name or name.endswith(".html") or "." not in name
