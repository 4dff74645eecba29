"""Every public callable of poetq.analysis has a numpydoc docstring (STYLE.md, habit 3).

Checked for each public function, class, method and property defined in a module of
``poetq.analysis``: a one-line summary; a ``Parameters`` section naming exactly the arguments
of the signature (``self``/``cls`` aside; a dataclass's fields under ``Attributes``); a
``Returns`` (or ``Yields``) section when the code returns a value; a ``Raises`` section naming
each poetq error the body raises itself; and, for the functions that compute (every module but
the options record, its text forms and the thread limit), a ``Notes`` section for the formula
and the R equivalent. Written by hand (numpydoc's own validator needs Sphinx).
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import importlib
import inspect
import re
import textwrap
from pathlib import Path

import pytest

import poetq.analysis
import poetq.errors

ANALYSIS = Path(poetq.analysis.__file__).resolve().parent
#: Modules whose functions compute something a Notes section should give the formula of.
NO_NOTES = {"options", "option_text", "threads"}
ERRORS = {name for name, obj in vars(poetq.errors).items()
          if inspect.isclass(obj) and issubclass(obj, Exception)}
_HEADER = re.compile(r"^(\w[\w ]*)\n-+$", re.M)
_ENTRY = re.compile(r"^(\*{0,2}\w+(?:\s*,\s*\*{0,2}\w+)*)\s*(?::.*)?$")


def sections(doc: str) -> dict[str, str]:
    """``{"Parameters": body, ...}`` of a cleaned docstring; ``""`` holds the text before."""
    out: dict[str, str] = {}
    name, start = "", 0
    for m in _HEADER.finditer(doc):
        if len(m.group(0).split("\n")[1]) != len(m.group(1)):
            continue
        out[name] = doc[start:m.start()]
        name, start = m.group(1), m.end()
    out[name] = doc[start:]
    return out


def entries(body: str) -> list[str]:
    """The names a Parameters/Attributes/Raises section lists (lines without indentation)."""
    names: list[str] = []
    for line in body.split("\n"):
        if line and not line[0].isspace():
            m = _ENTRY.match(line)
            if m:
                names += [n.strip() for n in m.group(1).split(",")]
    return names


def _own_nodes(fn: ast.AST):
    """The nodes of a function's body, not of the functions and classes nested in it."""
    todo = list(ast.iter_child_nodes(fn))
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        yield node
        todo.extend(ast.iter_child_nodes(node))


def _syntax(fn) -> ast.AST | None:
    try:
        source = textwrap.dedent(inspect.getsource(inspect.unwrap(fn)))
    except (OSError, TypeError):
        return None
    tree = ast.parse(source)
    return tree.body[0] if tree.body else None


def returns_value(fn) -> bool:
    node = _syntax(fn)
    return node is not None and any(
        isinstance(n, (ast.Return, ast.Yield)) and n.value is not None for n in _own_nodes(node))


def errors_raised(fn) -> set[str]:
    """Names of poetq errors the function's own body raises (``raise ValidationError(...)``)."""
    node = _syntax(fn)
    found: set[str] = set()
    for n in _own_nodes(node) if node is not None else ():
        if isinstance(n, ast.Raise) and n.exc is not None:
            exc = n.exc.func if isinstance(n.exc, ast.Call) else n.exc
            if isinstance(exc, ast.Name) and exc.id in ERRORS:
                found.add(exc.id)
    return found


def parameters(fn) -> list[str]:
    names = []
    for p in inspect.signature(fn).parameters.values():
        if p.name in ("self", "cls"):
            continue
        prefix = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
        names.append(prefix + p.name)
    return names


