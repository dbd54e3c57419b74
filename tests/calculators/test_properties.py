"""Property tests. They run on exact ``Fraction`` inputs (the formulas accept any number type), so each
property is checked without float rounding: equalities are exact and inequalities strict where they should be."""

from fractions import Fraction as F

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from calculators.catalogue import compute

EXAMPLES = settings(max_examples=150, database=None, deadline=None)  # timing varies on a shared machine


def fractions(low, high, denominator=10000):
    """Decimal-like fractions between ``low`` and ``high`` (both may be Fractions)."""
    low, high = F(low), F(high)
    steps = int((high - low) * denominator)
    return st.integers(0, steps).map(lambda k: low + F(k, denominator))


prices = fractions(F(1, 100), 100000, 100)
qtys = fractions(F(1, 1000), 1000, 1000)
leverages = st.integers(1, 125).map(F) | fractions(1, 200, 100)
rates = fractions(0, F(1, 10), 100000)
fees = fractions(0, F(1, 100), 100000)


def liq_valid(entry, qty, lev, mmr, ded=0, extra=0):
    """True when the inputs describe a liquidation ahead (the calculator refuses the others)."""
    value = entry * qty
    return mmr * lev < 1 and ded <= value * mmr and value / lev + extra > value * mmr - ded


def liq(side, entry, qty, lev, mmr, ded=0, extra=0, formula="bybit"):
    return compute("liquidation-price", {"side": side, "entry_price": entry, "qty": qty, "leverage": lev, "mmr": mmr,
                                         "mm_deduction": ded, "extra_margin": extra, "formula": formula})


# --- long/short mirror symmetry --------------------------------------------------------------------------

@EXAMPLES
@given(prices, qtys, leverages, fractions(0, F(99, 100), 10000), fractions(0, 1, 100), fractions(-1, 2, 1000))
def test_bybit_liquidation_mirrors(entry, qty, lev, share, ded_share, extra_share):
    mmr = share / lev  # below 1/leverage
    ded = ded_share * entry * qty * mmr  # at most value x rate
    extra = extra_share * entry * qty / lev  # a share of the initial margin, taken out or added
    assume(liq_valid(entry, qty, lev, mmr, ded, extra))
    long, short = liq("long", entry, qty, lev, mmr, ded, extra), liq("short", entry, qty, lev, mmr, ded, extra)
    assert entry - long["liquidation_price"] == short["liquidation_price"] - entry
    assert entry - long["bankruptcy_price"] == short["bankruptcy_price"] - entry
    assert long["distance_pct"] == short["distance_pct"]
    assert long["initial_margin"] == short["initial_margin"]


@EXAMPLES
@given(prices, qtys, leverages, fractions(0, 1000, 100))
def test_binance_liquidation_mirrors_when_mmr_is_zero(entry, qty, lev, extra):
    # With MMR > 0 Binance divides by (1 - MMR) for a long and (1 + MMR) for a short: not symmetric by design.
    long, short = liq("long", entry, qty, lev, 0, 0, extra, "binance"), liq("short", entry, qty, lev, 0, 0, extra, "binance")
    assert entry - long["liquidation_price"] == short["liquidation_price"] - entry


@EXAMPLES
@given(prices, prices, qtys, leverages, fees)
def test_pnl_mirrors(entry, exit_price, qty, lev, fee):
    values = {"entry_price": entry, "exit_price": exit_price, "qty": qty, "leverage": lev, "taker_fee": fee,
              "open_fee_rate": fee, "exit_fee_rate": fee}
    long, short = compute("pnl", {**values, "side": "long"}), compute("pnl", {**values, "side": "short"})
    assert long["pnl"] == -short["pnl"]
    assert long["open_fee"] == short["open_fee"] and long["exit_fee"] == short["exit_fee"]
    assert long["net_pnl"] + short["net_pnl"] == -2 * (long["open_fee"] + long["exit_fee"])


@EXAMPLES
@given(qtys, prices, fractions(F(-1, 10), F(1, 10), 100000))
def test_funding_mirrors(qty, mark, rate):
    long = compute("funding-fee", {"side": "long", "qty": qty, "mark_price": mark, "funding_rate": rate})
    short = compute("funding-fee", {"side": "short", "qty": qty, "mark_price": mark, "funding_rate": rate})
    assert long["funding_fee"] == -short["funding_fee"]


