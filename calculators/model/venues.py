"""Venue profiles: the sourced parameters and policies that make the reference model behave like one venue.

Each venue is a data file ``calculators/model/venues/<id>.yaml`` checked against
``calculators/model/venues/venue.schema.json`` and then by :func:`load_venue` (numbers, tier tables,
published deductions against the recursion, every source key defined, every policy of
``calculators.model.policies.POLICIES`` present). Every value carries a source or ``assumption: true``.
Problems raise :class:`VenueError` naming the file, the line and the key path, e.g.
``calculators/model/venues/bybit.yaml:14: $.parameters.taker_fee.value: must be a number``.

Risk-limit deductions are computed by ``next_mm_deduction`` (``calculators/formulas/tiers.py``); a
published ``mm_deduction`` must equal it.
"""

import dataclasses
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import jsonschema_rs
import yaml

from calculators.formulas.tiers import next_mm_deduction

from .policies import POLICIES

VENUE_DIR = Path(__file__).resolve().parent / "venues"
SCHEMA_PATH = VENUE_DIR / "venue.schema.json"
VENUE_IDS = ("bybit", "bybit-uta", "binance", "kraken-futures", "seed-article")
LIQUIDATION_FORMULAS = ("bybit", "binance")

PARAMETER_LABELS = {
    "taker_fee": "Taker fee",
    "liquidation_formula": "Liquidation-price formula",
    "tick_size": "Price step (tick size)",
    "qty_step": "Quantity step",
    "default_leverage": "Default leverage",
    "hourly_interest_rate": "Hourly interest rate on a debt",
    "interest_free_amount": "Interest-free amount",
    "adl_ranking": "Auto-deleveraging ranking",
}
DISPLAY = {"bybit": "Bybit's formula", "binance": "Binance's formula",
           "profit_times_leverage": "profit % × effective leverage, highest first"}


class VenueError(ValueError):
    """A venue profile is malformed; the message names the file, line and key path, and how to fix it."""


@dataclass(frozen=True)
class Source:
    """One cited page."""

    title: str
    url: str
    publisher: str
    accessed: str
    third_party: bool = False


@dataclass(frozen=True)
class VenueFact:
    """One row of a venue page: a parameter, a tier table or a policy, with its sources."""

    section: str
    name: str
    label: str
    value: str
    says: str
    sources: tuple
    assumption: bool


@dataclass(frozen=True)
class Tier:
    """One risk-limit tier: positions valued up to ``limit`` use ``mmr`` and ``mm_deduction``."""

    limit: Decimal
    mmr: Decimal
    mm_deduction: Decimal
    max_leverage: Decimal


@dataclass(frozen=True)
class Policy:
    """A policy's value (does the venue do it), its source keys, its paraphrase, assumption flag."""

    value: bool
    sources: tuple
    says: str
    assumption: bool


@dataclass(frozen=True)
class Venue:
    """A validated venue profile (all numbers are ``Decimal``)."""

    id: str
    name: str
    publisher: str
    third_party: bool
    summary: str
    sources: dict
    taker_fee: Decimal
    liquidation_formula: str
    tick_size: Decimal
    qty_step: Decimal
    default_leverage: Decimal
    hourly_interest_rate: Decimal
    interest_free_amount: Decimal
    adl_ranking: str | None
    tiers: dict
    policies: dict
    _facts: tuple = field(default=(), repr=False, compare=False)

    @property
    def title(self):
        """The human name (kept for older callers; same as ``name``)."""
        return self.name

    @property
    def symbols(self):
        """The symbols the venue lists (those with a tier table)."""
        return tuple(self.tiers)

    @property
    def can_go_negative(self):
        """True when a balance can stay below zero here (a deficit left on the wallet, or a borrowing)."""
        return self.does("deficit_to_wallet") or self.hourly_interest_rate > 0

    def does(self, policy):
        """True when the profile's ``policy`` value is true (the venue does it)."""
        return self.policies[policy].value

    def policy_sources(self, policy):
        """The sources the profile gives for ``policy`` (empty when it does not source it)."""
        entry = self.policies.get(policy)
        if entry is None:
            return ()
        return tuple(self.sources[key] for key in entry.sources)

    def max_leverage(self, symbol):
        """The highest leverage any position on ``symbol`` may use (tier 1's)."""
        return self.tiers[symbol][0].max_leverage

    def tier_index(self, symbol, value):
        """Index of the tier a ``symbol`` position of ``value`` USDT falls in, or ``None`` above the last."""
        for index, tier in enumerate(self.tiers[symbol]):
            if value <= tier.limit:
                return index
        return None

    def tier_for(self, symbol, value):
        """The tier a ``symbol`` position of ``value`` USDT falls in, or ``None`` above the last limit."""
        index = self.tier_index(symbol, value)
        return None if index is None else self.tiers[symbol][index]

    def facts(self):
        """Every parameter, tier table and policy in file order, as :class:`VenueFact` rows."""
        return list(self._facts)

    def with_policy(self, policy, value):
        """A copy with ``policy`` set to ``value`` (for tests that switch a behaviour off)."""
        if policy not in POLICIES:
            raise KeyError(f"unknown policy {policy!r}")
        policies = dict(self.policies)
        policies[policy] = dataclasses.replace(policies[policy], value=bool(value))
        return dataclasses.replace(self, policies=policies)


