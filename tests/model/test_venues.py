"""Venue profiles: the data files load, every value is sourced or an assumption, published tier figures
hold, and a malformed file fails with its file, line and key path."""

import copy
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
import yaml

from calculators.model.policies import POLICIES, can_exercise
from calculators.model.venues import (SCHEMA_PATH, VENUE_DIR, VENUE_IDS, VENUES, Source, Venue, VenueError,
                                      VenueFact, load_venue)


def test_the_venue_schema_is_a_valid_2020_12_schema():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_five_venues_from_their_files():
    assert VENUE_IDS == ("bybit", "bybit-uta", "binance", "kraken-futures", "seed-article")
    assert sorted(p.stem for p in VENUE_DIR.glob("*.yaml")) == sorted(VENUE_IDS)
    assert [VENUES[v].third_party for v in VENUE_IDS] == [False, False, False, False, True]
    assert VENUES["bybit"].name == "Bybit, standard account (USDT perpetual)"
    assert VENUES["bybit"].liquidation_formula == "bybit"
    assert VENUES["binance"].liquidation_formula == "binance"
    assert VENUES["bybit-uta"].hourly_interest_rate > 0 == VENUES["bybit"].hourly_interest_rate


def test_bybit_btcusdt_tier_2_is_the_published_row():
    # Bybit: 0.5% up to 2,000,000 USDT; tier 2 up to 2,600,000 at 0.56%, 90x, deduction 1,200.
    tiers = VENUES["bybit"].tiers["BTCUSDT"]
    assert [(t.limit, t.mmr, t.max_leverage, t.mm_deduction) for t in tiers] == [
        (2000000, Decimal("0.005"), 100, 0), (2600000, Decimal("0.0056"), 90, 1200)]
    value = Decimal(2600000)
    tier = VENUES["bybit"].tier_for("BTCUSDT", value)
    assert value * tier.mmr - tier.mm_deduction == 2000000 * Decimal("0.005") + 600000 * Decimal("0.0056")


def test_binance_maintenance_amounts_follow_the_recursion():
    # Binance FAQ: 250,000 × (1% − 0.5%) + 50 = 1,300.
    assert [t.mm_deduction for t in VENUES["binance"].tiers["BTCUSDT"]] == [0, 50, 1300]


def test_tier_lookup_edges():
    venue = VENUES["bybit"]
    assert venue.tier_for("BTCUSDT", Decimal(2000000)).mmr == Decimal("0.005")
    assert venue.tier_index("BTCUSDT", Decimal("2000000.01")) == 1
    assert venue.tier_for("BTCUSDT", Decimal(2600001)) is None
    assert venue.max_leverage("BTCUSDT") == 100
    assert venue.symbols == ("BTCUSDT",)


@pytest.mark.parametrize("venue_id", VENUE_IDS)
def test_every_policy_the_model_can_exercise_is_sourced_or_refused(venue_id):
    venue = VENUES[venue_id]
    assert set(venue.policies) == set(POLICIES)
    for policy in POLICIES:
        if can_exercise(venue, policy):
            assert venue.policy_sources(policy), f"{venue_id}: {policy} can be exercised but has no source"
        else:
            assert not venue.does(policy) or policy not in ("deficit_to_adl", "deficit_to_wallet"), policy


@pytest.mark.parametrize("venue_id", VENUE_IDS)
def test_facts_cover_every_value_with_a_source_or_an_assumption(venue_id):
    venue = VENUES[venue_id]
    facts = venue.facts()
    assert all(isinstance(f, VenueFact) for f in facts)
    assert [f.section for f in facts] == sorted((f.section for f in facts),
                                                key=["parameters", "tiers", "policies"].index)
    assert {f.name for f in facts if f.section == "policies"} == set(POLICIES)
    for fact in facts:
        assert fact.says and fact.label and fact.value
        assert bool(fact.sources) != fact.assumption, fact
        assert all(isinstance(s, Source) and s.url.startswith("https://") for s in fact.sources)


def test_fact_display_text():
    facts = {f.name: f for f in VENUES["bybit"].facts()}
    assert facts["taker_fee"].value == "0.055%"
    assert facts["taker_fee"].label == "Taker fee"
    assert facts["BTCUSDT"].value.startswith("up to 2,000,000 USDT: 0.5% MMR, 100x; up to 2,600,000 USDT: "
                                             "0.56% MMR, 90x, deduction 1,200")
    assert facts["deficit_to_adl"].value == "Yes" and facts["deficit_to_wallet"].value == "No"


def test_third_party_profile_cites_the_article_as_third_party():
    seed = VENUES["seed-article"]
    (article,) = seed.policy_sources("deficit_to_wallet")
    assert article.third_party and article.publisher == "kdj.com"
    assert article.url.endswith("/negative-balance-bybit-futures.html")
    assert not VENUES["bybit"].does("deficit_to_wallet") and VENUES["bybit"].does("deficit_to_adl")


