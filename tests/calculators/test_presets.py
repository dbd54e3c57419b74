"""Venue presets (calculators/presets.py): filled from the sourced venue profiles, limits named with their
source, the same check in Python and the compiled JS, and one meaning per label between the calculators and
the reference model."""

import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculators import catalogue, presets
from calculators.formulas.tiers import venue_limit_problem
from calculators.model import Exchange
from calculators.model.state import MONEY_UNIT, money
from calculators.model.venues import VENUES

ROOT = Path(__file__).resolve().parents[2]


def cli(*args):
    run = subprocess.run([sys.executable, "-m", "calculators", *args], cwd=ROOT, capture_output=True, text=True,
                         check=False, timeout=60)
    return run.returncode, run.stdout, run.stderr.strip()


def test_presets_come_from_the_venues_own_sourced_profiles():
    ids = [preset.id for preset in presets.presets()]
    assert ids == ["bybit:BTCUSDT", "bybit-uta:BTCUSDT", "binance:BTCUSDT"]
    for preset in presets.presets():
        venue = VENUES[preset.id.split(":")[0]]
        assert not venue.third_party
        assert preset.values["taker_fee"] == float(venue.taker_fee)
        assert preset.values["formula"] == venue.liquidation_formula
        assert preset.tier_limits == tuple(float(t.limit) for t in venue.tiers[preset.symbol])
        assert preset.tier_source and preset.fee_source


def test_cli_venue_fills_the_fee_and_typed_values_override():
    code, out, _ = cli("order-cost", "--venue", "binance:BTCUSDT", "--price", "50000", "--qty", "1", "--leverage",
                       "10", "--json")
    assert code == 0 and '"open_fee": 25.0' in out  # Binance's 0.05% taker fee, not the 0.055% default
    code, out, _ = cli("order-cost", "--venue", "binance:BTCUSDT", "--price", "50000", "--qty", "1", "--leverage",
                       "10", "--taker-fee", "0.0002", "--json")
    assert code == 0 and '"open_fee": 10.0' in out


def test_cli_venue_fills_the_tier_table_and_formula():
    code, out, _ = cli("liquidation-price", "--venue", "binance:BTCUSDT", "--entry-price", "20000", "--qty", "20",
                       "--leverage", "20", "--json")
    expected = catalogue.compute("liquidation-price", {"entry_price": 20000, "qty": 20, "leverage": 20,
                                                       "formula": "binance", "mm_source": "tiers",
                                                       "tier_limits": [50000, 250000, 1000000],
                                                       "tier_rates": [0.004, 0.005, 0.01]})
    assert code == 0 and f'"liquidation_price": {expected["liquidation_price"]!r}' in out
    assert '"mmr_used": 0.01' in out  # 400,000 USDT falls in the third bracket


@pytest.mark.parametrize("args, message", [
    (["liquidation-price", "--venue", "bybit:BTCUSDT", "--leverage", "125"],
     ("error: leverage must be at most 100x for BTCUSDT on Bybit, standard account (USDT perpetual) (source: "
     "Maintenance Margin (USDT Contract), Bybit; Risk Limit (Perpetual and Futures Contracts), Bybit)")),
    (["pnl", "--venue", "bybit:BTCUSDT", "--entry-price", "20000", "--qty", "110", "--leverage", "100"],
     ("error: qty puts the position value above 2,000,000 USDT, the risk limit for 100x leverage on BTCUSDT on "
     "Bybit, standard account (USDT perpetual) (source: Maintenance Margin (USDT Contract), Bybit; Risk Limit "
     "(Perpetual and Futures Contracts), Bybit)")),
    (["max-position", "--venue", "binance:BTCUSDT", "--balance", "100000", "--price", "20000", "--leverage", "100"],
     ("error: balance puts the position value above 250,000 USDT, the risk limit for 100x leverage on BTCUSDT on "
     "Binance, USDⓈ-M futures (source: How to Calculate Liquidation Price of USDⓈ-M Futures Contracts, Binance; "
     "Leverage and Margin of USDⓈ-M Futures, Binance; Notional and Leverage Brackets (USER_DATA), Binance API "
     "documentation)")),
    (["pnl", "--venue", "okx:BTCUSDT"],
     "error: no venue preset 'okx:BTCUSDT'; known: bybit:BTCUSDT, bybit-uta:BTCUSDT, binance:BTCUSDT"),
])
def test_cli_venue_limits_name_the_limit_and_its_source(args, message):
    code, out, err = cli(*args)
    assert (code, out, err) == (2, "", message)


