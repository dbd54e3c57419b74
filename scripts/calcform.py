"""The calculator widget's HTML, written by the build from the catalogue; widgets.js only wires it up.

Writing the form, the output list (with the results for the start values) and a box of fixed height
for the chart into the page means the page does not move when the script loads, and a reader without
JavaScript still sees the form with a worked example. The number formatting here is the twin of
``formatNumber``/``String(number)`` in ``site-overrides/assets/javascripts/widgets.js``.

DOM contract (widgets.js and the tests rely on it): the root ``.mn-calc[data-calc]`` has an ``id``;
inputs carry ``name="<input>"`` inside ``[data-field="<input>"]`` with one ``.mn-calc__error``;
outputs are ``<output data-output="<output>">``; the sticky summary repeats key outputs in
``[data-summary="<output>"]``; ``.mn-calc__chart[data-chart]`` exists when the calculator has a chart.
"""

from __future__ import annotations

import json
import math
from decimal import ROUND_HALF_UP, Decimal
from html import escape

EMPTY = "\u2014"

# Calculators with a chart in widgets.js (CHARTS there; a browser test compares the two lists).
CHARTS = ("liquidation-price", "gap-loss", "ema", "volume-profile")

# Outputs the compact summary keeps in view on a phone while the reader types (default: the first two).
SUMMARY = {
    "liquidation-price": ("liquidation_price", "distance_pct"),
    "order-cost": ("order_cost",),
    "pnl": ("pnl", "roi_pct"),
    "max-position": ("max_qty",),
    "average-entry": ("average_entry_price",),
    "maintenance-margin": ("maintenance_margin",),
    "gap-loss": ("balance_after", "insurance_fund_covers"),
    "position-size": ("qty", "margin_needed"),
    "ema": ("last",),
    "volume-profile": ("poc", "value_area_low"),
}

# How a choice value reads on the page; a value missing here is shown capitalised.
CHOICE_WORDS = {
    "long": "Long", "short": "Short", "bybit": "Bybit", "binance": "Binance", "isolated": "Isolated",
    "cross": "Cross", "sma": "Average", "first": "First price",
}


def choice_word(spec_input: dict, value: str) -> str:
    """The words a choice value is shown as (the catalogue's ``choice_labels`` first, if it has them)."""
    labels = spec_input.get("choice_labels") or {}
    if value in labels:
        return labels[value]
    return CHOICE_WORDS.get(value) or str(value).replace("_", " ").replace("-", " ").capitalize()


def format_number(value: float, decimals: int) -> str:
    """Fixed decimals with thousands separators; exact ties away from zero; never ``-0`` (widgets.js twin)."""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:,.{decimals}f}"


def with_unit(text: str, unit: str | None) -> str:
    """``12.5%``, ``3 USDT`` or the text alone."""
    if not unit:
        return text
    return text + "%" if unit == "%" else f"{text} {unit}"


def display_value(value, output: dict) -> str | None:
    """The text of one output as the widget shows it, or None when it cannot be shown."""
    decimals = output["decimals"]
    if isinstance(value, list):
        parts = [display_value(item, {"decimals": decimals}) for item in value]
        if None in parts:
            return None
        return with_unit(", ".join(parts), output.get("unit") if parts else None)
    if isinstance(value, dict):
        parts = [display_value(item, {"decimals": decimals}) for item in value.values()]
        return None if None in parts else "(" + ", ".join(parts) + ")"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not abs(value) < 1e21:
        return None
    return with_unit(format_number(float(value), decimals), output.get("unit"))


