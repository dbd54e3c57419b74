"""The calculator catalogue: every calculator's inputs, outputs, units, limits, sources and entry function.

Ids, input names and output names are a public contract (issue 3): articles, embeds, the widgets and the
command line use them. The limits declared here are the ones the entry functions enforce themselves
(``tests/calculators/test_catalogue.py`` checks that they agree), so the browser and the command line give
the same one-line error.
"""

from dataclasses import dataclass

from calculators.formulas.indicators import calc_ema, calc_volume_profile
from calculators.formulas.inverse import (
    calc_inverse_average_entry,
    calc_inverse_cross_liquidation_price,
    calc_inverse_liquidation_price,
    calc_inverse_order_cost,
    calc_inverse_pnl,
    calc_inverse_target_price,
)
from calculators.formulas.positions import (
    calc_funding_fee,
    calc_gap_loss,
    calc_liquidation_price_tiers,
    calc_max_position,
    calc_order_cost,
    calc_pnl_legs,
    calc_target_price,
)
from calculators.formulas.sizing import calc_average_entry, calc_position_size
from calculators.formulas.tiers import calc_maintenance_margin
from calculators.formulas.variants import (
    calc_cross_liquidation_price,
    calc_funding_period,
    calc_initial_margin_mark,
    calc_size_scaled_margin,
)


@dataclass(frozen=True)
class Input:
    """One calculator input. ``kind`` is ``number``, ``choice`` or ``list`` (a list of numbers)."""

    name: str
    label: str
    unit: str | None
    kind: str
    default: object
    help: str
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False
    step: float | None = None
    choices: tuple = ()


@dataclass(frozen=True)
class Output:
    """One calculator output. ``kind`` is ``number`` or ``list``."""

    name: str
    label: str
    unit: str | None
    decimals: int
    kind: str = "number"


@dataclass(frozen=True)
class Source:
    """A published page a calculator's formula comes from."""

    title: str
    url: str
    publisher: str


@dataclass(frozen=True)
class Calculator:
    """A calculator definition: metadata plus its entry function (inputs positional, dict of outputs)."""

    id: str
    title: str
    summary: str
    function: object
    inputs: tuple
    outputs: tuple
    variants: tuple
    sources: tuple
    formula: str
    conventions: str = ""

    def input(self, name):
        """Return the input called ``name`` or raise ``KeyError``."""
        for item in self.inputs:
            if item.name == name:
                return item
        raise KeyError(name)


# Input constructors, one per kind of limit; the catalogue names the kind instead of repeating the limits.
def _positive(name, label, unit, kind, default, help_text, step):
    """A number (or list of numbers) that must be greater than 0."""
    return Input(name, label, unit, kind, default, help_text, min=0, min_exclusive=True, step=step)


def _non_negative(name, label, unit, kind, default, help_text, step):
    """A number (or list of numbers) that must be at least 0."""
    return Input(name, label, unit, kind, default, help_text, min=0, step=step)


def _fraction(name, label, kind, default, help_text, step):
    """A rate given as a fraction (or a list of them): at least 0 and below 1, no unit."""
    return Input(name, label, None, kind, default, help_text, min=0, max=1, max_exclusive=True, step=step)


def _signed_fraction(name, label, kind, default, help_text, step):
    """A rate given as a fraction that may be negative (or a list of them): above -1 and below 1, no unit."""
    return Input(name, label, None, kind, default, help_text, min=-1, max=1, min_exclusive=True,
                 max_exclusive=True, step=step)


def _share_pct(name, label, default, help_text, step):
    """A share in percent: above 0, at most 100."""
    return Input(name, label, "%", "number", default, help_text, min=0, max=100, min_exclusive=True, step=step)


# Inputs that several calculators share.
def _side():
    return Input("side", "Side", None, "choice", "long", "Long profits when the price rises, short when it falls.",
                 choices=("long", "short"))


def _price(name, label, default, help_text, unit="USDT"):
    return _positive(name, label, unit, "number", default, help_text, step=0.01)


def _entry(default, unit="USDT"):
    return _price("entry_price", "Entry price", default, "Average price the position was opened at.", unit)


def _qty(default=1):
    return _positive("qty", "Quantity", "coin", "number", default, "Position size in coins (for example BTC).",
                     step=0.001)


def _contracts(default):
    return _positive("contracts", "Contracts", "USD", "number", default,
                     "Position size in USD contracts (one contract is 1 USD of the coin).", step=1)


def _leverage(default):
    return Input("leverage", "Leverage", "x", "number", default, "Initial margin is position value divided by "
                 "leverage.", min=1, step=0.01)


def _fee_rate(name, label, help_text, default=0.00055):
    return _fraction(name, label, "number", default, help_text + " As a fraction: 0.0002 is 0.02%.", step=0.00001)


def _taker_fee():
    return _fraction("taker_fee", "Taker fee rate", "number", 0.00055, "As a fraction: 0.00055 is 0.055%.",
                     step=0.00001)


def _mmr(help_text="As a fraction: 0.005 is 0.5%. Take it from the venue's risk-limit tier."):
    return _fraction("mmr", "Maintenance margin rate", "number", 0.005, help_text, step=0.0001)


BYBIT_LIQ = Source("Liquidation Price (USDT Contract)",
                   "https://www.bybit.com/en/help-center/article/Liquidation-Price-USDT-Contract", "Bybit")
BYBIT_BANKRUPTCY = Source("Bankruptcy Price (USDT Contract)",
                          "https://www.bybit.com/en/help-center/search-result?page=46&pageSize=10&query=trade",
                          "Bybit")
BYBIT_ORDER_COST = Source("Order Cost (USDT Contract)",
                          "https://www.bybit.com/en/help-center/article/Order-Cost-USDT-Contract", "Bybit")
BYBIT_PNL = Source("P&L Calculations (USDT Contract)",
                   "https://www.bybit.com/en/help-center/article/Profit-Loss-calculations-USDT-ContractUSDT_Perpetual_Contract",
                   "Bybit")
