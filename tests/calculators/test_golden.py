"""Published worked examples (shared/reference/exchange-mechanics.md §3 and §5), reproduced.

Each example runs twice: with exact ``Fraction`` inputs (must equal the figure exactly) and with floats
(rounded to the figure's published precision, stated per test). Withheld results (#2, #3, #5, #13, #16,
#21) are derived from the formulas; the derivation is in the comment.
"""

from fractions import Fraction as F

import pytest

from calculators.catalogue import compute
from calculators.formulas.tiers import next_mm_deduction


def both(calc_id, values):
    """Run a calculator on floats and on exact fractions of the same decimal inputs."""
    def exact(value):
        if isinstance(value, list):
            return [exact(v) for v in value]
        return F(str(value)) if isinstance(value, (int, float)) else value

    return compute(calc_id, values), compute(calc_id, {k: exact(v) for k, v in values.items()})


LIQ = {"side": "long", "entry_price": 20000, "qty": 1, "leverage": 50, "mmr": 0.005, "mm_deduction": 0,
       "extra_margin": 0, "formula": "bybit"}


def test_1_bybit_liquidation_long():
    # Published: IM 400, MM 100, LP 19,700 USDT (whole USDT). Floats compared at 2 dp.
    fl, ex = both("liquidation-price", LIQ)
    assert (ex["initial_margin"], ex["maintenance_margin"], ex["liquidation_price"]) == (400, 100, 19700)
    assert round(fl["liquidation_price"], 2) == 19700.00
    assert round(fl["maintenance_margin"], 2) == 100.00


def test_2_bybit_liquidation_short_with_added_margin():
    # Withheld. LP = 20,000 + (400 - 100)/1 + 3,000/1 = 23,300 USDT. Floats at 2 dp.
    fl, ex = both("liquidation-price", {**LIQ, "side": "short", "extra_margin": 3000})
    assert ex["liquidation_price"] == 23300
    assert round(fl["liquidation_price"], 2) == 23300.00


def test_3_bybit_liquidation_after_funding_taken_from_margin():
    # Withheld. 200 USDT funding leaves the position margin: extra = -200, so
    # LP = 20,000 - 300 - (-200) = 19,900 USDT. Floats at 2 dp.
    fl, ex = both("liquidation-price", {**LIQ, "extra_margin": -200})
    assert ex["liquidation_price"] == 19900
    assert round(fl["liquidation_price"], 2) == 19900.00


def test_4_bybit_older_form_long():
    # Published 9,850 USDT = 10,000·(1 - 1/50 + 0.5%). Floats at 2 dp.
    fl, ex = both("liquidation-price", {**LIQ, "entry_price": 10000})
    assert ex["liquidation_price"] == 9850
    assert round(fl["liquidation_price"], 2) == 9850.00


def test_5_bybit_older_form_short():
    # Withheld. 8,000·(1 + 1/40 - 0.5%) = 8,160 USDT. Floats at 2 dp.
    fl, ex = both("liquidation-price", {**LIQ, "side": "short", "entry_price": 8000, "leverage": 40})
    assert ex["liquidation_price"] == 8160
    assert round(fl["liquidation_price"], 2) == 8160.00


def test_binance_form_on_example_1():
    # Derived (no published Binance figure survives, §2.1): LP = (1·20,000 - 400) / (1·(1 - 0.5%))
    # = 19,698.49 USDT at 2 dp, 1.51 USDT below Bybit's 19,700: the O(MMR/L) gap the notes flag.
    fl, ex = both("liquidation-price", {**LIQ, "formula": "binance"})
    assert ex["liquidation_price"] == F(19600) / F("0.995")
    assert round(fl["liquidation_price"], 2) == 19698.49


def test_6_bankruptcy_price_long():
    # Published 9,800 USDT = 10,000·(1 - 1/50).
    fl, ex = both("liquidation-price", {**LIQ, "entry_price": 10000})
    assert ex["bankruptcy_price"] == 9800
    assert round(fl["bankruptcy_price"], 2) == 9800.00


def test_7_bybit_order_cost():
    # Published: IM 5,000; open 27.5; close 24.75; total 5,052.25 USDT (cents).
    fl, ex = both("order-cost", {"side": "long", "price": 50000, "qty": 1, "leverage": 10, "taker_fee": 0.00055})
    assert (ex["initial_margin"], ex["open_fee"], ex["close_fee"], ex["order_cost"]) == (
        5000, F("27.5"), F("24.75"), F("5052.25"))
    assert [round(fl[k], 2) for k in ("initial_margin", "open_fee", "close_fee", "order_cost")] == [
        5000.00, 27.50, 24.75, 5052.25]