def test_limit_codes():
    limits, levs = [50000, 250000, 1000000], [125, 100, 50]
    assert venue_limit_problem(126, 1000, limits, levs) == [1, 125]
    assert venue_limit_problem(125, 50000, limits, levs) == [0, 0]
    assert venue_limit_problem(125, 50001, limits, levs) == [2, 50000]
    assert venue_limit_problem(60, 250001, limits, levs) == [2, 250000]
    assert venue_limit_problem(50, 1000001, limits, levs) == [2, 1000000]


@settings(max_examples=60, database=None, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.floats(1, 200), st.floats(1, 5e6)), min_size=20, max_size=20))
def test_limit_check_is_the_same_in_node(node, cases):
    limits, levs = [50000, 250000, 1000000], [125, 100, 50]
    answers = node.call_many([("venue_limit_problem", [lev, value, limits, levs]) for lev, value in cases])
    for (lev, value), answer in zip(cases, answers):
        assert answer == {"ok": venue_limit_problem(lev, value, limits, levs)}


# --- one meaning per label: calculator and model ---------------------------------------------------------------

@settings(max_examples=150, database=None, deadline=None)
@given(st.sampled_from(["bybit", "binance"]), st.sampled_from(["long", "short"]),
       st.integers(1, 3000).map(lambda k: D(k) / 100), st.integers(100000, 800000).map(lambda k: D(k) / 10),
       st.integers(1, 125).map(D), st.integers(0, 500).map(D))
def test_one_meaning_per_label(venue_id, side, qty, price, leverage, added):
    """Every quantity a calculator shares with the model is the same number, or both refuse the position."""
    preset = presets.get(f"{venue_id}:BTCUSDT")
    ex = Exchange(venue_id, wallet=D(10) ** 9)
    opened = ex.order("BTCUSDT", side, qty, price, leverage, "isolated")
    problem = venue_limit_problem(float(leverage), float(price * qty), list(preset.tier_limits),
                                  list(preset.tier_max_leverages))
    assert opened.ok == (problem[0] == 0), (opened, problem)  # the same venue limits refuse the same positions
    if not opened.ok:
        return
    fees_at_open = ex.fees_collected
    if added:
        assert ex.add_margin("BTCUSDT", added).ok
    state = ex.snapshot()
    venue = VENUES[venue_id]
    tiers = venue.tiers["BTCUSDT"]
    common = {"side": side, "qty": qty, "leverage": leverage, "taker_fee": venue.taker_fee}
    cost = catalogue.compute("order-cost", {**common, "price": price})
    assert money(cost["initial_margin"]) == money(state["initial_margin"])
    assert money(cost["open_fee"]) == fees_at_open  # the fee to open is the taker fee on the order value
    # Position margin: the initial margin plus, where the venue reserves it, the fee to close.
    pnl = catalogue.compute("pnl", {**common, "entry_price": price, "exit_price": price,
                                    "open_fee_rate": venue.taker_fee, "exit_fee_rate": venue.taker_fee})
    reserved = venue.does("fee_to_close_in_position_margin")
    expected_margin = money(pnl["initial_margin"]) + (money(pnl["close_fee"]) if reserved else 0)
    assert expected_margin + added == state["position_margin"]
    mm = catalogue.compute("maintenance-margin", {"position_value": price * qty, "tier_limits": [t.limit for t in tiers],
                                                  "tier_rates": [t.mmr for t in tiers]})
    assert mm["maintenance_margin"] == state["maintenance_margin"]
    try:
        liq = catalogue.compute("liquidation-price", {"side": side, "entry_price": price, "qty": qty,
                                                      "leverage": leverage, "extra_margin": added,
                                                      "formula": venue.liquidation_formula, "mm_source": "tiers",
                                                      "tier_limits": [t.limit for t in tiers],
                                                      "tier_rates": [t.mmr for t in tiers], "mmr": D(0),
                                                      "mm_deduction": D(0)})
    except ValueError as error:
        # A low-leverage short whose value at the liquidation price lies beyond the last published tier:
        # the calculator has no tier to re-check with and says so instead of giving a number.
        assert "tier_limits end below" in str(error)
        assert side == "short"
        return
    # The model keeps margins in money units (MONEY_UNIT); a price derived from them moves by at most one
    # unit spread over the quantity. Both re-check Binance's tier at the liquidation price.
    unit = MONEY_UNIT / qty
    assert abs(liq["bankruptcy_price"] - state["bankruptcy_price"]) <= unit
    assert abs(liq["liquidation_price"] - state["liquidation_price"]) <= unit
    # Closing at another price: the PnL and the fee at exit are the pnl calculator's.
    exit_price = (price * (D("1.01") if side == "long" else D("0.99"))).quantize(D("0.1"))  # a profit
    before = ex.fees_collected
    closed = ex.close("BTCUSDT", exit_price)
    assert closed.ok, closed
    result = catalogue.compute("pnl", {**common, "entry_price": price, "exit_price": exit_price,
                                       "open_fee_rate": venue.taker_fee, "exit_fee_rate": venue.taker_fee})
    assert closed.data["realised_pnl"] == money(result["pnl"])
    assert ex.fees_collected - before == money(result["exit_fee"])


