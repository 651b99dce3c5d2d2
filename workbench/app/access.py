"""Who may see the app: the session's account, re-checked on every run, and the login form.

Two places call :func:`check`: Home.py, to build the navigation a role gets, and
``frame.start()``, which every page runs first. The page scripts live in ``views/``, not
``pages/``: Streamlit treats a ``pages/`` folder beside the main script as an old-style
multipage app and runs a requested page script directly, without Home.py and its per-role
navigation (a deep link on a fresh server process); with no such folder every run goes
through Home.py. The check in ``frame.start()`` stays all the same, so a page script run on
its own (``AppTest.from_file`` on a view, a future entry point) still shows the login form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st
from sqlalchemy import Engine

from workbench.app import sso, state
from workbench.app.paths import under_base
from workbench.app.session_routes import COOKIE, LOGOUT_PATH, NEXT_COOKIE, SESSION_PATH
from workbench.auth import sessions
from workbench.auth.accounts import MAX_NAME_CHARS, current_actor, login
from workbench.auth.passwords import MAX_LENGTH
from workbench.auth.policy import Action, allowed
from workbench.errors import LoginFailed, WorkbenchError
from workbench.schemas import Actor

NAME = "login_name"
PASSWORD = "login_password"
AREA = "login"


def check() -> tuple[bool, Actor | None]:
    """(team mode?, the session's actor as stored now); signs out an account gone bad.

    One short transaction per call: a role change applies at the next click, and a logout
    in another tab, a disabled account or a new password signs this tab out at its next
    click. Who the actor is comes from, in turn: the browser session this Streamlit session
    signed in with (its id in session state); the session cookie, on a fresh Streamlit
    session (a reload, a new tab, a link: workbench.auth.sessions); and an actor put in
    session state without a browser session (tests that set it directly).
    """
    engine = state.engine()
    held = state.actor()
    session_id = state.session_id()
    if session_id is not None:
        found = sessions.current(engine, session_id)
        # With single sign-on configured the app is in team mode even before any account has
        # a password: never "type a name and act as an admin" on a server the provider guards.
        team = found.team or sso.enabled()
        if found.actor is None:
            _signed_out(engine, team, held)
            return team, None
        if found.actor != held:  # an admin changed the role: the pages follow at once
            state.set_actor(found.actor, with_password=team, session_id=session_id)
        return team, found.actor
    if held is None:
        found = sessions.resume(engine, cookie(COOKIE))
        team = found.team or sso.enabled()
        if found.actor is not None:
            state.set_actor(found.actor, with_password=team, session_id=found.session_id)
            return team, found.actor
        adopted = sso.adopt() if team else None
        if adopted is not None:  # the provider's fresh sign-in: a browser session as a password's
            # The provider came back to "/": on to the address the sign-in started from.
            signed_in(adopted, with_password=True, then=sso.return_to(cookie(NEXT_COOKIE)))
            sso.mark_signed_in()
        return team, adopted
    team, fresh = current_actor(engine, held)
    team = team or sso.enabled()
    if fresh is None or (team and not state.signed_in_with_password()):
        # Disabled or deleted meanwhile, or named in single-user mode before accounts existed.
        state.sign_out()
        if fresh is None:
            state.flash(_area(team), "warning", f"The account {held.name} is disabled: signed out.")
        return team, None
    if fresh != held:
        state.set_actor(fresh, with_password=state.signed_in_with_password())
    return team, fresh


def _area(team: bool) -> str:
    return AREA if team else "reviewer"  # where the next page shows messages


def _signed_out(engine: Engine, team: bool, held: Actor | None) -> None:
    """This Streamlit session's browser session has ended: forget the actor, and say why."""
    state.sign_out()
    if held is None:
        return
    _, fresh = current_actor(engine, held)
    if fresh is None:
        message = f"The account {held.name} is disabled: signed out."
    else:
        message = (
            "Your sign-in has ended (logged out in another tab, idle too long, or the "
            "password was changed): sign in again."
        )
    state.flash(_area(team), "warning", message)


def cookie(name: str) -> str | None:
    """The cookie ``name`` the browser sent when this Streamlit session connected (AppTest
    has none)."""
    try:
        value = st.context.cookies.get(name)
    except Exception:  # no browser context (a bare script run)
        return None
    return value if isinstance(value, str) and value else None


def signed_in(actor: Actor, *, with_password: bool, then: str | None = None) -> None:
    """A sign-in just succeeded in this Streamlit session (the form, a name, the provider):
    the browser session and its ticket, and the navigation that trades it for the cookie.

    ``then``: a path on this site (already checked) the browser is to open with the cookie
    set, leaving this page (after single sign-on, which came back to ``/``); None: stay.
    """
    engine = state.engine()
    before = state.session_id()
    if before is not None:  # a new name in single-user mode: the old name's session ends
        sessions.end(engine, before)
    ticket = sessions.start(engine, actor)
    if with_password:
        state.sign_out()  # nothing from before the login carries over into the account
    state.set_actor(actor, with_password=with_password, session_id=ticket.session_id)
    if then is None:
        state.navigate(("sign-in", ticket.ticket))
    else:
        query = urlencode({"ticket": ticket.ticket, "next": then})
        state.navigate(("go", f"{under_base(SESSION_PATH)}?{query}"))


def log_out() -> None:
    """The Log out button: the session deleted here (so the cookie opens nothing, in any
    process), this Streamlit session forgets the account, and the browser clears the cookie.

    Signed in through the provider, Streamlit's identity cookie ends too (``st.logout``),
    which would otherwise sign the browser straight back in.
    """
    through_provider = sso.signed_in_through_provider()
    current = state.session_id()
    if current is not None:
        sessions.end(state.engine(), current)
    state.sign_out()
    state.navigate(("log-out", ""))
    if through_provider:
        st.logout()


def run_navigation() -> bool:
    """Have the browser set or clear the cookie a sign-in or logout of the last run asked for;
    True if the browser is leaving this page (nothing more to draw).

    ``st.html`` runs the script in the app's own page (not an iframe), so a same-origin
    ``fetch`` reaches the cookie's routes and the browser stores the HttpOnly cookie from
    the answer; the tab stays where it is (no reload: nothing typed meanwhile is lost, and
    this Streamlit session is signed in already). The next reload, tab or link then finds the
    cookie. (A link to the same route with ``next`` also works, as a top-level navigation.)
    """
    target = state.take_navigation()
    if target is None:
        return False
    kind, ticket = target
    if kind == "go":  # the sign-in route as a navigation: the cookie, then its `next`
        script = f"window.location.replace({json.dumps(ticket)});"
    elif kind == "sign-in":
        url = f"{under_base(SESSION_PATH)}?ticket={ticket}"  # token_urlsafe: nothing to escape
        script = f"fetch({json.dumps(url)}, {{credentials: 'same-origin', cache: 'no-store'}});"
    else:
        options = "{method: 'POST', credentials: 'same-origin'}"
        script = f"fetch({json.dumps(under_base(LOGOUT_PATH))}, {options});"
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)
    return kind == "go"


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to Home.py
    title: str
    icon: str
    url_path: str | None = None  # None: Streamlit's, from the file name