def test_12_inverse_tiers_in_coin():
    # Published MM = 10·1% + 10·2% + 5·3% = 0.45 XYZ for a 25 XYZ position (tiers of 10 XYZ).
    fl, ex = both("maintenance-margin", {"position_value": 25, "tier_limits": [10, 20, 30],
                                         "tier_rates": [0.01, 0.02, 0.03]})
    assert ex["maintenance_margin"] == F("0.45")
    assert round(fl["maintenance_margin"], 8) == 0.45


def test_13_usdt_tiers():
    # Withheld. PV 3,500 with tiers 2/2.5/3/3.5/4% per 1,000 USDT:
    # MM = 1,000·2% + 1,000·2.5% + 1,000·3% + 500·3.5% = 92.5 USDT; deduction of tier 4 = 30 USDT
    # (0 -> 1,000·0.5% = 5 -> 5 + 2,000·0.5% = 15 -> 15 + 3,000·0.5% = 30); effective 92.5/3,500. Floats at 2 dp.
    fl, ex = both("maintenance-margin", {"position_value": 3500, "tier_limits": [1000, 2000, 3000, 4000, 5000],
                                         "tier_rates": [0.02, 0.025, 0.03, 0.035, 0.04]})
    assert ex == {"maintenance_margin": F("92.5"), "effective_rate": F("92.5") / 3500, "tier_rate": F("0.035"),
                  "mm_deduction": 30}
    assert round(fl["maintenance_margin"], 2) == 92.50
    assert round(fl["mm_deduction"], 2) == 30.00


def test_14_average_entry():
    # Published 5,375 = (0.5·5,000 + 0.3·6,000) / 0.8.
    fl, ex = both("average-entry", {"qtys": [0.5, 0.3], "prices": [5000, 6000]})
    assert ex == {"average_entry_price": 5375, "total_qty": F("0.8")}
    assert round(fl["average_entry_price"], 2) == 5375.00


def test_15_unrealised_pnl():
    # Published 100 USDT = 0.2·(7,500 - 7,000).
    fl, ex = both("pnl", {"side": "long", "entry_price": 7000, "exit_price": 7500, "qty": 0.2, "leverage": 10})
    assert ex["pnl"] == 100
    assert round(fl["pnl"], 2) == 100.00


def test_16_roi_with_fee_to_close():
    # IM 140 published. Withheld: close fee = 6,300·0.2·0.055% = 0.693 USDT;
    # return on position margin = 100 / (140 + 0.693) · 100 = 71.0767...%, 71.08% at 2 dp.
    # ROI on the initial margin (Bybit's and Binance's calculators) = 100 / 140 · 100 = 71.43%.
    fl, ex = both("pnl", {"side": "long", "entry_price": 7000, "exit_price": 7500, "qty": 0.2, "leverage": 10,
                          "taker_fee": 0.00055})
    assert ex["initial_margin"] == 140
    assert ex["close_fee"] == F("0.693")
    assert ex["position_margin"] == F("140.693")
    assert ex["position_margin_return_pct"] == F(100) / F("140.693") * 100
    assert round(fl["position_margin_return_pct"], 2) == 71.08
    assert ex["roi_pct"] == F(100) / 140 * 100
    assert round(fl["roi_pct"], 2) == 71.43


def test_19_binance_maintenance_amount():
    # Published: level 3 maintenance amount = 250,000·(1% - 0.5%) + 50 = 1,300 USDT.
    assert next_mm_deduction(F(250000), F("0.01"), F("0.005"), F(50)) == 1300
    # The same through the whole bracket table (2021 BTCUSDT: 50k 0.4%, 250k 0.5%, 1M 1%) for a 500,000 position.
    fl, ex = both("maintenance-margin", {"position_value": 500000, "tier_limits": [50000, 250000, 1000000],
                                         "tier_rates": [0.004, 0.005, 0.01]})
    assert ex["mm_deduction"] == 1300
    assert ex["maintenance_margin"] == 500000 * F("0.01") - 1300
    assert round(fl["mm_deduction"], 2) == 1300.00


def test_21_coin_m_maintenance_amount():
    # Withheld. Level 5: 50·(5% - 2.5%) + 0.56 = 1.81 BTC (exact; floats at 8 dp).
    assert next_mm_deduction(F(50), F("0.05"), F("0.025"), F("0.56")) == F("1.81")
    assert round(next_mm_deduction(50, 0.05, 0.025, 0.56), 8) == 1.81


def test_position_size_two_units():
    # §5: 1,000 account, 1% risk = 10 USDT, entry 100, stop 95 -> 2 units (exact).
    fl, ex = both("position-size", {"equity": 1000, "risk_pct": 1, "entry_price": 100, "stop_price": 95,
                                    "leverage": 5})
    assert (ex["qty"], ex["risk_amount"]) == (2, 10)
    assert round(fl["qty"], 6) == 2.0


