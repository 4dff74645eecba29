"""Engine and session factories, the default database location, and migrations.

The database is chosen, first match wins, by an explicit URL, the ``DATABASE_URL``
environment variable, or the embedded SQLite default at :func:`default_sqlite_path`
(``$POETQ_HOME/poetq.sqlite3``, where ``POETQ_HOME`` defaults to
``$XDG_DATA_HOME/poetq`` or ``~/.local/share/poetq``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from poetq.errors import PoetqError, StateError, ValidationError
from poetq.paths import home_dir

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def default_sqlite_path() -> Path:
    return home_dir() / "poetq.sqlite3"


def resolve_url(url: str | None = None) -> str:
    """The database URL to use; ``postgres://`` URLs are mapped to psycopg 3."""
    url = url or os.environ.get("DATABASE_URL") or ""
    if not url:
        return f"sqlite:///{default_sqlite_path()}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def describe_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid URL>"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


#: A worker uses at most two connections per thread at once (one kept for respondents'
#: pages, see :class:`HeldConnections`, and one for a researcher's page); the pool's cap
#: leaves room for ``--threads`` up to 20.
_POOL = {"pool_size": 10, "max_overflow": 30}


def _create_private(path: Path) -> None:
    """Make the SQLite file readable by its owner only (0600) before SQLite creates it 0644;
    its -wal and -shm files take the same mode. An existing file is left as it is."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def make_engine(url: str | None = None, *, create_dir: bool = False) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout."""
    url = resolve_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValidationError(
            f"database URL {url!r} is not valid: use e.g. sqlite:///path/poetq.sqlite3 "
            "or postgresql://user:pass@host/db"
        ) from None
    # Error messages and logs show the SQL but never its parameters: those are respondents'
    # answers, resume codes and whole Q-sets.
    kwargs: dict = {"hide_parameters": True}
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:":
            path = Path(db)
            if create_dir:
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                _create_private(path)
            elif not path.parent.exists():
                raise StateError(
                    f"no database at {path}: run `poetq init` first"
                )
            kwargs.update(_POOL)
        kwargs["connect_args"] = {"timeout": 10}
    else:
        kwargs["pool_pre_ping"] = True
        kwargs.update(_POOL)
    try:
        engine = create_engine(url, **kwargs)
    except ModuleNotFoundError as exc:
        raise PoetqError(
            f"the driver for {parsed.get_backend_name()} is not installed ({exc.name}): "
            "pip install 'poetq[postgres]'"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class HeldConnections:
    """Core connections kept open from one request to the next (the respondents' hot path).

    Checking a connection out of SQLAlchemy's pool and back in costs more CPU than the
    queries of a respondent's step (and a round trip per checkout on PostgreSQL, which
    pings). :meth:`get` hands out a kept connection, :meth:`put` takes it back. A
    connection that met a database error is dropped (it may be broken, or hold a setting
    of the failure). :meth:`Engine.dispose` closes the kept connections too (and one in
    use at that moment is dropped when it comes back); :meth:`close` closes them, at the
    latest when the owner is collected. On PostgreSQL they run in autocommit mode (no
    BEGIN/COMMIT round trips); psycopg prepares a statement on the server after its fifth
    use on a connection, so the page's SELECT and the step's UPDATE run prepared.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self._free: list[tuple[int, Connection]] = []  # append/pop are atomic
        self._out: dict[int, int] = {}  # id of a connection in use -> its generation
        self._generation = 0  # one more at each Engine.dispose
        event.listen(engine, "handle_error", _mark_failed)
        event.listen(engine, "engine_disposed", self._disposed)

    def _disposed(self, _engine: Engine) -> None:
        self._generation += 1
        self.close()

    def get(self) -> Connection:
        while True:
            try:
                generation, connection = self._free.pop()
            except IndexError:
                generation, connection = self._generation, self._connect()
            if generation == self._generation and not connection.invalidated:
                self._out[id(connection)] = generation
                return connection
            _drop(connection)

    def _connect(self) -> Connection:
        connection = self.engine.connect()
        if connection.dialect.name == "postgresql":
            # Every write of the respondents' path is one UPDATE guarded by the response's
            # version, atomic on its own; outside a transaction a page costs one round trip
            # (its SELECT) and a step two, instead of BEGIN ... COMMIT/ROLLBACK around them.
            connection.execution_options(isolation_level="AUTOCOMMIT")
        return connection

    def put(self, connection: Connection) -> None:
        """Take a connection back (rolled back, if a transaction is still open)."""
        generation = self._out.pop(id(connection), None)
        try:
            if (generation == self._generation and not connection.info.pop(_FAILED, False)
                    and not connection.invalidated):
                if connection.in_transaction():
                    connection.rollback()
                self._free.append((generation, connection))
                return
        except Exception:  # noqa: BLE001 - a broken connection is simply dropped
            pass
        _drop(connection)

    def close(self) -> None:
        while self._free:
            _drop(self._free.pop()[1])


def _drop(connection: Connection) -> None:
    """Close the driver's connection itself (not back to a pool that may be gone)."""
    try:
        connection.invalidate()
    except Exception:  # noqa: BLE001 - already broken or closed
        pass
    connection.close()


_FAILED = "poetq_failed"


def _mark_failed(context) -> None:
    if context.connection is not None:
        try:
            context.connection.info[_FAILED] = True
        except Exception:  # noqa: BLE001 - an invalidated connection has no info
            pass


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextlib.contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits if the block succeeds and rolls back otherwise."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _alembic_config(engine: Engine):
    # Alembic (0.4 s here) only where the schema is checked or upgraded, never for a query.
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory  # Alembic only for the schema, as above

    return ScriptDirectory.from_config(_alembic_config(None)).get_current_head()  # type: ignore[arg-type]


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext  # as above

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Create or upgrade the schema to the newest migration; return (before, after)."""
    from alembic import command  # as above

    before = current_revision(engine)
    command.upgrade(_alembic_config(engine), "head")
    return before, head_revision()


def check_schema(engine: Engine) -> None:
    """Raise a helpful error unless the database is set up and up to date."""
    try:
        current = current_revision(engine)
    except OperationalError as exc:
        raise StateError(
            f"cannot open the database {describe_url(str(engine.url))}: {exc.orig}"
        ) from None
    if current is None:
        if inspect(engine).get_table_names():
            raise StateError("the database has tables poetq did not make: use another database")
        raise StateError(
            f"the database {describe_url(str(engine.url))} is not set up yet: run `poetq init`"
        )
    if current != head_revision():
        raise StateError("the database schema is out of date: run `poetq init` to upgrade it")


#: PostgreSQL SQLSTATEs worth a retry: serialization failure, deadlock, lock not available.
_RETRY_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


def is_transient(exc: BaseException) -> bool:
    """Whether a database error may go away if the same transaction is simply run again.

    SQLite: ``database is locked`` / ``database table is locked`` (another writer held the
    lock for longer than the busy timeout). PostgreSQL: serialization failures, deadlocks
    and lock timeouts, and connections dropped by a restarting server.
    """
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if sqlstate in _RETRY_SQLSTATES:
        return True
    if exc.connection_invalidated:
        return True
    message = str(orig).lower()
    return "database is locked" in message or "database table is locked" in message


def is_unavailable(exc: BaseException) -> bool:
    """Whether the database cannot take this request now, through no fault of the request.

    True for transient errors (see :func:`is_transient`) and for a database that is
    read-only, out of disk space, shutting down or unreachable; False for errors of the
    request itself, such as constraint violations.
    """
    if not isinstance(exc, DBAPIError):
        return False
    if is_transient(exc) or isinstance(exc, OperationalError):
        return True
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or ""
    message = str(orig).lower()
    return (sqlstate == "25006" or sqlstate[:2] in ("08", "53", "57")
            or "readonly database" in message or "disk is full" in message)
