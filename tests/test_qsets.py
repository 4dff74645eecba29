"""Q-set files: the shipped sets, every problem the checker reports, and the TOML writer."""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poetq import qsets
from poetq.domain import QUESTION_KINDS, STAGES, Grid, QSet, Question, Statement
from poetq.errors import NotFoundError, ValidationError
from poetq.qsets import (
    Problem,
    check_qset_file,
    dump_qset,
    list_shipped_qsets,
    load_qset,
    parse_qset,
    shipped_qsets_dir,
    toml_string,
)
from poetq.qsets.check import check_text

ROOT = Path(__file__).resolve().parent.parent
STATEMENTS = ROOT / "statements"
SHIPPED = sorted(p for p in STATEMENTS.glob("*.toml") if not p.name.endswith(".viewpoints.toml"))

MINIMAL = '''\
title = "Commuting"

[grid]
counts = [1, 2, 1]

[[statements]]
id = "c1"
text = "My journey is the best part of my day."

[[statements]]
id = "c2"
text = "I would work from home every day if I could."

[[statements]]
id = "c3"
text = "Traffic makes me anxious."

[[statements]]
id = "c4"
text = "I use the time to read or think."
'''


def problems_in(text: str) -> list[Problem]:
    return check_text(text, "q.toml", "q")[1]


def lines_of(text: str, fragment: str) -> list[int]:
    """1-based numbers of the lines containing ``fragment``."""
    return [i for i, line in enumerate(text.split("\n"), 1) if fragment in line]


def line_of(text: str, fragment: str) -> int:
    return lines_of(text, fragment)[0]


def only_problem(text: str) -> Problem:
    found = problems_in(text)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


# -- the shipped Q-sets ------------------------------------------------------------------------


def test_the_three_qsets_ship():
    assert {p.stem for p in SHIPPED} >= {"joint-commissioning", "co-production", "lipset"}
    assert shipped_qsets_dir() == STATEMENTS
    assert list_shipped_qsets() == SHIPPED


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_file_has_no_problems(path):
    assert check_qset_file(path) == []
    qset = load_qset(path)
    assert qset.slug == path.stem
    assert len({s.text for s in qset.statements}) == len(qset.statements), "repeated text"
    assert set(qset.texts) == set(STAGES), "every stage has a text"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_file_round_trips(path):
    qset = load_qset(path)
    assert parse_qset(dump_qset(qset)) == qset


def test_the_package_holds_an_identical_copy_of_statements():
    copy = ROOT / "poetq" / "_statements"
    wanted = {p.name: p.read_bytes() for p in STATEMENTS.iterdir() if p.suffix in (".toml", ".md")}
    have = {p.name: p.read_bytes() for p in copy.iterdir() if p.suffix in (".toml", ".md")}
    stale = sorted(set(wanted) ^ set(have) | {n for n in wanted if have.get(n) != wanted[n]})
    assert not stale, (
        f"poetq/_statements is out of date ({', '.join(stale)}): "
        "cp statements/*.toml statements/README.md poetq/_statements/"
    )


def test_joint_commissioning():
    qset = load_qset(STATEMENTS / "joint-commissioning.toml")
    assert qset.statement_ids == tuple(f"jc{i:02d}" for i in range(1, 41))
    assert qset.grid == Grid(tuple(range(-4, 5)), (2, 3, 4, 6, 10, 6, 4, 3, 2))
    assert qset.condition.startswith(
        "Sort these statements according to what you think joint commissioning should achieve"
    )
    assert {q.kind for q in qset.questions} == set(QUESTION_KINDS)
    years = next(q for q in qset.questions if q.kind == "number")
    assert (years.minimum, years.maximum) == (0, 60)
    assert "[study]" in qset.texts["welcome"] and "[number]" in qset.texts["welcome"]
    assert qset.require_comments


def test_co_production():
    qset = load_qset(STATEMENTS / "co-production.toml")
    assert qset.statement_ids == tuple(f"cp{i:02d}" for i in range(1, 37))
    assert qset.grid.size == 36
    assert qset.grid.values == tuple(range(-4, 5))
    assert len(qset.questions) >= 3


