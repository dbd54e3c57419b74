"""Fixtures for the calculator tests: the compiled bundle and a persistent Node process that runs it."""

import json
import subprocess
from pathlib import Path

import pytest

from calculators.jsbuild import build_bundle

NODE = "/usr/bin/node"

RUNNER_JS = r"""
const readline = require("readline");
const lib = require(process.argv[2]);
const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on("line", (line) => {
  const calls = JSON.parse(line);
  const answers = calls.map(([fn, args]) => {
    try {
      return { ok: lib[fn](...args) };
    } catch (e) {
      return { error: String(e.message), name: String(e.name) };
    }
  });
  process.stdout.write(JSON.stringify(answers) + "\n");
});
"""


class NodeRunner:
    """A Node process with the bundle loaded; ``call_many`` sends one JSON line of calls, gets one back."""

    def __init__(self, bundle_path, runner_path):
        self.process = subprocess.Popen(
            [NODE, str(runner_path), str(bundle_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    def call_many(self, calls):
        """Run ``[(function_name, args), ...]``; return ``[{"ok": result} | {"error", "name"}, ...]``."""
        self.process.stdin.write(json.dumps(calls, allow_nan=False) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("node runner exited")
        return json.loads(line)

    def call(self, function_name, args):
        """Run one call."""
        return self.call_many([(function_name, args)])[0]

    def close(self):
        """Stop the process."""
        self.process.stdin.close()
        self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def bundle_path(tmp_path_factory):
    """The compiled ``mncalc`` bundle written to a temporary file."""
    path = tmp_path_factory.mktemp("bundle") / "mncalc.js"
    path.write_text(build_bundle(), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def node(bundle_path):
    """A persistent Node process answering calls into the bundle."""
    runner = Path(bundle_path).parent / "runner.js"
    runner.write_text(RUNNER_JS, encoding="utf-8")
    node_runner = NodeRunner(bundle_path, runner)
    yield node_runner
    node_runner.close()
