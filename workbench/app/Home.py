"""The review app's entry point: page set-up and navigation; the pages do the rest.

Run with `workbench serve` (or `streamlit run workbench/app/Home.py` with
WORKBENCH_DATABASE_URL set). The pages live in workbench/app/pages/ and each starts with
`frame.start()`: the shared sidebar, and the reviewer's name before anything else.
"""

from __future__ import annotations

import streamlit as st

from workbench.app import state

st.set_page_config(page_title="Fact-check workbench", page_icon="🔎", layout="wide")

st.navigation(
    [
        st.Page(state.REVIEW_PAGE, title="Review", icon=":material/task_alt:", default=True),
        st.Page(state.QUEUE_PAGE_PATH, title="Queue", icon=":material/list_alt:"),
        st.Page(state.EXPORT_PAGE, title="Export", icon=":material/download:"),
    ]
).run()
