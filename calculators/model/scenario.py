"""Run a rule's scenario on the reference exchange and check its expectations.

A scenario is a mapping ``{"given": {...}, "steps": [...]}``:

``given`` (all optional)
    ``wallet`` first deposit into the starting account (default 0); ``insurance_fund`` the fund's seed
    (default 0); ``position_mode`` ``one_way`` (default) or ``hedge``; ``user`` the starting account's
    user (default ``alice``); ``account`` its name (default ``main``); ``collateral`` the USDT value of
    other coins backing the starting account (Unified Trading Account, default 0); ``traders`` other
    traders set up before the steps, each ``{name, wallet, positions: [{symbol, side, qty, price,
    leverage, margin_mode}]}`` in an account (and user) of that name: the opposing positions
    auto-deleveraging can close. Switch to one with ``use_account: <name>`` to check its state.

``steps``: a list of one-key mappings. ``STEP_SPECS`` lists each step's arguments (see ``STEP_HELP``):
    ``open``, ``open_at_risk``, ``close``, ``mark``, ``stop``, ``deposit``, ``withdraw``, ``add_margin``,
    ``remove_margin``, ``set_leverage``, ``set_position_mode``, ``funding``, ``advance_hours``,
    ``open_account``, ``use_account`` and ``expect``.

``expect`` checks the state after the latest operation: ``{field: value}`` (equal), or
``{field: {op: value, ...}}`` with ops ``eq ne lt le gt ge``, ``approx`` / ``not_approx`` (with
``tolerance``); and ``refused: <reason code>`` (the latest operation was refused with that code) or
``refused: null`` (it succeeded). ``run_scenario`` stops at the first failing expectation and records a
:class:`ScenarioFailure`; a malformed scenario raises :class:`ScenarioError` naming the step and key.
"""

import copy
from dataclasses import dataclass, field
from decimal import Decimal

from .exchange import Exchange
from .snapshot import STATE_FIELDS, TEXT_FIELDS
from .state import POSITION_MODES, REASON_CODES, to_decimal
from .venues import VENUE_IDS, Venue

__all__ = [
    "STEP_NAMES", "STATE_FIELDS", "REASON_CODES", "STEP_SPECS", "STEP_HELP", "GIVEN_FIELDS", "COMPARISONS",
    "TABLE_COLUMNS", "ScenarioError", "ScenarioFailure", "ScenarioRow", "ScenarioRun", "run_scenario",
    "validate_scenario", "check_expectation", "negate_expectation", "expectation_count", "format_value",
    "step_text",
]

# step name -> (required argument keys, optional argument keys); a scalar step takes its value directly.
STEP_SPECS = {
    "open": (("symbol", "side", "qty", "price"), ("leverage", "margin_mode")),
    "open_at_risk": (("symbol", "side", "price", "stop", "risk_pct"), ("leverage", "margin_mode")),
    "close": (("symbol", "price"), ("side", "qty")),
    "mark": (("symbol", "price"), ("fill",)),
    "stop": (("symbol", "trigger_price"), ("kind", "trigger_by", "side", "qty")),
    "deposit": "amount",
    "withdraw": "amount",
    "add_margin": (("symbol", "amount"), ("side",)),
    "remove_margin": (("symbol", "amount"), ("side",)),
    "set_leverage": (("symbol", "leverage"), ()),
    "set_position_mode": "mode",
    "funding": (("symbol", "rate"), ()),
    "advance_hours": "hours",
    "open_account": (("name",), ("user",)),
    "use_account": "name",
    "expect": None,
}
STEP_NAMES = tuple(STEP_SPECS)
STEP_HELP = {
    "open": "market order at price (taker fee); one-way mode nets against an opposite position; "
            "leverage sets the symbol's leverage first; margin_mode cross (default) or isolated",
    "open_at_risk": "market order at price whose quantity the trader sized to lose risk_pct % of the account's "
                    "equity if the stop is hit (position-size formula, rounded down to the quantity step); "
                    "the exchange sees an ordinary open",
    "close": "close all (or qty of) the position on symbol at price; side picks a hedge-mode leg",
    "mark": "move the mark price while the market trades at fill (default: the mark); the liquidation engine "
            "runs first, then triggered stops fire; both fill at fill",
    "stop": "place a reduce-only stop on the open position (side picks a hedge leg): kind stop_loss (default) or "
            "take_profit; it fires when the trigger_by price (mark, default, or last: the price a step trades at) "
            "reaches trigger_price, after the liquidation engine, and closes qty (default all) with a market "
            "order at the step's traded price (taker fee); cancelled when the position is gone",
    "deposit": "deposit an amount of USDT into the current account (a debt is repaid first)",
    "withdraw": "withdraw an amount of USDT from the current account",
    "add_margin": "move amount from the available balance into an isolated position's margin",
    "remove_margin": "move amount of added margin from an isolated position back to the wallet",
    "set_leverage": "set the symbol's leverage (open positions are re-margined)",
    "set_position_mode": "one_way or hedge (refused with open positions)",
    "funding": "settle one funding interval on symbol at rate (positive: longs pay shorts)",
    "advance_hours": "advance the clock by whole hours (interest accrues where the venue charges it)",
    "open_account": "open another account (same user unless user is given) and switch to it; "
                    "a plain name is allowed: open_account: second",
    "use_account": "switch to an existing account by name",
    "expect": "check state fields and the latest operation's refusal (see the module docstring)",
}
GIVEN_FIELDS = ("wallet", "insurance_fund", "position_mode", "user", "account", "collateral", "traders")
TRADER_FIELDS = ("name", "wallet", "positions")
ORDER_FIELDS = (("symbol", "side", "qty", "price"), ("leverage", "margin_mode"))
COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge", "approx", "not_approx")
NEGATION = {"eq": "ne", "ne": "eq", "lt": "ge", "ge": "lt", "le": "gt", "gt": "le",
            "approx": "not_approx", "not_approx": "approx"}