# ----- locating problems ------------------------------------------------------------------------------


def _rel(path):
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _line(node, parts):
    """1-based line of the YAML node at ``parts`` (the deepest one that exists)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in parts:
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if k.value == part]
            if not match:
                break
            key, node = match[0]
            line = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _path_text(parts):
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


class _Where:
    """Formats problems of one venue file as ``file:line: $.path: message``."""

    def __init__(self, label, node):
        self.label = label
        self.node = node

    def error(self, parts, message):
        """A VenueError at the line of the field ``parts`` (the file alone when the line is unknown)."""
        parts = tuple(parts)
        line = _line(self.node, parts) if self.node is not None else None
        where = f"{self.label}:{line}" if line else self.label
        return VenueError(f"{where}: {_path_text(parts)}: {message}")


# ----- loading ----------------------------------------------------------------------------------------


_SCHEMA = None
_FAST = None


def _validator():
    global _SCHEMA
    if _SCHEMA is None:
        import jsonschema  # only for a profile the compiled check rejects (its errors name the problem)

        _SCHEMA = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    return _SCHEMA


def _fast_valid(data) -> bool:
    """Whether the compiled validator (jsonschema-rs, formats not asserted, as jsonschema's default)
    accepts ``data``; False when it cannot tell. Every process that builds pages loads the profiles at
    import: about 0.1 s with jsonschema alone (issue 14)."""
    global _FAST
    try:
        if _FAST is None:
            _FAST = jsonschema_rs.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")),
                                                       validate_formats=False)
        return _FAST.is_valid(data)
    except (ValueError, TypeError, jsonschema_rs.ValidationError):
        return False


def _schema_check(data, where):
    if _fast_valid(data):
        return
    errors = sorted(_validator().iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        error = errors[0]
        raise where.error(error.absolute_path, _schema_message(error))


def _schema_message(error):
    if error.validator == "oneOf" and isinstance(error.instance, dict):
        return ("give exactly one of source (a key of sources), sources (a list of keys) or assumption: true, "
                "with says")
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown key")
    if error.validator == "required":
        return error.message + "; add it"
    return error.message


def _number(value, where, parts):
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise where.error(parts, f"must be a number written as a quoted string, got {value!r}") from None
    if not number.is_finite():
        raise where.error(parts, "must be a finite number")
    return number


def _keys(entry, where, parts, sources):
    keys = tuple(entry.get("sources") or ((entry["source"],) if "source" in entry else ()))
    for i, key in enumerate(keys):
        if key not in sources:
            at = parts + (("sources", i) if "sources" in entry else ("source",))
            known = ", ".join(sorted(sources))
            raise where.error(at, f"no source has the key {key!r}; known: {known}")
    return keys


def _tiers(symbol, table, where, taker_fee):
    tiers = []
    previous = None
    for i, row in enumerate(table["rows"]):
        parts = ("tiers", symbol, "rows", i)
        limit = _number(row["limit"], where, parts + ("limit",))
        mmr = _number(row["mmr"], where, parts + ("mmr",))
        max_lev = _number(row["max_leverage"], where, parts + ("max_leverage",))
        if limit <= 0 or (previous is not None and limit <= previous.limit):
            raise where.error(parts + ("limit",), "must be positive and above the previous tier's limit")
        if not (0 < mmr < 1) or (previous is not None and mmr < previous.mmr):
            raise where.error(parts + ("mmr",), "must be in (0, 1) and not below the previous tier's rate")
        if max_lev < 1 or mmr >= 1 / max_lev:
            raise where.error(parts + ("max_leverage",), "must be at least 1 and below 1/mmr (a position "
                                                         "at maximum leverage must not start liquidated)")
        if mmr <= taker_fee:
            raise where.error(parts + ("mmr",), "must exceed the taker fee")
        deduction = Decimal(0) if previous is None else \
            next_mm_deduction(previous.limit, mmr, previous.mmr, previous.mm_deduction)
        if "mm_deduction" in row:
            published = _number(row["mm_deduction"], where, parts + ("mm_deduction",))
            if published != deduction:
                raise where.error(parts + ("mm_deduction",),
                                  f"is {published} but the recursion from the tier below gives "
                                  f"{deduction.normalize():f}; check the limit and rates")
        previous = Tier(limit, mmr, deduction, max_lev)
        tiers.append(previous)
    return tuple(tiers)


def _percent(value):
    text = format((value * 100).normalize(), "f")
    return f"{text}%"


def _grouped(value):
    text = format(value.normalize(), "f")
    whole, _, fraction = text.partition(".")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "")


def _display(name, value):
    if name in ("taker_fee", "hourly_interest_rate"):
        return _percent(Decimal(value))
    if name in ("tick_size", "qty_step", "interest_free_amount"):
        unit = " coin" if name == "qty_step" else " USDT"
        return _grouped(Decimal(value)) + unit
    if name == "default_leverage":
        return _grouped(Decimal(value)) + "x"
    return DISPLAY.get(value, str(value))


def _tier_text(tiers):
    rows = [f"up to {_grouped(t.limit)} USDT: {_percent(t.mmr)} MMR, {_grouped(t.max_leverage)}x"
            + (f", deduction {_grouped(t.mm_deduction)}" if t.mm_deduction else "") for t in tiers]
    return "; ".join(rows)


def _fact(section, name, label, value, entry, keys, sources):
    return VenueFact(section, name, label, value, entry["says"], tuple(sources[k] for k in keys),
                     bool(entry.get("assumption")))


def _parse(text: str):
    """The YAML node tree (line numbers) and data of a venue file: LibYAML's parser when present (about
    ten times faster; every process that builds pages loads the profiles), else PyYAML's, whose messages
    a broken file gets either way."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast), yaml.load(text, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.compose(text), yaml.safe_load(text)


