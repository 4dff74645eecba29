"""Static files with fingerprinted addresses, cached by browsers for a year.

Every ``url_for("static", filename=...)`` gets ``?v=<hash of the file's content>``
(a URL default, so templates need no change). A request carrying the current hash is
answered with ``Cache-Control: public, max-age=31536000, immutable``: a respondent's browser
fetches poetq.css and poetq.js once per release instead of re-validating them on every
step. Any other request for a static file (an old or missing hash) is answered as before
(revalidated), so a stale page never keeps a stale file for a year.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from flask import Flask, request

#: One year: the longest lifetime browsers honour.
LONG_MAX_AGE = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    folder = app.static_folder or ""
    hashes: dict[str, tuple[float, str]] = {}

    def fingerprint(filename: str) -> str | None:
        path = os.path.join(folder, filename)
        try:
            mtime = os.stat(path).st_mtime
        except OSError:
            return None
        hit = hashes.get(filename)
        if hit is None or hit[0] != mtime:  # changed on disk (development): hashed again
            with open(path, "rb") as fh:
                hit = hashes[filename] = (mtime, hashlib.sha256(fh.read()).hexdigest()[:12])
        return hit[1]

    @app.url_defaults
    def _fingerprinted(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = fingerprint(values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def _long_cache(response):
        if request.endpoint == "static" and response.status_code in (200, 304):
            given = request.args.get("v")
            if given and given == fingerprint(request.view_args.get("filename", "")):
                response.headers["Cache-Control"] = f"public, max-age={LONG_MAX_AGE}, immutable"
        return response