def test_lipset_is_the_reference_data_exactly():
    qset = load_qset(STATEMENTS / "lipset.toml")
    assert qset.statement_ids == tuple(f"sta_{i}" for i in range(1, 34))
    assert qset.grid.counts == (2, 3, 4, 5, 5, 5, 4, 3, 2)
    assert qset.statement("sta_21").text == 'We value the "race for success."'
    assert qset.statement("sta_2").text.endswith("others. ")  # kept as in qmethod's data
    # sha256 of the "id<TAB>text" lines of ../shared/reference/lipset/statements.csv
    digest = hashlib.sha256(
        "\n".join(f"{s.id}\t{s.text}" for s in qset.statements).encode()
    ).hexdigest()
    assert digest == "55ebdc90d8f84c2b81e5d4c3543f7ec1ae51036ebd5b74fa2119da0c01e39462"


# -- defaults -------------------------------------------------------------------------------------


def test_defaults(tmp_path):
    path = tmp_path / "My Commuting Study.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    qset = load_qset(path)
    assert qset.slug == "my-commuting-study"
    assert qset.language == "en"
    assert qset.grid.values == (-1, 0, 1)
    assert qset.grid.labels == ("Most disagree", "Most agree")
    assert (qset.topic, qset.condition, qset.texts, qset.questions) == ("", "", {}, ())
    assert qset.require_comments is False


def test_slug_and_language_from_the_file_win(tmp_path):
    text = 'slug = "commute"\nlanguage = "cy"\n' + MINIMAL
    assert parse_qset(text, default_slug="other").slug == "commute"
    assert parse_qset(text).language == "cy"


def test_a_slug_is_needed_when_there_is_no_file_name():
    with pytest.raises(ValidationError, match=r"<string>: no slug: add slug = "):
        parse_qset(MINIMAL)
    assert parse_qset(MINIMAL, default_slug="commuting").slug == "commuting"


def test_values_are_needed_for_an_even_number_of_columns():
    text = MINIMAL.replace("counts = [1, 2, 1]", "counts = [2, 2]")
    problem = only_problem(text)
    assert problem.message == "2 counts have no middle column: add values = [...] for them"
    fixed = text.replace("counts = [2, 2]", "values = [-1, 1]\ncounts = [2, 2]")
    assert parse_qset(fixed, default_slug="c").grid.values == (-1, 1)


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert load_qset(path).title == "Commuting"


# -- problems: each with its message and its line ------------------------------------------------


def test_toml_syntax_error_has_its_line():
    text = MINIMAL.replace('id = "c3"', 'id "c3"')
    problem = only_problem(text)
    assert problem.line == line_of(text, 'id "c3"')
    assert problem.message.startswith("not valid TOML: Expected '=' after a key")
    assert "(column " in problem.message


def test_unknown_key_suggests_the_right_one():
    text = 'titel = "x"\n' + MINIMAL
    problem = only_problem(text)
    assert (problem.line, problem.where) == (1, "")
    assert problem.message == "unknown key 'titel' (did you mean 'title'?)"


def test_unknown_key_without_suggestion_and_inside_tables():
    text = MINIMAL.replace("counts = [1, 2, 1]", "counts = [1, 2, 1]\nlables = []").replace(
        'id = "c4"', 'id = "c4"\ncolour = "red"'
    )
    found = problems_in(text)
    assert [(p.line, p.where, p.message) for p in found] == [
        (line_of(text, "lables"), "grid", "unknown key 'lables' (did you mean 'labels'?)"),
        (line_of(text, "colour"), "statement 'c4'", "unknown key 'colour'"),
    ]


def test_missing_title():
    text = MINIMAL.replace('title = "Commuting"\n', "")
    problem = only_problem(text)
    assert str(problem) == 'q.toml: no title: add title = "…"'


def test_grid_counts_that_do_not_add_up():
    text = MINIMAL.replace("counts = [1, 2, 1]", "counts = [1, 3, 1]")
    problem = only_problem(text)
    assert problem.line == line_of(text, "counts")
    assert str(problem) == (
        f"q.toml:{problem.line}: grid.counts: the grid counts add up to 5 (1+3+1) but there are "
        "4 statements: change the counts so they add up to 4"
    )


