"""Hypothesis strategies for what a reader types into a widget: the text of every input.

Numbers are drawn as decimals with a realistic number of places (what people type), inside the
catalogue's limits; lists are pasted with any of the separators the widget accepts. Combinations the
formulas reject (a stop above a long entry, a period longer than the series, ...) are left in on
purpose: the page must then show the formula's own message next to the right field.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from calculators.catalogue import to_json

SPECS = {spec["id"]: spec for spec in to_json()}


def decimals(low, high, places: int):
    """Decimal strings between low and high with at most ``places`` decimals (no exponent)."""
    return st.decimals(Decimal(str(low)), Decimal(str(high)), places=places, allow_nan=False,
                       allow_infinity=False).map(lambda d: format(d.normalize(), "f"))


PRICE = decimals("0.01", 200000, 2)
NUMBERS = {
    "entry_price": PRICE, "exit_price": PRICE, "price": PRICE, "mark_price": PRICE, "fill_price": PRICE,
    "stop_price": PRICE,
    "qty": decimals("0.001", 500, 3),
    "leverage": st.one_of(st.integers(1, 125).map(str), decimals(1, 125, 2)),
    "mmr": decimals(0, "0.2", 4),
    "mm_deduction": decimals(0, 5000, 2),
    "extra_margin": decimals(-2000, 2000, 2),
    "taker_fee": decimals(0, "0.002", 5),
    "open_fee_rate": decimals(0, "0.002", 5),
    "exit_fee_rate": decimals(0, "0.002", 5),
    "close_fee_rate": decimals(0, "0.002", 5),
    "target_roi_pct": decimals(-150, 1000, 2),
    "balance": decimals("0.01", 1000000, 2),
    "wallet_balance": decimals(0, 1000000, 2),
    "equity": decimals("0.01", 1000000, 2),
    "insurance_fund": decimals(0, 1000000, 2),
    "risk_pct": decimals("0.01", 100, 2),
    "position_value": decimals("0.01", 10000000, 2),
    "funding_rate": decimals("-0.01", "0.01", 6),
    "period": st.integers(1, 12).map(str),
    "contracts": decimals(1, 1000000, 0),
    "size": decimals("0.001", 500, 3),
    "base_rate": decimals(0, "0.1", 4),
    "rate_per_100": decimals(0, "0.01", 4),
    "other_mm": decimals(0, 5000, 2),
    "order_margin": decimals(0, 5, 4),
    "other_upnl": decimals(-5000, 5000, 2),
    "row_size": decimals("0.5", 50, 2),
    "value_area_pct": decimals("0.1", 100, 1),
}
LIST_ITEMS = {
    "qtys": decimals("0.001", 100, 3),
    "prices": decimals("0.01", 1000, 2),
    "volumes": decimals(0, 1000, 2),
    "tier_limits": decimals(1, 100000, 0),
    "tier_rates": decimals(0, "0.1", 4),
    "contracts": decimals(1, 100000, 0),
    "funding_rates": decimals("-0.001", "0.001", 6),
}
SEPARATORS = st.sampled_from([", ", ",", "\n", "\t", " ", " ,\n"])


def pasted(items: list[str], separator: str) -> str:
    return separator.join(items)


@st.composite
def input_texts(draw, calc_id: str) -> dict[str, str]:
    """The text of every input of ``calc_id``; list inputs of one calculator usually share a length."""
    spec = SPECS[calc_id]
    size = draw(st.integers(1, 12))
    texts = {}
    for item in spec["inputs"]:
        name = item["name"]
        if item["kind"] == "choice":
            texts[name] = draw(st.sampled_from(item["choices"]))
        elif item["kind"] == "list":
            length = draw(st.sampled_from([size] * 9 + [max(1, size - 1)]))
            if name == "tier_limits":  # tiers are increasing upper bounds, usually
                values = sorted(set(draw(st.lists(st.integers(1, 100000), min_size=length, max_size=length))))
                items = [str(v) for v in values]
            else:
                items = draw(st.lists(LIST_ITEMS[name], min_size=length, max_size=length))
            texts[name] = pasted(items, draw(SEPARATORS))
        else:
            texts[name] = draw(NUMBERS[name])
    return texts


def parse_texts(spec: dict, texts: dict[str, str]) -> dict:
    """The values Python receives for the same typed texts (the CLI parses numbers the same way)."""
    values = {}
    for item in spec["inputs"]:
        text = texts[item["name"]]
        if item["kind"] == "choice":
            values[item["name"]] = text
        elif item["kind"] == "list":
            values[item["name"]] = [float(part) for part in text.replace(",", " ").split()]
        else:
            values[item["name"]] = float(text)
    return values