@EXAMPLES
@given(prices, leverages, fractions(-99, 99, 100))
def test_target_price_mirrors_and_gives_the_roi(entry, lev, roi):
    long = compute("target-price", {"side": "long", "entry_price": entry, "leverage": lev, "target_roi_pct": roi})
    short = compute("target-price", {"side": "short", "entry_price": entry, "leverage": lev, "target_roi_pct": roi})
    assert long["target_price"] - entry == entry - short["target_price"]
    # Closing at the target gives the target return on the initial margin (fees excluded).
    pnl = compute("pnl", {"side": "long", "entry_price": entry, "exit_price": long["target_price"], "qty": 1,
                          "leverage": lev, "taker_fee": 0})
    assert pnl["pnl"] / pnl["initial_margin"] * 100 == roi == pnl["roi_pct"]


@EXAMPLES
@given(prices, qtys, leverages, st.sampled_from(["isolated", "cross"]), fractions(0, 100000, 100),
       fractions(0, 50000, 100), fractions(0, 100000, 100))
def test_gap_loss_mirrors(entry, qty, lev, mode, move, fund, extra_wallet):
    wallet = entry * qty / lev + extra_wallet
    base = {"entry_price": entry, "qty": qty, "leverage": lev, "margin_mode": mode, "wallet_balance": wallet,
            "insurance_fund": fund}
    short_fill = entry + move
    long_fill = entry - move
    margin = entry * qty / lev if mode == "isolated" else wallet
    if long_fill <= 0 or move * qty < margin:  # no loss past the margin: no gap, refused (test_limits)
        return
    long = compute("gap-loss", {**base, "side": "long", "fill_price": long_fill})
    short = compute("gap-loss", {**base, "side": "short", "fill_price": short_fill})
    assert long == short


# --- liquidation price position and monotonicity ------------------------------------------------------------

@EXAMPLES
@given(st.sampled_from(["long", "short"]), st.sampled_from(["bybit", "binance"]), prices, qtys, leverages, rates)
def test_liquidation_lies_between_bankruptcy_and_entry(side, formula, entry, qty, lev, mmr):
    if mmr * lev >= 1:  # maintenance at or above initial margin: refused, never a price past the entry
        try:
            liq(side, entry, qty, lev, mmr, 0, 0, formula)
        except ValueError as error:
            assert str(error).startswith("mmr must be below 1 / leverage")
        else:
            raise AssertionError("a maintenance rate at or above 1/leverage gave a price")
        return
    result = liq(side, entry, qty, lev, mmr, 0, 0, formula)
    lp, bp = result["liquidation_price"], result["bankruptcy_price"]
    assert min(bp, entry) <= lp <= max(bp, entry)
    # Strictly inside when MMR > 0, except Binance's long at 1x: its LP = BP / (1 - MMR) = 0 = BP.
    if 0 < mmr and not (formula == "binance" and side == "long" and lev == 1):
        assert min(bp, entry) < lp < max(bp, entry)


@EXAMPLES
@given(st.sampled_from(["long", "short"]), st.sampled_from(["bybit", "binance"]), prices, qtys, leverages, leverages,
       fractions(0, F(99, 100), 10000), fractions(0, 1, 100), fractions(-1, 2, 1000))
def test_liquidation_moves_towards_entry_as_leverage_grows(side, formula, entry, qty, lev_a, lev_b, share, ded_share,
                                                         extra_share):
    low, high = min(lev_a, lev_b), max(lev_a, lev_b)
    mmr = share / high  # below 1/leverage at both leverages
    ded = ded_share * entry * qty * mmr  # at most value x rate
    extra = extra_share * entry * qty / high  # a share of the smaller initial margin
    assume(liq_valid(entry, qty, high, mmr, ded, extra) and liq_valid(entry, qty, low, mmr, ded, extra))
    lp_low = liq(side, entry, qty, low, mmr, ded, extra, formula)["liquidation_price"]
    lp_high = liq(side, entry, qty, high, mmr, ded, extra, formula)["liquidation_price"]
    if low == high:
        assert lp_low == lp_high
    elif side == "long":
        assert lp_low < lp_high
    else:
        assert lp_low > lp_high