def test_duplicate_statement_id_names_both_lines():
    text = MINIMAL.replace('id = "c3"', 'id = "c2"')
    problem = only_problem(text)
    first = line_of(text, 'id = "c2"')
    second = first + 4
    assert str(problem) == (
        f"q.toml:{second}: statement 'c2': id used more than once (first at line {first})"
    )


def test_empty_statement_text():
    text = MINIMAL.replace('"Traffic makes me anxious."', '"   "')
    problem = only_problem(text)
    assert str(problem) == f"q.toml:{line_of(text, '   ')}: statement 'c3': no text"


def test_statement_without_id_or_text():
    text = MINIMAL.replace('id = "c3"\n', "")
    text = text.replace('text = "I use the time to read or think."\n', "")
    third = line_of(text, "Traffic") - 1
    fourth = line_of(text, 'id = "c4"') - 1
    assert [str(p) for p in problems_in(text)] == [
        f'q.toml:{third}: statement 3: no id: add id = "…"',
        f'q.toml:{fourth}: statement \'c4\': no text: add text = "…"',
    ]


def test_unknown_question_kind():
    text = MINIMAL + '\n[[questions]]\nid = "age"\nkind = "numbr"\nprompt = "Your age?"\n'
    problem = only_problem(text)
    assert problem.line == line_of(text, "numbr")
    assert problem.where == "question 'age'"
    assert problem.message == (
        "unknown kind 'numbr' (did you mean 'number'?): "
        "use one of text, single, multiple, number, likert"
    )


def test_choice_question_without_options():
    text = MINIMAL + '\n[[questions]]\nid = "mode"\nkind = "multiple"\nprompt = "How?"\n'
    problem = only_problem(text)
    assert problem.line == line_of(text, 'kind = "multiple"')
    assert problem.message == "a multiple choice question needs options = [...] (at least 2)"


def test_domain_rules_still_apply_to_questions():
    text = MINIMAL + (
        '\n[[questions]]\nid = "mode"\nkind = "single"\nprompt = "How?"\noptions = ["Car"]\n'
    )
    problem = only_problem(text)
    assert problem.line == line_of(text, "[[questions]]")
    assert problem.message == "question 'mode' (single choice) needs at least 2 options"


def test_keys_that_do_not_fit_the_question_kind():
    text = MINIMAL + (
        '\n[[questions]]\nid = "agree"\nkind = "likert"\nprompt = "Agree?"\n'
        'options = ["Yes", "No"]\nminimum = 1\n'
    )
    messages = [p.message for p in problems_in(text)]
    assert messages == [
        "options are for single and multiple choice questions, not likert; "
        "a likert question takes scale = [...]",
        "minimum and maximum are for number questions, not likert",
    ]


def test_duplicate_question_id():
    q = '\n[[questions]]\nid = "why"\nkind = "text"\nprompt = "Why?"\n'
    text = MINIMAL + q + q
    problem = only_problem(text)
    first, second = lines_of(text, 'id = "why"')
    assert (problem.line, problem.where) == (second, "question 'why'")
    assert problem.message == f"id used more than once (first at line {first})"


def test_unknown_stage_in_texts():
    text = MINIMAL.replace("[grid]", '[texts]\nwelcom = "Hello"\n\n[grid]')
    problem = only_problem(text)
    assert (problem.line, problem.where) == (line_of(text, "welcom"), "texts")
    assert problem.message.startswith(
        "unknown stage 'welcom' (did you mean 'welcome'?): use welcome, "
    )


def test_misspelt_and_misplaced_placeholders():
    text = MINIMAL.replace(
        "[grid]",
        '[texts]\nwelcome = "Sort [numbr] statements for [count] minutes [sic]."\n'
        'extremes = "Explain these [count] statements."\n\n[grid]',
    )
    found = problems_in(text)
    assert [(p.line, p.where, p.message) for p in found] == [
        (4, "texts.welcome", "unknown placeholder [numbr] (did you mean [number]?)"),
        (4, "texts.welcome",
         "[count] is not available here, only in the extremes and questions texts"),
    ]


