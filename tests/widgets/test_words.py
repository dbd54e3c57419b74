"""Words, not ids, in the built site: calculator pages show labels and the widget's own start values,
categories link their calculators, (search and its acronyms: test_search.py)."""

from __future__ import annotations

import html
import re

from scripts import calcform
from scripts.pipeline import calcpages

from .strategies import SPECS


def _article(built_site, path: str) -> str:
    text = (built_site / path / "index.html").read_text(encoding="utf-8")
    return text.split("<article", 1)[1].split("</article>", 1)[0]


def _plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_the_inputs_table_shows_the_values_the_widget_starts_with(built_site):
    for calc_id, spec in SPECS.items():
        article = _article(built_site, f"calculators/{calc_id}")
        widget = article.split('<div class="mn-calc"', 1)[1].split("<noscript>", 1)[0]
        table = article.split("<th>Starts at</th>", 1)[1].split("</table>", 1)[0]
        cells = [" ".join(_plain(cell).split()) for cell in re.findall(r"<td>(.*?)</td>", table)]
        starts = dict(zip(cells[0::3], cells[2::3]))
        for item in spec["inputs"]:
            label = item["label"] + (f" ({item['unit']})" if item.get("unit") else "")
            if item["kind"] == "choice":
                checked = re.search(rf'name="{item["name"]}" value="([^"]+)" checked', widget)[1]
                assert starts[label] == calcform.choice_word(item, checked), (calc_id, label)
            elif item["kind"] == "list":
                box = re.search(rf'<textarea[^>]*name="{item["name"]}"[^>]*>([^<]*)</textarea>', widget)[1]
                assert starts[label] == html.unescape(box), (calc_id, label)
            else:
                box = re.search(rf'<input[^>]*name="{item["name"]}"[^>]*value="([^"]*)"', widget)[1]
                assert starts[label] == html.unescape(box), (calc_id, label)


def test_calculator_pages_speak_in_labels_not_input_names(built_site):
    for calc_id, spec in SPECS.items():
        article = _article(built_site, f"calculators/{calc_id}")
        # the author-facing names live in code (the fence) and in the "Input names" box only
        reader_part = re.sub(r"<(code|pre)[^>]*>.*?</\1>", " ", article, flags=re.S)
        reader_part = re.sub(r'<details class="note">.*?</details>', " ", reader_part, flags=re.S)
        reader_part = re.sub(r"<[^>]+>", " ", reader_part)  # attributes (name="...") are not read
        names = [item["name"] for item in spec["inputs"] + spec["outputs"] if "_" in item["name"]]
        leaked = [name for name in names if re.search(rf"\b{name}\b", reader_part)]
        assert leaked == [], calc_id
        for choice in (c for item in spec["inputs"] if item["kind"] == "choice" for c in item["choices"]):
            assert f">{calcform.choice_word({}, choice)}<" in article or choice not in calcform.CHOICE_WORDS


def test_categories_link_their_calculators_and_only_say_empty_when_they_are(built_site):
    categories = re.findall(r'href="([a-z-]+)/"', _article(built_site, "categories"))
    assert categories
    for category_id in categories:
        article = _article(built_site, f"categories/{category_id}")
        expected = calcpages.category_calculators(category_id)
        for spec in expected:
            assert f'href="../../calculators/{spec["id"]}/"' in article, (category_id, spec["id"])
        if expected:
            assert "No entries yet" not in _plain(article), category_id
    assert all(calcpages.CATEGORIES.get(calc_id) for calc_id in SPECS), "every calculator sits in a category"
