"""Venue and symbol presets for the calculators, built from the sourced venue profiles
(``calculators/model/venues/*.yaml``).

A preset fills the inputs a venue's profile sources (fee rates, the liquidation formula, the risk-limit
tier table) and carries the maximum leverage of each tier; typed values still override. Only profiles that
are the venue's own documents, with a sourced fee and a sourced tier table, become presets.

``problem(calc_id, preset, values, outputs)`` words a broken venue limit (leverage above the symbol's
maximum, a position above the risk limit for its leverage) as one line naming the limit and its source; the
check itself is ``tiers.venue_limit_problem``, compiled to the widget bundle, so both sides agree.
"""

from dataclasses import dataclass

from calculators.formulas.tiers import venue_limit_problem

# Where each calculator's position value comes from: (price, quantity, the input a message blames); price and
# quantity are input or output names.
VALUE_OF = {
    "liquidation-price": ("entry_price", "qty", "qty"),
    "order-cost": ("price", "qty", "qty"),
    "pnl": ("entry_price", "qty", "qty"),
    "max-position": ("price", "max_qty", "balance"),
    "gap-loss": ("entry_price", "qty", "qty"),
    "initial-margin-mark": ("mark_price", "qty", "qty"),
}


@dataclass(frozen=True)
class Preset:
    """One venue and symbol: input values, each tier's maximum leverage, and the sources."""

    id: str
    label: str
    venue_name: str
    symbol: str
    values: dict
    tier_limits: tuple
    tier_max_leverages: tuple
    fee_source: str
    tier_source: str


def _source_text(sources):
    return "; ".join(f"{s.title}, {s.publisher}" for s in sources)


def presets():
    """Every preset, venue then symbol, from the venue profiles."""
    from calculators.model.venues import VENUES

    found = []
    for venue in VENUES.values():
        facts = {(fact.section, fact.name): fact for fact in venue.facts()}
        fee = facts.get(("parameters", "taker_fee"))
        formula = facts.get(("parameters", "liquidation_formula"))
        if venue.third_party or not fee or fee.assumption or not formula or formula.assumption:
            continue
        for symbol, tiers in venue.tiers.items():
            table = facts.get(("tiers", symbol))
            if not table or table.assumption:
                continue
            taker = float(venue.taker_fee)
            found.append(Preset(
                id=f"{venue.id}:{symbol}",
                label=f"{venue.name}: {symbol}",
                venue_name=venue.name,
                symbol=symbol,
                values={"taker_fee": taker, "open_fee_rate": taker, "exit_fee_rate": taker,
                        "close_fee_rate": taker if venue.does("fee_to_close_in_position_margin") else 0.0,
                        "formula": venue.liquidation_formula, "mm_source": "tiers",
                        "tier_limits": [float(t.limit) for t in tiers], "tier_rates": [float(t.mmr) for t in tiers]},
                tier_limits=tuple(float(t.limit) for t in tiers),
                tier_max_leverages=tuple(float(t.max_leverage) for t in tiers),
                fee_source=_source_text(fee.sources),
                tier_source=_source_text(table.sources),
            ))
    return found


def get(preset_id):
    """The preset ``venue:SYMBOL``; ``KeyError`` naming the known ones if there is none."""
    known = {preset.id: preset for preset in presets()}
    if preset_id not in known:
        raise KeyError(f"no venue preset {preset_id!r}; known: {', '.join(known)}")
    return known[preset_id]


def applies(calc):
    """True if a preset fills or checks anything in calculator ``calc`` (the profiles describe USDT
    perpetuals, so coin-margined calculators take none)."""
    if calc.id.startswith("inverse-"):
        return False
    names = {item.name for item in calc.inputs}
    return calc.id in VALUE_OF or bool(names & {"taker_fee", "tier_limits", "open_fee_rate"})


def fill(calc, preset, typed):
    """Input values: the preset's for the inputs ``calc`` has, then the ``typed`` ones over them."""
    names = {item.name for item in calc.inputs}
    values = {name: value for name, value in preset.values.items() if name in names}
    values.update(typed)
    return values


def _amount(value):
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def problem(calc_id, preset, values, outputs):
    """One line naming the broken venue limit and its source, or ``None`` within the limits."""
    if calc_id not in VALUE_OF or "leverage" not in values:
        return None
    price_name, qty_name, blame = VALUE_OF[calc_id]
    price = values.get(price_name, outputs.get(price_name))
    qty = values.get(qty_name, outputs.get(qty_name))
    leverage = values["leverage"]
    code, limit = venue_limit_problem(leverage, price * qty, list(preset.tier_limits),
                                      list(preset.tier_max_leverages))
    where = f"{preset.symbol} on {preset.venue_name} (source: {preset.tier_source})"
    if code == 1:
        return f"leverage must be at most {_amount(limit)}x for {where}"
    if code == 2:
        return (f"{blame} puts the position value above {_amount(limit)} USDT, the risk limit for "
                f"{_amount(leverage)}x leverage on {where}")
    return None


def to_json():
    """The presets as JSON-ready dicts for the widgets."""
    return [{"id": p.id, "label": p.label, "venue": p.venue_name, "symbol": p.symbol, "values": p.values,
             "tier_limits": list(p.tier_limits), "tier_max_leverages": list(p.tier_max_leverages),
             "fee_source": p.fee_source, "tier_source": p.tier_source} for p in presets()]
