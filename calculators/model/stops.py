"""Stop orders: reduce-only conditional market orders (stop-loss and take-profit) resting on a position leg.

Bybit lets a trader attach a take-profit or stop-loss to a position, choose the price that triggers it
(last traded, index or mark price) and closes the position with a market order when the trigger is reached
("Set Trading Stop", ``tpTriggerBy`` / ``slTriggerBy``; the system cancels these orders when the position
is closed). The model keeps two trigger types: ``mark`` (the mark price) and ``last`` (the price the market
trades at on the step: the ``fill`` of a ``mark`` step, or an order's price); it has no separate index.

Conventions:

* A stop-loss of a long (and a take-profit of a short) fires when its trigger price type is at or below
  the trigger price; a take-profit of a long (and a stop-loss of a short) at or above it. A stop that would
  fire at once is refused (``trigger_on_wrong_side``).
* On every price move the liquidation engine runs first; then every resting stop on the symbol whose
  trigger is reached fires: a reduce-only market order for its quantity (at most the position) that fills
  at the move's traded price with the taker fee. So in a gap it fills at the gap price, not at the trigger,
  and a move that reaches the liquidation price liquidates the position before any stop can fire.
* A stop whose position leg is gone (closed, flipped or liquidated) is cancelled.
"""

from dataclasses import dataclass
from decimal import Decimal

from .state import Refusal, Result

KINDS = ("stop_loss", "take_profit")
TRIGGER_TYPES = ("mark", "last")


@dataclass
class Stop:
    """A resting reduce-only stop on the ``side`` leg of ``symbol``; ``qty`` None closes the whole leg."""

    symbol: str
    side: str
    trigger_price: Decimal
    kind: str = "stop_loss"
    trigger_by: str = "mark"
    qty: Decimal | None = None

    def fires_at(self, price):
        """True when ``price`` (of the stop's trigger type) has reached the trigger price."""
        falling = (self.side == "long") == (self.kind == "stop_loss")
        return price <= self.trigger_price if falling else price >= self.trigger_price


def check_new(stop, mark, last):
    """Refuse a stop with an unknown kind or trigger type, or one that would fire at the current prices."""
    if stop.kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    if stop.trigger_by not in TRIGGER_TYPES:
        raise ValueError(f"trigger_by must be one of {', '.join(TRIGGER_TYPES)}")
    reference = mark if stop.trigger_by == "mark" else last
    if stop.fires_at(reference):
        where = "below" if (stop.side == "long") == (stop.kind == "stop_loss") else "above"
        raise Refusal("trigger_on_wrong_side",
                      f"a {stop.kind.replace('_', '-')} of a {stop.side} must trigger {where} the "
                      f"{stop.trigger_by} price {reference}")


def cancel_orphans(ex):
    """Cancel every stop whose position leg no longer exists (reduce-only: nothing left to reduce)."""
    for acc in ex.accounts.values():
        acc.stops = [s for s in acc.stops if (s.symbol, s.side) in acc.positions]


def run_stops(ex, symbol, mark, last):
    """Fire the stops on ``symbol`` that ``mark`` / ``last`` reach (after the liquidation engine ran): each
    closes its quantity at ``last`` with the taker fee. Returns the events."""
    cancel_orphans(ex)
    events = []
    for acc in ex.accounts.values():
        for stop in list(acc.stops):
            pos = acc.positions.get((stop.symbol, stop.side))
            if stop.symbol != symbol or pos is None:
                continue
            if not stop.fires_at(mark if stop.trigger_by == "mark" else last):
                continue
            acc.stops.remove(stop)
            qty = pos.qty if stop.qty is None else min(stop.qty, pos.qty)
            result = Result(True)
            ex._reduce(acc, pos, qty, last, result)
            acc.stop_fill = last
            events.append({"event": "stop", "account": acc.name, "symbol": symbol, "side": stop.side,
                           "kind": stop.kind, "trigger_price": stop.trigger_price, "trigger_by": stop.trigger_by,
                           "qty": qty, "fill": last, "detail": result.detail})
    cancel_orphans(ex)
    return events
