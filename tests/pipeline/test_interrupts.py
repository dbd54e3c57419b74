"""Ctrl-C and SIGTERM stop a build cleanly; a busy port stops the preview with a clear message."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("signum, code, name", [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "Ctrl-C")])
def test_signal_during_build_stops_cleanly(tmp_path, make_project, good_text, signum, code, name):
    layout = make_project(tmp_path / "project", {"good-entry.yaml": good_text})
    site = layout.root / "site"
    site.mkdir()
    (site / "index.html").write_text("the previous site")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    process = subprocess.Popen([sys.executable, "-m", "scripts", "--root", str(layout.root), "--docs",
                                str(layout.root / "docs"), "build", "--site", str(site)],
                               cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(layout.root.glob(".site-*")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # wait until MkDocs is building into its temporary folder
    assert process.poll() is None, process.communicate()
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    assert process.returncode == code, err
    assert err.strip().splitlines() == [f"build: stopped by {name}; temporary folders removed, site/ left as it was."]
    assert list(layout.root.glob(".site-*")) == []
    assert (site / "index.html").read_text() == "the previous site"


def test_busy_port_is_a_clear_message(project, cli):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _, err = cli("--root", project.root, "serve", "--port", port)
    assert code == 1
    assert err.strip() == (f"serve: port {port} is already in use (another preview or program is listening there); "
                           f"stop it, or choose another port: make serve PORT={port + 1}")