BYBIT_MARGIN_PARAMS = Source("Margin parameters", "https://www.bybit.com/en/announcement-info/margin-parameters",
                             "Bybit")
BYBIT_MM = Source("Maintenance Margin (USDT Contract)",
                  "https://www.bybit.com/en/help-center/article/Maintenance-Margin-USDT-ContractUSDT_Perpetual_UTA",
                  "Bybit")
BYBIT_FUNDING = Source("Funding Fee Calculation",
                       "https://www.bybit.com/en/help-center/article/Funding-fee-calculationDerivatives_Trading_Mechanism_UTA",
                       "Bybit")
BYBIT_INSURANCE = Source("Insurance Fund", "https://www.bybit.com/en/help-center/article/Insurance-Fund", "Bybit")
BINANCE_LIQ = Source("How to Calculate Liquidation Price of USDⓈ-M Futures Contracts",
                     "https://www.binance.com/en/support/faq/how-to-calculate-liquidation-price-of-usd%E2%93%A2-m-futures-"
                     "contracts-b3c689c1f50a44cabb3a84e663b81d93", "Binance")
BINANCE_CALC = Source("How to Use the Binance Futures Calculator",
                      "https://www.binance.com/en/support/faq/how-to-use-the-binance-futures-calculator-360036498511",
                      "Binance")
BYBIT_IM_USDC = Source("Initial Margin Calculation (USDC Perpetual & Futures)",
                       "https://www.bybit.com/en/help-center/article/Initial-Margin-Calculation-USDC-Contract", "Bybit")
BYBIT_PNL_INVERSE = Source("P&L Calculations (Inverse Contracts)",
                           "https://www.bybit.com/en/help-center/article/Profit-Loss-calculations-Inverse-Contracts",
                           "Bybit")
BYBIT_PNL_FAQ = Source("FAQ — P&L Calculation", "https://www.bybit.com/en/help-center/article/FAQ-PL-Calculation",
                       "Bybit")
BYBIT_LIQ_UTA_ISOLATED = Source(
    "Liquidation Price Calculation under Isolated Mode (Unified Trading Account)",
    "https://www.bybit.com/en/help-center/article/Liquidation-Price-Calculation-under-Isolated-Mode-Unified-Trading-Account",
    "Bybit")
BINANCE_COINM_LIQ = Source("How to Calculate Liquidation Price of COIN-M Futures Contracts",
                           "https://www.binance.com/en/support/faq/how-to-calculate-liquidation-price-of-coin-m-futures-"
                           "contracts-ceccfcfb4e3a45e3b48b0b1bb1a8ae46", "Binance")
BYBIT_LIQ_INVERSE_OLD = Source("How to calculate Liquidation Price (Inverse Contract)",
                               "https://help.bybit.com/hc/en-us/articles/360039261334-How-to-calculate-Liquidation-"
                               "Price-Inverse-Contract-", "Bybit")
BITMEX_INVERSE = Source("Inverse Perpetuals Guide", "https://www.bitmex.com/app/inversePerpetualsGuide", "BitMEX")
BITMEX_PERP_EXAMPLES = Source("Perpetual Contracts Guide Examples",
                              "https://www.bitmex.com/app/perpetualContractsGuideExamples", "BitMEX")
DYDX_LIQ = Source("Liquidations", "https://github.com/dydxprotocol/v4-documentation/blob/main/docs/pages/concepts/trading/liquidations.mdx", "dYdX")
DERIBIT_LINEAR = Source("Linear Perpetual", "https://support.deribit.com/hc/en-us/articles/25944738177565", "Deribit")
TV_EMA = Source("Pine Script reference: ta.ema", "https://www.tradingview.com/pine-script-reference/v6/",
                "TradingView")
TALIB_EMA = Source("ta_EMA.c", "https://github.com/TA-Lib/ta-lib/blob/main/src/ta_func/ta_EMA.c", "TA-Lib")
CBOT_VA = Source("Value area calculation (AmiBroker mailing list)",
                 "https://purebytes.com/archives/amibroker/2007/msg07856.html", "purebytes.com")
LINNSOFT_VA = Source("Value area and POC", "http://www.linnsoft.com/qa/a/123.htm", "Linnsoft")
RISK_SIZE = Source("Position sizing by risk (Binance Square user post)",
                   "https://www.binance.bh/bg/square/post/293903243447025", "Binance Square")

