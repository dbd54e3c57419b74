"""The market updater (``python -m scripts market``) against a local HTTP server: never the network."""

from __future__ import annotations

import datetime
import http.server
import json
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import yaml

from scripts import market as updater
from scripts.pipeline.build import check

ANSWER = json.loads((Path(__file__).parent / "fixtures" / "coingecko" / "simple-price.json").read_text())
IDS = ["bitcoin", "ethereum", "tether", "ripple", "binancecoin", "solana", "usd-coin", "tron", "dogecoin", "cardano",
       "hyperliquid", "bitcoin-cash", "chainlink", "leo-token", "zcash"]


class FakeCoinGecko:
    """A CoinGecko stand-in on 127.0.0.1: answers every GET with ``status``, ``headers`` and ``body``."""

    def __init__(self):
        self.status, self.headers, self.body, self.delay = 200, {}, json.dumps(ANSWER).encode(), 0.0
        self.requests: list[str] = []
        self.keys: list[str | None] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                owner.requests.append(self.path)
                owner.keys.append(self.headers.get("x-cg-demo-api-key"))
                time.sleep(owner.delay)
                self.send_response(owner.status)
                self.send_header("Content-Type", "application/json")
                for name, value in owner.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(owner.body)))
                self.end_headers()
                self.wfile.write(owner.body)

            def log_message(self, format, *args):  # noqa: A002
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v3"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        """Stop serving and free the port."""
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def coingecko(monkeypatch):
    """The fake API, with MARGIN_NOTES_COINGECKO_URL pointing at it."""
    fake = FakeCoinGecko()
    monkeypatch.setenv(updater.API_ENV, fake.url)
    yield fake
    fake.close()


@pytest.fixture
def snapshot(project) -> Path:
    """The project's content/market/snapshot.yaml, holding the seed figures (fixtures/market-snapshot.yaml)."""
    path = project.content / "market" / "snapshot.yaml"
    path.write_text((Path(__file__).parent / "fixtures" / "market-snapshot.yaml").read_text(encoding="utf-8"))
    return path


def test_update_rewrites_the_snapshot_and_reports_what_changed(project, snapshot, coingecko, cli):
    before = yaml.safe_load(snapshot.read_text())
    code, out, err = cli("--root", project.root, "market")
    assert (code, err) == (0, "")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(coingecko.requests[0]).query)
    assert urllib.parse.urlsplit(coingecko.requests[0]).path == "/api/v3/simple/price"
    assert query == {"ids": [",".join(IDS)], "vs_currencies": ["usd"], "include_24hr_change": ["true"],
                     "include_last_updated_at": ["true"]}
    after = yaml.safe_load(snapshot.read_text())
    assert [coin["id"] for coin in after["coins"]] == IDS
    bitcoin = after["coins"][0]
    assert bitcoin == {"id": "bitcoin", "symbol": "BTC", "name": "Bitcoin", "usd": 91234.56,
                       "usd_24h_change": -0.5234, "last_updated_at": "2025-11-29T08:10:00Z"}
    assert [(c["symbol"], c["name"]) for c in after["coins"]] == [(c["symbol"], c["name"]) for c in before["coins"]]
    assert after["source"] == "CoinGecko" and after["taken_at"].endswith("Z") and after["taken_at"] != before["taken_at"]
    lines = out.splitlines()
    assert lines[0].startswith("Asking CoinGecko for 15 coins: " + coingecko.url + "/simple/price?ids=bitcoin,")
    assert "  bitcoin       87,959.91 -> 91,234.56 USD (+3.72%); 24 h +1.34% -> -0.52%" in lines
    assert "  tether        0.9998 -> 0.9998 USD (unchanged); 24 h 0.00% -> 0.00%" in lines
    assert lines[-1].startswith("15 coins, 14 prices changed; taken at ")
    assert lines[-1].endswith("(was 5 February 2026, 04:05 UTC).")
    assert sorted(p.name for p in snapshot.parent.iterdir()) == ["snapshot.yaml"]  # no temporary file left
    assert snapshot.read_text().startswith("# The price strip shown on every page")
    assert check(project)[1] == []  # the whole site still validates with the new file


def test_a_demo_key_is_sent_only_when_set(project, snapshot, coingecko, monkeypatch):
    monkeypatch.delenv(updater.KEY_ENV, raising=False)
    assert updater.update(project, out=lambda *_: None, err=pytest.fail) == 0
    monkeypatch.setenv(updater.KEY_ENV, "demo-key-for-the-test")
    assert updater.update(project, out=lambda *_: None, err=pytest.fail) == 0
    assert coingecko.keys == [None, "demo-key-for-the-test"]


def test_the_time_taken_is_the_time_of_the_request(project, snapshot, coingecko):
    now = datetime.datetime(2026, 11, 29, 7, 50, 12, tzinfo=datetime.timezone.utc)
    assert updater.update(project, out=lambda *_: None, err=pytest.fail, now=now) == 0
    assert yaml.safe_load(snapshot.read_text())["taken_at"] == "2026-11-29T07:50:12Z"


