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

from workbench.app import access, project, render, state
from workbench.errors import WorkbenchError

st.set_page_config(page_title="Fact-check workbench", page_icon="🔎", layout="wide")


def main() -> None:
    try:
        team, actor = access.check()
    except WorkbenchError as exc:
        st.error(render.md_escape(f"The review app cannot open its database: {exc}"))
        st.stop()
        return
    if access.run_navigation():  # after a sign-in or logout: the cookie's route
        st.stop()  # the browser is leaving for another address (after single sign-on)
        return
    if team and actor is None:
        state.keep_link_through_login()  # a claim link opens once the user has signed in
        login = st.Page(state.LOGIN_PAGE, title="Log in", icon=":material/login:", default=True)
        # A link's address shows the login form too (not "page not found"); once signed in,
        # the same address opens its page.
        aliases = [
            st.Page(state.LOGIN_PAGE, title="Log in", url_path=url, visibility="hidden")
            for url in access.LINK_URLS
        ]
        st.navigation([login, *aliases], position="hidden").run()
        return
    state.restore_link_after_login()
    if actor is not None:
        # The project of this run, and the actor's role in it for the navigation (a page the
        # role there may not use is left out); the page itself says if none may be opened.
        project.find_for_run(state.engine(), actor)
    specs = access.pages_for(team, actor)
    # "/" opens the first page (Review) through a hidden default page: the visible one keeps
    # its own address, /review, which is also what a link to a claim uses (/review?claim=ID).
    pages = [
        st.Page(
            specs[0].path,
            title=specs[0].title,
            url_path=access.HOME_URL,
            default=True,
            visibility="hidden",
        ),
        *(
            st.Page(page.path, title=page.title, icon=page.icon, url_path=page.url_path)
            for page in specs
        ),
    ]
    st.navigation(pages).run()


main()
