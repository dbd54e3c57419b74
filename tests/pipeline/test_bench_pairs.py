"""The benchmark's headline ratio is read from several alternated pairs (bench/pairs.py), user and
system CPU apart: the median, not one lucky or unlucky build, and the range beside it; the side that
runs first alternates, and nothing is deleted while pairs are measured (bench/trash.py)."""

from __future__ import annotations

import pytest

from bench import pairs
from bench import trash


def _pair(build: tuple[float, float], mkdocs: tuple[float, float], pagefind: tuple[float, float]) -> dict:
    out = {}
    for part, (user, system) in zip(pairs.PARTS, (build, mkdocs, pagefind)):
        out.update({f"{part}_s": user + system, f"{part}_user": user, f"{part}_sys": system})
    return out


def test_the_ratio_is_the_median_pair_and_its_range_is_shown():
    measured = [_pair((10, 1), (8, 1), (1, 0)),   # 11 / 10 = 1.10
                _pair((10, 4), (8, 1), (1, 0)),   # 14 / 10 = 1.40: a slow disk in the build only
                _pair((10, 0), (8, 1), (1, 0))]   # 10 / 10 = 1.00
    row = {"entries": 1000, **pairs.summary(measured)}
    assert row["pair_count"] == 3
    assert row["ratio"] == pytest.approx(1.10) and row["ratio_min"] == pytest.approx(1.0)
    assert row["ratio_max"] == pytest.approx(1.40)
    assert row["ratio_user"] == pytest.approx(10 / 9)  # the disk does not move the user-CPU ratio
    assert row["build_sys"] == 1 and row["build_cpu"] == 11  # medians of each time
    line = pairs.table([row]).splitlines()[-1]
    assert line.startswith("| 1,000 | 3 | 11.0 / 10.0 + 1.0 |")
    assert "1.10x (1.00-1.40)" in line and "1.11x (1.11-1.11)" in line


def test_one_pair_shows_no_range():
    row = {"entries": 10000, **pairs.summary([_pair((20, 2), (18, 1), (1, 0))])}
    assert "| 1.10x | 1.05x | 1.16x |" in pairs.table([row])  # 22 / 20, 20 / 19, 22 / 19


def test_the_number_of_pairs(monkeypatch):
    monkeypatch.delenv(pairs.PAIRS_ENV, raising=False)
    assert (pairs.count(1000), pairs.count(10000)) == (5, 2)
    monkeypatch.setenv(pairs.PAIRS_ENV, "5")
    assert pairs.count(10000) == 5
    for wrong in ("0", "two", "-1"):
        monkeypatch.setenv(pairs.PAIRS_ENV, wrong)
        with pytest.raises(SystemExit, match="BENCH_PAIRS"):
            pairs.count(1000)


def test_no_pair_is_an_error():
    with pytest.raises(ValueError):
        pairs.summary([])


def test_the_side_that_runs_first_alternates():
    assert [pairs.build_first(index) for index in range(5)] == [True, False, True, False, True]


def test_outputs_are_moved_aside_while_measuring_and_deleted_at_the_end(tmp_path):
    folder = tmp_path / "out" / ".trash"
    with trash.emptied(folder):
        for round_ in range(2):  # the same folder set aside twice keeps both copies
            site = tmp_path / "site"
            (site / "entries").mkdir(parents=True)
            (site / "entries" / "index.html").write_text(f"round {round_}")
            trash.set_aside(site, folder)
            assert not site.exists()
        kept = sorted(path.read_text() for path in folder.glob("site-*/entries/index.html"))
        assert kept == ["round 0", "round 1"]
        trash.set_aside(tmp_path / "missing", folder)  # nothing to move is not an error
        assert len(list(folder.iterdir())) == 2
    assert not folder.exists()


def test_the_trash_is_deleted_when_a_run_fails(tmp_path):
    folder = tmp_path / ".trash"
    with pytest.raises(SystemExit), trash.emptied(folder):
        (tmp_path / "site").mkdir()
        trash.set_aside(tmp_path / "site", folder)
        raise SystemExit("a benchmark command failed")
    assert not folder.exists()
