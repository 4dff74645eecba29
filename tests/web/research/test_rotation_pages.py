"""Judgmental rotation in the browser: the numbers of --rotate, undo/redo exact, pair kept."""

from __future__ import annotations

import html
import json
import re

import pytest
from research_helpers import add_finished

from poetq.cli import cli


@pytest.fixture
def study(session, ada_study):
    add_finished(session, ada_study, 30, seed=7)  # > 25: labels only because asked
    session.commit()
    return ada_study


def loadings(page: str) -> dict[tuple[str, int], float]:
    return {(s, int(f)): float(v) for v, s, f in re.findall(
        r'data-value="([^"]+)" data-sort="([^"]+)" data-factor="(\d+)"', page)}


def link(page: str, element_id: str) -> str:
    return html.unescape(re.search(rf'href="([^"]+)" id="{element_id}"', page).group(1))


def test_browser_rotations_equal_rotate_and_undo_redo_are_exact(ada_client, study, runner):
    base = f"/research/studies/{study.slug}/analysis"
    start = ada_client.get(f"{base}?factors=3").text
    # two steps through the rotation form (a, b, angle), as a researcher does
    one = ada_client.get(f"{base}?factors=3&a=1&b=3&angle=20").text
    two = ada_client.get(f"{base}?factors=3&rot=1,3,20&a=2&b=3&angle=-7.5").text
    cli_run = runner.invoke(cli, ["analyse", study.slug, "--factors", "3", "--rotate", "1,3,20",
                                  "--rotate", "2,3,-7.5", "--json"])
    assert cli_run.exit_code == 0, cli_run.output
    want = json.loads(cli_run.output)
    assert loadings(two) == {(s, f + 1): v for j, s in enumerate(want["sort_ids"])
                             for f, v in enumerate(want["loadings"][j])}
    assert loadings(two) != loadings(one) != loadings(start)
    # the history is listed in order, the pair of the last step is kept
    assert re.findall(r"<li>f(\d) and f(\d) by ([^°]+)°</li>", two) == [
        ("1", "3", "+20"),
        ("2", "3", "-7.5"),
    ]
    assert re.search(
        r"<option selected>2</option>", two.split('id="rot-a"')[1].split("</select>")[0]
    )
    assert re.search(
        r"<option selected>3</option>", two.split('id="rot-b"')[1].split("</select>")[0]
    )
    assert "pair=2,3" in html.unescape(two.split('id="loadings-plot" src="')[1].split('"')[0])
    # undo gives back the previous numbers exactly, twice, then redo goes forward again
    undone = ada_client.get(link(two, "rotation-undo")).text
    assert loadings(undone) == loadings(one)
    undone2 = ada_client.get(link(undone, "rotation-undo")).text
    assert loadings(undone2) == loadings(start) and 'id="rotation-undo"' not in undone2
    redone = ada_client.get(link(undone2, "rotation-redo")).text
    assert loadings(redone) == loadings(one)
    redone2 = ada_client.get(link(redone, "rotation-redo")).text
    assert loadings(redone2) == loadings(two) and 'id="rotation-redo"' not in redone2
    # the plot labels every sort
    svg = ada_client.get(link_img(two))
    assert svg.status_code == 200
    assert all(s in svg.text for s in want["sort_ids"])


def link_img(page: str) -> str:
    return html.unescape(page.split('id="loadings-plot" src="')[1].split('"')[0])