def test_position_size_btc_stop_distance_700():
    # §5: 10 USDT risk over a 700 USDT stop distance -> 0.0142857 BTC (published "0.014"; 7 dp here).
    fl, ex = both("position-size", {"equity": 1000, "risk_pct": 1, "entry_price": 30000, "stop_price": 29300,
                                    "leverage": 10})
    assert ex["qty"] == F(10, 700)
    assert round(fl["qty"], 7) == 0.0142857
    assert round(fl["qty"], 3) == 0.014


def test_cbot_value_area():
    # §5 CBOT single-row example: POC row holds 150; add 90 (> 70) -> 240; add 80 -> 320; add 70 (> 50) -> 390,
    # which reaches 70% of 554 (387.8). The rows outside (30, 60 and 24) complete a total of 554.
    values = {"prices": [103, 104, 105, 106, 107, 108, 109, 110], "volumes": [30, 60, 70, 150, 90, 80, 50, 24],
              "row_size": 1, "value_area_pct": 70}
    fl, ex = both("volume-profile", values)
    for result in (fl, ex):
        assert result["poc"] == F(213, 2)  # middle of the 106-107 row
        assert (result["value_area_low"], result["value_area_high"]) == (105, 109)
        area = [row["volume"] for row in result["rows"] if 105 <= row["low"] < 109]
        assert area == [70, 150, 90, 80] and sum(area) == 390


def test_funding_fee_sign():
    # Derived: 1 BTC at mark 20,000 with a +0.01% rate -> a long pays 2 USDT, a short receives 2 USDT.
    long_fl, long_ex = both("funding-fee", {"side": "long", "qty": 1, "mark_price": 20000, "funding_rate": 0.0001})
    short_fl, short_ex = both("funding-fee", {"side": "short", "qty": 1, "mark_price": 20000,
                                              "funding_rate": 0.0001})
    assert (long_ex["funding_fee"], short_ex["funding_fee"]) == (2, -2)
    assert round(long_fl["funding_fee"], 8) == 2.0


def test_target_price_binance_form():
    # Derived from Binance's form: 20,000·(50%/10 + 1) = 21,000 long; 20,000·(1 - 50%/10) = 19,000 short.
    _, long_ex = both("target-price", {"side": "long", "entry_price": 20000, "leverage": 10, "target_roi_pct": 50})
    _, short_ex = both("target-price", {"side": "short", "entry_price": 20000, "leverage": 10,
                                        "target_roi_pct": 50})
    assert (long_ex["target_price"], short_ex["target_price"]) == (21000, 19000)


@pytest.mark.parametrize("mode, wallet, fund, expected", [
    # Derived. Long 1 @ 20,000, 50x (IM 400), filled at 19,500: loss 500, 100 beyond the margin.
    # Isolated: the trader loses the 400 of margin and no more; what the fund cannot cover goes to ADL.
    ("isolated", 400, 50, {"loss": 500, "margin_lost": 400, "insurance_fund_covers": 50, "not_covered": 50,
                           "balance_after": 0, "deposit_to_clear": 0}),
    ("isolated", 1000, 500, {"loss": 500, "margin_lost": 400, "insurance_fund_covers": 100, "not_covered": 0,
                             "balance_after": 600, "deposit_to_clear": 0}),
    # Cross: the wallet is at stake and what the fund cannot cover is charged to it.
    ("cross", 450, 0, {"loss": 500, "margin_lost": 450, "insurance_fund_covers": 0, "not_covered": 50,
                       "balance_after": -50, "deposit_to_clear": 50}),
])
def test_gap_loss(mode, wallet, fund, expected):
    _, ex = both("gap-loss", {"side": "long", "entry_price": 20000, "qty": 1, "leverage": 50, "margin_mode": mode,
                              "wallet_balance": wallet, "fill_price": 19500, "insurance_fund": fund})
    assert ex == expected


def test_ema_both_seeds():
    # Derived by hand, alpha = 2/4 = 0.5: sma seed (1+2+3)/3 = 2, then (4+2)/2 = 3, (5+3)/2 = 4.
    _, sma = both("ema", {"prices": [1, 2, 3, 4, 5], "period": 3, "seed": "sma"})
    assert sma == {"ema": [2, 3, 4], "last": 4}
    # first seed: 1, then (2+1)/2 = 1.5, (3+1.5)/2 = 2.25, (4+2.25)/2 = 3.125, (5+3.125)/2 = 4.0625.
    _, first = both("ema", {"prices": [1, 2, 3, 4, 5], "period": 3, "seed": "first"})
    assert first == {"ema": [1, F(3, 2), F(9, 4), F(25, 8), F(65, 16)], "last": F(65, 16)}
