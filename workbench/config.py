"""Settings, read from ``WORKBENCH_*`` environment variables; CLI flags override them.

Every variable the workbench reads is a field of :class:`Settings`, typed and described, and
nothing else in the package reads the environment for one: a test
(``tests/test_settings_docs.py``) fails when code names a ``WORKBENCH_*`` variable that is not
a field here, when a field has no description, or when one is missing from the settings table
of README.md ("Settings"). A value that does not fit its type is :class:`SettingsError`, a
sentence naming the variable, not a pydantic traceback.

The test suite's own variables (which PostgreSQL server to test against, whether a missing one
fails the run) are read by ``tests/`` only and are not settings of the workbench.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Literal, get_args

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from workbench.errors import WorkbenchError

ENV_PREFIX = "WORKBENCH_"
DEFAULT_DB_PATH = Path("db") / "workbench.sqlite"
DEFAULT_TRAIN_DATA = Path("..") / "shared" / "data" / "claims" / "checkthat2024_en"

#: The sentence scorers ``workbench.extract.scorers`` registers (its ``SCORERS`` are these).
ScorerName = Literal["linear", "heuristic", "minilm", "blend", "onnx"]
SCORER_NAMES: tuple[ScorerName, ...] = get_args(ScorerName)


class SettingsError(WorkbenchError, ValueError):
    """A ``WORKBENCH_*`` variable (or a flag standing for one) holds a value that cannot be
    used; the message names the variable and says what it must be."""


class Settings(BaseSettings):
    """Every setting of the workbench; the environment variable is ``WORKBENCH_`` + the
    field's name in capitals (``database_url``: ``WORKBENCH_DATABASE_URL``)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX)

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_DB_PATH}",
        description="The database: a SQLAlchemy URL, sqlite:///path/to/file or "
        "postgresql+psycopg://user:password@host:port/dbname (the `--db` flag overrides it).",
    )
    project: str | None = Field(
        default=None,
        description="The project commands act on (the `--project` flag overrides it); "
        "needed only when the database holds several projects.",
    )
    export_dir: Path = Field(
        default=Path("exports"),
        description="The folder `workbench export` writes into when no `--out` is given.",
    )
    # A news article is tens of KB; a file a thousand times that is a mistake, not an article.
    max_file_bytes: int = Field(
        default=20 * 1024 * 1024,
        description="The largest input file (and JSONL line or CSV cell) ingest reads, in "
        "bytes; a larger one is reported and skipped.",
    )
    scorer: ScorerName = Field(
        default="onnx",
        description="The extractor's sentence scorer: onnx (the default: fine-tuned MiniLM "
        "behind linear, re-scoring in the background), linear, heuristic, blend or minilm "
        "(the `ml` extra).",
    )
    scorer_model: Path | None = Field(
        default=None,
        description="A weights file replacing the scorer's shipped one (what "
        "`workbench train-extractor` writes); none: the shipped weights.",
    )
    claim_threshold: float | None = Field(
        default=None,
        description="The score from which a sentence is a claim; none: the scorer's own "
        "threshold, chosen when it was trained. Raise it to trade recall for precision.",
    )
    onnx_threads: int = Field(
        default=1,
        ge=1,
        description="onnxruntime threads per process for the onnx scorer; one, because ingest "
        "runs one session per worker process and on a shared machine more threads mostly spin.",
    )
    publisher: str = Field(
        default="Fact-check workbench",
        description="Who publishes the reviews: the `author` of ClaimReview export items.",
    )
    review_url: str | None = Field(
        default=None,
        description="Where each review is published, with {claim_id} in it, for ClaimReview "
        "exports; none: urn:factcheck-workbench:claim:<id>.",
    )
    api_webhooks: bool = Field(
        default=True,
        description="Whether each `workbench api` process also delivers webhooks (the "
        "`workbench webhooks run` worker on a thread); false (or `workbench api "
        "--no-webhooks`) when a separate worker delivers them.",
    )
    train_data: Path = Field(
        default=DEFAULT_TRAIN_DATA,
        description="`workbench train-extractor`'s public data: the folder with the "
        "CheckThat! 2024 English TSV files (ClaimBuster's CSV files in `claimbuster` beside it).",
    )
    # A team lives in the app all day: a lunch break must not sign anyone out, a night does.
    session_idle_minutes: int = Field(
        default=480,
        ge=1,
        description="Minutes a signed-in browser may stay idle before it must sign in again "
        "(its session is refused and deleted); the last use is stored at most once a minute.",
    )
    session_lifetime_hours: int = Field(
        default=168,
        ge=1,
        description="Hours a browser sign-in lasts at most, however active (the cookie's "
        "Max-Age too); then the login form again.",
    )

    # Single sign-on (OpenID Connect through Streamlit's st.login; docs/security.md).
    oidc_server_metadata_url: str | None = Field(
        default=None,
        description="Single sign-on: the identity provider's OpenID Connect discovery URL "
        "(ending in /.well-known/openid-configuration); with the client id and secret set, "
        'the login page offers "Sign in with" the provider.',
    )
    oidc_client_id: str | None = Field(
        default=None, description="Single sign-on: the client id the provider gave the workbench."
    )
    oidc_client_secret: SecretStr | None = Field(
        default=None,
        description="Single sign-on: the client secret the provider gave the workbench.",
    )
    oidc_provider_name: str = Field(
        default="your organisation",
        description="Single sign-on: the provider's name on the login button "
        '("Sign in with <name>") and in messages.',
    )
    oidc_redirect_uri: str = Field(
        default="http://localhost:{port}/oauth2callback",
        description="Single sign-on: the app's address as the browser reaches it, with the path "
        "/oauth2callback ({port}: the served port); register the same URI at the provider.",
    )
    oidc_cookie_secret: SecretStr | None = Field(
        default=None,
        description="Single sign-on: the key that signs the sign-in cookies; none: a random "
        "one per server process. Give every replica behind one address the same value.",
    )
    password_login: bool = Field(
        default=True,
        description="Whether the login page offers the password form; false leaves only "
        "single sign-on (when it is configured).",
    )

    @property
    def oidc_enabled(self) -> bool:
        """Whether single sign-on is configured (the discovery URL, client id and secret)."""
        return bool(
            self.oidc_server_metadata_url and self.oidc_client_id and self.oidc_client_secret
        )

    @model_validator(mode="after")
    def _sso_whole_or_not_at_all(self) -> Settings:
        # Half a configuration would quietly leave the login page without its button.
        parts = {
            "oidc_server_metadata_url": self.oidc_server_metadata_url,
            "oidc_client_id": self.oidc_client_id,
            "oidc_client_secret": self.oidc_client_secret,
        }
        missing = [env_name(name) for name, value in parts.items() if not value]
        if 0 < len(missing) < len(parts):
            raise ValueError(f"single sign-on needs {' and '.join(missing)} too")
        return self

    @field_validator("train_data", mode="before")
    @classmethod
    def _empty_is_the_default(cls, value: object) -> object:
        # WORKBENCH_TRAIN_DATA= (set but empty) has always meant the default, not the cwd.
        return DEFAULT_TRAIN_DATA if value == "" else value


