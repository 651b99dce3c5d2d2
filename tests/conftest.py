"""Shared fixtures: a database of its own for each test, on SQLite and on PostgreSQL.

Every test that asks for ``db_url`` (or ``engine``/``seeded``, which build on it) runs twice,
with the ids ``sqlite`` and ``postgresql``:

- ``sqlite``: a new SQLite file under the test's ``tmp_path``;
- ``postgresql``: a schema of this run on the server ``WORKBENCH_TEST_POSTGRES_URL`` names
  (default: the local trust-auth server's database ``test``), empty or, for ``engine``,
  migrated and empty (see :class:`PostgresSchemas`); every schema of the run is dropped at its
  end. The URL itself selects the schema (``?options=-csearch_path%3D<schema>``), so whatever
  opens it, the app's cached engine, Alembic, a `workbench` subprocess, lands there and
  nowhere else.

The PostgreSQL variant is skipped when no server answers, unless WORKBENCH_REQUIRE_POSTGRES=1
(CI), where that is a failure. ``@pytest.mark.backends("sqlite")`` limits a test to the
backends it names, for tests of one backend's own behaviour.

Hypothesis explores new examples on every run on a developer's machine (that is how it
finds the cases nobody thought of); with HYPOTHESIS_PROFILE=ci (set by .ci/run) it draws the
same examples every time, so CI judges the change and not the luck of the draw.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from graphlib import TopologicalSorter
from importlib.resources import as_file, files
from pathlib import Path
from typing import NoReturn

import pytest
from hypothesis import settings
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url

from tests.remembered_logits import remembered_logits
from workbench.db.open import display_url, open_database
from workbench.db.session import dispose_all, forget
from workbench.extract.onnx_model import OnnxCheckworthiness

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

BACKENDS = ("sqlite", "postgresql")
POSTGRES_URL = os.environ.get(
    "WORKBENCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("WORKBENCH_REQUIRE_POSTGRES") == "1"
TESTS = Path(__file__).parent
PREFIX = "wb_test_"  # of every schema a test run makes, followed by the run's id


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "backends(*names): run the database fixtures only on these backends"
    )


@pytest.fixture(autouse=True)
def _score_each_sentence_once(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside tests/extract, the transformer scores a sentence once per run (see
    tests/remembered_logits.py for why that changes no figure)."""
    if "extract" not in request.node.path.relative_to(TESTS).parts[:1]:
        monkeypatch.setattr(OnnxCheckworthiness, "transformer_logits", remembered_logits)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Parametrised here rather than with fixture params so that a `backends` marker can narrow
    # the list without a second, competing parametrisation of the same fixture.
    if "db_url" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("backends")
    names = marker.args if marker else BACKENDS
    unknown = set(names) - set(BACKENDS)
    if unknown:
        raise pytest.UsageError(f"{metafunc.definition.nodeid}: unknown backends {unknown}")
    metafunc.parametrize("db_url", names, indirect=True)


