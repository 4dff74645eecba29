"""HTMLQ / easy-htmlq: settings XML both ways, and the semicolon results CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests_helpers import interop_dir

from poetq.domain import Grid, QSet, Statement
from poetq.errors import ValidationError
from poetq.formats.htmlq import (
    parse_results_csv,
    read_map_xml,
    read_results_csv,
    read_settings,
    read_statements_xml,
    write_results_csv,
    write_settings,
)
from poetq.formats.sorts_csv import read_sorts_csv

TESTS = Path(__file__).resolve().parent.parent
INTEROP = interop_dir()
LIPSET = read_sorts_csv(TESTS / "data" / "lipset" / "sorts.csv")

# The FlashQ PHP back end's shape (built here: the real example holds personal data).
RESULTS = (
    "sid;uid;s1;s2;s3;s4;s5;npos;nneu;nneg;form0;comment1;dur0;datetime;\n"
    "1;anna;+1; 0;-1; 0;+0;2;1;2;42;(s1) yes;120;2024-01-02 10:00:00;\n"
    "2;;-1; 0;+1; 0; 0;1;2;2;;;99;2024-01-02 11:00:00;\n"
)


def test_htmlq_demo_settings():
    qset = read_settings(INTEROP / "htmlq")
    assert len(qset.statements) == 14  # the XML comment's example statements are not counted
    assert qset.grid == Grid((-2, -1, 0, 1, 2), (2, 3, 4, 3, 2))
    assert qset.statements[0].id == "s1"
    assert qset.title == "Name of your study"


def test_eq_web_sort_settings_agree_with_qsortpattern():
    grid = read_map_xml(INTEROP / "eq-web-sort" / "map.xml")
    assert grid == Grid.symmetric([2, 3, 4, 5, 5, 5, 4, 3, 2])
    assert len(read_statements_xml(INTEROP / "eq-web-sort" / "statements.xml")) == 33


def test_settings_round_trip(tmp_path):
    qset = QSet(
        slug="demo",
        title="Zoë & <friends>",
        statements=(
            Statement("a", "Cars & bikes"),
            Statement("b", "私は"),
            Statement("c", "Less <is> more"),
        ),
        grid=Grid((-1, 0, 1), (1, 1, 1)),
    )
    written = write_settings(qset, tmp_path / "settings")
    assert [p.name for p in written] == ["statements.xml", "map.xml", "config.xml"]
    assert '<column id="+1"' in (tmp_path / "settings" / "map.xml").read_text(encoding="utf-8")
    back = read_settings(tmp_path / "settings")
    assert back.title == qset.title and back.grid == qset.grid
    assert [s.text for s in back.statements] == [s.text for s in qset.statements]


def test_results_csv_shape(tmp_path):
    table = parse_results_csv(RESULTS)
    assert table.sort_ids == ("anna", "2") and table.statement_ids == ("s1", "s2", "s3", "s4", "s5")
    np.testing.assert_array_equal(table.values[:, 0], [1, 0, -1, 0, 0])
    np.testing.assert_array_equal(table.values[:, 1], [-1, 0, 1, 0, 0])


def test_results_round_trip(tmp_path):
    write_results_csv(LIPSET, tmp_path / "r.csv")
    first = (tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()
    assert first[0].startswith("sid;uid;s1;s2;") and first[0].endswith(";")
    assert first[1].startswith("1;US1;-1;0;-2;")
    back = read_results_csv(tmp_path / "r.csv")
    assert back.sort_ids == LIPSET.sort_ids
    np.testing.assert_array_equal(back.values, LIPSET.values)


@pytest.mark.parametrize("text,message", [
    ("", "is empty"),
    ("a;b;c;\n1;2;3;\n", "no statement columns"),
    ("sid;uid;s1;s2;\n1;x;+1;\n", "statement s2 has no score"),
])
def test_bad_results(text, message):
    with pytest.raises(ValidationError, match=message):
        parse_results_csv(text)


def test_bad_map(tmp_path):
    (tmp_path / "map.xml").write_text('<map><column id="x">2</column></map>', encoding="utf-8")
    with pytest.raises(ValidationError, match="not a whole number"):
        read_map_xml(tmp_path / "map.xml")
    (tmp_path / "map.xml").write_text("<statements/>", encoding="utf-8")
    with pytest.raises(ValidationError, match="root is <statements>"):
        read_map_xml(tmp_path / "map.xml")