def problems_of(obj, *, notes: bool = False, kind: str = "function") -> list[str]:
    """What the docstring of a function, method, property or class lacks (empty when fine)."""
    doc = inspect.cleandoc(obj.__doc__ or "") if kind == "property" else inspect.getdoc(obj)
    if not doc or not doc.strip():
        return ["no docstring"]
    lines = doc.split("\n")
    out = []
    if len(lines) > 1 and lines[1].strip():
        out.append("the summary is longer than one line")
    if kind == "property":
        return out
    parts = sections(doc)
    if kind == "class":
        if dataclasses.is_dataclass(obj):
            listed = entries(parts.get("Attributes", "")) + entries(parts.get("Parameters", ""))
            missing = [f.name for f in dataclasses.fields(obj) if f.name not in listed]
            if missing:
                out.append(f"Attributes do not describe {', '.join(missing)}")
        return out
    wanted = parameters(obj)
    if wanted or "Parameters" in parts:
        listed = entries(parts.get("Parameters", ""))
        if listed != wanted:
            out.append(f"Parameters list {listed}, the signature has {wanted}")
    if returns_value(obj) and not ({"Returns", "Yields"} & set(parts)):
        out.append("no Returns section")
    unnamed = errors_raised(obj) - set(entries(parts.get("Raises", "")))
    if unnamed:
        out.append(f"Raises does not name {', '.join(sorted(unnamed))}")
    if notes and "Notes" not in parts:
        out.append("no Notes section (the formula, the R equivalent)")
    return out


def public_callables():
    """``(qualified name, object, kind, notes wanted)`` of every public callable."""
    for path in sorted(ANALYSIS.glob("*.py")):
        if path.stem.startswith("_"):
            continue
        module = importlib.import_module(f"poetq.analysis.{path.stem}")
        notes = path.stem not in NO_NOTES
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj):
                yield f"{module.__name__}.{name}", obj, "function", notes
            elif inspect.isclass(obj):
                yield f"{module.__name__}.{name}", obj, "class", False
                for attr, member in vars(obj).items():
                    if attr.startswith("_"):
                        continue
                    where = f"{module.__name__}.{name}.{attr}"
                    if isinstance(member, (property, functools.cached_property)):
                        yield where, member, "property", False
                    elif isinstance(member, (classmethod, staticmethod)):
                        yield where, member.__func__, "function", False
                    elif inspect.isfunction(member):
                        yield where, member, "function", False


CALLABLES = list(public_callables())


def test_the_walk_finds_the_analysis():
    names = {name for name, *_ in CALLABLES}
    assert {"poetq.analysis.pipeline.analyse", "poetq.analysis.scores.zscores",
            "poetq.analysis.bootstrap.bootstrap", "poetq.analysis.result.AnalysisResult",
            "poetq.analysis.bootstrap.BootstrapResult.zscore_stats"} <= names
    assert len(CALLABLES) > 60


@pytest.mark.parametrize("name,obj,kind,notes", CALLABLES, ids=[c[0] for c in CALLABLES])
def test_numpydoc(name, obj, kind, notes):
    assert problems_of(obj, kind=kind, notes=notes) == []


def test_the_check_can_fail():
    """Each rule fails on a docstring that breaks it."""

    def undocumented(sorts, n_factors):
        return sorts

    def half_documented(sorts, *, cor="pearson"):
        """Correlate the sorts.

        Parameters
        ----------
        sorts : ndarray of shape (n_statements, n_sorts)
        """
        return sorts

    def raises(x):
        """Check x.

        Parameters
        ----------
        x : int

        Returns
        -------
        int
        """
        if x < 0:
            raise ValidationError("negative")  # noqa: F821 (only parsed, never run)
        return x

    def long_summary():
        """A summary that goes on
        to a second line."""

    @dataclasses.dataclass
    class Result:
        """A result.

        Attributes
        ----------
        loadings : ndarray
        """

        loadings: object
        flags: object

    assert problems_of(undocumented) == ["no docstring"]
    assert problems_of(half_documented, notes=True) == [
        "Parameters list ['sorts'], the signature has ['sorts', 'cor']",
        "no Returns section",
        "no Notes section (the formula, the R equivalent)",
    ]
    assert problems_of(raises) == ["Raises does not name ValidationError"]
    assert problems_of(long_summary) == ["the summary is longer than one line"]
    assert problems_of(Result, kind="class") == ["Attributes do not describe flags"]