SYMBOL = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "approx": "≈",
          "not_approx": "not ≈"}
TABLE_COLUMNS = ("wallet_balance", "equity", "available_balance", "position_margin", "position", "insurance_fund")
# refused: <code> negates to refused: null; refused: null negates to this code.
NEGATED_OK_REASON = "insufficient_available_balance"


class ScenarioError(ValueError):
    """A malformed scenario: ``step_index`` (1-based; 0 for ``given``), the step name and the bad key."""

    def __init__(self, step_index, step_name, key, message):
        super().__init__(f"step {step_index} ({step_name}): {key}: {message}")
        self.step_index = step_index
        self.step_name = step_name
        self.key = key
        self.message = message


@dataclass
class ScenarioFailure:
    """The first expectation that did not hold: its 1-based step index, step name and message."""

    step_index: int
    step_name: str
    message: str

    def __str__(self):
        return f"step {self.step_index} ({self.step_name}): {self.message}"


@dataclass
class ScenarioRow:
    """One step of a run: its index, name, text, outcome (``ok``, ``refused: <code>``, ``passed``,
    ``failed``), a detail sentence and the full state after it."""

    index: int
    name: str
    text: str
    result: str
    detail: str
    state: dict

    def cells(self):
        """The row as text cells for ``TABLE_COLUMNS`` plus ``result``."""
        cells = {name: format_value(self.state[name]) for name in TABLE_COLUMNS}
        cells["result"] = self.result
        return cells


@dataclass
class ScenarioRun:
    """The outcome of ``run_scenario``: rows for every step run, the failure (if any), the exchange."""

    venue: str
    rows: list = field(default_factory=list)
    failure: ScenarioFailure | None = None
    exchange: Exchange | None = None

    @property
    def exercised(self):
        """The policies the scenario exercised (sorted, no duplicates), see ``calculators.model.policies``."""
        return tuple(sorted(self.exchange.exercised)) if self.exchange is not None else ()

    @property
    def ok(self):
        """True when every expectation held."""
        return self.failure is None