CATALOGUE = [
    Calculator(
        id="liquidation-price",
        title="Liquidation price",
        summary="Where an isolated position is liquidated, with Bybit's or Binance's formula.",
        function=calc_liquidation_price_tiers,
        inputs=(
            _side(),
            _entry(20000),
            _qty(1),
            _leverage(50),
            _mmr(),
            _non_negative("mm_deduction", "MM deduction", "USDT", "number", 0,
                          "Maintenance margin deduction of the tier (Binance: maintenance amount). "
                          "0 in the first tier.", step=0.01),
            Input("extra_margin", "Extra margin", "USDT", "number", 0,
                  "Margin added to the position after opening; negative if margin was taken out "
                  "(for example funding paid from position margin).", step=0.01),
            Input("formula", "Formula", None, "choice", "bybit",
                  "Bybit values the maintenance margin at the entry price, Binance at the liquidation price.",
                  choices=("bybit", "binance")),
            Input("mm_source", "Maintenance rate from", None, "choice", "rate",
                  "rate: use the rate and deduction above; tiers: take them from the tier table below.",
                  choices=("rate", "tiers")),
            _positive("tier_limits", "Tier limits", "USDT", "list", [2000000, 2600000],
                      "Upper bound of each risk-limit tier, increasing (used when the rate comes from tiers).",
                      step=0.01),
            _fraction("tier_rates", "Tier rates", "list", [0.005, 0.0056],
                      "Maintenance margin rate of each tier as a fraction (used when the rate comes from tiers).",
                      step=0.0001),
        ),
        outputs=(
            Output("initial_margin", "Initial margin", "USDT", 2),
            Output("maintenance_margin", "Maintenance margin used", "USDT", 2),
            Output("bankruptcy_price", "Bankruptcy price (0% margin)", "USDT", 2),
            Output("liquidation_price", "Liquidation price", "USDT", 2),
            Output("distance_pct", "Distance from entry", "%", 2),
            Output("mmr_used", "Maintenance rate used", None, 4),
            Output("mm_deduction_used", "MM deduction used", "USDT", 2),
        ),
        variants=("bybit", "binance"),
        sources=(BYBIT_LIQ, BYBIT_BANKRUPTCY, BINANCE_LIQ),
        formula=(
            "Bybit: `LP = EP ∓ (IM − MM)/Q ∓ extra/Q`, with `IM = EP·Q/L` and `MM = EP·Q·MMR − deduction`.\n\n"
            "Binance (one-way, isolated): `LP = (Q·EP ∓ (IM + extra + cum)) / (Q·(1 ∓ MMR))`.\n\n"
            "Bankruptcy price (0% margin): `EP ∓ (IM + extra)/Q`, which is `EP·(1 ∓ 1/L)` with no extra margin. "
            "Upper signs for a long, lower for a short."
        ),
        conventions=(
            "- Neither formula includes the fee to close, so the venue's own figure can differ slightly.\n"
            "- The bankruptcy price includes extra margin: it is where all of the position's margin is used up.\n"
            "- The maintenance margin shown is the one the formula uses: at the entry price (Bybit) or at the "
            "liquidation price (Binance).\n"
            "- From a tier table, the tier of the entry value sets the rate and deduction; with Binance's formula "
            "the tier is checked again at the liquidation price and the price recomputed if it changed.\n"
            "- A maintenance rate at or above 1 ÷ leverage, a deduction above value × rate, or margin at or below "
            "the maintenance margin describes no liquidation ahead: the calculator says so instead of a price.\n"
            "- The distance is the adverse move from entry to the liquidation price, in % of entry.\n"
            "- A liquidation price at or below 0 is shown as computed: a price fall alone cannot liquidate."
        ),
    ),
    Calculator(
        id="order-cost",
        title="Order cost",
        summary="Margin plus the fees a venue reserves to open a position.",
        function=calc_order_cost,
        inputs=(
            _side(),
            _price("price", "Order price", 50000, "Price the order fills at."),
            _qty(1),
            _leverage(10),
            _taker_fee(),
        ),
        outputs=(
            Output("initial_margin", "Initial margin", "USDT", 2),
            Output("open_fee", "Fee to open", "USDT", 4),
            Output("close_fee", "Fee to close", "USDT", 4),
            Output("order_cost", "Order cost", "USDT", 2),
        ),
        variants=("bybit",),
        sources=(BYBIT_ORDER_COST,),
        formula=(
            "`Order cost = IM + fee to open + fee to close`, `IM = P·Q/L`, `fee to open = P·Q·fee`, "
            "`fee to close = Q·P·(1 ∓ 1/L)·fee`."
        ),
        conventions="- The fee to close is the taker fee charged at the bankruptcy price, as Bybit reserves it.",
    ),
    Calculator(
        id="pnl",
        title="Profit and loss",
        summary="Profit, return on margin and fees of a position closed at a given price.",
        function=calc_pnl_legs,
        inputs=(
            _side(),
            _entry(7000),
            _price("exit_price", "Exit price", 7500, "Price the position is closed (or marked) at."),
            _qty(0.2),
            _leverage(10),
            _taker_fee(),
            _fee_rate("open_fee_rate", "Fee rate to open", "The rate paid on the opening order: maker or taker."),
            _fee_rate("exit_fee_rate", "Fee rate to close", "The rate paid on the closing order: maker or taker."),
        ),
        outputs=(
            Output("pnl", "PnL (before fees)", "USDT", 2),
            Output("initial_margin", "Initial margin", "USDT", 2),
            Output("roi_pct", "ROI on initial margin", "%", 2),
            Output("pnl_pct_of_value", "PnL % of position value", "%", 2),
            Output("close_fee", "Reserved fee to close", "USDT", 4),
            Output("position_margin", "Position margin (IM + fee to close)", "USDT", 2),
            Output("position_margin_return_pct", "Return on position margin", "%", 2),
            Output("open_fee", "Fee to open", "USDT", 4),
            Output("exit_fee", "Fee at exit", "USDT", 4),
            Output("net_pnl", "PnL after fees", "USDT", 2),
        ),
        variants=("bybit",),
        sources=(BYBIT_PNL, BYBIT_ORDER_COST),
        formula=(
            "`PnL = ±Q·(exit − entry)`; `ROI = PnL / IM · 100` with `IM = entry·Q/L`; "
            "`PnL % of value = PnL / (entry·Q) · 100`; `return on position margin = PnL / (IM + fee to close) · 100` "
            "with `fee to close = Q·entry·(1 ∓ 1/L)·taker fee`; "
            "`net PnL = PnL − entry·Q·open rate − exit·Q·close rate`."
        ),
        conventions=(
            "- PnL is gross: no fees, no funding.\n"
            "- ROI divides by the initial margin, as Bybit's and Binance's calculators do; the target-price "
            "calculator inverts the same ROI.\n"
            "- The return on position margin divides by the initial margin plus the fee to close reserved at the "
            "bankruptcy price (Bybit's positions view); it is a separate figure from ROI.\n"
            "- Net PnL subtracts the fee paid on each leg at its own rate (maker or taker)."
        ),
    ),
    Calculator(
        id="target-price",
        title="Target price",
        summary="The exit price that gives a chosen return on margin.",
        function=calc_target_price,
        inputs=(
            _side(),
            _entry(20000),
            _leverage(10),
            Input("target_roi_pct", "Target return (ROI)", "%", "number", 50,
                  "Return on the initial margin. A long cannot lose more than 100 × leverage %, a short cannot "
                  "gain more than 100 × leverage %.", step=0.01),
        ),
        outputs=(Output("target_price", "Target price", "USDT", 2),),
        variants=("binance",),
        sources=(BINANCE_CALC,),
        formula="Long: `entry·(1 + ROI/L)`; short: `entry·(1 − ROI/L)`, with ROI as a fraction.",
        conventions="- The return is on the initial margin alone (fees are not included).",
    ),
    Calculator(
        id="max-position",
        title="Maximum position",
        summary="The largest quantity a balance can open, fees included.",
        function=calc_max_position,
        inputs=(
            _side(),
            _positive("balance", "Available balance", "USDT", "number", 1000, "Balance available to open the position.",
                      step=0.01),
            _price("price", "Order price", 20000, "Price the order fills at."),
            _leverage(10),
            _taker_fee(),
        ),
        outputs=(
            Output("max_qty", "Maximum quantity", "coin", 6),
            Output("order_cost", "Order cost", "USDT", 2),
        ),
        variants=("bybit",),
        sources=(BYBIT_ORDER_COST,),
        formula="`max qty = balance / (P/L + P·fee + P·(1 ∓ 1/L)·fee)`.",
        conventions=(
            "- The cost per coin includes the initial margin, the fee to open and the fee to close reserved "
            "at the bankruptcy price.\n- The quantity is not rounded down to the venue's quantity step."
        ),
    ),
    Calculator(
        id="average-entry",
        title="Average entry price",
        summary="The average price of several fills on the same side.",
        function=calc_average_entry,
        inputs=(
            _positive("qtys", "Quantities", "coin", "list", [0.5, 0.3], "Quantity of each fill, comma separated.",
                      step=0.001),
            _positive("prices", "Prices", "USDT", "list", [5000, 6000], "Price of each fill, in the same order.",
                      step=0.01),
        ),
        outputs=(
            Output("average_entry_price", "Average entry price", "USDT", 2),
            Output("total_qty", "Total quantity", "coin", 6),
        ),
        variants=("bybit", "binance"),
        sources=(BYBIT_PNL,),
        formula="`average = Σ(qty·price) / Σ qty`.",
        conventions="- Every fill adds to the position; reducing fills do not change the entry price.",
    ),
    Calculator(
        id="maintenance-margin",
        title="Tiered maintenance margin",
        summary="Maintenance margin under risk-limit tiers, and the tier's deduction.",
        function=calc_maintenance_margin,
        inputs=(
            _positive("position_value", "Position value", "USDT", "number", 3500, "Price × quantity.", step=0.01),
            _positive("tier_limits", "Tier limits", "USDT", "list", [1000, 2000, 3000, 4000, 5000],
                      "Upper bound of each tier, increasing, comma separated.", step=0.01),
            _fraction("tier_rates", "Tier rates", "list", [0.02, 0.025, 0.03, 0.035, 0.04],
                      "Maintenance margin rate of each tier as a fraction (0.02 is 2%).", step=0.0001),
        ),
        outputs=(
            Output("maintenance_margin", "Maintenance margin", "USDT", 2),
            Output("effective_rate", "Blended rate (MM ÷ value)", None, 6),
            Output("tier_rate", "Tier's maintenance rate", None, 6),
            Output("mm_deduction", "Tier's MM deduction", "USDT", 2),
        ),
        variants=("bybit", "binance"),
        sources=(BYBIT_MARGIN_PARAMS, BYBIT_MM, BINANCE_LIQ),
        formula=(
            "`MM = value·rate(n) − deduction(n)`, "
            "`deduction(n) = limit(n−1)·(rate(n) − rate(n−1)) + deduction(n−1)`, `deduction(1) = 0`."
        ),
        conventions=(
            "- Tiers work like tax brackets: each slice of the value is charged its own tier's rate.\n"
            "- A tier's limit belongs to that tier; a value above the last limit is rejected.\n"
            "- The blended rate is maintenance margin ÷ value, as a fraction; it is for reading only.\n"
            "- The tier's own rate and deduction are the pair the liquidation-price calculator asks for: "
            "value × tier rate − deduction is the maintenance margin."
        ),
    ),
    Calculator(
        id="funding-fee",
        title="Funding fee",
        summary="What one funding payment costs or pays a position.",
        function=calc_funding_fee,
        inputs=(
            _side(),
            _qty(1),
            _price("mark_price", "Mark price", 20000, "Mark price at the funding time."),
            _signed_fraction("funding_rate", "Funding rate", "number", 0.0001, "As a fraction: 0.0001 is 0.01%.",
                             step=0.000001),
        ),
        outputs=(Output("funding_fee", "Funding fee (positive: paid)", "USDT", 4),),
        variants=("bybit", "binance"),
        sources=(BYBIT_FUNDING,),
        formula="`fee = ±Q·mark price·rate`: with a positive rate longs pay and shorts receive.",
        conventions="- Positive is paid, negative is received.",
    ),
    Calculator(
        id="gap-loss",
        title="Gap loss",
        summary="Who pays when a liquidation fills beyond the bankruptcy price.",
        function=calc_gap_loss,
        inputs=(
            _side(),
            _entry(20000),
            _qty(1),
            _leverage(50),
            Input("margin_mode", "Margin mode", None, "choice", "isolated",
                  "Isolated: only the position's margin is at stake. Cross: the whole wallet.",
                  choices=("isolated", "cross")),
            _non_negative("wallet_balance", "Wallet balance", "USDT", "number", 400,
                          "Wallet balance including the position's margin.", step=0.01),
            _price("fill_price", "Liquidation fill price", 19500, "Price the liquidation actually filled at."),
            _non_negative("insurance_fund", "Insurance fund", "USDT", "number", 50,
                          "What the venue's insurance fund can still pay.", step=0.01),
            _fee_rate("close_fee_rate", "Fee to close reserved in margin",
                      "Isolated only: the taker rate where the venue keeps the fee to close in the position "
                      "margin (Bybit), 0 where it does not.", 0),
        ),
        outputs=(
            Output("loss", "Loss at the fill price", "USDT", 2),
            Output("margin_lost", "Margin lost", "USDT", 2),
            Output("insurance_fund_covers", "Insurance fund covers", "USDT", 2),
            Output("not_covered", "Not covered by the fund", "USDT", 2),
            Output("balance_after", "Balance after", "USDT", 2),
            Output("deposit_to_clear", "Deposit to clear", "USDT", 2),
        ),
        variants=("bybit",),
        sources=(BYBIT_INSURANCE, BYBIT_LIQ),
        formula=(
            "`loss = ±Q·(entry − fill)`; margin = IM (isolated) or wallet (cross); "
            "isolated margin lost = IM + `Q·entry·(1 ∓ 1/L)·close fee rate` (the reserved fee to close); "
            "`fund covers = min(loss − margin, fund)`; `not covered = loss − margin − fund covers`; "
            "`balance after = wallet − margin` (isolated) or `wallet − margin − not covered` (cross)."
        ),
        conventions=(
            "- A liquidated position is settled at its bankruptcy price, so the whole margin at stake is lost "
            "whatever the fill; a better fill's remainder goes to the insurance fund.\n"
            "- The fill must be at or beyond the bankruptcy price (isolated) or the price where the loss uses up "
            "the wallet (cross): before it there is no gap, and the calculator says so.\n"
            "- Isolated: the trader loses the position margin and no more; what the fund cannot cover goes to "
            "auto-deleveraging, so the balance never goes negative.\n"
            "- Cross: what the fund cannot cover is charged to the wallet and can leave it negative; the deposit "
            "to clear brings it to 0.\n"
            "- In isolated mode the wallet balance must hold at least the position margin; where the venue "
            "reserves the fee to close in it, that reserve pays the closing fee and is lost with the margin."
        ),
    ),
    Calculator(
        id="inverse-order-cost",
        title="Order cost (coin-margined)",
        summary="Margin plus the fees a venue reserves to open an inverse position, in the coin.",
        function=calc_inverse_order_cost,
        inputs=(
            _side(),
            _price("price", "Order price", 2000, "Price the order fills at.", "USD"),
            _contracts(10000),
            _leverage(25),
            _taker_fee(),
        ),
        outputs=(
            Output("position_value", "Position value", "coin", 8),
            Output("initial_margin", "Initial margin", "coin", 8),
            Output("open_fee", "Fee to open", "coin", 8),
            Output("close_fee", "Fee to close", "coin", 8),
            Output("order_cost", "Order cost", "coin", 8),
        ),
        variants=("bybit",),
        sources=(BYBIT_ORDER_COST,),
        formula=(
            "`value = Q/P`; `IM = value/L`; `fee to open = value·fee`; "
            "`fee to close = value·(1 ± 1/L)·fee` (plus for a buy, minus for a sell)."
        ),
        conventions=(
            "- The quantity is in USD contracts; margin and fees are in the coin.\n"
            "- The fee to close is the taker fee at the bankruptcy price `P·L/(L ± 1)`, so a buy reserves more."
        ),
    ),
    Calculator(
        id="inverse-pnl",
        title="Profit and loss (coin-margined)",
        summary="Profit, ROI and fees of an inverse position, in the coin.",
        function=calc_inverse_pnl,
        inputs=(
            _side(),
            _entry(5000, "USD"),
            _price("exit_price", "Exit price", 5500, "Price the position is closed (or marked) at.", "USD"),
            _contracts(1000),
            _leverage(10),
            _fee_rate("open_fee_rate", "Fee rate to open", "The rate paid on the opening order: maker or taker."),
            _fee_rate("exit_fee_rate", "Fee rate to close", "The rate paid on the closing order: maker or taker."),
        ),
        outputs=(
            Output("pnl", "PnL (before fees)", "coin", 8),
            Output("initial_margin", "Initial margin", "coin", 8),
            Output("roi_pct", "ROI on initial margin", "%", 2),
            Output("pnl_pct_of_value", "PnL % of position value", "%", 2),
            Output("open_fee", "Fee to open", "coin", 8),
            Output("exit_fee", "Fee at exit", "coin", 8),
            Output("net_pnl", "PnL after fees", "coin", 8),
        ),
        variants=("bybit", "binance", "bitmex", "deribit"),
        sources=(BYBIT_PNL_INVERSE, BYBIT_PNL_FAQ, BITMEX_INVERSE, BINANCE_CALC),
        formula=(
            "`PnL = ±Q·(1/entry − 1/exit)`; `IM = (Q/entry)/L`; `ROI = PnL / IM · 100`; "
            "`fees = (Q/entry)·open rate + (Q/exit)·close rate`."
        ),
        conventions=(
            "- The quantity is in USD contracts; PnL, margin and fees are in the coin.\n"
            "- Each leg's fee is charged on that leg's value in the coin."
        ),
    ),
    Calculator(
        id="inverse-target-price",
        title="Target price (coin-margined)",
        summary="The exit price that gives a chosen ROI on an inverse position.",
        function=calc_inverse_target_price,
        inputs=(
            _side(),
            _entry(5000, "USD"),
            _leverage(10),
            Input("target_roi_pct", "Target return", "%", "number", 50,
                  "ROI on the initial margin, in the coin. A long's return stays below 100 × leverage %; a short "
                  "cannot lose 100 × leverage % or more.", step=0.01),
        ),
        outputs=(Output("target_price", "Target price", "USD", 2),),
        variants=("binance",),
        sources=(BINANCE_CALC,),
        formula="`target = side·entry / (side − ROI/L)`: long `entry/(1 − ROI/L)`, short `entry/(1 + ROI/L)`.",
        conventions="- The return is on the initial margin in the coin; fees are not included.",
    ),
    Calculator(
        id="inverse-liquidation-price",
        title="Liquidation price (coin-margined)",
        summary="Bankruptcy and liquidation price of an isolated inverse position.",
        function=calc_inverse_liquidation_price,
        inputs=(
            _side(),
            _entry(8000, "USD"),
            _contracts(1000),
            _leverage(50),
            _mmr(),
            _non_negative("mm_deduction", "MM deduction", "coin", "number", 0,
                          "Maintenance margin deduction of the tier, in the coin. 0 in the first tier.",
                          step=0.00000001),
            Input("extra_margin", "Extra margin", "coin", "number", 0,
                  "Margin added to the position after opening, in the coin; negative if some was taken out.",
                  step=0.00000001),
            Input("formula", "Formula", None, "choice", "bybit",
                  "bybit: maintenance valued at the entry price; binance: valued at the liquidation price "
                  "(also Kraken and Bybit's unified account).", choices=("bybit", "binance")),
        ),
        outputs=(
            Output("position_value", "Position value", "coin", 8),
            Output("initial_margin", "Initial margin", "coin", 8),
            Output("maintenance_margin", "Maintenance margin used", "coin", 8),
            Output("bankruptcy_price", "Bankruptcy price (0% margin)", "USD", 2),
            Output("liquidation_price", "Liquidation price", "USD", 2),
            Output("distance_pct", "Distance from entry", "%", 2),
        ),
        variants=("bybit", "binance", "kraken"),
        sources=(BYBIT_LIQ_UTA_ISOLATED, BINANCE_COINM_LIQ),
        formula=(
            "Margin `W = (Q/EP)/L + extra`. Bankruptcy: `Q/(Q/EP ± W)`.\n\n"
            "Bybit (MM at entry, `MM = (Q/EP)·MMR − deduction`): `LP = Q/(Q/EP ± (W − MM))`.\n\n"
            "Binance (MM at the liquidation price): long `Q·(1 + MMR)/(Q/EP + W + deduction)`, "
            "short `Q·(1 − MMR)/(Q/EP − W − deduction)`. Upper signs for a long."
        ),
        conventions=(
            "- The quantity is in USD contracts; margins are in the coin, prices in USD.\n"
            "- Fees to close are not included.\n"
            "- A short whose margin covers any rise has no liquidation price; the calculator says so.\n"
            "- A rate at or above 1 ÷ leverage, or margin at or below the maintenance margin, gives a message, "
            "not a price."
        ),
    ),
    Calculator(
        id="inverse-cross-liquidation-price",
        title="Cross-margin liquidation price (coin-margined, fee included)",
        summary="Bankruptcy and liquidation price of an inverse position in cross margin, with the fee to close.",
        function=calc_inverse_cross_liquidation_price,
        inputs=(
            _side(),
            _entry(8000, "USD"),
            _contracts(10000),
            _positive("balance", "Account balance", "coin", "number", 0.5, "The cross account's balance in the coin.",
                      step=0.00000001),
            _non_negative("order_margin", "Order margin", "coin", "number", 0,
                          "Margin held by open orders, in the coin.", step=0.00000001),
            _mmr("As a fraction: 0.005 is 0.5%."),
            _fee_rate("taker_fee", "Taker fee rate", "The fee to close is charged at this rate.", 0.00075),
        ),
        outputs=(
            Output("position_value", "Position value", "coin", 8),
            Output("bankruptcy_price", "Bankruptcy price (fee included)", "USD", 2),
            Output("liquidation_price", "Liquidation price", "USD", 2),
            Output("distance_pct", "Distance from entry", "%", 2),
        ),
        variants=("bybit",),
        sources=(BYBIT_LIQ_INVERSE_OLD,),
        formula=(
            "Long: `BP = (1 + fee)·Q / (Q/EP + B − OM)`; `Q·(1/EP − 1/LP) = −(B − OM − (Q/EP)·MMR − Q·fee/BP)`.\n\n"
            "Short: `BP = (1 − fee)·Q / (Q/EP − (B − OM))`; `Q·(1/LP − 1/EP) = −(B − OM − (Q/EP)·MMR − Q·fee/BP)`."
        ),
        conventions=(
            "- Bybit's older inverse cross mode: the whole balance backs the position, less open orders' margin.\n"
            "- The fee to close at the bankruptcy price is kept back, so both prices sit nearer the entry.\n"
            "- The short's bankruptcy price solves the same condition as the published long one.\n"
            "- Bybit shows prices on its 0.5 tick; the calculator shows them unrounded."
        ),
    ),
    Calculator(
        id="inverse-average-entry",
        title="Average entry price (coin-margined)",
        summary="The average price of several inverse fills: contracts over their value in the coin.",
        function=calc_inverse_average_entry,
        inputs=(
            _positive("contracts", "Contracts", "USD", "list", [1000, 2000], "Contracts of each fill, comma separated.",
                      step=1),
            _positive("prices", "Prices", "USD", "list", [5000, 6000], "Price of each fill, in the same order.",
                      step=0.01),
        ),
        outputs=(
            Output("average_entry_price", "Average entry price", "USD", 2),
            Output("total_contracts", "Total contracts", "USD", 0),
            Output("total_value", "Total value", "coin", 8),
        ),
        variants=("bybit",),
        sources=(BYBIT_PNL_INVERSE,),
        formula="`average = Σ Q / Σ (Q/P)`.",
        conventions="- The average of an inverse position weights each fill by its value in the coin.",
    ),
    Calculator(
        id="cross-liquidation-price",
        title="Cross-margin liquidation price",
        summary="Where a position in cross margin is liquidated, from the wallet and the other positions.",
        function=calc_cross_liquidation_price,
        inputs=(
            _side(),
            _entry(3000),
            _qty(3),
            _non_negative("wallet_balance", "Cross wallet balance", "USDT", "number", 1000,
                          "The cross-margin wallet balance (without unrealised PnL).", step=0.01),
            _non_negative("other_mm", "Other positions' maintenance margin", "USDT", "number", 0,
                          "Maintenance margin of every other cross position.", step=0.01),
            Input("other_upnl", "Other positions' unrealised PnL", "USDT", "number", 0,
                  "Unrealised PnL of every other cross position (negative for a loss).", step=0.01),
            _mmr(),
            _non_negative("mm_deduction", "MM deduction", "USDT", "number", 0,
                          "Maintenance amount of the tier (Binance: cum). 0 in the first tier.", step=0.01),
        ),
        outputs=(
            Output("liquidation_price", "Liquidation price", "USDT", 2),
            Output("maintenance_margin", "Maintenance margin at that price", "USDT", 2),
            Output("distance_pct", "Distance from entry", "%", 2),
        ),
        variants=("binance", "dydx"),
        sources=(BINANCE_LIQ, DYDX_LIQ),
        formula="`LP = (WB − TMM + UPNL + cum ∓ Q·EP) / (Q·MMR ∓ Q)`; upper signs for a long.",
        conventions=(
            "- One-way mode, one position in this symbol; the other positions are summed into TMM and UPNL.\n"
            "- Maintenance margin is valued at the liquidation price; leverage plays no part in cross mode.\n"
            "- An account already at or below its maintenance margin at entry gives a message, not a price.\n"
            "- A liquidation price at or below 0 is shown as computed: a price fall alone cannot liquidate."
        ),
    ),
    Calculator(
        id="initial-margin-mark",
        title="Initial margin at the mark price",
        summary="Initial margin valued at the mark price with the estimated fee to close (Bybit USDC and unified).",
        function=calc_initial_margin_mark,
        inputs=(
            _side(),
            _entry(50000),
            _price("mark_price", "Mark price", 50500, "Current mark price."),
            _qty(0.5),
            _leverage(10),
            _taker_fee(),
        ),
        outputs=(
            Output("position_value", "Position value at mark", "USDT", 2),
            Output("initial_margin", "Initial margin", "USDT", 4),
            Output("close_fee", "Estimated fee to close", "USDT", 4),
            Output("initial_margin_with_fee", "Initial margin with the fee", "USDT", 4),
        ),
        variants=("bybit-uta",),
        sources=(BYBIT_IM_USDC,),
        formula="`IM = Q·mark/L`; `fee to close = Q·entry·(1 ∓ 1/L)·taker fee`.",
        conventions=(
            "- The margin follows the mark price; the estimated fee to close stays on the entry's bankruptcy "
            "price, as Bybit's page gives it."
        ),
    ),
    Calculator(
        id="funding-period",
        title="Funding over a holding period",
        summary="What several funding payments cost or pay a position, linear or inverse.",
        function=calc_funding_period,
        inputs=(
            _side(),
            Input("contract", "Contract", None, "choice", "linear",
                  "linear: quantity in coins, paid in USDT; inverse: quantity in USD contracts, paid in the coin.",
                  choices=("linear", "inverse")),
            _positive("qty", "Quantity", None, "number", 1,
                      "Coins for a linear contract, USD contracts for an inverse one.", step=0.001),
            _price("mark_price", "Mark price", 20000, "Mark price at the funding times."),
            _signed_fraction("funding_rates", "Funding rates", "list", [0.0001, 0.0001, 0.0001],
                             "The rate of each funding interval held, as fractions (0.0001 is 0.01%).", step=0.000001),
        ),
        outputs=(
            Output("position_value", "Position value", None, 8),
            Output("total_funding", "Total funding (positive: paid)", None, 8),
            Output("payments", "Each payment", None, 8, "list"),
        ),
        variants=("bybit", "binance", "bitmex"),
        sources=(BYBIT_FUNDING, BITMEX_PERP_EXAMPLES),
        formula="Each payment `= ±value·rate`, `value = Q·mark` (linear) or `Q/mark` (inverse); total = their sum.",
        conventions=(
            "- Positive is paid, negative is received: with a positive rate longs pay.\n"
            "- One mark price for every interval; values are in USDT (linear) or the coin (inverse)."
        ),
    ),
    Calculator(
        id="size-scaled-margin",
        title="Size-scaled margin",
        summary="Margin whose rate grows with the position size, as Deribit sets it.",
        function=calc_size_scaled_margin,
        inputs=(
            _positive("size", "Position size", "coin", "number", 25, "Position size in coins (for example BTC).",
                      step=0.001),
            _price("price", "Price", 100000, "Price the position is valued at."),
            _fraction("base_rate", "Base rate", "number", 0.02, "Rate at size 0, as a fraction (0.02 is 2%).",
                      step=0.0001),
            _non_negative("rate_per_100", "Rate added per 100 coins", None, "number", 0.005,
                          "Rate added for each 100 coins of size, as a fraction (0.005 is 0.5%).", step=0.0001),
        ),
        outputs=(
            Output("rate", "Margin rate", None, 6),
            Output("margin", "Margin", "coin", 8),
            Output("margin_value", "Margin value", "USDT", 2),
        ),
        variants=("deribit",),
        sources=(DERIBIT_LINEAR,),
        formula="`rate = base + size/100·rate per 100 coins`; `margin = size·rate`; `margin value = size·price·rate`.",
        conventions=(
            "- Deribit uses it for both initial (base 2%) and maintenance margin (base 1%) on linear perpetuals.\n"
            "- A size that would take the rate to 100% is refused."
        ),
    ),
    Calculator(
        id="position-size",
        title="Position size by risk",
        summary="How large a position loses a chosen share of equity at the stop.",
        function=calc_position_size,
        inputs=(
            _positive("equity", "Account equity", "USDT", "number", 1000, "What the account is worth.", step=0.01),
            _share_pct("risk_pct", "Risk per trade", 1, "Share of equity lost if the stop is hit.", step=0.01),
            _price("entry_price", "Entry price", 100, "Planned entry price."),
            _price("stop_price", "Stop price", 95, "Price at which the position is closed at a loss."),
            _leverage(5),
        ),
        outputs=(
            Output("qty", "Quantity", "coin", 6),
            Output("position_value", "Position value", "USDT", 2),
            Output("risk_amount", "Amount at risk", "USDT", 2),
            Output("margin_needed", "Margin needed", "USDT", 2),
        ),
        variants=(),
        sources=(RISK_SIZE,),
        formula="`qty = equity·risk% / |entry − stop|`; `margin = qty·entry / L`.",
        conventions="- Leverage changes the margin needed, never the size.\n- Fees and slippage are ignored.",
    ),
    Calculator(
        id="ema",
        title="Exponential moving average",
        summary="EMA of a price series, seeded with an average or with the first price.",
        function=calc_ema,
        inputs=(
            _positive("prices", "Prices", "USDT", "list", [10, 11, 12, 13, 12, 11, 12, 14, 15, 14],
                      "Closing prices, oldest first, comma separated.", step=0.01),
            Input("period", "Period", None, "number", 3, "Number of prices the average spans; a whole number.",
                  min=1, step=1),
            Input("seed", "Seed", None, "choice", "sma",
                  "Average: start from the average of the first prices (as many as the period). First price: start from the first price.",
                  choices=("sma", "first")),
        ),
        outputs=(
            Output("ema", "EMA", "USDT", 4, "list"),
            Output("last", "Last EMA", "USDT", 4),
        ),
        variants=("ta-lib", "tradingview"),
        sources=(TV_EMA, TALIB_EMA),
        formula="`EMA = α·price + (1 − α)·EMA[prev]`, `α = 2/(period + 1)`.",
        conventions=(
            "- sma seed: the first EMA is the average of the first period prices, so the list starts at the "
            "period-th price.\n- first seed: the first EMA is the first price, one value per price.\n"
            "- The period must not exceed the number of prices."
        ),
    ),
    Calculator(
        id="volume-profile",
        title="Volume profile",
        summary="Volume per price row, point of control and value area.",
        function=calc_volume_profile,
        inputs=(
            _positive("prices", "Prices", "USDT", "list", [103, 104, 105, 106, 107, 108, 109, 110],
                      "Trade prices, comma separated.", step=0.01),
            _non_negative("volumes", "Volumes", None, "list", [30, 60, 70, 150, 90, 80, 50, 24],
                          "Volume traded at each price, in the same order.", step=0.001),
            _positive("row_size", "Row size", "USDT", "number", 1, "Height of one price row.", step=0.01),
            _share_pct("value_area_pct", "Value area", 70, "Share of volume the value area holds.", step=0.1),
        ),
        outputs=(
            Output("poc", "Point of control", "USDT", 2),
            Output("value_area_high", "Value area high", "USDT", 2),
            Output("value_area_low", "Value area low", "USDT", 2),
            Output("rows", "Rows (low, high, volume)", None, 2, "list"),
        ),
        variants=("cbot",),
        sources=(CBOT_VA, LINNSOFT_VA),
        formula=(
            "Rows start at the lowest price; POC = middle of the row with the most volume; the value area grows "
            "from the POC one row at a time towards the side with more volume until it holds the share."
        ),
        conventions=(
            "- Single-row expansion (CBOT style); on a tie the row above is added first.\n"
            "- POC ties go to the row nearest the middle of the profile, then to the lower row.\n"
            "- The value area low and high are the outer edges of its rows. At most 10,000 rows."
        ),
    ),
]