@pytest.mark.parametrize(
    "old,new,where,message",
    [
        ("counts = [1, 2, 1]", 'counts = ["1", "2", "1"]', "grid.counts",
         "must be a list of whole numbers, but item 1 is text ('1')"),
        ("counts = [1, 2, 1]", 'counts = "1, 2, 1"', "grid.counts",
         "must be a list of whole numbers, not text ('1, 2, 1')"),
        ("counts = [1, 2, 1]", "counts = [1, 2.5, 1]", "grid.counts",
         "must be a list of whole numbers, but item 2 is a number (2.5)"),
        ('title = "Commuting"', "title = 2024", "",
         "title must be text in quotes, not a whole number (2024)"),
        ('id = "c1"', "id = 1", "statement 1", "id must be text in quotes, not a whole number (1)"),
        ('title = "Commuting"', 'title = "Commuting"\nrequire_comments = "yes"', "require_comments",
         "must be true or false, not text ('yes')"),
        ('title = "Commuting"', 'title = "Commuting"\nlanguage = "English"', "language",
         "'English' is not a language tag such as 'en', 'cy' or 'pt-BR'"),
        ('title = "Commuting"', 'title = "Commuting"\nslug = "My Study"', "slug",
         "'My Study' is not valid: use lower-case letters, digits and '-' (at most 64)"),
        ("counts = [1, 2, 1]", 'counts = [1, 2, 1]\nlabels = ["Disagree"]', "grid.labels",
         "give two labels, the left and the right pole, not 1"),
    ],
)
def test_wrong_types_and_values(old, new, where, message):
    text = MINIMAL.replace(old, new)
    problem = only_problem(text)
    assert (problem.where, problem.message) == (where, message)
    assert problem.line == line_of(text, new.split("\n")[-1])


def test_statements_written_as_a_table_instead_of_a_list():
    text = 'title = "x"\n[grid]\ncounts = [1, 1]\nvalues = [0, 1]\n[statements]\nid = "a"\n'
    problem = only_problem(text)
    assert (problem.line, problem.where) == (5, "statements")
    assert problem.message == "must be a list of [[statements]] tables, not a table"


def test_every_problem_is_reported_in_line_order():
    text = (
        MINIMAL.replace('title = "Commuting"', 'titel = "Commuting"')
        .replace("counts = [1, 2, 1]", "counts = [1, 2, 2]")
        .replace('id = "c3"', 'id = "c2"')
        .replace('"I use the time to read or think."', '""')
    )
    found = problems_in(text)
    first, second = lines_of(text, 'id = "c2"')
    assert [p.line for p in found] == [None, 1, 4, second, line_of(text, 'text = ""')]
    assert [p.message.split(":")[0] for p in found] == [
        "no title",
        "unknown key 'titel' (did you mean 'title'?)",
        "the grid counts add up to 5 (1+2+2) but there are 4 statements",
        f"id used more than once (first at line {first})",
        "no text",
    ]


def test_problems_inside_multiline_strings_are_not_mistaken_for_keys():
    text = MINIMAL.replace(
        "[grid]", '[texts]\nwelcome = """\nid = "c1"\ntitle = 3\n"""\n\n[grid]'
    ).replace('id = "c2"', 'id = "c1"')
    problem = only_problem(text)
    first = line_of(text, "My journey") - 1
    assert problem.line == line_of(text, "I would work") - 1
    assert problem.message == f"id used more than once (first at line {first})"


def test_problem_rendering():
    assert str(Problem(57, "statement 'jc12'", "no text", "joint-commissioning.toml")) == (
        "joint-commissioning.toml:57: statement 'jc12': no text"
    )
    assert str(Problem(None, "", "no title", "x.toml")) == "x.toml: no title"
    assert str(Problem(3, "", "oops")) == "<string>:3: oops"