# The addresses a link to one claim uses (``/review?claim=ID``, ``/adjudication?claim=ID``).
# Streamlit serves its default page at ``/`` only, so Home.py makes a hidden default page
# (``HOME_URL``, served at ``/``) run the first page's script, and the visible pages keep
# their own addresses.
HOME_URL = "home"
REVIEW_URL = "review"
ADJUDICATION_URL = "adjudication"
LINK_URLS = (REVIEW_URL, ADJUDICATION_URL)


def pages_for(team: bool, actor: Actor | None) -> list[PageSpec]:
    """The navigation for this session, the first page the default (Home.py builds it): by
    the actor's role in the current project, or its own for what concerns the whole server
    (users, projects)."""
    pages = [
        PageSpec(state.REVIEW_PAGE, "Review", ":material/task_alt:", REVIEW_URL),
        PageSpec(state.QUEUE_PAGE_PATH, "Queue", ":material/list_alt:"),
    ]
    # Single-user mode before a name is entered: the pages ask for the name themselves.
    if actor is None or _may(actor, Action.export):
        pages.append(PageSpec(state.EXPORT_PAGE, "Export", ":material/download:"))
    # Accounts are made with `workbench users add` first; the page manages them afterwards.
    if team and actor is not None and _may(actor, Action.manage_users):
        pages.append(PageSpec(state.USERS_PAGE, "Users", ":material/group:"))
    if actor is not None and _may(actor, Action.adjudicate):
        pages.append(
            PageSpec(state.ADJUDICATE_PAGE, "Adjudication", ":material/gavel:", ADJUDICATION_URL)
        )
    # Figures about people: the progress service allows them to those who manage users.
    if actor is not None and _may(actor, Action.manage_users):
        pages.append(PageSpec(state.PROGRESS_PAGE, "Progress", ":material/monitoring:"))
    # Every reviewer's verdicts side by side: for those who audit agreement (admins).
    if actor is not None and _may(actor, Action.audit_agreement):
        pages.append(PageSpec(state.AGREEMENT_PAGE, "Agreement", ":material/handshake:"))
    # The project: its scale, guidelines and members for everyone in it; its admins edit the
    # description and guidelines, site admins add projects and members.
    if actor is not None:
        pages.append(PageSpec(state.PROJECTS_PAGE, "Projects", ":material/folder_managed:"))
    return pages


