"""An :class:`~poetq.analysis.AnalysisOptions` record to and from an address's query string.

Each field is read under its metadata's ``query`` name (default its own name) with the
same ``parse`` the CLI uses, so an option added to the record reaches the browser's form
without a change here. Manual flags travel as ``flags=manual`` with ``flag=F:SORT`` per
flagged sort; a new by-hand rotation as ``a``, ``b`` and ``angle`` (the rotation form).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from poetq.analysis.option_text import parse_rotation
from poetq.analysis.options import MAX_ROTATIONS, AnalysisOptions, default_of, option_fields
from poetq.errors import ValidationError

#: The browser answers within a request: fewer factors than the CLI allows.
MAX_FACTORS = 12


@dataclass(frozen=True)
class FormField:
    """One option of the analysis form (``kind``: number, select, checkbox, hidden)."""

    name: str
    label: str
    kind: str
    value: Any
    choices: tuple[str, ...] = ()
    help: str = ""
    values: tuple[str, ...] = field(default=())


def _query_name(f) -> str:
    return f.metadata["query"] or f.name


def _text(f, value) -> str:
    show = f.metadata["show"]
    return show(value) if show else (f"{value:g}" if isinstance(value, float) else str(value))


def parse_query(args: MultiDict) -> tuple[dict[str, Any], list[str]]:
    """The option values an address gives (``factors`` may be missing) and its problems."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for f in option_fields():
        md = f.metadata
        if md["cli"] is None:
            continue
        name = _query_name(f)
        if f.name == "factors":
            raw = (args.get(name) or "").strip()
            if raw:
                if raw.isdigit() and 1 <= int(raw) <= MAX_FACTORS:
                    values["factors"] = int(raw)
                else:
                    problems.append(
                        f"number of factors: give a whole number from 1 to {MAX_FACTORS}"
                    )
            continue
        if md["flag"]:
            values[f.name] = args.get(name) in ("1", "on", "true")
            continue
        if md["repeat"]:
            texts = [t for t in args.getlist(name)[:MAX_ROTATIONS] if t.strip()]
        else:
            raw = args.get(name)
            if raw in (None, ""):
                continue
            texts = [raw]
        if md["choices"]:
            if texts[0] not in md["choices"]:
                problems.append(f"{name}: choose one of {', '.join(md['choices'])}")
            else:
                values[f.name] = texts[0]
            continue
        parse = md["parse"] or type(default_of(f))
        parsed = []
        for text in texts:
            try:
                parsed.append(parse(text))
            except ValidationError as exc:
                problems.extend(exc.problems)
            except (TypeError, ValueError):
                problems.append(f"{name}: {text!r} is not understood")
        if parsed:
            values[f.name] = tuple(parsed) if md["repeat"] else parsed[0]
    # the rotation form's new step, after those already in the address; 0° changes nothing
    angle = (args.get("angle") or "").strip()
    if angle and args.get("a") and args.get("b"):
        try:
            step = parse_rotation(f"{args['a']},{args['b']},{angle}")
            values["rotations"] = (*values.get("rotations", ()), step)
        except ValidationError as exc:
            problems.extend(exc.problems)
    values["rotations"] = tuple(r for r in values.get("rotations", ()) if r[2] != 0)
    if args.get("flags") == "manual":
        flags: list[tuple[str, int]] = []
        for item in args.getlist("flag"):
            f_, _, sort_id = item.partition(":")
            if not f_.isdigit() or not sort_id:
                problems.append(f"flag {item!r} is not FACTOR:SORT")
                continue
            flags.append((sort_id, int(f_)))
        values["flags"] = tuple(flags)
    if "factors" in values:
        problems.extend(AnalysisOptions(**values).problems())
    return values, problems


def options_from_query(args: MultiDict) -> AnalysisOptions:
    """The checked options of an address, or a :class:`ValidationError` saying what is wrong."""
    values, problems = parse_query(args)
    if problems:
        raise ValidationError(problems)
    if "factors" not in values:
        raise ValidationError("give the number of factors")
    return AnalysisOptions(**values)


def to_query(o: AnalysisOptions, *, flags: bool = True, rotations: bool = True) -> dict[str, Any]:
    """The query parameters that ask for ``o`` again."""
    q: dict[str, Any] = {}
    for f in option_fields():
        md = f.metadata
        if md["cli"] is None:
            continue
        value = getattr(o, f.name)
        if md["repeat"]:
            if value and (rotations or f.name != "rotations"):
                q[_query_name(f)] = [_text(f, v) for v in value]
        elif md["flag"]:
            if value:
                q[_query_name(f)] = "1"
        elif value is not None:
            q[_query_name(f)] = _text(f, value)
    if flags and o.flags is not None:
        q["flags"] = "manual"
        q["flag"] = [f"{factor}:{s}" for s, factor in o.flags]
    return q


def form_fields(values: dict[str, Any]) -> list[FormField]:
    """The analysis form's inputs, one per option typed as one value (others travel hidden)."""
    out = []
    for f in option_fields():
        md = f.metadata
        if md["cli"] is None:
            continue
        value = values.get(f.name, default_of(f))
        label = md["label"] or f.name.replace("_", " ").capitalize()
        if f.name == "factors":
            out.append(FormField(_query_name(f), label, "number", value, help=md["help"]))
        elif md["choices"]:
            out.append(FormField(_query_name(f), label, "select", value, md["choices"], md["help"]))
        elif md["flag"]:
            out.append(FormField(_query_name(f), label, "checkbox", bool(value), help=md["help"]))
        elif md["repeat"]:
            out.append(FormField(_query_name(f), label, "hidden", None, help=md["help"],
                                 values=tuple(_text(f, v) for v in value or ())))
        else:
            out.append(FormField(_query_name(f), label, "text",
                                 "" if value is None else _text(f, value), help=md["help"]))
    return out
