"""The state fields a scenario can check, read from an exchange after each operation."""

from calculators.formulas.margin import initial_margin

from . import engine
from .state import ZERO

# field -> meaning; the order is the order of the columns a page may show. Money in USDT.
STATE_FIELD_HELP = {
    "account": "name of the current account (text)",
    "wallet": "wallet balance of the current account; negative means debt",
    "equity": "wallet + isolated margins + unrealised PnL at the marks",
    "available_balance": "wallet + cross unrealised losses - cross initial margin",
    "withdrawable": "what a withdrawal could take ignoring policy blocks: min(available, wallet), at least 0",
    "unrealised_pnl": "unrealised PnL of all positions at the marks",
    "position_margin": "sum of the isolated positions' margins",
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
    "insurance_fund": "the insurance fund balance",
    "fees_collected": "trading fees collected by the exchange",
    "counterparty_wallet": "wallet of the counterparty that takes the other side of every trade",
    "adl_count": "number of trader positions closed by auto-deleveraging so far (all accounts)",
    "adl_covered": "liquidation deficits taken from the opposing side by auto-deleveraging so far",
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
        "wallet": acc.wallet,
        "equity": acc.wallet + sum((p.margin for p in positions), ZERO) + upnl,
        "available_balance": ex.available_balance(acc),
        "withdrawable": ex.withdrawable(acc),
        "unrealised_pnl": upnl,
        "position_margin": sum((p.margin for p in isolated), ZERO),
        "initial_margin": sum((initial_margin(p.entry_price, p.qty, p.leverage) for p in positions), ZERO),
        "maintenance_margin": sum((engine.position_mm(ex.venue, p, ex.marks[p.symbol]) for p in positions),
                                  ZERO),
        "position": "; ".join(p.summary() for p in positions) or "none",
        "position_size": sum((p.sign() * p.qty for p in positions), ZERO),
        "position_count": len(positions),
        "liquidation_price": prices["liquidation_price"] if prices else None,
        "bankruptcy_price": engine.settlement_price(ex.venue, single) if single else None,
        "debt": max(ZERO, -acc.wallet),
        "user_debt": sum((max(ZERO, -a.wallet) for a in ex.accounts.values() if a.user == acc.user), ZERO),
        "interest_paid": acc.interest_paid,
        "liquidations": acc.liquidations,
        "insurance_fund": ex.insurance_fund,
        "fees_collected": ex.fees_collected,
        "counterparty_wallet": ex.counterparty_wallet,
        "adl_count": ex.adl_count,
        "adl_covered": ex.adl_covered,
        "hours": ex.hours,
    }