def _may(actor: Actor, action: Action) -> bool:
    return allowed(state.project_actor(actor, action), action)


def gate() -> None:
    """Stop the page with the login form unless this session may see it."""
    team, actor = check()
    if team and actor is None:
        login_form()
        st.stop()


def _log_in() -> None:
    name = str(st.session_state.get(NAME, ""))
    password = str(st.session_state.get(PASSWORD, ""))
    # The password never outlives this callback in session state, whatever the outcome.
    st.session_state[PASSWORD] = ""
    try:
        actor = login(state.engine(), name, password, client=client())
    except LoginFailed as exc:
        state.flash(AREA, "error", f"Not signed in: {exc}.")
        return
    except WorkbenchError as exc:
        state.flash(AREA, "error", str(exc))
        return
    signed_in(actor, with_password=True)


def client() -> str:
    """Who is signing in, for the per-client throttle: the address, else the browser session.

    The address is the connection's peer, which a remote client cannot forge; behind a
    reverse proxy on this machine it is the address the proxy forwards (uvicorn trusts
    X-Forwarded-For from 127.0.0.1 only). Streamlit gives no address for a loopback
    connection; each browser session then counts as a client of its own, which spares a team
    behind one local proxy from sharing one budget with a stranger, at the price of a budget
    a local script can renew with a new session (the per-account budget still holds).
    """
    address = st.context.ip_address
    if isinstance(address, str) and address:  # (AppTest's stand-in client gives no string)
        return f"address {address}"
    return f"session {state.client_token()}"


def login_form() -> None:
    st.title("Fact-check workbench")
    st.caption(
        "Team mode: sign in with the account an admin made for you "
        "(ask them, or see `workbench users add`)."
    )
    sso.sign_in_button()
    if not sso.password_login():
        state.show_flash(AREA)
        return
    with st.form("login_form", border=True, width=420):
        st.text_input(
            "Name", key=NAME, max_chars=MAX_NAME_CHARS, autocomplete="username", placeholder="Ana"
        )
        st.text_input(
            "Password",
            key=PASSWORD,
            type="password",
            max_chars=MAX_LENGTH,
            autocomplete="current-password",
        )
        st.form_submit_button("Log in", type="primary", on_click=_log_in)
    state.show_flash(AREA)