def format_value(value):
    """A state value as text: Decimals without exponent or trailing zeros, empty for None."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "0") else text
    return str(value)


def step_text(name, args):
    """A compact one-line text of a step, e.g. ``withdraw: 1`` or ``mark: {symbol: BTCUSDT, price: 1}``."""
    if isinstance(args, dict):
        inner = ", ".join(f"{k}: {_text(v)}" for k, v in args.items())
        return f"{name}: {{{inner}}}"
    return f"{name}: {_text(args)}"


def _text(value):
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float):
        return format_value(Decimal(str(value)))
    return format_value(value)


# ----- validation ------------------------------------------------------------------------------------


def validate_scenario(scenario):
    """Raise ``ScenarioError`` for the first malformed part of ``scenario`` (unknown step, key, field or
    reason code, missing argument, wrong shape); return the list of (name, args) steps."""
    if not isinstance(scenario, dict):
        raise ScenarioError(0, "scenario", "scenario", "must be a mapping with given and steps")
    for key in scenario:
        if key not in ("given", "steps"):
            raise ScenarioError(0, "scenario", key, "unknown key; use given and steps")
    given = scenario.get("given") or {}
    if not isinstance(given, dict):
        raise ScenarioError(0, "given", "given", "must be a mapping")
    for key in given:
        if key not in GIVEN_FIELDS:
            raise ScenarioError(0, "given", key, f"unknown key; known: {', '.join(GIVEN_FIELDS)}")
    if "position_mode" in given and given["position_mode"] not in POSITION_MODES:
        raise ScenarioError(0, "given", "position_mode", f"must be one of {', '.join(POSITION_MODES)}")
    _validate_traders(given.get("traders", []))
    steps = scenario.get("steps")
    if not isinstance(steps, list) or not steps:
        raise ScenarioError(0, "steps", "steps", "must be a non-empty list")
    return [_validate_step(i, step) for i, step in enumerate(steps, start=1)]


def _validate_traders(traders):
    if not isinstance(traders, list):
        raise ScenarioError(0, "given", "traders", "must be a list of {name, wallet, positions}")
    for i, trader in enumerate(traders):
        key = f"traders[{i}]"
        if not isinstance(trader, dict) or "name" not in trader:
            raise ScenarioError(0, "given", key, "must be a mapping with name, wallet and positions")
        for name in trader:
            if name not in TRADER_FIELDS:
                raise ScenarioError(0, "given", f"{key}.{name}", f"unknown key; known: {', '.join(TRADER_FIELDS)}")
        positions = trader.get("positions", [])
        if not isinstance(positions, list):
            raise ScenarioError(0, "given", f"{key}.positions", "must be a list of orders")
        required, optional = ORDER_FIELDS
        for j, order in enumerate(positions):
            where = f"{key}.positions[{j}]"
            if not isinstance(order, dict):
                raise ScenarioError(0, "given", where, f"must be a mapping with {', '.join(required)}")
            for name in order:
                if name not in required + optional:
                    raise ScenarioError(0, "given", f"{where}.{name}",
                                        f"unknown key; known: {', '.join(required + optional)}")
            for name in required:
                if name not in order:
                    raise ScenarioError(0, "given", f"{where}.{name}", "is required")


def _validate_step(index, step):
    if not isinstance(step, dict) or len(step) != 1:
        raise ScenarioError(index, "step", "step", "must be a mapping with exactly one step name")
    name, args = next(iter(step.items()))
    if name not in STEP_SPECS:
        raise ScenarioError(index, str(name), str(name), f"unknown step; known: {', '.join(STEP_NAMES)}")
    spec = STEP_SPECS[name]
    if name == "expect":
        _validate_expect(index, args)
    elif name == "open_account" and not isinstance(args, dict):
        if not isinstance(args, str):
            raise ScenarioError(index, name, "name", "must be an account name or {name, user}")
    elif isinstance(spec, str):
        if isinstance(args, (dict, list)) or args is None:
            raise ScenarioError(index, name, spec, f"takes a single value ({spec})")
    else:
        required, optional = spec
        if not isinstance(args, dict):
            raise ScenarioError(index, name, name, f"needs a mapping with {', '.join(required)}")
        for key in args:
            if key not in required + optional:
                raise ScenarioError(index, name, key, f"unknown key; known: {', '.join(required + optional)}")
        for key in required:
            if key not in args:
                raise ScenarioError(index, name, key, "is required")
    return name, args


def _validate_expect(index, args):
    if not isinstance(args, dict) or not args:
        raise ScenarioError(index, "expect", "expect", "must map state fields (or refused) to expectations")
    for key, want in args.items():
        if key == "refused":
            if want is not None and want not in REASON_CODES:
                raise ScenarioError(index, "expect", "refused", f"unknown reason code {want!r}")
            continue
        if key not in STATE_FIELDS:
            raise ScenarioError(index, "expect", key, f"unknown state field; known: {', '.join(STATE_FIELDS)}")
        checks = want if isinstance(want, dict) else {"eq": want}
        if not checks:
            raise ScenarioError(index, "expect", key, "needs at least one comparison")
        for op, value in checks.items():
            if op == "tolerance":
                if not ("approx" in checks or "not_approx" in checks):
                    raise ScenarioError(index, "expect", key, "tolerance goes with approx or not_approx")
                _number(index, key, value)
                continue
            if op not in COMPARISONS:
                raise ScenarioError(index, "expect", key, f"unknown comparison {op!r}; use {', '.join(COMPARISONS)}")
            if op in ("approx", "not_approx") and "tolerance" not in checks:
                raise ScenarioError(index, "expect", key, f"{op} needs a tolerance")
            if key in TEXT_FIELDS:
                if op not in ("eq", "ne") or not isinstance(value, str):
                    raise ScenarioError(index, "expect", key, "is text: compare it with eq or ne and a string")
            elif value is not None or op not in ("eq", "ne"):
                _number(index, key, value)


def _number(index, key, value):
    try:
        return to_decimal(key, value)
    except ValueError:
        raise ScenarioError(index, "expect", key, f"{value!r} is not a number") from None


# ----- running ---------------------------------------------------------------------------------------


def run_scenario(scenario, venue):
    """Run ``scenario`` on a fresh ``Exchange(venue)`` (an id, or a ``Venue`` such as a test's override);
    return a :class:`ScenarioRun` (``ok`` or with the first :class:`ScenarioFailure`). Raises
    :class:`ScenarioError` if the scenario is malformed or its ``given`` cannot be set up."""
    if not isinstance(venue, Venue) and venue not in VENUE_IDS:
        raise ScenarioError(0, "venue", "venue", f"unknown venue {venue!r}; known: {', '.join(VENUE_IDS)}")
    steps = validate_scenario(scenario)
    given = dict(scenario.get("given") or {})
    traders = given.pop("traders", [])
    try:
        exchange = Exchange(venue, **given)
        for trader in traders:
            exchange.add_trader(trader["name"], trader.get("wallet", 0), trader.get("positions", []))
    except ValueError as error:
        raise ScenarioError(0, "given", "given", str(error)) from None
    run = ScenarioRun(venue=venue.id if isinstance(venue, Venue) else venue, exchange=exchange)
    last = None
    for index, (name, args) in enumerate(steps, start=1):
        text = step_text(name, args)
        if name == "expect":
            message = check_expectation(args, exchange.snapshot(), last)
            run.rows.append(ScenarioRow(index, name, text, "failed" if message else "passed", message or "",
                                        exchange.snapshot()))
            if message:
                run.failure = ScenarioFailure(index, name, message)
                break
            continue
        last = _apply(exchange, name, args)
        run.rows.append(ScenarioRow(index, name, text, last.label, last.detail, exchange.snapshot()))
    return run


def _apply(ex, name, args):
    if name == "open":
        return ex.order(args["symbol"], args["side"], args["qty"], args["price"], args.get("leverage"),
                        args.get("margin_mode", "cross"))
    if name == "open_at_risk":
        return ex.order_at_risk(args["symbol"], args["side"], args["price"], args["stop"], args["risk_pct"],
                                args.get("leverage"), args.get("margin_mode", "cross"))
    if name == "close":
        return ex.close(args["symbol"], args["price"], args.get("side"), args.get("qty"))
    if name == "mark":
        return ex.mark(args["symbol"], args["price"], args.get("fill"))
    if name == "stop":
        return ex.place_stop(args["symbol"], args["trigger_price"], args.get("kind", "stop_loss"),
                             args.get("trigger_by", "mark"), args.get("side"), args.get("qty"))
    if name == "deposit":
        return ex.deposit(args)
    if name == "withdraw":
        return ex.withdraw(args)
    if name == "add_margin":
        return ex.add_margin(args["symbol"], args["amount"], args.get("side"))
    if name == "remove_margin":
        return ex.remove_margin(args["symbol"], args["amount"], args.get("side"))
    if name == "set_leverage":
        return ex.set_leverage(args["symbol"], args["leverage"])
    if name == "set_position_mode":
        return ex.set_position_mode(args)
    if name == "funding":
        return ex.funding(args["symbol"], args["rate"])
    if name == "advance_hours":
        return ex.advance_hours(args)
    if name == "open_account":
        if isinstance(args, dict):
            return ex.open_account(args["name"], args.get("user"))
        return ex.open_account(args)
    return ex.use_account(args)


def check_expectation(expect, state, last):
    """The failure message of an ``expect`` mapping against ``state`` and the latest Result, or None."""
    for key, want in expect.items():
        if key == "refused":
            message = _check_refused(want, last)
        else:
            message = _check_field(key, want, state[key])
        if message:
            return message
    return None


def _check_refused(want, last):
    if last is None:
        return "no operation ran before this expect"
    got = last.label
    if want is None:
        return None if last.ok else f"result was {got}, expected ok"
    if last.ok:
        return f"result was ok, expected refused: {want}"
    if last.reason != want:
        return f"result was {got}, expected refused: {want}"
    return None


def _check_field(key, want, actual):
    checks = want if isinstance(want, dict) else {"eq": want}
    tolerance = checks.get("tolerance")
    for op, value in checks.items():
        if op == "tolerance":
            continue
        if not _holds(op, actual, value, tolerance, key in TEXT_FIELDS):
            expected = "empty" if value is None else _text(value)
            suffix = f" ± {_text(tolerance)}" if op in ("approx", "not_approx") else ""
            shown = "empty" if actual is None else format_value(actual)
            return f"{key} is {shown}, expected {SYMBOL[op]} {expected}{suffix}"
    return None


def _holds(op, actual, value, tolerance, text):
    if value is None or actual is None or text:
        same = actual == value if (value is None or text) else False
        if op == "eq":
            return same
        if op == "ne":
            return not same
        return False
    actual = Decimal(actual)
    value = to_decimal("value", value)
    if op in ("approx", "not_approx"):
        inside = abs(actual - value) <= to_decimal("tolerance", tolerance)
        return inside if op == "approx" else not inside
    return {"eq": actual == value, "ne": actual != value, "lt": actual < value, "le": actual <= value,
            "gt": actual > value, "ge": actual >= value}[op]


# ----- vacuity helper --------------------------------------------------------------------------------


def expectation_count(step):
    """How many separate checks an ``expect`` step holds (each comparison and the ``refused`` check)."""
    return len(_check_paths(step["expect"]))


def _check_paths(expect):
    paths = []
    for key, want in expect.items():
        if key == "refused" or not isinstance(want, dict):
            paths.append((key, None))
        else:
            paths.extend((key, op) for op in want if op != "tolerance")
    return paths


def negate_expectation(step, which=None):
    """A copy of the ``expect`` step with its checks negated: a comparison flipped (``lt`` <-> ``ge``,
    ``eq`` <-> ``ne``, ``approx`` <-> ``not_approx``...), ``refused: <code>`` <-> ``refused: null``
    (``refused: null`` becomes ``refused: insufficient_available_balance``). ``which`` (0-based, in the
    order of ``expectation_count``) negates only that one check; by default every check is negated."""
    if not isinstance(step, dict) or list(step) != ["expect"]:
        raise ValueError("step must be an expect step")
    expect = copy.deepcopy(step["expect"])
    paths = _check_paths(expect)
    chosen = set(paths if which is None else [paths[which]])
    for key in list(expect):
        if key == "refused":
            if (key, None) in chosen:
                expect[key] = NEGATED_OK_REASON if expect[key] is None else None
        elif not isinstance(expect[key], dict):
            if (key, None) in chosen:
                expect[key] = {"ne": expect[key]}
        else:
            negated = {}
            for op, value in expect[key].items():
                new_op = NEGATION[op] if (key, op) in chosen else op
                negated[new_op] = _merge(new_op, negated[new_op], value) if new_op in negated else value
            expect[key] = negated
    return {"expect": expect}


def _merge(op, first, second):
    """One bound equivalent to two bounds of the same kind that must both hold."""
    if op in ("lt", "le"):
        return min(to_decimal("value", first), to_decimal("value", second))
    if op in ("gt", "ge"):
        return max(to_decimal("value", first), to_decimal("value", second))
    raise ValueError(f"cannot negate: two {op} checks on one field")