@settings(max_examples=100, database=None, deadline=None)
@given(st.sampled_from(["bybit", "binance", "bybit-uta"]), st.sampled_from(["long", "short"]),
       st.integers(1, 500).map(lambda k: D(k) / 100), st.integers(100000, 800000).map(lambda k: D(k) / 10),
       st.integers(2, 100).map(D), st.integers(0, 3000).map(lambda k: D(k) / 1000), st.integers(0, 2000).map(D))
def test_what_a_gap_costs_is_the_same_in_the_calculator_and_the_model(venue_id, side, qty, price, leverage, gap,
                                                                      fund):
    """An isolated position filled past its bankruptcy price: margin lost, what the fund covers and what it
    cannot, under each venue's policy (fee to close reserved in the position margin or not)."""
    preset = presets.get(f"{venue_id}:BTCUSDT")
    if price * qty > D(str(preset.tier_limits[0])) or leverage > D(str(preset.tier_max_leverages[0])):
        return  # tier 1 only: larger positions are reduced step by step (partial liquidation) first
    ex = Exchange(venue_id, wallet=D(10) ** 7, insurance_fund=fund)
    if not ex.order("BTCUSDT", side, qty, price, leverage, "isolated").ok:
        return
    bankruptcy = ex.snapshot()["bankruptcy_price"]
    sign = 1 if side == "long" else -1
    fill = (bankruptcy * (1 - sign * gap / 100)).quantize(D("0.1"))
    if sign * (bankruptcy - fill) < 0 or fill <= 0:
        return
    [event] = [e for e in ex.mark("BTCUSDT", fill).events if e["event"] == "liquidation"]
    result = catalogue.compute("gap-loss", {"side": side, "entry_price": price, "qty": qty, "leverage": leverage,
                                            "margin_mode": "isolated", "wallet_balance": D(10) ** 7,
                                            "fill_price": fill, "insurance_fund": fund,
                                            "close_fee_rate": D(str(preset.values["close_fee_rate"]))})
    unit = 2 * MONEY_UNIT  # the model rounds the initial margin and the fee reserve to money units separately
    assert abs(result["margin_lost"] - event["margin_lost"]) <= unit
    assert abs(result["insurance_fund_covers"] - event["from_fund"]) <= unit
    assert abs(result["not_covered"] - event["uncovered"]) <= unit


@settings(max_examples=80, database=None, deadline=None)
@given(st.sampled_from(["bybit", "binance"]), st.sampled_from(["long", "short"]),
       st.integers(1, 200).map(lambda k: D(k) / 100), st.integers(100000, 800000).map(lambda k: D(k) / 10),
       st.integers(2, 50).map(D), st.integers(0, 3000).map(D))
def test_cross_liquidation_price_is_where_the_model_liquidates(venue_id, side, qty, price, leverage, spare):
    """One cross position in tier 1: the model liquidates at a mark at or past the cross calculator's price
    (maintenance valued at the mark, as Binance's cross formula values it), and not one tick before."""
    venue = VENUES[venue_id]
    tier = venue.tiers["BTCUSDT"][0]
    ex = Exchange(venue_id, wallet=price * qty / leverage * D("1.01") + spare)
    if not ex.order("BTCUSDT", side, qty, price, leverage, "cross").ok:
        return
    result = catalogue.compute("cross-liquidation-price", {
        "side": side, "entry_price": price, "qty": qty, "wallet_balance": ex.account.wallet, "other_mm": D(0),
        "other_upnl": D(0), "mmr": tier.mmr, "mm_deduction": tier.mm_deduction})
    lp = result["liquidation_price"]
    if lp <= 0 or lp * qty > tier.limit:
        return  # no price liquidates the long, or the value at the price leaves tier 1
    sign = 1 if side == "long" else -1
    before = (lp + sign * D("0.1")).quantize(D("0.1"))  # one tick on the safe side of the price
    if sign * (before - lp) <= 0:
        before += sign * D("0.1")
    at = (lp - sign * D("0.05")).quantize(D("0.1"))  # the first tick at or past it
    if sign * (lp - at) < 0:
        at -= sign * D("0.1")
    assert [e for e in ex.mark("BTCUSDT", before).events if e["event"] == "liquidation"] == []
    assert [e for e in ex.mark("BTCUSDT", at).events if e["event"] == "liquidation"]
