"""Venue profiles: published tier figures, the deduction recursion, validation with clear errors."""

import copy
from decimal import Decimal

import pytest

from calculators.model.venues import VENUE_DATA, VENUE_IDS, VENUES, VenueError, load_venue


def test_three_venues_with_their_policies():
    assert VENUE_IDS == ("bybit-classic", "bybit-uta", "never-negative")
    assert [VENUES[v].policy for v in VENUE_IDS] == list(VENUE_IDS)
    assert VENUES["bybit-classic"].liquidation_formula == "bybit"
    assert VENUES["never-negative"].liquidation_formula == "binance"
    assert VENUES["bybit-classic"].hourly_interest_rate == 0
    assert VENUES["bybit-uta"].hourly_interest_rate > 0


def test_binance_maintenance_amounts_follow_the_recursion():
    # Binance FAQ example #19 (1,300) and the 2021 BTCUSDT table (0, 50, 1,300, 16,300, 266,300), §2.2.
    deductions = [t.mm_deduction for t in VENUES["never-negative"].tiers]
    assert deductions == [0, 50, 1300, 16300, 266300]


def test_bybit_closed_form_equals_the_bracket_sum():
    # Tax-bracket sum of the MM page (§1.3): 2.0M at 0.5% plus 0.6M at 0.7% (the tier-2 rate the notes
    # derive). Blended: 14,200 / 2.6M = 0.5462%. The notes print 0.5615% for the same sum: an arithmetic
    # slip in the notes (0.56% on Bybit's page would need a tier-2 rate near 0.77%), so the rate is
    # marked illustrative in the profile.
    venue = VENUES["bybit-classic"]
    value = Decimal(2600000)
    tier = venue.tier_for(value)
    mm = value * tier.mmr - tier.mm_deduction
    assert mm == Decimal(2000000) * Decimal("0.005") + Decimal(600000) * Decimal("0.007") == 14200
    assert round(mm / value * 100, 4) == Decimal("0.5462")


def test_tier_lookup_edges():
    venue = VENUES["bybit-classic"]
    assert venue.tier_for(Decimal(2000000)).mmr == Decimal("0.005")
    assert venue.tier_for(Decimal("2000000.01")).mmr == Decimal("0.007")
    assert venue.tier_for(Decimal(6000001)) is None
    assert venue.max_leverage == 100


def bad(**changes):
    data = copy.deepcopy(VENUE_DATA["bybit-classic"])
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "data, message",
    [
        (bad(taker_fee="x"), "taker_fee must be a number"),
        (bad(taker_fee="1.5"), "taker_fee must be at least 0 and below 1"),
        (bad(taker_fee="NaN"), "taker_fee must be finite"),
        (bad(liquidation_formula="okx"), "liquidation_formula must be one of bybit, binance"),
        (bad(policy="forgive"), "policy must be one of"),
        (bad(tick_size="0"), "tick_size must be greater than 0"),
        (bad(hourly_interest_rate="-1"), "hourly_interest_rate and interest_free_amount must be at least 0"),
        (bad(symbols=()), "symbols must list at least one symbol"),
        (bad(tiers=()), "tiers must list at least one tier"),
        (bad(tiers=({"limit": "10", "mmr": "0.01", "max_leverage": "10"},
                    {"limit": "5", "mmr": "0.02", "max_leverage": "10"})), "tiers[1].limit must be positive"),
        (bad(tiers=({"limit": "10", "mmr": "0.02", "max_leverage": "10"},
                    {"limit": "20", "mmr": "0.01", "max_leverage": "10"})), "tiers[1].mmr must be in (0, 1)"),
        (bad(tiers=({"limit": "10", "mmr": "0.02", "max_leverage": "60"},)), "tiers[0].max_leverage must be"),
        (bad(tiers=({"limit": "10", "mmr": "0.0001", "max_leverage": "10"},)), "tiers[0].mmr must exceed taker_fee"),
        (bad(tiers=({"limit": "10", "max_leverage": "10"},)), "mmr is missing"),
        (bad(default_leverage="500"), "default_leverage must be between 1 and the maximum leverage"),
        (bad(colour="red"), "unknown field colour"),
    ],
)
def test_invalid_profiles_name_the_field(data, message):
    with pytest.raises(VenueError) as error:
        load_venue("test-venue", data)
    assert "venue test-venue: " in str(error.value)
    assert message in str(error.value)


def test_unknown_venue_id():
    with pytest.raises(VenueError, match="unknown venue 'nope'"):
        load_venue("nope")


def test_loading_known_data_equals_the_preloaded_profile():
    assert load_venue("bybit-uta") == VENUES["bybit-uta"]