# --- average entry, order cost, position size, tiers ---------------------------------------------------------

@EXAMPLES
@given(st.lists(st.tuples(qtys, prices), min_size=1, max_size=12))
def test_average_entry_lies_within_the_fills(fills):
    result = compute("average-entry", {"qtys": [q for q, _ in fills], "prices": [p for _, p in fills]})
    fill_prices = [p for _, p in fills]
    assert min(fill_prices) <= result["average_entry_price"] <= max(fill_prices)
    assert result["total_qty"] == sum(q for q, _ in fills)
    # Splitting the same value over the fills: the average times the total is the sum of the values.
    assert result["average_entry_price"] * result["total_qty"] == sum(q * p for q, p in fills)


@EXAMPLES
@given(st.sampled_from(["long", "short"]), fractions(1, 10 ** 6, 100), prices, leverages, fees)
def test_max_position_spends_exactly_the_balance(side, balance, price, lev, fee):
    result = compute("max-position", {"side": side, "balance": balance, "price": price, "leverage": lev,
                                      "taker_fee": fee})
    cost = compute("order-cost", {"side": side, "price": price, "qty": result["max_qty"], "leverage": lev,
                                  "taker_fee": fee})
    assert cost["order_cost"] == balance == result["order_cost"]


@EXAMPLES
@given(fractions(1, 10 ** 6, 100), fractions(F(1, 100), 100, 100), prices, prices, leverages)
def test_position_size_loses_the_risk_amount_at_the_stop(equity, risk_pct, entry, stop, lev):
    if entry == stop:
        return
    result = compute("position-size", {"equity": equity, "risk_pct": risk_pct, "entry_price": entry,
                                       "stop_price": stop, "leverage": lev})
    side = "long" if stop < entry else "short"
    loss = compute("pnl", {"side": side, "entry_price": entry, "exit_price": stop, "qty": result["qty"],
                           "leverage": lev, "taker_fee": 0})["pnl"]
    assert -loss == result["risk_amount"] == equity * risk_pct / 100
    assert result["margin_needed"] * lev == result["position_value"]


@st.composite
def tier_tables(draw):
    n = draw(st.integers(1, 7))
    steps = draw(st.lists(fractions(1, 10 ** 6, 1), min_size=n, max_size=n))
    limits = [sum(steps[: i + 1]) for i in range(n)]
    rates = draw(st.lists(fractions(0, F(1, 5), 10000), min_size=n, max_size=n))
    value = draw(fractions(F(1, 100), limits[-1], 100))
    return value, limits, rates


def bracket_sum(value, limits, rates):
    """The tax-bracket definition, computed directly: each slice of the value at its own tier's rate."""
    total, floor = 0, 0
    for limit, rate in zip(limits, rates):
        if value <= floor:
            break
        total += (min(value, limit) - floor) * rate
        floor = limit
    return total


@EXAMPLES
@given(tier_tables())
def test_tier_closed_form_equals_the_bracket_sum(table):
    value, limits, rates = table
    result = compute("maintenance-margin", {"position_value": value, "tier_limits": limits, "tier_rates": rates})
    assert result["maintenance_margin"] == bracket_sum(value, limits, rates)
    assert result["effective_rate"] * value == result["maintenance_margin"]
    # The deduction with the tier's rate reproduces the same margin in the liquidation calculator's terms.
    tier = next(i for i, limit in enumerate(limits) if value <= limit)
    assert value * rates[tier] - result["mm_deduction"] == result["maintenance_margin"]


# --- indicators ----------------------------------------------------------------------------------------------

@EXAMPLES
@given(st.lists(prices, min_size=1, max_size=30), st.data())
def test_ema_stays_within_the_price_range_and_seeds_as_documented(series, data):
    period = data.draw(st.integers(1, len(series)))
    sma = compute("ema", {"prices": series, "period": period, "seed": "sma"})
    first = compute("ema", {"prices": series, "period": period, "seed": "first"})
    assert len(sma["ema"]) == len(series) - period + 1 and len(first["ema"]) == len(series)
    assert sma["ema"][0] == sum(series[:period]) / period
    assert first["ema"][0] == series[0]
    for values in (sma["ema"], first["ema"]):
        assert all(min(series) <= v <= max(series) for v in values)
    alpha = F(2, period + 1)
    for i in range(1, len(first["ema"])):
        assert first["ema"][i] == alpha * series[i] + (1 - alpha) * first["ema"][i - 1]


