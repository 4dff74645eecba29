"""One respondent step goes down the layers once (issue 15: the pre-sort POST used to cross
11 files and change layer 17 times, 8 of them back up).

A profiler hook records every call of poetq code while one pre-sort answer is posted, and
the test checks what ``docs/architecture.md`` says of that walk: which modules it runs, in
which layers, and that no call ever goes back up a layer (a store function calling back into
a service, a service into the web). The request hooks every route shares (session, request
log, security headers, the connection's teardown) are left out: they are the app's, not the
step's.
"""

from __future__ import annotations

import sys
from pathlib import Path

from web_helpers import Sorter

import poetq

ROOT = Path(poetq.__file__).parent

#: Layer of each package on the step's path: a call may stay in its layer or go down.
LAYERS = {"web": 0, "services": 1, "store": 2, "flow": 2, "domain": 3, "errors": 3}

#: The step's own modules (docs/architecture.md, "One respondent step").
WALK = {
    "web/respond.py", "web/respond_forms.py", "web/db.py",
    "services/steps.py",
    "flow/actions.py", "flow/sorting.py", "flow/state.py",
    "store/responses.py", "store/models.py", "store/db.py",
}


def _module(path: str) -> str | None:
    return path[len(str(ROOT)) + 1:] if path.startswith(str(ROOT)) else None


def _layer(module: str) -> int:
    return LAYERS[module.split("/")[0]]


def walk_of_one_presort_post(client) -> tuple[list[str], list[tuple[str, str]]]:
    """(modules in the order the step first calls them, calls that go up a layer)."""
    sorter = Sorter(client).start("/s/joint-commissioning")
    for _ in range(2):  # the compiled statements and the Q-set cache are warm, as in service
        sorter.post(pile="agree")
    order: list[str] = []
    upward: list[tuple[str, str]] = []
    inside = [0]

    def hook(frame, event, arg):
        if event != "call":
            if event == "return" and frame.f_code.co_name == "step" and inside[0] and \
                    _module(frame.f_code.co_filename) == "web/respond.py":
                inside[0] -= 1
            return
        module = _module(frame.f_code.co_filename)
        if module == "web/respond.py" and frame.f_code.co_name == "step":
            inside[0] += 1
        if not inside[0] or module is None:
            return
        if module not in order:
            order.append(module)
        caller = frame.f_back  # the nearest poetq frame below (SQLAlchemy calls column types)
        while caller is not None and _module(caller.f_code.co_filename) is None:
            caller = caller.f_back
        if caller is not None:
            below = _module(caller.f_code.co_filename)
            if _layer(module) < _layer(below):
                upward.append((below, module))

    sys.setprofile(hook)
    try:
        sorter.post(pile="agree")
    finally:
        sys.setprofile(None)
    return order, upward


def test_a_presort_post_goes_down_the_layers_once(client, jc_study):
    order, upward = walk_of_one_presort_post(client)
    assert order[:1] == ["web/respond.py"]
    assert set(order) <= WALK, f"the step now also runs {sorted(set(order) - WALK)}"
    assert {"services/steps.py", "flow/actions.py", "store/responses.py"} <= set(order)
    assert upward == [], f"calls back up a layer: {upward}"


def test_the_check_can_fail(monkeypatch, client, jc_study):
    """A store function calling back into a service (as the retry wrapper once did) is seen."""
    from poetq.services import steps
    from poetq.store import responses

    original = responses.response_by_code

    def calls_up(connection, code):
        steps.plausible(code)  # a call from the store up into the services
        return original(connection, code)

    monkeypatch.setattr(responses, "response_by_code", calls_up)
    calls_up.__code__ = calls_up.__code__.replace(co_filename=responses.__file__)
    _, upward = walk_of_one_presort_post(client)
    assert ("store/responses.py", "services/steps.py") in upward
