"""The calculator catalogue: every calculator's inputs, outputs, units, limits, sources and entry function.

Ids, input names and output names are a public contract (issue 3): articles, embeds, the widgets and the
command line use them. The limits declared here are the ones the entry functions enforce themselves
(``tests/calculators/test_catalogue.py`` checks that they agree), so the browser and the command line give
the same one-line error.
"""

from dataclasses import dataclass

from calculators.formulas.indicators import calc_ema, calc_volume_profile
from calculators.formulas.positions import (
    calc_funding_fee,
    calc_gap_loss,
    calc_liquidation_price,
    calc_max_position,
    calc_order_cost,
    calc_pnl,
    calc_target_price,
)
from calculators.formulas.sizing import calc_average_entry, calc_position_size
from calculators.formulas.tiers import calc_maintenance_margin


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


def _side():
    return Input("side", "Side", None, "choice", "long", "Long profits when the price rises, short when it falls.",
                 choices=("long", "short"))


def _price(name, label, default, help_text):
    return Input(name, label, "USDT", "number", default, help_text, min=0, min_exclusive=True, step=0.01)


def _qty(default=1):
    return Input("qty", "Quantity", "coin", "number", default, "Position size in coins (for example BTC).",
                 min=0, min_exclusive=True, step=0.001)


def _leverage(default):
    return Input("leverage", "Leverage", "x", "number", default, "Initial margin is position value divided by "
                 "leverage.", min=1, step=0.01)


def _taker_fee():
    return Input("taker_fee", "Taker fee rate", None, "number", 0.00055, "As a fraction: 0.00055 is 0.055%.",
                 min=0, max=1, max_exclusive=True, step=0.00001)


BYBIT_LIQ = Source("Liquidation Price (USDT Contract)",
                   "https://testnet.bybit.com/en-US/help-center/s/article/Liquidation-Price-USDT-Contract", "Bybit")
BYBIT_BANKRUPTCY = Source("Bankruptcy Price (USDT Contract)",
                          "https://www.bybit.global/fil-PH/help-center/search-result?page=46&pageSize=10&query=trade",
                          "Bybit")
BYBIT_ORDER_COST = Source("Order Cost (USDT Contract)",
                          "https://testnet.bybit.com/en/help-center/article/Order-Cost-USDT-Contract", "Bybit")
BYBIT_PNL = Source("P&L Calculations (USDT Contract)",
                   "https://bybitglobal.com/en/help-center/article/Profit-Loss-calculations-USDT-ContractUSDT_Perpetual_Contract",
                   "Bybit")
BYBIT_MARGIN_PARAMS = Source("Margin parameters", "https://bybitglobal.com/en/announcement-info/margin-parameters",
                             "Bybit")
BYBIT_MM = Source("Maintenance Margin (USDT Contract)",
                  "https://testnet.bybit.com/en/help-center/article/Maintenance-Margin-USDT-ContractUSDT_Perpetual_UTA",
                  "Bybit")
BYBIT_FUNDING = Source("Funding Fee Calculation",
                       "https://bybit.com/ro-RO/help-center/article/Funding-fee-calculationDerivatives_Trading_Mechanism_UTA",
                       "Bybit")
BYBIT_INSURANCE = Source("Insurance Fund", "https://www.bybit.com/en/help-center/article/Insurance-Fund", "Bybit")
BINANCE_LIQ = Source("How to Calculate Liquidation Price of USDⓈ-M Futures Contracts",
                     "https://www.binance.com/en/support/faq/how-to-calculate-liquidation-price-of-usd%E2%93%A2-m-futures-"
                     "contracts-b3c689c1f50a44cabb3a84e663b81d93", "Binance")