class PostgresSchemas:
    """The schemas of one test run on one PostgreSQL server.

    Creating a schema and migrating it costs some 30 DDL statements, far more than the
    average test; so a test that asks for ``engine`` gets a schema already at head and
    emptied (see :class:`Wipe`), recycled from an earlier test of this run when one is free. A test
    that only asks for ``db_url`` gets an empty schema, as a new SQLite file would be. A
    schema is recycled only if it still has exactly the relations, columns and constraints
    of a fresh migration at head; anything else (a downgrade, a faked newer revision, a
    table a test added) is dropped.

    Schema names carry a per-run prefix, so concurrent runs on one server never meet, and
    the end of the run drops every schema with it.
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = make_url(base_url)
        self.prefix = f"{PREFIX}{uuid.uuid4().hex[:10]}_"
        self._schemas = 0
        self._tests = 0
        self._empty: list[str] = []
        self._clean: list[str] = []  # at head, every table empty
        self._layout: Layout | None = None  # of a schema just migrated to head
        self._wipe = Wipe(tables=[], sequences=[])  # how to empty such a schema
        self._recycle = True
        self._owner: Connection | None = None  # holds the run's advisory lock
        # AUTOCOMMIT: each statement stands alone, and the admin connection never sits idle
        # in a transaction holding locks against the tests' own connections.
        self.admin = create_engine(
            self.base_url,
            isolation_level="AUTOCOMMIT",
            connect_args={"connect_timeout": 5, "application_name": f"{self.prefix}admin"},
        )

    def start(self) -> None:
        """Connect, mark this run as alive, and drop what runs that died left behind.

        A run holds an advisory lock named after its prefix on one connection until it ends;
        a run killed before its teardown loses the lock with its connection, so the next run
        can tell its schemas from those of a run still going, and drop them.
        """
        self._owner = owner = self.admin.connect()
        owner.execute(text("SELECT pg_advisory_lock(:c, :o)"), _lock_key(self.prefix))
        prefixes = owner.scalars(
            text(
                "SELECT DISTINCT substring(nspname FROM :pattern) FROM pg_namespace "
                "WHERE nspname ~ :pattern"
            ),
            {"pattern": f"^{PREFIX}[0-9a-f]{{10}}_"},
        ).all()
        for prefix in prefixes:
            key = _lock_key(prefix)
            # Every connection a run makes is labelled with its prefix: one still open means
            # the run is alive, even if it predates the lock.
            if prefix != self.prefix and owner.scalar(
                text(
                    "SELECT NOT EXISTS (SELECT FROM pg_stat_activity"
                    "  WHERE starts_with(application_name, :prefix))"
                    " AND pg_try_advisory_lock(:c, :o)"
                ),
                {"prefix": prefix, **key},
            ):
                self._drop_prefixed(owner, prefix)
                owner.execute(text("SELECT pg_advisory_unlock(:c, :o)"), key)

    def url(self, schema: str, label: str) -> str:
        """The URL whose connections use ``schema``; ``label`` names them in pg_stat_activity.

        The label also makes each test's URL unique even when its schema is recycled, so
        nothing the app caches by URL (engines, Streamlit resources) outlives a test.
        """
        query = {"options": f"-csearch_path={schema}", "application_name": label}
        return self.base_url.update_query_dict(query).render_as_string(hide_password=False)

    def label(self) -> str:
        self._tests += 1
        return f"{self.prefix}t{self._tests}"

    def empty_schema(self) -> str:
        if self._empty:
            return self._empty.pop()
        self._schemas += 1
        schema = f"{self.prefix}{self._schemas}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        return schema

    def migrated_schema(self) -> str:
        if self._clean:
            return self._clean.pop()
        schema = self.empty_schema()
        url = self.url(schema, f"{self.prefix}migrate")
        try:
            open_database(url)
        finally:
            forget(url)
        if self._layout is None:
            with self.admin.connect() as connection:
                self._layout = _layout(connection, schema)
                self._wipe = Wipe.of(connection, schema)
                # A migration that fills a table (default settings, say) would be undone by
                # the wipe that recycles a schema: then every test migrates its own.
                self._recycle = not self._wipe.has_rows(connection, schema)
        return schema

    def release(self, schema: str, label: str) -> None:
        """After a test: end its stray connections, then recycle or drop its schema."""
        with self.admin.connect() as connection:
            # Engines the test made itself, or a child process still running: their open
            # transactions would make the wipe or DROP wait, so end them. Connections that
            # dispose_all() just closed may still be listed, idle, while their backend exits:
            # only one caught inside a transaction is worth a warning.
            # (In the select list, so it runs only for the rows the WHERE clause keeps.)
            stray = connection.execute(
                text(
                    "SELECT state, pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :label AND pid <> pg_backend_pid()"
                ),
                {"label": label},
            ).all()
            leaked = [row for row in stray if (row[0] or "").startswith("idle in transaction")]
            if leaked:
                warnings.warn(
                    f"test {label} left {len(leaked)} connection(s) inside a transaction",
                    stacklevel=1,
                )
            # Should anything else hold a lock, fail with a message rather than hang.
            connection.execute(text("SET lock_timeout = '20s'"))
            layout = _layout(connection, schema)
            if not layout.fingerprint:
                self._empty.append(schema)
            elif self._recycle and layout == self._layout and len(self._clean) < 2:
                # (Two spare schemas are plenty: tests run one at a time, and a test that
                # migrated its empty schema itself hands back one more than it took.)
                connection.exec_driver_sql(self._wipe.script(schema))
                self._clean.append(schema)
            else:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))

    def finish(self) -> None:
        try:
            with self.admin.connect() as connection:
                self._drop_prefixed(connection, self.prefix)
        finally:
            if self._owner is not None:
                self._owner.close()  # ends the advisory lock with the connection
            self.admin.dispose()

    @staticmethod
    def _drop_prefixed(connection: Connection, prefix: str) -> None:
        left = connection.scalars(
            text("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, :prefix)"),
            {"prefix": prefix},
        ).all()
        for schema in left:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


def _lock_key(prefix: str) -> dict[str, int]:
    """The advisory lock of a run: a class id of our own, and part of the run's id."""
    run_id = prefix.removeprefix(PREFIX)[:7]
    return {"c": 0x77627473, "o": int(run_id, 16)}  # 0x77627473: "wbts"


@dataclass(frozen=True)
class Layout:
    """What a schema holds (its own name taken out, so two schemas compare) and its revision."""

    fingerprint: str  # every relation, column, type and constraint, one a line; "" if empty
    version: str | None


def _layout(connection: Connection, schema: str) -> Layout:
    # One round trip: it runs after every PostgreSQL test.
    row = connection.execute(
        text(
            "SELECT (SELECT coalesce(string_agg(part, E'\\n' ORDER BY part), '') FROM ("
            "  SELECT concat_ws(' ', c.relname, c.relkind, a.attname,"
            "    format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN 'not null' END)"
            "  FROM pg_class c LEFT JOIN pg_attribute a"
            "    ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
            "  WHERE c.relnamespace = CAST(:schema AS regnamespace)"
            "  UNION ALL"
            "  SELECT concat_ws(' ', 'constraint', conname,"
            "    replace(pg_get_constraintdef(oid), :qualifier, ''))"
            "  FROM pg_constraint WHERE connamespace = CAST(:schema AS regnamespace)"
            ") AS parts(part)), to_regclass(:versions) IS NOT NULL"
        ),
        {
            "schema": f'"{schema}"',
            "qualifier": f"{schema}.",
            "versions": f'"{schema}".alembic_version',
        },
    ).one()
    version = None
    if row[1]:
        query = f'SELECT max(version_num) FROM "{schema}".alembic_version'
        version = connection.scalar(text(query))
    return Layout(fingerprint=row[0], version=version)


