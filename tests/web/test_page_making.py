"""The shortcuts the respondents' pages take (issue 15: as fast as before the features of
issues 16 and 18) give what the long way gave."""

from __future__ import annotations

import os
import re

import jinja2
import pytest
from flask import Flask, render_template_string, url_for
from web_helpers import Sorter

from poetq.web import assets
from poetq.web.i18n import Translator
from poetq.web.templating import Environment


@pytest.mark.parametrize("name", ["label", "items", "get", "keys", "values", "__class__",
                                  "__len__", "__dict__", "missing", "none"])
def test_a_dict_value_is_read_as_jinja_reads_it(name):
    value = {"label": "L", "items": 1, "get": 2, "keys": [3], "none": None}
    ours = Environment(Flask(__name__)).getattr(value, name)
    jinjas = jinja2.Environment().getattr(value, name)
    if isinstance(jinjas, jinja2.Undefined):
        assert isinstance(ours, jinja2.Undefined)
    else:
        assert ours == jinjas


def test_a_page_reads_a_dict_s_methods_and_items(app):
    with app.test_request_context("/"):
        page = render_template_string(
            "{{ d.label }} {{ d.items()|list|length }} {{ d.get('label') }} [{{ d.nothing }}]",
            d={"label": "L", "get": "not this"})
    assert page == "L 2 L []"


@pytest.mark.parametrize("value, shown", [(1, "1"), (True, "True"), (1.0, "1.0"), ("1", "1")])
def test_a_remembered_sentence_is_the_one_made_for_that_value(value, shown):
    t = Translator({"n": "n = {n}"})
    for v in (1, True, 1.0, "1"):  # equal keys for a dict: each must still print as itself
        t("n", n=v)
    assert t("n", n=value) == f"n = {shown}"
    assert t("n", n=[1]) == "n = [1]"  # an unhashable value: made each time


def test_static_url_is_url_for_static(app):
    with app.test_request_context("/", base_url="http://localhost/poetq"):
        first = render_template_string("{{ static_url('poetq.css') }}")
        assert first == url_for("static", filename="poetq.css")
        assert first.startswith("/poetq/static/poetq.css?v=")
    with app.test_request_context("/"):  # another script root: its own address
        assert render_template_string("{{ static_url('poetq.css') }}").startswith("/static/")


def test_an_edited_file_gets_a_new_address(tmp_path, monkeypatch):
    app = Flask(__name__, static_folder=str(tmp_path), static_url_path="/static")
    assets.init_app(app)
    style = tmp_path / "a.css"
    style.write_text("a {}")
    address = "{{ static_url('a.css') }}"
    with app.test_request_context("/"):
        old = render_template_string(address)
        style.write_text("b {}")
        os.utime(style, (1, 1))
        assert render_template_string(address) == old  # looked at once a second at most
        monkeypatch.setattr(assets, "RECHECK", 0.0)
        new = render_template_string(address)
    assert new != old and new.startswith("/static/a.css?v=")
    client = app.test_client()
    with client.get(new) as response:
        assert "immutable" in response.headers["Cache-Control"]
    with client.get(old) as response:  # the old hash: the file is not what it named
        assert "immutable" not in response.headers.get("Cache-Control", "")


def _overview(page: str) -> tuple[int, int, int, list[str]]:
    """(cells shaded agree, disagree, filled; the label of the current column)"""
    current = re.findall(r'<li class="pcol current">.*?<span class="plabel"[^>]*>([^<]+)<',
                         page, re.S)
    return (page.count('class="pc agree"'), page.count('class="pc disagree"'),
            page.count('class="pc filled"'), current)


def test_each_page_shows_its_own_grid_overview(app, jc_study):
    # the overviews are drawn once and kept: each state must still get its own
    one, two = (Sorter(app.test_client()).start("/s/joint-commissioning") for _ in range(2))
    one.post(pile="agree")
    one.post(pile="agree")
    two.post(pile="disagree")
    assert _overview(one.page) == (2, 0, 0, [])
    assert _overview(two.page) == (0, 1, 0, [])
    two.post(pile="agree")
    assert _overview(two.page) == (1, 1, 0, [])
    for i in range(38):
        one.post(pile="agree" if i < 13 else "neutral" if i < 23 else "disagree")
    assert one.stage == "ranking"
    filled = []
    while one.stage == "ranking":
        heading = re.search(r"<h1>Column ([^<:]+)", one.page).group(1)
        agree, disagree, cells, current = _overview(one.page)
        assert current == [heading] and agree == disagree == 0
        filled.append(cells)
        one.post(**{one.ranking_action(): one.candidates()[0]})
    assert filled == sorted(filled) and len(set(filled)) > 10  # grew as the ranking went on