def _with(coin: str, **fields) -> bytes:
    answer = json.loads(json.dumps(ANSWER))
    answer[coin].update(fields)
    return json.dumps(answer).encode()


def _without(coin: str) -> bytes:
    return json.dumps({key: value for key, value in ANSWER.items() if key != coin}).encode()


FAILURES = [
    ("429 with Retry-After", 429, {"Retry-After": "30"}, b'{"status":{"error_code":429}}',
     "CoinGecko answered HTTP 429 Too Many Requests: too many requests; it asks to wait 30 seconds (Retry-After: 30)"),
    ("429 without Retry-After", 429, {}, b"{}", "HTTP 429 Too Many Requests: too many requests; it gave no Retry-After"),
    ("server error", 503, {}, b"busy", "CoinGecko answered HTTP 503 Service Unavailable"),
    ("malformed JSON", 200, {}, b'{"bitcoin": {"usd": 1,', "CoinGecko's answer is not valid JSON (Expecting"),
    ("not an object", 200, {}, b"[1, 2]", "CoinGecko's answer is a JSON list; expected an object of coins"),
    ("missing coin", 200, {}, _without("zcash"), "CoinGecko's answer has no price for zcash"),
    ("null change", 200, {}, _with("tron", usd_24h_change=None), "has no value for tron usd_24h_change (null)"),
    ("null price", 200, {}, _with("bitcoin", usd=None), "has no value for bitcoin usd (null)"),
    ("text price", 200, {}, _with("ripple", usd="2.1"), "has '2.1' for ripple usd; expected a number"),
    ("zero price", 200, {}, _with("ripple", usd=0), "has 0 for ripple usd; expected a number above 0"),
    ("field left out", 200, {}, json.dumps({**ANSWER, "binancecoin": {"usd": 1.0}}).encode(),
     "CoinGecko's answer for binancecoin lacks usd_24h_change, last_updated_at"),
    ("fails the schema", 200, {}, _with("solana", usd_24h_change=-150.0),
     "content/market/snapshot.yaml (new):"),
]


@pytest.mark.parametrize("status,headers,body,message", [f[1:] for f in FAILURES], ids=[f[0] for f in FAILURES])
def test_a_failed_update_leaves_the_file_untouched(project, snapshot, coingecko, cli, status, headers, body, message):
    coingecko.status, coingecko.headers, coingecko.body = status, headers, body
    before, stamp = snapshot.read_bytes(), snapshot.stat().st_mtime_ns
    code, out, err = cli("--root", project.root, "market")
    assert code == 1
    assert out.startswith("Asking CoinGecko for 15 coins")
    assert message in err, err
    assert err.rstrip().endswith("content/market/snapshot.yaml was left as it was.")
    assert snapshot.read_bytes() == before and snapshot.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in snapshot.parent.iterdir()) == ["snapshot.yaml"]


def test_an_unreachable_server_leaves_the_file_untouched(project, snapshot, cli, monkeypatch):
    fake = FakeCoinGecko()
    url = fake.url
    fake.close()  # nothing listens on that port any more
    monkeypatch.setenv(updater.API_ENV, url)
    before = snapshot.read_bytes()
    code, _, err = cli("--root", project.root, "market")
    assert code == 1 and "could not reach CoinGecko: [Errno 111] Connection refused" in err
    assert snapshot.read_bytes() == before


def test_a_slow_server_times_out(coingecko):
    coingecko.delay = 1.0
    with pytest.raises(updater.UpdateError, match="timed out"):
        updater.fetch(updater.request_url(coingecko.url, ["bitcoin"]), timeout=0.2)


def test_a_failing_replace_leaves_the_old_file_and_no_temporary(project, snapshot, coingecko, monkeypatch):
    before = snapshot.read_bytes()

    def broken_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(updater.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        updater.update(project, out=lambda *_: None, err=lambda *_: None)
    assert snapshot.read_bytes() == before
    assert sorted(p.name for p in snapshot.parent.iterdir()) == ["snapshot.yaml"]


def test_a_broken_snapshot_is_reported_before_asking(project, snapshot, coingecko, cli):
    snapshot.write_text(snapshot.read_text().replace('taken_at: "2026-02-05T04:05:02Z"', "taken_at: yesterday"))
    code, out, err = cli("--root", project.root, "market")
    assert code == 1 and coingecko.requests == [] and out == ""
    assert "content/market/snapshot.yaml:5: $.taken_at: 'yesterday' is not in the expected form; write a UTC time" in err


def test_the_written_text_keeps_its_values_exactly():
    data = {"source": "CoinGecko", "taken_at": "2026-11-29T07:50:12Z", "note": 'Quotes "and" colons: kept.',
            "currency": "usd", "coins": [{"id": "bitcoin", "symbol": "BTC", "name": "Bitcoin", "usd": 91234.567891,
                                          "usd_24h_change": -0.5234, "last_updated_at": "2026-11-29T07:49:00Z"}]}
    assert yaml.safe_load(updater.snapshot_text(data)) == data
