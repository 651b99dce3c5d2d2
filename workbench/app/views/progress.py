"""Progress (admins): per reviewer, how much is done, in progress, the pace and time per claim.

The figures come from workbench.review.progress, which checks the actor's stored role; a
reviewer who reaches this page by its URL sees the refusal, not the figures. Names are shown
in a dataframe, as data: nothing a user typed is rendered as Markdown or HTML.
"""

from __future__ import annotations

import streamlit as st

from workbench.app import frame, render, state
from workbench.errors import WorkbenchError
from workbench.projects.settings import get_project_settings
from workbench.review.progress import (
    BREAK,
    Decided,
    data_version,
    reviewer_progress,
    stored_decisions,
)


# Reading every decided review is the part that grows with the corpus: it is done again
# only when the data's version moves (a new review, or any change, which writes a history
# entry), once for every process and session (stored: workbench.db.snapshots); leases and
# accounts are read on every run.
@st.cache_resource(ttl=3600, max_entries=8, show_spinner=False)
def _decisions(url: str, version: str) -> dict[int, Decided]:
    return stored_decisions(state.engine(), version)


def main() -> None:
    engine, current = frame.start()
    st.title("Progress")
    try:
        decided = _decisions(state.database_url(), data_version(engine))
        figures = reviewer_progress(engine, current, decided=decided, project=state.project_id())
    except WorkbenchError as exc:
        st.error(render.md_escape(str(exc)))
        st.stop()
        return
    settings = get_project_settings(engine, state.project_id())
    st.caption(
        f"Each claim gets {settings.reviews_per_claim} review(s); a claim handed out stays "
        f"reserved for {settings.lease_minutes} min. Pace counts decisions per hour of active "
        f"time: breaks longer than {int(BREAK.total_seconds() // 60)} min are left out."
    )
    if not figures:
        st.info("Nobody has reviewed anything yet.")
        return
    st.dataframe(
        {
            "reviewer": [f.reviewer for f in figures],
            "role": [f.role.value + (" (disabled)" if f.disabled else "") for f in figures],
            "done": [f.done for f in figures],
            "in progress": [f.in_progress for f in figures],
            "pace / hour": [f.pace_per_hour for f in figures],
            "median s / decision": [f.median_seconds for f in figures],
            "active hours": [round(f.active_hours, 2) for f in figures],
            "last decision (UTC)": [
                f.last_decision.strftime("%Y-%m-%d %H:%M") if f.last_decision else ""
                for f in figures
            ],
        },
        hide_index=True,
        key="progress_table",
    )


main()
