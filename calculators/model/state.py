"""Plain state of the reference model: money helpers, positions, accounts, results and reason codes."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

# Every amount of money that moves is rounded to this unit first (half-even), then only added and
# subtracted, so the books balance exactly. Prices and quantities are never rounded.
MONEY_UNIT = Decimal("0.00000001")
ZERO = Decimal(0)

# Stable refusal codes: scenarios, the rule schema and the site refer to them by name.
REASON_CODES = (
    "invalid_input",
    "unknown_symbol",
    "unknown_account",
    "account_exists",
    "price_off_tick",
    "insufficient_available_balance",
    "withdrawal_blocked_negative_balance",
    "withdrawal_blocked_liability",
    "open_blocked_negative_balance",
    "leverage_above_maximum",
    "position_above_risk_limit",
    "position_mode_change_with_open_positions",
    "margin_mode_mismatch",
    "no_open_position",
    "position_side_required",
    "qty_above_position",
    "position_not_isolated",
    "insufficient_removable_margin",
    "no_mark_price",
    "trigger_on_wrong_side",
)

POSITION_MODES = ("one_way", "hedge")
MARGIN_MODES = ("cross", "isolated")


def money(value):
    """``value`` rounded (half-even) to the model's money unit, as a ``Decimal``."""
    return Decimal(value).quantize(MONEY_UNIT, rounding=ROUND_HALF_EVEN)


def to_decimal(name, value):
    """Convert a scenario or API number to ``Decimal`` (floats via their shortest repr); ValueError if not."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, (int, float, str)):
        try:
            result = Decimal(str(value))
        except ArithmeticError:
            raise ValueError(f"{name} must be a number, got {value!r}") from None
    else:
        raise ValueError(f"{name} must be a number, got {value!r}")
    if not result.is_finite():
        raise ValueError(f"{name} must be a finite number")
    return result


@dataclass
class Position:
    """One open position leg. ``margin`` is the isolated position margin (0 for cross): initial margin,
    the reserved fee to close (``fee_reserve``, where the venue sources it) and added margin."""

    symbol: str
    side: str
    qty: Decimal
    entry_price: Decimal
    leverage: Decimal
    margin_mode: str
    margin: Decimal = ZERO
    fee_reserve: Decimal = ZERO

    def sign(self):
        """+1 for a long, -1 for a short."""
        return 1 if self.side == "long" else -1

    def summary(self):
        """Short human description, e.g. ``long 1 BTCUSDT @ 20000 (cross 50x)``."""
        text = f"{self.side} {_plain(self.qty)} {self.symbol} @ {_plain(self.entry_price)} "
        if self.margin_mode == "isolated":
            return text + f"(isolated {_plain(self.leverage)}x, margin {_plain(self.margin)})"
        return text + f"(cross {_plain(self.leverage)}x)"


@dataclass
class Account:
    """A futures account of one user and its positions keyed by (symbol, side).

    ``wallet`` is the USDT not held as isolated position margin (negative = debt or borrowing); the wallet
    balance readers see is ``wallet`` plus the isolated position margins. ``collateral`` is the USDT value
    of other coins that back a Unified Trading Account (never spent or withdrawn in the model). ``stops``
    are its resting stop orders (``calculators.model.stops``); ``stop_fill`` the price its latest fired
    stop filled at."""

    name: str
    user: str
    wallet: Decimal = ZERO
    collateral: Decimal = ZERO
    realised_pnl: Decimal = ZERO
    partial_liquidations: int = 0
    position_mode: str = "one_way"
    positions: dict = field(default_factory=dict)
    leverage: dict = field(default_factory=dict)
    interest_paid: Decimal = ZERO
    liquidations: int = 0
    stops: list = field(default_factory=list)
    stop_fill: Decimal | None = None


@dataclass
class Result:
    """Outcome of one operation: ``ok`` or refused with a stable ``reason`` code; ``events`` lists
    liquidations, deleveraging and other side effects; ``detail`` is a short human sentence."""

    ok: bool
    reason: str | None = None
    detail: str = ""
    events: list = field(default_factory=list)
    data: dict = field(default_factory=dict)

    @property
    def label(self):
        """``ok`` or ``refused: <reason>``, as shown in a scenario table."""
        return "ok" if self.ok else f"refused: {self.reason}"


class Refusal(Exception):
    """Raised inside an operation to refuse it; the exchange turns it into a refused ``Result``."""

    def __init__(self, reason, detail=""):
        assert reason in REASON_CODES, reason
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def _plain(value):
    """A Decimal written without exponent or trailing zeros (``20000``, ``0.5``)."""
    text = format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)
    return text
