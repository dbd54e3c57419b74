"""Venue profiles: the parameters that make the reference model behave like one exchange.

A profile is plain data (``VENUE_DATA`` below) turned into a validated, immutable :class:`Venue` by
:func:`load_venue`. Sources are cited per field; figures marked *illustrative* are not published by
the venue in the notes we hold (``shared/reference/exchange-mechanics.md``) and are chosen to be of the
right size only. Risk-limit deductions are never written by hand: they are computed by the recursion
``next_mm_deduction`` from ``calculators/formulas/tiers.py`` (Bybit margin-parameter page, §1.1;
Binance "Maintenance Amount", §2.2).

Negative-balance policies (§1.10):

* ``bybit-classic``: the insurance fund covers a liquidation's deficit first; the rest is left as a
  negative wallet balance; no interest; deposits repay it first; withdrawals and new positions are
  refused while any account of the same user is negative (seed article; Bybit ties the debt to the UID).
* ``bybit-uta``: the negative balance is an automatic loan (Bybit "Borrowing, Interest and Repayment
  (Unified Trading Account)") accruing hourly interest, with an interest-free amount for borrowing caused
  by unrealised losses; deposits repay it first ("Auto Repayment by Transfer In"); a coin with a liability
  cannot be withdrawn (``unified-trans-amnt``: withdrawable = min(X, the coin's positive spot balance)).
* ``never-negative``: what the fund cannot cover is taken by auto-deleveraging opposing profitable
  positions (Bybit/Poloniex ADL ranking, §1.10); the trader's balance never goes below zero (Kraken:
  "you will never be allowed to have a negative balance").
"""

from dataclasses import dataclass
from decimal import Decimal

from calculators.formulas.tiers import next_mm_deduction

POLICIES = ("bybit-classic", "bybit-uta", "never-negative")
LIQUIDATION_FORMULAS = ("bybit", "binance")

# Bybit BTCUSDT, first tier: "0.5% MMR up to 2,000,000 USDT" (Bybit "Maintenance Margin (USDT Contract)",
# §1.3). Tier 2's 0.7% is the rate the notes assume for the page's 2,600,000 USDT example; it is
# illustrative (the page's "0.56%" does not follow from 0.7%: the bracket sum gives 0.546%). Tier 1 max leverage 100x is
# Bybit's BTCUSDT maximum (illustrative: not in the notes). Limits and leverages above tier 2 are illustrative.
BYBIT_TIERS = (
    {"limit": "2000000", "mmr": "0.005", "max_leverage": "100"},
    {"limit": "4000000", "mmr": "0.007", "max_leverage": "80"},
    {"limit": "6000000", "mmr": "0.009", "max_leverage": "60"},
)

# Binance BTCUSDT brackets as reverse-engineered in 2021 (third-party gist, §2.2: 50k 0.4% cum 0,
# 250k 0.5% cum 50, 1M 1% cum 1,300, 10M 2.5% cum 16,300, 20M 5% cum 266,300). Max leverages illustrative.
BINANCE_TIERS = (
    {"limit": "50000", "mmr": "0.004", "max_leverage": "125"},
    {"limit": "250000", "mmr": "0.005", "max_leverage": "100"},
    {"limit": "1000000", "mmr": "0.01", "max_leverage": "50"},
    {"limit": "10000000", "mmr": "0.025", "max_leverage": "20"},
    {"limit": "20000000", "mmr": "0.05", "max_leverage": "10"},
)

VENUE_DATA = {
    "bybit-classic": {
        "title": "Bybit, classic (non-unified) USDT perpetual account",
        # Taker 0.055%: the rate in Bybit "Order Cost (USDT Contract)" worked example (§1.2, example #7).
        "taker_fee": "0.00055",
        "liquidation_formula": "bybit",  # Bybit "Liquidation Price (USDT Contract)", §1.4
        "tick_size": "0.1",  # illustrative (BTCUSDT trades in 0.1 USDT steps)
        "default_leverage": "10",  # illustrative
        "symbols": ("BTCUSDT", "ETHUSDT"),
        "tiers": BYBIT_TIERS,
        "policy": "bybit-classic",
        "hourly_interest_rate": "0",  # seed article: no interest on the negative balance
        "interest_free_amount": "0",
    },
    "bybit-uta": {
        "title": "Bybit Unified Trading Account (cross margin, USDT)",
        "taker_fee": "0.00055",  # as bybit-classic (§1.2)
        "liquidation_formula": "bybit",
        "tick_size": "0.1",  # illustrative
        "default_leverage": "10",  # illustrative
        "symbols": ("BTCUSDT", "ETHUSDT"),
        "tiers": BYBIT_TIERS,
        "policy": "bybit-uta",
        # "Hourly Interest Payment = Borrowing Amount x Hourly Interest Rate" (§1.10); the rate itself
        # floats with the market: 0.0005% an hour (about 4.4% a year) is illustrative.
        "hourly_interest_rate": "0.000005",
        # Interest-free amount for USDT borrowing caused only by unrealised losses (§1.10); the size is
        # illustrative (Bybit sets it per coin and VIP level).
        "interest_free_amount": "200",
    },
    "never-negative": {
        "title": "A venue whose balances never go negative (auto-deleveraging), Binance-style formulas",
        # Illustrative taker fee (Binance's standard USDⓈ-M taker rate, not in the notes).
        "taker_fee": "0.0005",
        "liquidation_formula": "binance",  # Binance USDⓈ-M FAQ, §2.1 (one-way, isolated branch)
        "tick_size": "0.1",  # illustrative
        "default_leverage": "10",  # illustrative
        "symbols": ("BTCUSDT", "ETHUSDT"),
        "tiers": BINANCE_TIERS,
        "policy": "never-negative",
        "hourly_interest_rate": "0",
        "interest_free_amount": "0",
    },
}


