"""Hypothesis strategies: argument lists for each calculator, in catalogue input order.

Mostly valid values over realistic ranges; float ranges reach a little past each limit (Hypothesis likes
boundary values such as 0 and the range ends), and choices include one wrong value, so the parity test
checks rejections as well as results. Ranges stay where results are finite, since JSON cannot carry
infinities between Python and Node. Strategies avoid ``flatmap`` and long lists: Hypothesis's per-draw
cost dominates the parity test's run time.
"""

from hypothesis import strategies as st


def finite(low, high):
    """Floats in ``[low, high]``; no subnormals (they under- and overflow, outside any real input)."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)




# Hypothesis draws the low end of an integer range far more often than its share (0 from integers(0, 15)
# about three times in ten, measured), so a rare branch is taken on the HIGH end: RARE from integers(0, 15),
# the top quarter in ``args``. The low end, Hypothesis's favourite, is always the valid branch.
RARE = 15


def choice(valid, invalid):
    """A valid choice nine times in ten, else ``invalid``."""
    return st.sampled_from((list(valid) * 9)[:9] + [invalid])


def with_edge(valid, edge):
    """``valid``, replaced by ``edge`` about one time in sixteen (one extra draw, no flatmap)."""
    return st.tuples(st.integers(0, 15), valid).map(lambda t: edge if t[0] == RARE else t[1])


def with_edge_choice(valid, edges):
    """``valid``, replaced by one of ``edges`` about one time in sixteen."""
    return st.tuples(st.integers(0, 15), valid, st.sampled_from(edges)).map(lambda t: t[2] if t[0] == RARE else t[1])


side = st.sampled_from(["long", "short"])
price = finite(1e-3, 1e6)
qty = finite(1e-4, 1e4)
leverage = st.one_of(finite(1, 200), st.integers(1, 125))
rate = finite(0, 0.2)
non_negative = finite(0, 1e5)
signed = finite(-1e5, 1e5)

# Values at or beyond each kind of input's limits, used by ``args`` to spoil one argument now and then.
BAD = {
    "side": ["buy", "LONG", ""],
    "price": [0, -1, -1e-3],
    "qty": [0, -1e-4],
    "leverage": [0, 0.5, 0.999, -1],
    "rate": [-1e-3, 1, 1.5],
    "non_negative": [-1, -1e-9],
    "signed": [],
}
BAD_BY_STRATEGY = {id(side): BAD["side"], id(price): BAD["price"], id(qty): BAD["qty"], id(leverage): BAD["leverage"],
                   id(rate): BAD["rate"], id(non_negative): BAD["non_negative"], id(signed): BAD["signed"]}


def args(*parts):
    """Argument lists from ``parts`` (strategy, or ``(strategy, bad_values)``); about one list in four has one
    argument replaced by a bad value. Two extra draws per list instead of per value keep generation cheap."""
    strategies, bads = [], []
    for part in parts:
        strategy, bad = part if isinstance(part, tuple) else (part, BAD_BY_STRATEGY.get(id(part), []))
        strategies.append(strategy)
        bads.append(bad)
    n = len(parts)

    def spoil(drawn):
        which, pick, *values = drawn
        which -= 3 * n  # the top quarter of the range spoils one argument; the rest (and 0) none
        if which >= 0 and bads[which]:
            values[which] = bads[which][pick % len(bads[which])]
        return values

    return st.tuples(st.integers(0, 4 * n - 1), st.integers(0, 7), *strategies).map(spoil)


# List elements stay valid; a whole list is sometimes replaced by a bad one.
positive_element = finite(1e-3, 1e5)


def positive_list(max_size):
    return with_edge(st.lists(positive_element, min_size=1, max_size=max_size), [])


@st.composite
def paired_lists(draw, first, second, max_size=8):
    """Two non-empty lists that usually have the same length; sometimes an element is bad or a list is empty."""
    n = draw(st.integers(0, max_size))
    a = draw(st.lists(first, min_size=n, max_size=n))
    mismatch = draw(st.integers(0, 15)) == RARE
    b = draw(st.lists(second, min_size=n + mismatch, max_size=n + mismatch))
    if draw(st.integers(0, 15)) == RARE and a:
        a[-1] = -a[-1]
    return a, b


@st.composite
def tier_tables(draw):
    """A tier table and a value in it; sometimes the table is empty, broken, has a negative rate, or the value
    lies past its top or at or below 0."""
    n = 0 if draw(st.integers(0, 15)) == RARE else draw(st.integers(1, 6))
    steps = draw(st.lists(finite(1, 1e6), min_size=n, max_size=n))
    limits, total = [], 0
    for step in steps:
        total = total + step
        limits.append(total)
    broken = draw(st.integers(0, 15)) == RARE
    if limits and broken:
        limits[-1] = limits[0] if len(limits) > 1 else -limits[0]  # not increasing / not positive
    rates = draw(st.lists(finite(0, 0.5), min_size=n, max_size=n))
    if rates and draw(st.integers(0, 15)) == RARE:
        rates[-1] = -1e-3
    top = limits[-1] if limits and limits[-1] > 1 else 1e6
    value = draw(with_edge_choice(finite(1e-2, top * 1.05), [0, -1]))
    return [value, limits, rates]


@st.composite
def volume_profile_args(draw):
    prices, volumes = draw(paired_lists(finite(100, 300), finite(0, 1e4), max_size=10))
    row_size = draw(with_edge_choice(finite(0.1, 50), [0, -1, 1e-3]))
    pct = draw(with_edge_choice(finite(1e-3, 100), [0, -1, 100, 100.5]))
    return [prices, volumes, row_size, pct]


@st.composite
def ema_args(draw):
    prices = draw(positive_list(15))
    # A period within the list, else (one time in four) one past either end or not a whole number.
    period = draw(st.integers(1, max(len(prices), 1)))
    if draw(st.integers(0, 3)) == 3:
        period = draw(st.sampled_from([-1, 0, len(prices) + 1, 2.5, 3.0]))
    seed = draw(choice(["sma", "first"], "ema"))
    return [prices, period, seed]


# Maintenance rates up to 0.4%; one time in eight up to 20% (rate), which mostly reaches 1 / leverage and is
# refused. (As one branch in three, or in four, of a one_of it refused a quarter of the lists on its own.)
small_rate = st.tuples(st.integers(0, 7), finite(0, 0.004), rate).map(lambda t: t[2] if t[0] == 7 else t[1])
small_deduction = st.one_of(st.just(0), finite(0, 50), non_negative)
tier_rates = with_edge(st.lists(finite(0, 0.05), min_size=1, max_size=4), [])


@st.composite
def tier_limit_lists(draw):
    """Increasing limits (sometimes broken), usually as long as the rates list drawn next to them."""
    steps = draw(st.lists(finite(1, 1e10), min_size=1, max_size=4))
    limits, total = [], 0
    for step in steps:
        total = total + step
        limits.append(total)
    if draw(st.integers(0, 3)) < 3:
        limits[-1] = max(limits[-1], 1e10)  # a top tier that holds any position value drawn here
    if draw(st.integers(0, 15)) == RARE:
        limits[-1] = -1
    return limits


@st.composite
def liquidation_args(draw):
    values = draw(args(side, price, qty, leverage, small_rate, small_deduction, signed,
                       (st.sampled_from(["bybit", "binance"]), ["okx", "Bybit"]),
                       (st.sampled_from(["rate", "tiers"]), ["tier", ""])))
    limits = draw(tier_limit_lists())
    rates = draw(tier_rates)
    if rates and draw(st.integers(0, 7)) < 7:
        rates = (rates * 4)[: len(limits)]
    return values + [limits, rates]


@st.composite
def gap_loss_args(draw):
    """Fills mostly past the bankruptcy price (a gap), sometimes before it or on the profitable side."""
    values = draw(args(side, price, qty, leverage, (st.sampled_from(["isolated", "cross"]), ["portfolio"]),
                       (finite(0, 1e6), [-1]), price, non_negative, st.one_of(st.just(0), rate)))
    s = 1 if values[0] == "long" else -1
    if draw(st.integers(0, 7)) < 7 and isinstance(values[1], float) and values[1] > 0:
        # 0.8 to 1.6 times the initial-margin move, favouring 1.6 (Hypothesis favours a range's low end)
        move = (2.4 - draw(finite(0.8, 1.6))) / (values[3] if isinstance(values[3], (int, float)) and values[3] >= 1
                                                 else 1)
        values[6] = max(values[1] * (1 - s * move), 1e-3)
        if isinstance(values[2], float) and isinstance(values[3], (int, float)) and values[3] >= 1:
            im = values[1] * values[2] / values[3]
            if values[4] == "cross" and draw(st.booleans()):
                values[5] = draw(finite(0, max(values[1] * values[2] * move, 1e-6)))
            elif values[4] == "isolated" and isinstance(values[5], float) and values[5] >= 0:
                fee = values[8] if isinstance(values[8], (int, float)) and 0 <= values[8] < 1 else 0
                values[5] = values[5] + im + values[1] * values[2] * 2 * fee  # at least the position margin
    return values


@st.composite
def inverse_cross_args(draw):
    """Balances mostly in proportion to the position's coin value: drawn on their own (up to 1,000 coins) they
    usually cover any rise in price, and the calculator refuses a short that has no liquidation price."""
    values = draw(args(side, price, qty, (finite(1e-3, 1e3), [0, -1]), st.one_of(st.just(0), finite(0, 1)),
                       small_rate, rate))
    if draw(st.integers(0, 7)) < 7 and all(isinstance(v, float) and v > 0 for v in values[1:4]):
        values[3] = values[2] / values[1] * draw(finite(0.02, 2))  # balance: 2% to 200% of the value in coin
        values[4] = values[3] * values[4] / 2  # open orders hold at most half of it
    return values


ARGUMENTS = {
    "liquidation-price": liquidation_args(),
    "order-cost": args(side, price, qty, leverage, rate),
    "pnl": args(side, price, price, qty, leverage, rate, rate, rate),
    "target-price": args(side, price, leverage, (finite(-20000, 20000), [-1e6, 1e6])),
    "max-position": args(side, (finite(1e-2, 1e7), [0, -1]), price, leverage, rate),
    "average-entry": paired_lists(finite(1e-4, 1e4), finite(1e-3, 1e6)).map(list),
    "maintenance-margin": tier_tables(),
    "funding-fee": args(side, qty, price, (finite(-0.05, 0.05), [-1, 1, 0.999, -1.5])),
    "gap-loss": gap_loss_args(),
    "inverse-order-cost": args(side, price, qty, leverage, rate),
    "inverse-pnl": args(side, price, price, qty, leverage, rate, rate),
    "inverse-target-price": args(side, price, leverage, (finite(-20000, 20000), [-1e6, 1e6])),
    "inverse-liquidation-price": args(side, price, qty, leverage, small_rate,
                                      st.one_of(st.just(0), st.just(0), finite(0, 1e-3)),
                                      # a deduction beyond value x mmr is refused: weighted so at
                                      # least a quarter of the lists compute
                                      st.one_of(st.just(0), st.just(0), finite(-1e-2, 1e-2), signed),
                                      (st.sampled_from(["bybit", "binance"]), ["okx", "Bybit"])),
    "inverse-cross-liquidation-price": inverse_cross_args(),
    "inverse-average-entry": paired_lists(finite(1, 1e6), finite(1e-3, 1e6)).map(list),
    "cross-liquidation-price": args(side, price, qty, (st.one_of(finite(0, 1e7), finite(1e7, 1e11)), [-1]),
                                    st.one_of(st.just(0), non_negative), signed, small_rate,
                                    st.one_of(st.just(0), st.just(0), finite(0, 50))),
    "initial-margin-mark": args(side, price, price, qty, leverage, rate),
    "funding-period": args(side, (st.sampled_from(["linear", "inverse"]), ["quanto"]), qty, price,
                           (st.lists(finite(-0.05, 0.05), min_size=1, max_size=6), [[], [1], [0.001, -1]])),
    "size-scaled-margin": args(qty, price, rate, (finite(0, 0.05), [-1e-6, -1])),
    "position-size": args((finite(1, 1e7), [0, -1]), (finite(1e-3, 100), [0, -1, 100.01]), price, price, leverage),
    "ema": ema_args(),
    "volume-profile": volume_profile_args(),
}
