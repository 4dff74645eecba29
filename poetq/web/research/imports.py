"""Sorts from other Q tools into a study in the browser: upload, preview, then import.

The preview stores nothing; the confirmation sends the same files again (hidden, base64)
and everything is checked once more before anything is stored, all or nothing.
"""

from __future__ import annotations

import base64
import binascii

from flask import flash, redirect, render_template, request, url_for

from poetq.bidi import isolate_if_needed
from poetq.errors import PoetqError, ValidationError
from poetq.formats import registry
from poetq.services import imports
from poetq.web.db import db
from poetq.web.research import bp
from poetq.web.research.studies import own_study


def _page(study, *, plan=None, problems=(), files=(), fmt="", status=200):
    return render_template(
        "research/import.html",
        title=f"Import sorts: {study.title}",
        study=study,
        plan=plan,
        problems=list(problems),
        files=files,
        fmt=fmt,
        formats=sorted(registry.FORMATS),
        max_kb=imports.MAX_UPLOAD_BYTES // 1024,
    ), status


def _problems(exc: PoetqError, names: dict) -> list[str]:
    """The refusal's lines, each uploaded file named as the researcher named it (the readers
    name the server's temporary copy, which is neither theirs to see nor recognisable)."""
    lines = [str(line) for line in (getattr(exc, "problems", None) or [str(exc)])]
    for path, name in names.items():
        lines = [line.replace(str(path), isolate_if_needed(name)) for line in lines]
    return lines


def _format() -> str | None:
    fmt = request.form.get("format", "").strip()
    if fmt and fmt not in registry.FORMATS:
        raise ValidationError(f"unknown format {fmt!r}: leave it to be guessed, or choose one of "
                              f"{', '.join(sorted(registry.FORMATS))}")
    return fmt or None


@bp.route("/studies/<slug>/import", methods=["GET"])
def import_sorts(slug: str):
    return _page(own_study(slug))


@bp.route("/studies/<slug>/import", methods=["POST"])
def preview_import(slug: str):
    study = own_study(slug)
    files = []
    for upload in request.files.getlist("files"):
        try:  # a large upload is spooled to a temporary file: close it at once
            if upload.filename:
                files.append((upload.filename, upload.read(imports.MAX_UPLOAD_BYTES + 1)))
        finally:
            upload.close()
    names: dict = {}
    try:
        fmt = _format()
        with imports.uploaded(files) as (paths, names):
            plan = imports.plan_import(db(), study.slug, paths, format=fmt, names=names)
    except PoetqError as exc:
        return _page(study, problems=_problems(exc, names), status=400)
    carried = [(name, base64.b64encode(data).decode("ascii")) for name, data in files]
    return _page(study, plan=plan, files=carried, fmt=fmt or "")


@bp.route("/studies/<slug>/import/confirm", methods=["POST"])
def confirm_import(slug: str):
    study = own_study(slug)
    names, blobs = request.form.getlist("name"), request.form.getlist("data")
    shown: dict = {}
    try:
        if not names or len(names) != len(blobs):
            raise ValidationError("the files to import are missing: upload them again")
        try:
            files = [(n, base64.b64decode(b, validate=True)) for n, b in zip(names, blobs)]
        except (binascii.Error, ValueError):
            raise ValidationError("the files to import are damaged: upload them again") from None
        fmt = _format()
        with imports.uploaded(files) as (paths, shown):
            plan = imports.import_into_study(db(), study.slug, paths, format=fmt, names=shown)
        db().commit()
    except PoetqError as exc:
        db().rollback()
        return _page(study, problems=_problems(exc, shown), status=400)
    flash(f"Imported {plan.new} sorts"
          + (f"; {plan.duplicates} were already in the study and were skipped." if plan.duplicates
             else "."), "info")
    return redirect(url_for("research.responses", slug=slug))