class VenueError(ValueError):
    """A venue profile is malformed; the message names the venue and the field."""


@dataclass(frozen=True)
class Tier:
    """One risk-limit tier: positions valued up to ``limit`` use ``mmr`` and ``mm_deduction``."""

    limit: Decimal
    mmr: Decimal
    mm_deduction: Decimal
    max_leverage: Decimal


@dataclass(frozen=True)
class Venue:
    """A validated venue profile (all numbers are ``Decimal``)."""

    id: str
    title: str
    taker_fee: Decimal
    liquidation_formula: str
    tick_size: Decimal
    default_leverage: Decimal
    symbols: tuple
    tiers: tuple
    policy: str
    hourly_interest_rate: Decimal
    interest_free_amount: Decimal

    @property
    def max_leverage(self):
        """The highest leverage any position may use (tier 1's)."""
        return self.tiers[0].max_leverage

    def tier_for(self, value):
        """The tier a position of ``value`` USDT falls in, or ``None`` above the last limit."""
        for tier in self.tiers:
            if value <= tier.limit:
                return tier
        return None


def _number(venue_id, data, field):
    try:
        value = Decimal(str(data[field]))
    except KeyError:
        raise VenueError(f"venue {venue_id}: {field} is missing") from None
    except ArithmeticError:
        raise VenueError(f"venue {venue_id}: {field} must be a number, got {data[field]!r}") from None
    if not value.is_finite():
        raise VenueError(f"venue {venue_id}: {field} must be finite")
    return value


def _tiers(venue_id, rows, taker_fee):
    if not rows:
        raise VenueError(f"venue {venue_id}: tiers must list at least one tier")
    tiers = []
    previous = None
    for i, row in enumerate(rows):
        where = f"tiers[{i}]"
        limit = _number(venue_id, row, "limit")
        mmr = _number(venue_id, row, "mmr")
        max_lev = _number(venue_id, row, "max_leverage")
        if limit <= 0 or (previous is not None and limit <= previous.limit):
            raise VenueError(f"venue {venue_id}: {where}.limit must be positive and increasing")
        if not (0 < mmr < 1) or (previous is not None and mmr < previous.mmr):
            raise VenueError(f"venue {venue_id}: {where}.mmr must be in (0, 1) and not decreasing")
        if max_lev < 1 or mmr >= 1 / max_lev:
            # A position opened at max leverage must not be liquidatable at its entry price.
            raise VenueError(f"venue {venue_id}: {where}.max_leverage must be at least 1 and below 1/mmr")
        if mmr <= taker_fee:
            # Keeps a voluntary close from costing more than the maintenance margin left.
            raise VenueError(f"venue {venue_id}: {where}.mmr must exceed taker_fee")
        if previous is None:
            deduction = Decimal(0)
        else:
            deduction = next_mm_deduction(previous.limit, mmr, previous.mmr, previous.mm_deduction)
        previous = Tier(limit, mmr, deduction, max_lev)
        tiers.append(previous)
    return tuple(tiers)


def load_venue(venue_id, data=None):
    """Validate one venue profile (``VENUE_DATA[venue_id]`` unless ``data`` is given) into a ``Venue``.

    Raises ``VenueError`` with the venue id and the offending field.
    """
    if data is None:
        if venue_id not in VENUE_DATA:
            raise VenueError(f"unknown venue {venue_id!r}; known: {', '.join(VENUE_IDS)}")
        data = VENUE_DATA[venue_id]
    unknown = set(data) - set(VENUE_DATA["bybit-classic"])
    if unknown:
        raise VenueError(f"venue {venue_id}: unknown field {sorted(unknown)[0]}")
    taker_fee = _number(venue_id, data, "taker_fee")
    if not (0 <= taker_fee < 1):
        raise VenueError(f"venue {venue_id}: taker_fee must be at least 0 and below 1")
    formula = data.get("liquidation_formula")
    if formula not in LIQUIDATION_FORMULAS:
        raise VenueError(f"venue {venue_id}: liquidation_formula must be one of {', '.join(LIQUIDATION_FORMULAS)}")
    policy = data.get("policy")
    if policy not in POLICIES:
        raise VenueError(f"venue {venue_id}: policy must be one of {', '.join(POLICIES)}")
    tick = _number(venue_id, data, "tick_size")
    default_leverage = _number(venue_id, data, "default_leverage")
    rate = _number(venue_id, data, "hourly_interest_rate")
    free = _number(venue_id, data, "interest_free_amount")
    if tick <= 0:
        raise VenueError(f"venue {venue_id}: tick_size must be greater than 0")
    if rate < 0 or free < 0:
        raise VenueError(f"venue {venue_id}: hourly_interest_rate and interest_free_amount must be at least 0")
    symbols = tuple(data.get("symbols") or ())
    if not symbols:
        raise VenueError(f"venue {venue_id}: symbols must list at least one symbol")
    tiers = _tiers(venue_id, data.get("tiers"), taker_fee)
    if not (1 <= default_leverage <= tiers[0].max_leverage):
        raise VenueError(f"venue {venue_id}: default_leverage must be between 1 and the maximum leverage")
    return Venue(
        id=venue_id, title=str(data.get("title", venue_id)), taker_fee=taker_fee,
        liquidation_formula=formula, tick_size=tick, default_leverage=default_leverage, symbols=symbols,
        tiers=tiers, policy=policy, hourly_interest_rate=rate, interest_free_amount=free,
    )


VENUE_IDS = tuple(VENUE_DATA)
VENUES = {venue_id: load_venue(venue_id) for venue_id in VENUE_IDS}
