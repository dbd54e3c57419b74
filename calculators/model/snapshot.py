"""The state fields a scenario can check, read from an exchange after each operation."""

from calculators.formulas.margin import initial_margin

from . import engine
from .state import ZERO

# field -> meaning; the order is the order of the columns a page may show. Money in USDT.
STATE_FIELD_HELP = {
    "account": "name of the current account (text)",
    "wallet_balance": "wallet balance of the current account (Bybit's meaning: deposits, realised PnL and fees, "
                      "including the isolated position margin); negative means debt",
    "equity": "wallet balance + unrealised PnL of every position at the marks",
    "available_balance": "wallet balance - isolated position margins - cross initial margin + cross unrealised "
                         "losses (+ other collateral): what can open positions or be withdrawn",
    "position_margin": "isolated position margins: initial margin + the fee to close where the venue sources "
                       "it + added margin",
    "withdrawable": "what a withdrawal could take ignoring policy blocks: min(available balance, the USDT not "
                    "held as margin), at least 0",
    "unrealised_pnl": "unrealised PnL of all positions at the marks",
    "realised_pnl": "PnL realised by the current account so far (closes, liquidations, auto-deleveraging; "
                    "fees not included)",
    "collateral": "USDT value of the account's other coins backing it (Unified Trading Account)",
    "initial_margin": "sum of the positions' initial margins at entry",
    "maintenance_margin": "sum of the positions' maintenance margins at the marks",
    "position": "text summary of the open positions, or 'none'",
    "position_size": "net signed quantity of all positions (long positive, short negative)",
    "position_count": "number of open position legs",
    "liquidation_price": "liquidation price of the single isolated position (empty otherwise)",
    "bankruptcy_price": "price at which the single isolated position's margin is used up (empty otherwise)",
    "debt": "the current account's negative balance as a positive amount (0 if none)",
    "user_debt": "the debt of all accounts of the current user",
    "interest_paid": "interest charged to the current account so far",
    "liquidations": "number of liquidations of the current account so far",
    "open_stops": "number of resting stop orders (stop-loss, take-profit) of the current account",
    "stop_fill": "price the current account's latest triggered stop filled at (empty if none fired)",
    "partial_liquidations": "number of times the current account's positions were reduced to a lower "
                            "risk-limit tier by the liquidation engine",
    "insurance_fund": "the insurance fund balance",
    "fees_collected": "trading fees collected by the exchange",
    "counterparty_wallet": "wallet of the counterparty that takes the other side of every trade",
    "adl_count": "number of trader positions closed by auto-deleveraging so far (all accounts)",
    "adl_covered": "liquidation deficits taken from the opposing side by auto-deleveraging so far",
    "uncovered_deficit": "liquidation deficits neither the fund nor an opposing position covered, which the "
                         "venue itself paid (shown, never hidden)",
    "hours": "hours advanced on the clock",
}
STATE_FIELDS = tuple(STATE_FIELD_HELP)
TEXT_FIELDS = ("account", "position")


def take_snapshot(ex):
    """A dict of every ``STATE_FIELDS`` value for the current account (numbers as ``Decimal``)."""
    acc = ex.account
    positions = list(acc.positions.values())
    upnl = ex.unrealised_pnl(acc)
    isolated = [p for p in positions if p.margin_mode == "isolated"]
    single = isolated[0] if len(positions) == 1 and len(isolated) == 1 else None
    prices = engine.isolated_prices(ex.venue, single) if single else None
    return {
        "account": acc.name,
        "wallet_balance": ex.wallet_balance(acc),
        "equity": ex.wallet_balance(acc) + upnl,
        "available_balance": ex.available_balance(acc),
        "position_margin": sum((p.margin for p in isolated), ZERO),
        "withdrawable": ex.withdrawable(acc),
        "unrealised_pnl": upnl,
        "realised_pnl": acc.realised_pnl,
        "collateral": acc.collateral,
        "initial_margin": sum((initial_margin(p.entry_price, p.qty, p.leverage) for p in positions), ZERO),
        "maintenance_margin": sum((engine.position_mm(ex.venue, p, ex.marks[p.symbol]) for p in positions),
                                  ZERO),
        "position": "; ".join(p.summary() for p in positions) or "none",
        "position_size": sum((p.sign() * p.qty for p in positions), ZERO),
        "position_count": len(positions),
        "liquidation_price": prices["liquidation_price"] if prices else None,
        "bankruptcy_price": engine.settlement_price(ex.venue, single) if single else None,
        "debt": max(ZERO, -ex.wallet_balance(acc)),
        "user_debt": sum((max(ZERO, -ex.wallet_balance(a)) for a in ex.accounts.values() if a.user == acc.user),
                         ZERO),
        "interest_paid": acc.interest_paid,
        "liquidations": acc.liquidations,
        "open_stops": len(acc.stops),
        "stop_fill": acc.stop_fill,
        "partial_liquidations": acc.partial_liquidations,
        "insurance_fund": ex.insurance_fund,
        "fees_collected": ex.fees_collected,
        "counterparty_wallet": ex.counterparty_wallet,
        "adl_count": ex.adl_count,
        "adl_covered": ex.adl_covered,
        "uncovered_deficit": ex.uncovered_deficit,
        "hours": ex.hours,
    }
