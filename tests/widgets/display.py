"""What the widget should show, computed in Python, and how to type into and read a widget page.

The display rule (widgets.js ``formatNumber``, built on ``toFixed``): the output's decimals, rounding the
exact binary value of the float (so 0.015, a hair below, shows 0.01, as in Python) with exact ties going
away from zero; comma thousands separators; never ``-0``; nothing at or above 1e21; the unit after a space,
``%`` directly after the number; lists joined by ", "; records as ``(a, b, c)``. Its Python twin is
``scripts.calcform.display_value`` (the build writes the no-script results with it); :func:`display` is it.
"""

from __future__ import annotations

from scripts.calcform import EMPTY, display_value

__all__ = ["EMPTY", "display", "enter_and_read", "expected_outputs", "field_message", "read_widget", "type_inputs"]

display = display_value  # one Python formatter for the build's HTML and the browser tests' expectations


def in_words(spec: dict, text: str) -> str:
    """A formula message with every input name replaced by its label (mid-sentence: lower-case first
    letter unless the label starts with an acronym), as widgets.js ``inWords`` does."""
    import re

    for item in sorted(spec["inputs"], key=lambda item: -len(item["name"])):
        label = item["label"]
        word = label[0].lower() + label[1:] if re.match(r"[A-Z][a-z]", label) else label
        text = re.sub(r"\b" + re.escape(item["name"]) + r"\b", word, text)
    return text


def field_message(spec: dict, message: str) -> tuple[str, str]:
    """(input name, text shown under that field) for a formula's ValueError message."""
    name = message.split(" ")[0]
    label = next(item["label"] for item in spec["inputs"] if item["name"] == name)
    return name, label + in_words(spec, message[len(name):]) + "."


def expected_outputs(spec: dict, result: dict) -> dict[str, str] | None:
    """Output name -> text for a Python result; None if any output cannot be shown."""
    shown = {output["name"]: display(result[output["name"]], output) for output in spec["outputs"]}
    return None if None in shown.values() else shown


def type_inputs(page, spec: dict, texts: dict[str, str], root: str = ".mn-calc") -> None:
    """Type each input's text into the widget like a reader: fill boxes, click choices."""
    for item in spec["inputs"]:
        name = item["name"]
        if name not in texts:
            continue
        if item["kind"] == "choice":
            radio = page.locator(f'{root} input[name="{name}"][value="{texts[name]}"]')
            if radio.count():
                radio.check()
            else:
                page.locator(f'{root} select[name="{name}"]').select_option(texts[name])
        else:
            page.locator(f'{root} [name="{name}"]').fill(texts[name])


READ_WIDGET = """(root) => {
  const node = document.querySelector(root);
  const outputs = {}, values = {}, errors = {}, inputs = {};
  node.querySelectorAll('[data-output]').forEach(el => {
    outputs[el.dataset.output] = el.textContent;
    values[el.dataset.output] = el.hasAttribute('data-value') ? JSON.parse(el.dataset.value) : null;
  });
  node.querySelectorAll('[data-field]').forEach(field => {
    errors[field.dataset.field] = field.querySelector('.mn-calc__error').textContent;
    const controls = field.querySelectorAll('[name]');
    const checked = field.querySelector('[name]:checked');
    inputs[field.dataset.field] = checked ? checked.value : controls[0].value;
  });
  const invalid = Array.from(node.querySelectorAll('[aria-invalid="true"]')).map(el => el.name);
  return {outputs, values, errors, inputs, invalid, text: node.innerText,
          form_error: node.querySelector('.mn-calc__error--form').textContent};
}"""


def read_widget(page, root: str = ".mn-calc") -> dict:
    """Outputs (text and raw value), field errors, input values and the widget's whole visible text."""
    return page.evaluate(READ_WIDGET, root)


ENTER_AND_READ = """([root, texts]) => {
  const form = document.querySelector(root + ' form');
  for (const [name, text] of Object.entries(texts)) {
    const radio = Array.from(form.querySelectorAll('input[type=radio]'))
      .find(input => input.name === name && input.value === text);
    if (radio) { radio.click(); continue; }
    const control = form.elements[name];
    control.value = text;
    control.dispatchEvent(new Event(control.tagName === 'SELECT' ? 'change' : 'input', {bubbles: true}));
  }
  return (""" + READ_WIDGET + """)(root);
}"""


def enter_and_read(page, texts: dict[str, str], root: str = ".mn-calc") -> dict:
    """Batch version of :func:`type_inputs` + :func:`read_widget` in one round trip: sets each control's
    value and fires the same input/change event typing fires (radios are clicked)."""
    return page.evaluate(ENTER_AND_READ, [root, texts])
