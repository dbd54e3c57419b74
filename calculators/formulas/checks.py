"""Input checks shared by the formula functions.

Every check raises ``ValueError`` whose message starts with the catalogue input name and a space, so a
widget can show it next to the right field. Numbers are never formatted into messages (``str()`` of a
number differs between Python and the compiled JS), so limits are written out in words.
"""


def require_finite(name, value):
    """Raise ``ValueError`` unless ``value`` is a finite number (rejects NaN and infinities)."""
    if not (value - value == 0):
        raise ValueError(name + " must be a finite number")


def require_at_least(name, value, limit, limit_text):
    """Raise ``ValueError`` unless ``value >= limit``; ``limit_text`` spells the limit for the message."""
    if not (value >= limit):
        raise ValueError(name + " must be at least " + limit_text)


def require_above(name, value, limit, limit_text):
    """Raise ``ValueError`` unless ``value > limit``; ``limit_text`` spells the limit for the message."""
    if not (value > limit):
        raise ValueError(name + " must be greater than " + limit_text)


def require_at_most(name, value, limit, limit_text):
    """Raise ``ValueError`` unless ``value <= limit``; ``limit_text`` spells the limit for the message."""
    if not (value <= limit):
        raise ValueError(name + " must be at most " + limit_text)


def require_below(name, value, limit, limit_text):
    """Raise ``ValueError`` unless ``value < limit``; ``limit_text`` spells the limit for the message."""
    if not (value < limit):
        raise ValueError(name + " must be below " + limit_text)


def require_number_list(name, values):
    """Raise ``ValueError`` unless ``values`` is a non-empty list of finite numbers."""
    if len(values) == 0:
        raise ValueError(name + " must hold at least one value")
    for value in values:
        if not (value - value == 0):
            raise ValueError(name + " must hold only finite numbers")


def require_same_length(name, values, other_name, others):
    """Raise ``ValueError`` unless the two lists have the same length."""
    if len(values) != len(others):
        raise ValueError(name + " must have as many values as " + other_name)


def require_all_positive(name, values):
    """Raise ``ValueError`` unless every value in the list is greater than zero."""
    for value in values:
        if not (value > 0):
            raise ValueError(name + " must hold only values greater than 0")


def require_all_non_negative(name, values):
    """Raise ``ValueError`` unless every value in the list is at least zero."""
    for value in values:
        if not (value >= 0):
            raise ValueError(name + " must hold only values of at least 0")


def floor_non_negative(value):
    """Largest whole number ``n <= value`` for ``0 <= value`` (finite, below 2**60).

    Built from powers of two with a loop because ``//``, ``%`` and ``math.floor`` are outside the portable
    subset (``//`` on floats differs in JS). Integer steps keep the result an ``int`` in Python, so it mixes
    with ``Decimal`` values.
    """
    powers = [1]
    while powers[len(powers) - 1] * 2 <= value:
        powers.append(powers[len(powers) - 1] * 2)
    whole = 0
    i = len(powers) - 1
    while i >= 0:
        if whole + powers[i] <= value:
            whole = whole + powers[i]
        i = i - 1
    return whole


def is_whole(value):
    """True if ``value`` (finite, at least 0) is a whole number."""
    return floor_non_negative(value) == value