def load_venue(venue_id, data=None, label=None, node=None):
    """Validate one venue profile into a :class:`Venue`.

    Without ``data`` the file ``calculators/model/venues/<venue_id>.yaml`` is read. Raises
    :class:`VenueError` naming the file (``label``), line and key path.
    """
    if data is None:
        path = VENUE_DIR / f"{venue_id}.yaml"
        if not path.exists():
            raise VenueError(f"unknown venue {venue_id!r}; known: {', '.join(VENUE_IDS)} "
                             f"(files in {_rel(VENUE_DIR)})")
        text = path.read_text(encoding="utf-8")
        label = _rel(path)
        try:
            node, data = _parse(text)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = f":{mark.line + 1}" if mark else ""
            raise VenueError(f"{label}{line}: not valid YAML: {getattr(error, 'problem', error)}") from None
    where = _Where(label or f"venue {venue_id}", node)
    if not isinstance(data, dict):
        raise where.error((), "a venue file is a mapping (id, name, publisher, ...)")
    _schema_check(data, where)
    if data["id"] != venue_id:
        raise where.error(("id",), f"is {data['id']!r} but the file is for {venue_id!r}; make them equal")
    sources = {key: Source(s["title"], s["url"], s["publisher"], str(s["accessed"]), bool(s.get("third_party")))
               for key, s in data["sources"].items()}
    facts = []
    params = {}
    for name, entry in data["parameters"].items():
        keys = _keys(entry, where, ("parameters", name), sources)
        value = entry["value"]
        if name not in ("liquidation_formula", "adl_ranking"):
            value = _number(value, where, ("parameters", name, "value"))
        params[name] = value
        facts.append(_fact("parameters", name, PARAMETER_LABELS[name], _display(name, entry["value"]), entry,
                           keys, sources))
    taker_fee = params["taker_fee"]
    if not taker_fee < 1:
        raise where.error(("parameters", "taker_fee", "value"), "must be below 1 (a fraction: 0.00055 = 0.055%)")
    for name in ("tick_size", "qty_step", "default_leverage"):
        if params[name] <= 0:
            raise where.error(("parameters", name, "value"), "must be greater than 0")
    tiers = {}
    for symbol, table in data["tiers"].items():
        keys = _keys(table, where, ("tiers", symbol), sources)
        tiers[symbol] = _tiers(symbol, table, where, taker_fee)
        facts.append(_fact("tiers", symbol, f"Risk-limit tiers, {symbol}", _tier_text(tiers[symbol]), table,
                           keys, sources))
        if not 1 <= params["default_leverage"] <= tiers[symbol][0].max_leverage:
            raise where.error(("parameters", "default_leverage", "value"),
                              f"must be between 1 and {symbol}'s maximum leverage")
    policies = {}
    for name, entry in data["policies"].items():
        if name not in POLICIES:
            raise where.error(("policies", name), f"unknown policy; known: {', '.join(POLICIES)}")
        keys = _keys(entry, where, ("policies", name), sources)
        policies[name] = Policy(entry["value"], keys, entry["says"], bool(entry.get("assumption")))
        facts.append(_fact("policies", name, POLICIES[name][0].upper() + POLICIES[name][1:],
                           "Yes" if entry["value"] else "No", entry, keys, sources))
    missing = [name for name in POLICIES if name not in policies]
    if missing:
        raise where.error(("policies",), f"policy {missing[0]} is missing; every policy of "
                                         "calculators/model/policies.py needs a value and a source or "
                                         "assumption: true")
    if policies["deficit_to_adl"].value and params.get("adl_ranking") is None:
        raise where.error(("parameters",), "adl_ranking is required when deficit_to_adl is true")
    if policies["deficit_to_adl"].value and policies["deficit_to_wallet"].value:
        raise where.error(("policies", "deficit_to_wallet"), "deficit_to_adl and deficit_to_wallet cannot "
                                                             "both be true; set one to false")
    if not policies["risk_limit_tiers"].value:
        for symbol, rows in tiers.items():
            if len(rows) > 1:
                raise where.error(("tiers", symbol, "rows"), "must have one row when the risk_limit_tiers "
                                                             "policy is false (one margin level for any size)")
    if not policies["debt_interest"].value and params["hourly_interest_rate"] != 0:
        raise where.error(("parameters", "hourly_interest_rate", "value"),
                          "must be 0 when the debt_interest policy is false")
    return Venue(
        id=venue_id, name=data["name"], publisher=data["publisher"], third_party=data["third_party"],
        summary=data["summary"], sources=sources, taker_fee=taker_fee,
        liquidation_formula=params["liquidation_formula"], tick_size=params["tick_size"],
        qty_step=params["qty_step"], default_leverage=params["default_leverage"],
        hourly_interest_rate=params["hourly_interest_rate"], interest_free_amount=params["interest_free_amount"],
        adl_ranking=params.get("adl_ranking"), tiers=tiers, policies=policies, _facts=tuple(facts),
    )


def venue_of(venue):
    """``venue`` itself if it is a :class:`Venue`, else the loaded profile of that id."""
    if isinstance(venue, Venue):
        return venue
    if venue in VENUES:
        return VENUES[venue]
    return load_venue(venue)


VENUES = {venue_id: load_venue(venue_id) for venue_id in VENUE_IDS}
