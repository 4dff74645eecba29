"""Back up a whole poetq database to one file and restore it, on SQLite or PostgreSQL.

The file is gzip-compressed JSON: the schema revision and every row of every poetq table.
It is portable between backends (back up SQLite, restore into PostgreSQL and back).
A restore goes into an initialised, empty database, in one transaction: it either loads
everything or nothing.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text

from poetq import __version__
from poetq.errors import StateError, ValidationError
from poetq.store.db import check_schema, current_revision
from poetq.store.models import Base

FORMAT = "poetq-backup"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class BackupReport:
    path: Path
    revision: str
    rows: dict[str, int]

    def describe(self, verb: str) -> str:
        total = sum(self.rows.values())
        parts = ", ".join(f"{n} {t}" for t, n in self.rows.items() if n)
        return (
            f"{verb} {total} rows ({parts or 'empty database'}) "
            f"{'to' if verb == 'Saved' else 'from'} {self.path}"
        )


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$dt": value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"$dt"}:
        return dt.datetime.fromisoformat(value["$dt"])
    return value


def backup(engine: Engine, path: str | Path) -> BackupReport:
    """Write every row of every poetq table to ``path`` (gzip JSON)."""
    check_schema(engine)
    path = Path(path)
    tables: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        revision = current_revision(engine)
        for table in Base.metadata.sorted_tables:
            pk = list(table.primary_key.columns)
            rows = conn.execute(select(table).order_by(*pk)).mappings()
            tables[table.name] = [{k: _encode(v) for k, v in row.items()} for row in rows]
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "poetq": __version__,
        "revision": revision,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "tables": tables,
    }
    tmp = path.with_name(path.name + ".partial")
    tmp.unlink(missing_ok=True)
    # owner only (0600), whatever the umask: a backup holds e-mails, password hashes, responses
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with open(fd, "wb") as raw, gzip.open(raw, "wt", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False, allow_nan=False)
    except ValueError:
        tmp.unlink(missing_ok=True)
        raise ValidationError(
            "the database holds a number that is not finite (nan or infinity, from a Q-set "
            "stored before poetq refused them), which no restore could load: fix that study's "
            "question bounds first"
        ) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
    return BackupReport(path, revision or "", {t: len(r) for t, r in tables.items()})


def _read(path: Path) -> dict[str, Any]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            payload = json.load(fh)
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationError(
            f"{path} is not a poetq backup (expected a file made by `poetq backup`)"
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValidationError(
            f"{path} is not a poetq backup (expected a file made by `poetq backup`)"
        )
    if payload.get("format_version") != FORMAT_VERSION:
        raise ValidationError(f"{path} is a backup format this poetq cannot read; upgrade poetq")
    return payload


def restore(engine: Engine, path: str | Path) -> BackupReport:
    """Load a backup into an initialised, empty database, all or nothing."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"no backup file at {path}")
    payload = _read(path)
    check_schema(engine)
    revision = current_revision(engine)
    if payload["revision"] != revision:
        raise StateError(
            f"the backup has schema {payload['revision']} but the database has {revision}: "
            "restore with the poetq version that made the backup, then upgrade"
        )
    known = {t.name: t for t in Base.metadata.sorted_tables}
    unknown = sorted(set(payload["tables"]) - set(known))
    if unknown:
        raise ValidationError(f"the backup holds unknown tables: {', '.join(unknown)}")
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if conn.execute(select(func.count()).select_from(table)).scalar():
                raise StateError(
                    f"the database is not empty (table {table.name} has rows): restore into a new "
                    "database made with `poetq init`"
                )
        for name, table in known.items():
            rows = [{k: _decode(v) for k, v in r.items()} for r in payload["tables"].get(name, [])]
            if rows:
                conn.execute(table.insert(), rows)
            counts[name] = len(rows)
        if conn.dialect.name == "postgresql":
            for name, table in known.items():
                pk = list(table.primary_key.columns)
                if (
                    len(pk) == 1
                    and pk[0].autoincrement is not False
                    and str(pk[0].type) == "INTEGER"
                ):
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', '{pk[0].name}'), "
                            f"COALESCE((SELECT MAX({pk[0].name}) FROM {name}), 0) + 1, false)"
                        )
                    )
    ordered = {t.name: counts.get(t.name, 0) for t in Base.metadata.sorted_tables}
    return BackupReport(path, revision or "", ordered)