_BY_ID = {calc.id: calc for calc in CATALOGUE}


def ids():
    """Return every calculator id in catalogue order."""
    return [calc.id for calc in CATALOGUE]


def get(calc_id):
    """Return the calculator with id ``calc_id``; raise ``KeyError`` if there is none."""
    return _BY_ID[calc_id]


def positional_args(calc, values):
    """Arguments for ``calc.function`` in input order: ``values[name]`` or the input's default."""
    args = []
    for item in calc.inputs:
        value = values[item.name] if item.name in values else item.default
        args.append(list(value) if item.kind == "list" else value)
    return args


def compute(calc_id, values):
    """Run calculator ``calc_id`` on ``values`` (a dict by input name; missing inputs take their default).

    Returns the entry function's dict keyed by output name. Unknown input names raise ``ValueError``;
    a bad value raises the entry function's ``ValueError`` (message starts with the input name).
    """
    calc = get(calc_id)
    known = {item.name for item in calc.inputs}
    for name in values:
        if name not in known:
            raise ValueError(name + " is not an input of " + calc_id)
    return calc.function(*positional_args(calc, values))


def _input_json(item):
    data = {
        "name": item.name,
        "label": item.label,
        "unit": item.unit,
        "kind": item.kind,
        "min": item.min,
        "max": item.max,
        "min_exclusive": item.min_exclusive,
        "max_exclusive": item.max_exclusive,
        "step": item.step,
        "default": list(item.default) if item.kind == "list" else item.default,
        "help": item.help,
    }
    if item.kind == "choice":
        data["choices"] = list(item.choices)
    return data