def test_with_policy_switches_one_behaviour_only():
    off = VENUES["bybit"].with_policy("deficit_to_adl", False)
    assert isinstance(off, Venue) and not off.does("deficit_to_adl") and VENUES["bybit"].does("deficit_to_adl")
    assert off.policy_sources("deficit_to_adl") == VENUES["bybit"].policy_sources("deficit_to_adl")
    with pytest.raises(KeyError):
        VENUES["bybit"].with_policy("forgive_debt", True)


def test_loading_the_file_again_equals_the_preloaded_profile():
    assert load_venue("bybit-uta") == VENUES["bybit-uta"]


def test_unknown_venue_id():
    with pytest.raises(VenueError, match="unknown venue 'nope'"):
        load_venue("nope")


# ----- errors name the file, the line and the key path -----------------------------------------------

TEXT = (VENUE_DIR / "bybit.yaml").read_text(encoding="utf-8")


def _load_text(text, tmp_path):
    path = tmp_path / "bybit.yaml"
    path.write_text(text, encoding="utf-8")
    return load_venue("bybit", yaml.safe_load(text), label=str(path), node=yaml.compose(text))


def _line_of(text, needle):
    return text[:text.index(needle)].count("\n") + 1


@pytest.mark.parametrize("old, new, needle, message", [
    ('    value: "0.00055"\n', '    value: "x"\n', '    value: "x"',
     "$.parameters.taker_fee.value: 'x' does not match"),
    ('    value: "0.00055"\n', '    value: "1.5"\n', '    value: "1.5"',
     "$.parameters.taker_fee.value: must be below 1"),
    ("    source: fees\n", "    source: fee-page\n", "    source: fee-page",
     "$.parameters.taker_fee.source: no source has the key 'fee-page'"),
    ('mm_deduction: "1200"', 'mm_deduction: "1300"', "      - {limit: \"2600000\"",
     "$.tiers.BTCUSDT.rows[1].mm_deduction: is 1300 but the recursion from the tier below gives 1200"),
    ('{limit: "2600000", mmr: "0.0056"', '{limit: "1000000", mmr: "0.0056"', '      - {limit: "1000000"',
     "$.tiers.BTCUSDT.rows[1].limit: must be positive and above the previous tier's limit"),
    ('max_leverage: "90"', 'max_leverage: "500"', '      - {limit: "2600000"',
     "$.tiers.BTCUSDT.rows[1].max_leverage: must be at least 1 and below 1/mmr"),
    ("  deficit_to_wallet:\n    value: false\n", "  deficit_to_wallet:\n    value: true\n", "  deficit_to_wallet:",
     "$.policies.deficit_to_wallet: deficit_to_adl and deficit_to_wallet cannot both be true"),
    ("  never_negative:\n", "  forgive_debt:\n", "  forgive_debt:", "$.policies.forgive_debt: unknown policy"),
    ("    source: insurance-fund\n    says: When a liquidation fills better",
     "    source: insurance-fund\n    assumption: true\n    says: When a liquidation fills better",
     "  fund_takes_surplus:", "$.policies.fund_takes_surplus: give exactly one of source"),
    ("id: bybit\n", "id: bybit-two\n", "id: bybit-two", "$.id: is 'bybit-two' but the file is for 'bybit'"),
    ("publisher: Bybit\nthird_party", "publisher: Bybit\ncolour: red\nthird_party", "id: bybit",
     "$: unknown key ('colour' was unexpected)"),
])
def test_loader_errors_name_file_line_and_key_path(tmp_path, old, new, needle, message):
    assert TEXT.count(old) >= 1
    text = TEXT.replace(old, new, 1)
    with pytest.raises(VenueError) as error:
        _load_text(text, tmp_path)
    line = _line_of(text, needle)
    assert str(error.value).startswith(f"{tmp_path / 'bybit.yaml'}:{line}: "), (str(error.value), line)
    assert message in str(error.value)


def test_missing_policy_is_named(tmp_path):
    start = TEXT.index("  never_negative:")
    text = TEXT[:start]
    with pytest.raises(VenueError, match=r"\$\.policies: policy never_negative is missing"):
        _load_text(text, tmp_path)


def test_a_file_error_names_the_repository_path(monkeypatch, tmp_path):
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    data = copy.deepcopy(yaml.safe_load(TEXT))
    data["parameters"]["tick_size"]["value"] = "0"
    with pytest.raises(VenueError, match=r"^venue bybit: \$\.parameters\.tick_size\.value: must be greater than 0"):
        load_venue("bybit", data)