def test_load_qset_raises_one_error_listing_every_problem(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(MINIMAL.replace('title = "Commuting"', "").replace("[1, 2, 1]", "[1, 1, 1]"),
                    encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_qset(path)
    assert info.value.problems == [
        f"{path}: no title: add title = \"…\"",
        f"{path}:4: grid.counts: the grid counts add up to 3 (1+1+1) but there are 4 statements: "
        "change the counts so they add up to 4",
    ]
    assert [str(p) for p in check_qset_file(path)] == info.value.problems


def test_missing_and_undecodable_files(tmp_path):
    with pytest.raises(NotFoundError, match="no such Q-set file: .*nope.toml"):
        load_qset(tmp_path / "nope.toml")
    with pytest.raises(NotFoundError):
        check_qset_file(tmp_path / "nope.toml")
    path = tmp_path / "latin1.toml"
    path.write_bytes(MINIMAL.replace("journey", "caf\xe9").encode("latin-1"))
    assert [str(p) for p in check_qset_file(path)] == [
        f"{path}:{line_of(MINIMAL, 'journey')}: the file is not UTF-8 text: save it as UTF-8"
    ]
    with pytest.raises(ValidationError, match="not UTF-8"):
        load_qset(path)


# -- placeholders ---------------------------------------------------------------------------------


def test_placeholder_values():
    qset = load_qset(STATEMENTS / "joint-commissioning.toml")
    values = qset.placeholder_values("extremes")
    assert values == {
        "study": qset.title, "topic": qset.topic, "number": 40, "left": "Most disagree",
        "right": "Most agree", "min": "-4", "max": "+4", "count": 4,
    }
    assert qset.placeholder_values("questions")["count"] == len(qset.questions)
    assert "count" not in qset.placeholder_values("welcome")
    shown = qset.text_for("ranking", **qset.placeholder_values("ranking"))
    assert "Most disagree on the left (-4)" in shown and "[" not in shown
    with pytest.raises(ValidationError, match="unknown stage 'intro'"):
        qset.placeholder_values("intro")


def test_condition_text_fills_placeholders():
    qset = parse_qset(MINIMAL.replace('title = "Commuting"', 'title = "Commuting"\n'
                                      'condition = "From [left] to [right], [number] cards."'),
                      default_slug="c")
    assert qset.condition_text() == "From Most disagree to Most agree, 4 cards."


# -- the schema README ----------------------------------------------------------------------------


README = (STATEMENTS / "README.md").read_text(encoding="utf-8")


def toml_blocks() -> list[str]:
    return re.findall(r"```toml\n(.*?)```", README, re.S)


def test_readme_minimal_example_is_complete_and_as_described(tmp_path):
    example = toml_blocks()[0]
    path = tmp_path / "commuting.toml"
    path.write_text(example, encoding="utf-8")
    qset = load_qset(path)
    assert qset.slug == "commuting" and qset.language == "en"
    assert qset.grid.values == (-1, 0, 1)
    assert qset.grid.labels == ("Most disagree", "Most agree")


def test_readme_question_examples_cover_every_kind():
    block = next(b for b in toml_blocks() if 'kind = "likert"' in b)
    qset = parse_qset(MINIMAL + "\n" + block, default_slug="c")
    assert [q.kind for q in qset.questions] == list(QUESTION_KINDS)


def test_readme_documents_every_key_stage_and_placeholder():
    for key in qsets.TOP_KEYS + qsets.GRID_KEYS + qsets.STATEMENT_KEYS + qsets.QUESTION_KEYS:
        assert f"`{key}`" in README or f"[{key}]" in README, key
    for stage in STAGES:
        assert f"`{stage}`" in README, stage
    for name in qsets.COMMON_PLACEHOLDERS + ("count",):
        assert f"[{name}]" in README, name


# -- writing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ['plain', 'a "quote"', 'ends with a quote"', '"""', '""""""', 'back\\slash\\', '\\',
     'tab\tstop', 'one\ntwo', 'ends\n', '\n', '\n\nlead', 'crlf\r\nline', 'cr\r',
     '\x00\x1f\x7f\b\f',
     'ünïcødé 日本語 🙂', 'line end \\\nnext', '  spaces  \n  ', 'quote at end of line"\nnext',
     "'''single'''", '\u2028\x85 separators'],
)
def test_toml_string_round_trips(text):
    assert tomllib.loads(f"x = {toml_string(text)}")["x"] == text


def test_long_texts_become_multiline_strings():
    assert toml_string("a\nb") == '"""\na\nb\\\n"""'
    assert toml_string("a\nb\n") == '"""\na\nb\n"""'