def to_json():
    """The catalogue as a JSON-ready list (the shape in the team brief; inputs also carry ``max_exclusive``;
    ``presets`` lists the venue presets the widget offers, from ``calculators/presets.py``)."""
    return [
        {
            "id": calc.id,
            "title": calc.title,
            "summary": calc.summary,
            "function": calc.function.__name__,
            "inputs": [_input_json(item) for item in calc.inputs],
            "outputs": [
                {"name": out.name, "label": out.label, "unit": out.unit, "decimals": out.decimals, "kind": out.kind}
                for out in calc.outputs
            ],
            "variants": list(calc.variants),
            "sources": [{"title": s.title, "url": s.url, "publisher": s.publisher} for s in calc.sources],
            "formula": calc.formula,
            "conventions": calc.conventions,
            "presets": _presets_json(calc),
        }
        for calc in CATALOGUE
    ]


def _presets_json(calc):
    """The venue presets a calculator offers: the values it takes from each, and the limits to check."""
    from calculators import presets

    if not presets.applies(calc):
        return []
    found = []
    for preset in presets.presets():
        entry = {"id": preset.id, "label": preset.label, "venue": preset.venue_name, "symbol": preset.symbol,
                 "values": presets.fill(calc, preset, {}), "tier_source": preset.tier_source}
        if calc.id in presets.VALUE_OF:
            entry.update({"value_of": list(presets.VALUE_OF[calc.id]), "tier_limits": list(preset.tier_limits),
                          "tier_max_leverages": list(preset.tier_max_leverages)})
        found.append(entry)
    return found