@dataclass(frozen=True)
class Wipe:
    """How to empty a migrated schema and restart its ids, as if it were freshly migrated.

    DELETE, children first, rather than TRUNCATE: on a test's few hundred rows it is ten
    times faster, as TRUNCATE makes new files for every table and index.
    """

    tables: list[str]  # children before their parents
    sequences: list[str]

    @classmethod
    def of(cls, connection: Connection, schema: str) -> Wipe:
        on = {"schema": f'"{schema}"'}
        tables = connection.scalars(
            text(
                "SELECT relname FROM pg_class WHERE relkind IN ('r', 'p') "
                "AND relnamespace = CAST(:schema AS regnamespace) "
                "AND relname <> 'alembic_version'"
            ),
            on,
        ).all()
        references = connection.execute(
            text(
                "SELECT child.relname, parent.relname FROM pg_constraint k "
                "JOIN pg_class child ON child.oid = k.conrelid "
                "JOIN pg_class parent ON parent.oid = k.confrelid "
                "WHERE k.contype = 'f' AND k.connamespace = CAST(:schema AS regnamespace)"
            ),
            on,
        ).all()
        sequences = connection.scalars(
            text(
                "SELECT relname FROM pg_class "
                "WHERE relkind = 'S' AND relnamespace = CAST(:schema AS regnamespace)"
            ),
            on,
        ).all()
        graph: dict[str, set[str]] = {table: set() for table in tables}
        for child, parent in references:
            if child != parent and child in graph:
                graph[child].add(parent)
        parents_first = list(TopologicalSorter(graph).static_order())
        return cls(tables=parents_first[::-1], sequences=list(sequences))

    def has_rows(self, connection: Connection, schema: str) -> bool:
        checks = [f'EXISTS (SELECT FROM "{schema}"."{table}")' for table in self.tables]
        return bool(checks) and bool(connection.scalar(text(f"SELECT {' OR '.join(checks)}")))

    def script(self, schema: str) -> str:
        statements = [f'DELETE FROM "{schema}"."{table}"' for table in self.tables]
        statements += [f'SELECT setval(\'"{schema}"."{seq}"\', 1, false)' for seq in self.sequences]
        return ";\n".join(statements)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresSchemas]:
    """The PostgreSQL server of this run; skips (or fails, if required) when none answers."""
    where = display_url(POSTGRES_URL)
    try:
        schemas = PostgresSchemas(POSTGRES_URL)  # raises ImportError without psycopg
    except Exception as exc:
        _unavailable(f"cannot use {where}: {exc}")
    try:
        schemas.start()
    except Exception as exc:
        schemas.admin.dispose()
        _unavailable(f"no PostgreSQL server at {where}: {exc}")
    try:
        yield schemas
    finally:
        schemas.finish()


def _unavailable(reason: str) -> NoReturn:
    reason = reason.splitlines()[0]
    if REQUIRE_POSTGRES:
        pytest.fail(f"WORKBENCH_REQUIRE_POSTGRES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database on this test's backend (for ``engine``: already migrated)."""
    if request.param == "sqlite":
        try:
            yield f"sqlite:///{tmp_path / 'workbench.sqlite'}"
        finally:
            dispose_all()
        return
    postgres: PostgresSchemas = request.getfixturevalue("postgres")
    # `engine` will migrate the database anyway: hand it a schema that already is.
    wants_engine = "engine" in request.fixturenames
    schema = postgres.migrated_schema() if wants_engine else postgres.empty_schema()
    label = postgres.label()
    try:
        yield postgres.url(schema, label)
    finally:
        # Close the pooled connections first: they would keep the schema's tables in use.
        dispose_all()
        postgres.release(schema, label)


@pytest.fixture
def backend(db_url: str) -> str:
    """``sqlite`` or ``postgresql``: the backend this test runs on."""
    return make_url(db_url).get_backend_name()


@pytest.fixture
def engine(db_url: str) -> Engine:
    """An empty database with the current schema, migrated by Alembic."""
    return open_database(db_url)


@pytest.fixture
def sample_dir() -> Iterator[Path]:
    with as_file(files("workbench") / "sample_data") as path:
        yield Path(path)


@pytest.fixture
def seeded(engine: Engine, sample_dir: Path) -> Engine:
    """The database after `workbench ingest` of the five sample articles."""
    from workbench.extract import default_extractor
    from workbench.ingest.service import ingest_paths

    report = ingest_paths(engine, [sample_dir], default_extractor(), max_bytes=10**7)
    assert report.added == 5 and not report.errors
    return engine