def js_number(value) -> str:
    """A number as JavaScript's ``String(number)`` writes it: ``20000``, ``0.005``, ``0.00001``, ``1e-7``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" not in text:
        return text
    if 1e-6 <= abs(value) < 1e21:
        return format(Decimal(text), "f")
    mantissa, exponent = text.split("e")
    return f"{mantissa}e{'-' if exponent.startswith('-') else '+'}{int(exponent.lstrip('+-'))}"


def value_text(value) -> str:
    """What an input box shows for a value (lists joined by ``, ``), like widgets.js ``valueText``."""
    if isinstance(value, (list, tuple)):
        return ", ".join(js_number(item) for item in value)
    return js_number(value)


def plain_number(value) -> str:
    """A limit as the help text shows it: shortest digits, thousands separators (widgets.js twin)."""
    text = js_number(value)
    if "e" in text.lower():
        return text
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    return sign + f"{int(whole):,}" + ("." + fraction if fraction else "")


def _unit_suffix(unit: str | None) -> str:
    return f" {unit}" if unit and unit != "%" else (unit or "")


def limits_text(spec_input: dict) -> str:
    """``above 0 USDT, below 1`` for the help line."""
    unit, parts = _unit_suffix(spec_input.get("unit")), []
    if spec_input.get("min") is not None:
        word = "above " if spec_input.get("min_exclusive") else "from "
        parts.append(word + plain_number(spec_input["min"]) + unit)
    if spec_input.get("max") is not None:
        word = "below " if spec_input.get("max_exclusive") else "up to "
        parts.append(word + plain_number(spec_input["max"]) + unit)
    return ", ".join(parts)


def help_text(spec_input: dict) -> str:
    """The help line under a field: the catalogue's help and the allowed range."""
    limits = limits_text(spec_input)
    return " ".join(part for part in (spec_input.get("help"), f"Allowed: {limits}." if limits else "") if part)


def start_values(spec: dict, defaults: dict) -> dict:
    """The values the widget opens with: the catalogue's defaults, then the page's fence defaults."""
    return {item["name"]: defaults.get(item["name"], item["default"]) for item in spec["inputs"]}


def compute(spec: dict, values: dict) -> dict | None:
    """The Python results for ``values``, or None when the formula refuses them."""
    from calculators import catalogue

    try:
        return catalogue.compute(spec["id"], values)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None


def _attrs(**attrs) -> str:
    out = []
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        out.append(f" {name}" if value is True else f' {name}="{escape(str(value), quote=True)}"')
    return "".join(out)


def _field(uid: str, item: dict, value) -> str:
    name = item["name"]
    field_id = f"{uid}-{name}"
    described = f"{field_id}-help {field_id}-error"
    help_html = f'<p class="mn-calc__help" id="{field_id}-help">{escape(help_text(item))}</p>'
    error_html = f'<p class="mn-calc__error" id="{field_id}-error" aria-live="polite"></p>'
    label = escape(item["label"])
    if item["kind"] == "choice" and len(item["choices"]) <= 4:
        options = "".join(
            f'<label class="mn-calc__segment"><input{_attrs(type="radio", name=name, value=choice, checked=choice == value, aria_describedby=described)}>'
            f"<span>{escape(choice_word(item, choice))}</span></label>"
            for choice in item["choices"])
        return (f'<fieldset class="mn-calc__field mn-calc__field--choice" data-field="{escape(name)}">'
                f'<legend class="mn-calc__label">{label}</legend><div class="mn-calc__segmented">{options}</div>'
                f"{help_html}{error_html}</fieldset>")
    if item["kind"] == "choice":
        options = "".join(f'<option{_attrs(value=choice, selected=choice == value)}>{escape(choice_word(item, choice))}</option>'
                          for choice in item["choices"])
        control = f'<select{_attrs(id=field_id, name=name, aria_describedby=described)}>{options}</select>'
    elif item["kind"] == "list":
        control = (f'<textarea{_attrs(id=field_id, name=name, rows="3", spellcheck="false", autocomplete="off", aria_describedby=described)}>'
                   f"{escape(value_text(value))}</textarea>")
    else:
        control = (f'<input{_attrs(id=field_id, name=name, type="text", inputmode="decimal", autocomplete="off", spellcheck="false", value=value_text(value), aria_describedby=described)}>')
    unit = item.get("unit")
    unit_html = f'<span class="mn-calc__unit" aria-hidden="true">{escape(unit)}</span>' if unit else ""
    sr_unit = f'<span class="mn-sr"> ({escape(unit)})</span>' if unit else ""
    return (f'<div class="mn-calc__field mn-calc__field--{item["kind"]}" data-field="{escape(name)}">'
            f'<label class="mn-calc__label" for="{field_id}">{label}{sr_unit}</label>'
            f'<div class="mn-calc__control">{control}{unit_html}</div>{help_html}{error_html}</div>')


PRESET_HELP = ("Fills fee rates and the risk-limit table from the venue's sourced profile and checks its leverage "
               "and risk limits; values you type afterwards still count.")