def env_name(field: str) -> str:
    """The environment variable of a :class:`Settings` field."""
    return f"{ENV_PREFIX}{field.upper()}"


def get_settings(**overrides: object) -> Settings:
    """Settings from the environment, with the CLI's non-None flags on top.

    Raises :class:`SettingsError` when a value does not fit its setting's type.
    """
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**given)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(_explain(exc)) from None


def current_settings() -> Settings:
    """The settings as the environment holds them now, built again only when a ``WORKBENCH_*``
    variable changed: the app asks for its database URL several times a run, and building
    the model costs some milliseconds; a test (or a process) that points the app at another
    database gets it at once."""
    return _settings_for(_workbench_environment())


def _workbench_environment() -> tuple[tuple[str, str], ...]:
    # pydantic-settings matches names without regard to case, so the key does too.
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.upper().startswith(ENV_PREFIX)))


@functools.lru_cache(maxsize=8)
def _settings_for(_environment: tuple[tuple[str, str], ...]) -> Settings:
    return get_settings()


def _explain(exc: ValidationError) -> str:
    """One line per bad value: ``WORKBENCH_SCORER: input should be 'linear', ... (got 'x')``."""
    parts = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        name = env_name(field) if field in Settings.model_fields else field or "settings"
        message = str(error["msg"])
        message = message[:1].lower() + message[1:]
        if not field:
            # A rule over several settings (single sign-on's): its input is every setting,
            # a client secret among them, so the message names the variables instead.
            parts.append(f"{name}: {message.removeprefix('value error, ')}")
            continue
        parts.append(f"{name}: {message} (got {error.get('input')!r})")
    return "; ".join(parts)
