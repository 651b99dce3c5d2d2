"""The review app's entry point: page set-up, who is signed in, and the navigation.

Run with `workbench serve` (or `streamlit run workbench/app/Home.py` with
WORKBENCH_DATABASE_URL set). The pages live in workbench/app/views/ (not pages/, which
Streamlit would run without this navigation: access.py says why) and each starts with
`frame.start()`: the shared sidebar, and the reviewer's name before anything else.

In team mode (once any account has a password) the navigation holds only the login page
until someone signs in, and every page's `frame.start()` checks again (workbench/app/access.py
says why), so no other page can be reached, even by its URL. The pages a role may not use
are left out of the navigation; the service layer refuses them anyway.
"""

from __future__ import annotations

import streamlit as st

from workbench.app import access, render, state
from workbench.errors import WorkbenchError

st.set_page_config(page_title="Fact-check workbench", page_icon="🔎", layout="wide")


def main() -> None:
    try:
        team, actor = access.check()
    except WorkbenchError as exc:
        st.error(render.md_escape(f"The review app cannot open its database: {exc}"))
        st.stop()
        return
    if team and actor is None:
        state.keep_link_through_login()  # a claim link opens once the user has signed in
        login = st.Page(state.LOGIN_PAGE, title="Log in", icon=":material/login:", default=True)
        st.navigation([login], position="hidden").run()
        return
    state.restore_link_after_login()
    pages = [
        st.Page(page.path, title=page.title, icon=page.icon, default=index == 0)
        for index, page in enumerate(access.pages_for(team, actor))
    ]
    st.navigation(pages).run()


main()