def _preset_field(uid: str, spec: dict) -> str:
    """The venue preset select (catalogue ``presets``), if the calculator offers any. No ``name`` and no
    ``data-field``: the preset is not an input; permalinks and embeds carry the values it fills."""
    presets = spec.get("presets") or []
    if not presets:
        return ""
    field_id = f"{uid}-venue"
    options = '<option value="">None: type every value</option>' + "".join(
        f'<option value="{escape(preset["id"])}">{escape(preset["label"])}</option>' for preset in presets)
    return (f'<div class="mn-calc__field mn-calc__preset"><label class="mn-calc__label" for="{field_id}">Venue preset</label>'
            f'<div class="mn-calc__control"><select id="{field_id}" aria-describedby="{field_id}-help">{options}</select></div>'
            f'<p class="mn-calc__help" id="{field_id}-help">{escape(PRESET_HELP)}</p></div>')


def _outputs(spec: dict, result: dict | None) -> str:
    rows = []
    for output in spec["outputs"]:
        raw = result.get(output["name"]) if result else None
        text = display_value(raw, output) if result else None
        value = f' data-value="{escape(json.dumps(raw), quote=True)}"' if text is not None else ""
        rows.append(f'<div class="mn-calc__output mn-calc__output--{output["kind"]}"><dt>{escape(output["label"])}</dt>'
                    f'<dd><output data-output="{escape(output["name"])}"{value}>{escape(text or EMPTY)}</output></dd></div>')
    return '<dl class="mn-calc__outputs">' + "".join(rows) + "</dl>"


def summary_outputs(spec: dict) -> list[dict]:
    """The outputs the sticky summary repeats, most important first (:data:`SUMMARY`)."""
    wanted = SUMMARY.get(spec["id"]) or tuple(output["name"] for output in spec["outputs"][:2])
    by_name = {output["name"]: output for output in spec["outputs"]}
    return [by_name[name] for name in wanted if name in by_name] or spec["outputs"][:1]


def _summary(spec: dict, result: dict | None) -> str:
    parts = []
    for output in summary_outputs(spec):
        text = display_value(result.get(output["name"]), output) if result else None
        parts.append(f'<span class="mn-calc__summary-item"><span>{escape(output["label"])}</span> '
                     f'<b data-summary="{escape(output["name"])}">{escape(text or EMPTY)}</b></span>')
    return ('<div class="mn-calc__sticky"><p class="mn-calc__summary" aria-hidden="true">'
            + "".join(parts) + "</p></div>")


def widget_html(spec: dict, defaults: dict, uid: str, market_price: float | None = None,
                embed: bool = False) -> str:
    """The whole widget for ``spec`` opened at ``defaults`` (the fence's), with element ids from ``uid``."""
    values = start_values(spec, defaults)
    result = compute(spec, values)
    attrs = _attrs(class_="mn-calc", id=uid, data_calc=spec["id"],
                   data_defaults=json.dumps(defaults, separators=(",", ":")),
                   data_market_price=repr(market_price) if market_price is not None else None,
                   data_embed=embed)
    title_tag = "h1" if embed else "p"
    chart = ""
    if spec["id"] in CHARTS:
        chart = (f'<figure class="mn-calc__chart" data-chart="{escape(spec["id"])}">'
                 '<p class="mn-calc__chart-note">The chart appears once every field holds a valid value.</p></figure>')
    fields = _preset_field(uid, spec) + "".join(_field(uid, item, values[item["name"]]) for item in spec["inputs"])
    buttons = ['<button type="button" class="md-button" data-action="reset">Reset</button>',
               '<button type="button" class="md-button" data-action="permalink">Copy link</button>']
    if not embed:
        buttons += ['<button type="button" class="md-button" data-action="embed">Copy embed code</button>',
                    '<button type="button" class="md-button" data-action="fence">Copy Markdown fence</button>']
    return (
        f"<div{attrs}>"
        f'<{title_tag} class="mn-calc__title" id="{uid}-title">{escape(spec["title"])}</{title_tag}>'
        f'<div class="mn-calc__body">{_summary(spec, result)}'
        f'<div class="mn-calc__results" role="group" aria-label="Results">{_outputs(spec, result)}'
        '<p class="mn-calc__error mn-calc__error--form" aria-live="polite"></p>'
        f"{chart}</div>"
        f'<form class="mn-calc__form" novalidate aria-labelledby="{uid}-title">{fields}</form>'
        "</div>"
        '<noscript><p class="mn-calc__noscript">JavaScript is off, so the results above are a worked example '
        "for the values in the form; the formula is on the calculator's page.</p></noscript>"
        f'<div class="mn-calc__actions">{"".join(buttons)}</div>'
        '<p class="mn-calc__status" role="status"></p>'
        "</div>"
    )
