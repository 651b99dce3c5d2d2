"""Settings, read from ``WORKBENCH_*`` environment variables; CLI flags override them."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB_PATH = Path("db") / "workbench.sqlite"
DEFAULT_TRAIN_DATA = Path("..") / "shared" / "data" / "claims" / "checkthat2024_en"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WORKBENCH_")

    database_url: str = f"sqlite:///{DEFAULT_DB_PATH}"
    export_dir: Path = Path("exports")
    # A news article is tens of KB; a file a thousand times that is a mistake, not an article.
    max_file_bytes: int = 20 * 1024 * 1024
    # The extractor's sentence scorer ("linear", "heuristic", "blend", "minilm") and, maybe,
    # a weights file replacing the shipped one (what `workbench train-extractor` writes).
    scorer: str = "linear"
    scorer_model: Path | None = None
    # None: the scorer's own threshold, chosen when it was trained; set it to trade recall
    # for precision.
    claim_threshold: float | None = None
    # ClaimReview exports: who publishes the reviews, and where each one is (with {claim_id}).
    publisher: str = "Fact-check workbench"
    review_url: str | None = None
    train_data: Path = Field(
        default=DEFAULT_TRAIN_DATA,
        description="`workbench train-extractor`'s public data: the folder with the "
        "CheckThat! 2024 English TSV files (ClaimBuster's CSV files in `claimbuster` beside it).",
    )

    @field_validator("train_data", mode="before")
    @classmethod
    def _empty_is_the_default(cls, value: object) -> object:
        # WORKBENCH_TRAIN_DATA= (set but empty) has always meant the default, not the cwd.
        return DEFAULT_TRAIN_DATA if value == "" else value


def get_settings(**overrides: object) -> Settings:
    """Settings from the environment, with the CLI's non-None flags on top."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**given)  # type: ignore[arg-type]