BINANCE_CALC = Source("How to Use the Binance Futures Calculator",
                      "https://binance.com/fr/support/faq/how-to-use-the-binance-futures-calculator-360036498511",
                      "Binance")
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
        function=calc_liquidation_price,
        inputs=(
            _side(),
            _price("entry_price", "Entry price", 20000, "Average price the position was opened at."),
            _qty(1),
            _leverage(50),
            Input("mmr", "Maintenance margin rate", None, "number", 0.005,
                  "As a fraction: 0.005 is 0.5%. Take it from the venue's risk-limit tier.",
                  min=0, max=1, max_exclusive=True, step=0.0001),
            Input("mm_deduction", "MM deduction", "USDT", "number", 0,
                  "Maintenance margin deduction of the tier (Binance: maintenance amount). 0 in the first tier.",
                  min=0, step=0.01),
            Input("extra_margin", "Extra margin", "USDT", "number", 0,
                  "Margin added to the position after opening; negative if margin was taken out "
                  "(for example funding paid from position margin).", step=0.01),
            Input("formula", "Formula", None, "choice", "bybit",
                  "Bybit values the maintenance margin at the entry price, Binance at the liquidation price.",
                  choices=("bybit", "binance")),
        ),
        outputs=(
            Output("initial_margin", "Initial margin", "USDT", 2),
            Output("maintenance_margin", "Maintenance margin", "USDT", 2),
            Output("bankruptcy_price", "Bankruptcy price", "USDT", 2),
            Output("liquidation_price", "Liquidation price", "USDT", 2),
            Output("distance_pct", "Distance from entry", "%", 2),
        ),
        variants=("bybit", "binance"),
        sources=(BYBIT_LIQ, BYBIT_BANKRUPTCY, BINANCE_LIQ),
        formula=(
            "Bybit: `LP = EP ∓ (IM − MM)/Q ∓ extra/Q`, with `IM = EP·Q/L` and `MM = EP·Q·MMR − deduction`.\n\n"
            "Binance (one-way, isolated): `LP = (Q·EP ∓ (IM + extra + cum)) / (Q·(1 ∓ MMR))`.\n\n"
            "Bankruptcy price: `EP·(1 ∓ 1/L)`. Upper signs for a long, lower for a short."
        ),
        conventions=(
            "- Neither formula includes the fee to close, so the venue's own figure can differ slightly.\n"
            "- The bankruptcy price uses the initial margin alone; extra margin is not included.\n"
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
        function=calc_pnl,
        inputs=(
            _side(),
            _price("entry_price", "Entry price", 7000, "Average price the position was opened at."),
            _price("exit_price", "Exit price", 7500, "Price the position is closed (or marked) at."),
            _qty(0.2),
            _leverage(10),
            _taker_fee(),
        ),
        outputs=(
            Output("pnl", "PnL (before fees)", "USDT", 2),
            Output("initial_margin", "Initial margin", "USDT", 2),
            Output("close_fee", "Reserved fee to close", "USDT", 4),
            Output("roi_pct", "Return on margin (ROI)", "%", 2),
            Output("open_fee", "Fee to open", "USDT", 4),
            Output("exit_fee", "Fee at exit", "USDT", 4),
            Output("net_pnl", "PnL after fees", "USDT", 2),
        ),
        variants=("bybit",),
        sources=(BYBIT_PNL, BYBIT_ORDER_COST),
        formula=(
            "`PnL = ±Q·(exit − entry)`; `ROI = PnL / (IM + fee to close) · 100` with `IM = entry·Q/L` and "
            "`fee to close = Q·entry·(1 ∓ 1/L)·fee`; `net PnL = PnL − entry·Q·fee − exit·Q·fee`."
        ),
        conventions=(
            "- PnL is gross: no fees, no funding.\n"
            "- The return divides by the initial margin plus the fee to close reserved at the bankruptcy price "
            "(Bybit's position margin).\n"
            "- Net PnL subtracts the taker fee paid to open (at entry) and to close (at the exit price)."
        ),
    ),
    Calculator(
        id="target-price",
        title="Target price",
        summary="The exit price that gives a chosen return on margin.",
        function=calc_target_price,
        inputs=(
            _side(),
            _price("entry_price", "Entry price", 20000, "Average price the position was opened at."),
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
            Input("balance", "Available balance", "USDT", "number", 1000, "Balance available to open the position.",
                  min=0, min_exclusive=True, step=0.01),
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
            Input("qtys", "Quantities", "coin", "list", [0.5, 0.3], "Quantity of each fill, comma separated.",
                  min=0, min_exclusive=True, step=0.001),
            Input("prices", "Prices", "USDT", "list", [5000, 6000], "Price of each fill, in the same order.",
                  min=0, min_exclusive=True, step=0.01),
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
            Input("position_value", "Position value", "USDT", "number", 3500, "Price × quantity.",
                  min=0, min_exclusive=True, step=0.01),
            Input("tier_limits", "Tier limits", "USDT", "list", [1000, 2000, 3000, 4000, 5000],
                  "Upper bound of each tier, increasing, comma separated.", min=0, min_exclusive=True, step=0.01),
            Input("tier_rates", "Tier rates", None, "list", [0.02, 0.025, 0.03, 0.035, 0.04],
                  "Maintenance margin rate of each tier as a fraction (0.02 is 2%).",
                  min=0, max=1, max_exclusive=True, step=0.0001),
        ),
        outputs=(
            Output("maintenance_margin", "Maintenance margin", "USDT", 2),
            Output("effective_rate", "Effective rate", None, 6),
            Output("mm_deduction", "MM deduction", "USDT", 2),
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
            "- The effective rate is maintenance margin ÷ value, as a fraction."
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
            Input("funding_rate", "Funding rate", None, "number", 0.0001, "As a fraction: 0.0001 is 0.01%.",
                  min=-1, max=1, min_exclusive=True, max_exclusive=True, step=0.000001),
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
            _price("entry_price", "Entry price", 20000, "Average price the position was opened at."),
            _qty(1),
            _leverage(50),
            Input("margin_mode", "Margin mode", None, "choice", "isolated",
                  "Isolated: only the position's margin is at stake. Cross: the whole wallet.",
                  choices=("isolated", "cross")),
            Input("wallet_balance", "Wallet balance", "USDT", "number", 400,
                  "Wallet balance including the position's margin.", min=0, step=0.01),
            _price("fill_price", "Liquidation fill price", 19500, "Price the liquidation actually filled at."),
            Input("insurance_fund", "Insurance fund", "USDT", "number", 50,
                  "What the venue's insurance fund can still pay.", min=0, step=0.01),
        ),
        outputs=(
            Output("loss", "Loss at the fill price", "USDT", 2),
            Output("margin_lost", "Margin lost", "USDT", 2),
            Output("insurance_fund_covers", "Insurance fund covers", "USDT", 2),
            Output("balance_after", "Balance after", "USDT", 2),
            Output("deposit_to_clear", "Deposit to clear", "USDT", 2),
        ),
        variants=("bybit",),
        sources=(BYBIT_INSURANCE, BYBIT_LIQ),
        formula=(
            "`loss = ±Q·(entry − fill)`; margin = IM (isolated) or wallet (cross); "
            "`fund covers = min(max(loss − margin, 0), fund)`; "
            "`balance after = wallet − margin − (shortfall − fund covers)`."
        ),
        conventions=(
            "- A liquidated position is settled at its bankruptcy price, so the whole margin at stake is lost "
            "whatever the fill; a better fill's remainder goes to the insurance fund.\n"
            "- What the fund cannot cover leaves the balance negative; the deposit to clear brings it to 0.\n"
            "- In isolated mode the wallet balance must hold at least the position's initial margin."
        ),
    ),
    Calculator(
        id="position-size",
        title="Position size by risk",
        summary="How large a position loses a chosen share of equity at the stop.",
        function=calc_position_size,
        inputs=(
            Input("equity", "Account equity", "USDT", "number", 1000, "What the account is worth.",
                  min=0, min_exclusive=True, step=0.01),
            Input("risk_pct", "Risk per trade", "%", "number", 1, "Share of equity lost if the stop is hit.",
                  min=0, max=100, min_exclusive=True, step=0.01),
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
            Input("prices", "Prices", "USDT", "list", [10, 11, 12, 13, 12, 11, 12, 14, 15, 14],
                  "Closing prices, oldest first, comma separated.", min=0, min_exclusive=True, step=0.01),
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
            Input("prices", "Prices", "USDT", "list", [103, 104, 105, 106, 107, 108, 109, 110],
                  "Trade prices, comma separated.", min=0, min_exclusive=True, step=0.01),
            Input("volumes", "Volumes", None, "list", [30, 60, 70, 150, 90, 80, 50, 24],
                  "Volume traded at each price, in the same order.", min=0, step=0.001),
            Input("row_size", "Row size", "USDT", "number", 1, "Height of one price row.",
                  min=0, min_exclusive=True, step=0.01),
            Input("value_area_pct", "Value area", "%", "number", 70, "Share of volume the value area holds.",
                  min=0, max=100, min_exclusive=True, step=0.1),
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
    """The catalogue as a JSON-ready list (the shape in the team brief; inputs also carry ``max_exclusive``)."""
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
        }
        for calc in CATALOGUE
    ]
