"""Bounded input: Q-set sizes and nesting, [strings] as plain placeholders, column values."""

from __future__ import annotations

import time

import pytest

from poetq.domain import MAX_STATEMENTS, Grid, QSet, Statement
from poetq.errors import ValidationError
from poetq.qsets import parse_qset


def _toml(n: int, *, text: str = "S", values: str = "[-1, 0, 1]", extra: str = "") -> str:
    statements = "".join(f'[[statements]]\nid = "s{i}"\ntext = "{text} {i}"\n' for i in range(n))
    counts = [n // 3, n - 2 * (n // 3), n // 3]
    return (f'title = "x"\nslug = "x"\n{extra}\n{statements}'
            f"[grid]\nvalues = {values}\ncounts = {counts}\n")


def test_a_qset_of_the_largest_size_is_read_and_one_more_is_refused():
    assert len(parse_qset(_toml(MAX_STATEMENTS)).statements) == MAX_STATEMENTS
    with pytest.raises(ValidationError, match=f"at most {MAX_STATEMENTS} statements"):
        parse_qset(_toml(MAX_STATEMENTS + 1))


@pytest.mark.parametrize("toml,message", [
    (_toml(3, text="x" * 2_001), "at most 2,000"),
    (_toml(3, values="[-1, 0, 99999999999999999999]"), "out of range|not a whole number"),
    (_toml(3, values="[-1, 0, 999]"), "out of range"),
    (_toml(3, extra='condition = "' + "w" * 20_001 + '"'), "at most 20,000"),
    (_toml(3, extra="deep = " + "[" * 5_000 + "]" * 5_000), "nested too deeply"),
    ("x = 1\n" * 400_000, "characters"),
])
def test_oversized_or_deeply_nested_qsets_are_refused_in_one_line(toml, message):
    with pytest.raises(ValidationError, match=message) as info:
        parse_qset(toml)
    assert all("\n" not in p for p in info.value.problems)


def test_column_values_out_of_range_are_refused_in_imported_sorts(tmp_path):
    from poetq.formats import registry

    path = tmp_path / "kenq.csv"
    path.write_text("participants,s1,s2,s3\np1,-1,0,99999999999999999999\n")
    with pytest.raises(ValidationError, match="line 2 .*out of range"):
        registry.read_sorts(path, "kenq-csv")
    with pytest.raises(ValidationError, match="out of range"):
        Grid((-1, 0, 10**20), (1, 1, 1))


@pytest.mark.parametrize("template", [
    "{code.__class__}", "{code.__class__.__init__.__globals__}", "{code:>99999999}",
    "{code!r:>9999999}", "{0}", "{}", "{code[0]}",
])
def test_strings_are_plain_placeholders_never_format_specs(template):
    from poetq.web.i18n import Translator

    t = Translator({"resume_code": template})
    started = time.perf_counter()
    out = t("resume_code", code="ABC")
    assert time.perf_counter() - started < 0.05
    assert out == template  # shown as written: nothing looked up, nothing padded
    assert Translator({"resume_code": "Code: {code} {{code}}"})("resume_code", code="ABC") == \
        "Code: ABC {code}"


def test_previewing_the_largest_qset_takes_bounded_time():
    """5,000 statements took 12-127 s; the largest Q-set now allowed takes about 1 s a page."""
    from poetq.services.study_admin import PREVIEW_STAGES, preview_state

    qset = QSet(slug="big", title="Big", grid=Grid((-1, 0, 1), (166, 168, 166)),
                statements=tuple(Statement(f"s{i}", f"Statement {i} " * 20) for i in range(500)))
    started = time.perf_counter()
    for stage in PREVIEW_STAGES:
        preview_state(qset, stage)
    assert time.perf_counter() - started < 15
