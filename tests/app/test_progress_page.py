"""The Progress page with values no reviewer could have produced, stored by an older version."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, update
from streamlit.testing.v1 import AppTest

from tests.app.test_team_review import accounts, log_in
from workbench.db.models import Review
from workbench.db.session import unit_of_work

App = Callable[[], AppTest]


def test_the_progress_page_survives_impossible_stored_times(seeded: Engine, app: App) -> None:
    accounts(seeded)
    ana = log_in(app(), "Ana")
    ana.button(key="verdict_unsupported").click()
    ana.run(timeout=30)
    # What `workbench import` accepted before its range checks: 1e308 seconds, year 1.
    with unit_of_work(seeded) as session:
        session.execute(
            update(Review).values(
                seconds_spent=1e308, decided_at=datetime(1, 1, 1, 0, 0, 1, tzinfo=UTC)
            )
        )

    admin = log_in(app(), "Ada")
    admin.switch_page("views/progress.py")
    admin.run(timeout=30)

    assert not admin.exception
    table = admin.dataframe[0].value
    row = table[table["reviewer"] == "Ana"].iloc[0]
    assert row["done"] == 1