@EXAMPLES
@given(st.lists(st.tuples(fractions(100, 200, 100), st.integers(0, 1000)), min_size=1, max_size=40),
       fractions(F(1, 10), 20, 100), fractions(F(1, 10), 100, 10))
def test_value_area_holds_the_requested_share(trades, row_size, pct):
    prices = [p for p, _ in trades]
    volumes = [v for _, v in trades]
    if sum(volumes) == 0:
        return
    result = compute("volume-profile", {"prices": prices, "volumes": volumes, "row_size": row_size,
                                        "value_area_pct": pct})
    rows = result["rows"]
    assert sum(row["volume"] for row in rows) == sum(volumes)
    inside = [row for row in rows if result["value_area_low"] <= row["low"] < result["value_area_high"]]
    assert sum(row["volume"] for row in inside) * 100 >= sum(volumes) * pct
    # The POC row has the most volume and lies inside the value area.
    poc_row = next(row for row in rows if row["low"] < result["poc"] < row["high"])
    assert poc_row["volume"] == max(row["volume"] for row in rows)
    assert poc_row in inside
    # Every trade falls in the row whose bounds contain its price.
    for price, volume in trades:
        assert any(row["low"] <= price < row["high"] for row in rows)


# --- round trips between inverse pairs --------------------------------------------------------------------------

@EXAMPLES
@given(st.sampled_from(["long", "short"]), prices, prices, qtys, leverages)
def test_pnl_roi_gives_back_the_exit_price(side, entry, exit_price, qty, lev):
    """pnl -> target-price: the ROI the pnl calculator shows, fed to target-price, gives the exit price."""
    roi = compute("pnl", {"side": side, "entry_price": entry, "exit_price": exit_price, "qty": qty, "leverage": lev,
                          "taker_fee": 0, "open_fee_rate": 0, "exit_fee_rate": 0})["roi_pct"]
    target = compute("target-price", {"side": side, "entry_price": entry, "leverage": lev, "target_roi_pct": roi})
    assert target["target_price"] == exit_price


@EXAMPLES
@given(st.sampled_from(["long", "short"]), prices, prices, fractions(1, 10 ** 6, 1), leverages)
def test_inverse_pnl_and_target_price_round_trip(side, entry, exit_price, contracts, lev):
    """Both directions, coin-margined: exit -> ROI -> exit, and ROI -> target -> the same ROI."""
    pnl = compute("inverse-pnl", {"side": side, "entry_price": entry, "exit_price": exit_price,
                                  "contracts": contracts, "leverage": lev, "open_fee_rate": 0, "exit_fee_rate": 0})
    target = compute("inverse-target-price", {"side": side, "entry_price": entry, "leverage": lev,
                                              "target_roi_pct": pnl["roi_pct"]})
    assert target["target_price"] == exit_price
    back = compute("inverse-pnl", {"side": side, "entry_price": entry, "exit_price": target["target_price"],
                                   "contracts": contracts, "leverage": lev, "open_fee_rate": 0, "exit_fee_rate": 0})
    assert back["roi_pct"] == pnl["roi_pct"]


@EXAMPLES
@given(st.sampled_from(["long", "short"]), prices, fractions(1, 10 ** 6, 1), leverages, fees)
def test_inverse_order_cost_mirrors_the_linear_one_at_the_bankruptcy_price(side, price, contracts, lev, fee):
    """The inverse fee to close is the taker fee on the value at the inverse bankruptcy price, Q / BP."""
    cost = compute("inverse-order-cost", {"side": side, "price": price, "contracts": contracts, "leverage": lev,
                                          "taker_fee": fee})
    liq = compute("inverse-liquidation-price", {"side": side, "entry_price": price, "contracts": contracts,
                                                "leverage": lev, "mmr": 0, "mm_deduction": 0, "extra_margin": 0,
                                                "formula": "bybit"}) if (side == "long" or lev > 1) else None
    if liq is not None:
        assert cost["close_fee"] == contracts / liq["bankruptcy_price"] * fee
    assert cost["order_cost"] == cost["initial_margin"] + cost["open_fee"] + cost["close_fee"]
