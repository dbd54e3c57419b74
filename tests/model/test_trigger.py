"""The engine's isolated trigger is the liquidation-price calculator's number, to one tick."""

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from calculators import catalogue
from calculators.model import Exchange

TICK = Decimal("0.1")


@settings(max_examples=100)
@given(
    venue=st.sampled_from(["bybit", "bybit-uta", "binance", "kraken-futures", "seed-article"]),
    side=st.sampled_from(["long", "short"]),
    entry_ticks=st.integers(100000, 1000000),
    qty=st.sampled_from(["0.001", "0.01", "0.37", "1", "3"]),
    leverage=st.integers(2, 50),
    extra=st.integers(0, 300),
)
# Entry value just above Binance's 250,000 tier limit, liquidation value below it: the tier changes.
@example(venue="binance", side="long", entry_ticks=833334, qty="3", leverage=2, extra=0)
def test_trigger_is_the_calculator_liquidation_price_to_one_tick(venue, side, entry_ticks, qty, leverage, extra):
    entry = entry_ticks * TICK
    ex = Exchange(venue, wallet=10_000_000)
    assert ex.order("BTCUSDT", side, qty, entry, leverage, "isolated").ok
    if extra:
        assert ex.add_margin("BTCUSDT", extra).ok
    tiers = ex.venue.tiers["BTCUSDT"]
    pos = ex.account.positions[("BTCUSDT", side)]
    lp = catalogue.compute("liquidation-price", {
        "side": side, "entry_price": entry, "qty": Decimal(qty), "leverage": Decimal(leverage),
        "mmr": tiers[0].mmr, "mm_deduction": tiers[0].mm_deduction, "mm_source": "tiers",
        "tier_limits": [t.limit for t in tiers], "tier_rates": [t.mmr for t in tiers],
        "extra_margin": pos.margin - pos.fee_reserve - entry * Decimal(qty) / leverage,
        "formula": ex.venue.liquidation_formula})["liquidation_price"]
    assert ex.snapshot()["liquidation_price"] == lp
    if lp <= TICK:
        return
    # The last tick on the safe side leaves the position open; the first tick at or past LP liquidates.
    if side == "long":
        safe = (lp / TICK).to_integral_value(ROUND_FLOOR) * TICK + TICK
        hit = safe - TICK
    else:
        safe = (lp / TICK).to_integral_value(ROUND_CEILING) * TICK - TICK
        hit = safe + TICK
    assert ex.mark("BTCUSDT", safe).events == []
    events = ex.mark("BTCUSDT", hit).events
    assert [e["event"] for e in events] == ["liquidation"]