def test_string_keys_that_need_quotes():
    qset = parse_qset(MINIMAL, default_slug="c")
    strings = {"next": "Nesaf", "0\n": "", "a b": "x", "": "y", 'say "hi"': "z"}
    odd = QSet(**{**qset.__dict__, "strings": strings})
    text = dump_qset(odd)
    assert "\nnext = " in text and '\n"0\\n" = ""' in text
    assert parse_qset(text) == odd


def test_dump_layout():
    qset = load_qset(STATEMENTS / "joint-commissioning.toml")
    text = dump_qset(qset)
    assert text.startswith('title = "Joint commissioning in health and social care"\nslug = ')
    heads = [line for line in text.split("\n") if line.startswith("[")]
    assert heads[:2] == ["[grid]", "[texts]"]
    assert heads.index("[[questions]]") < heads.index("[[statements]]")
    assert 'welcome = """\nWelcome to [study].\n' in text
    assert 'values = [-4, -3, -2, -1, 0, 1, 2, 3, 4]' in text


def _chars():
    special = st.sampled_from(['"', "\\", "\n", "\r", "\t", "'", "\x00", "\x7f", "\u2028", "é",
                               "🙂", " ", "[", "]", "#", "="])
    return st.one_of(special, st.characters(exclude_categories=("Cs",)))


TEXT = st.lists(_chars(), max_size=30).map("".join)
NONBLANK = TEXT.filter(lambda s: s.strip())
# Stage texts without "]": random brackets could spell a near-miss placeholder the checker rejects.
STAGE_TEXT = TEXT.map(lambda s: s.replace("]", ")"))
IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,8}", fullmatch=True)
# Bounds must be finite: the domain refuses inf (it would break JSON storage and backups).
BOUND = st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1),
                  st.floats(allow_nan=False, allow_infinity=False))


@st.composite
def questions(draw) -> Question:
    kind = draw(st.sampled_from(QUESTION_KINDS))
    choices = st.lists(TEXT, min_size=2, max_size=4, unique=True)
    low, high = draw(BOUND), draw(BOUND)
    if low is not None and high is not None and low > high:
        low, high = high, low
    return Question(
        id=draw(IDS),
        kind=kind,
        prompt=draw(NONBLANK),
        required=draw(st.booleans()),
        options=draw(choices) if kind in ("single", "multiple") else (),
        minimum=low if kind == "number" else None,
        maximum=high if kind == "number" else None,
        scale=draw(choices) if kind == "likert" else (),
    )


@st.composite
def any_qset(draw) -> QSet:
    n = draw(st.integers(2, 10))
    ids = draw(st.lists(IDS, min_size=n, max_size=n, unique=True))
    k = draw(st.integers(2, n))
    cuts = sorted(draw(st.sets(st.integers(1, n - 1), min_size=k - 1, max_size=k - 1)))
    counts = [b - a for a, b in zip([0, *cuts], [*cuts, n])]
    values = sorted(draw(st.sets(st.integers(-6, 6), min_size=k, max_size=k)))
    return QSet(
        slug=draw(st.from_regex(r"[a-z0-9][a-z0-9\-]{0,12}", fullmatch=True)),
        title=draw(NONBLANK),
        statements=[Statement(i, draw(NONBLANK)) for i in ids],
        grid=Grid(tuple(values), tuple(counts), (draw(TEXT), draw(TEXT))),
        topic=draw(TEXT),
        condition=draw(STAGE_TEXT),
        texts=draw(st.dictionaries(st.sampled_from(STAGES), STAGE_TEXT)),
        questions=draw(st.lists(questions(), max_size=4, unique_by=lambda q: q.id)),
        language=draw(st.sampled_from(["en", "cy", "ja", "pt-BR", "zh-Hant-TW"])),
        strings=draw(st.dictionaries(TEXT, TEXT, max_size=3)),
        require_comments=draw(st.booleans()),
    )


@settings(deadline=None, max_examples=150)
@given(any_qset())
def test_dump_then_parse_gives_the_same_qset(qset):
    assert parse_qset(dump_qset(qset)) == qset
