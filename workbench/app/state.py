"""What the app keeps per process (the engine) and per session (a few ids and the filter).

Session state stays small: the reviewer's name, the open claim, a short history of ids,
the queue filter and page, and at most one message per area waiting to be shown.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import streamlit as st
from sqlalchemy import Engine

from workbench.app import render
from workbench.app.selection import push_history
from workbench.auth.policy import SITE_ACTIONS, Action, allowed
from workbench.config import current_settings
from workbench.db.open import open_database
from workbench.errors import PermissionDenied, WorkbenchError
from workbench.projects.choice import Choice
from workbench.projects.scale import DEFAULT_SCALE, VerdictScale
from workbench.review.queue import ClaimFilter
from workbench.schemas import Actor
from workbench.storable import INT_MAX

REVIEWER = "reviewer"
CHANGING_NAME = "changing_name"
CLAIM = "claim_id"
HISTORY = "history"
FILTER = "queue_filter"
QUEUE_PAGE = "queue_page"
SEEN = "seen_version"
SHOWN = "shown_at"
PROGRESS_PAGE = "views/progress.py"
FLASH = "flash"
GROUP_OFFER = "group_offer"
# A random name for this browser session, for the sign-in throttle (see access.client).
CLIENT_TOKEN = "client_token"
# The query parameter of a link to one claim: ``/review?claim=<id>``, ``/adjudication?claim=<id>``.
LINK = "claim"
# The link's value this session last acted on or wrote (the address bar follows the claim).
LINK_SEEN = "link_seen"
# A link that arrived before sign-in, kept through the login (sign_out keeps it), and the
# project it named (``?project=NAME``).
PENDING_LINK = "pending_link"
PENDING_PROJECT = "pending_project"
PROJECT_PARAM = "project"

REVIEW_PAGE = "views/review.py"
QUEUE_PAGE_PATH = "views/queue.py"
EXPORT_PAGE = "views/export.py"
LOGIN_PAGE = "login.py"
USERS_PAGE = "views/users.py"
ADJUDICATE_PAGE = "views/adjudicate.py"
AGREEMENT_PAGE = "views/agreement.py"
PROJECTS_PAGE = "views/projects.py"
# True once this session's actor was signed in with a password (team mode), not by name.
SIGNED_IN = "signed_in_with_password"
# The id of the browser session (workbench.auth.sessions) this Streamlit session signed in
# with or resumed from the cookie: every run checks it is still valid.
SESSION_ID = "browser_session_id"
# A browser navigation the next run starts (the sign-in route with its ticket, or the logout).
NAVIGATE = "navigate"
# The project this session works in and the actor's role in it (workbench/app/project.py).
CURRENT_PROJECT = "current_project"

Level = Literal["success", "info", "warning", "error"]


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    # One engine per process and URL, shared by every session; SQLAlchemy engines are
    # thread-safe, and nothing per user is kept in it.
    return open_database(url)


def engine() -> Engine:
    return _engine_for(database_url())


def database_url() -> str:
    """The URL of the app's database (the ``database_url`` setting: WORKBENCH_DATABASE_URL,
    or the default), from settings kept until a WORKBENCH_* variable changes."""
    return current_settings().database_url


# --- the reviewer -------------------------------------------------------------------------


def actor() -> Actor | None:
    """Who is reviewing in this browser session (set by the sidebar's name form)."""
    value = st.session_state.get(REVIEWER)
    return value if isinstance(value, Actor) else None


def set_actor(
    value: Actor | None, *, with_password: bool = False, session_id: int | None = None
) -> None:
    st.session_state[REVIEWER] = value
    st.session_state[SIGNED_IN] = with_password and value is not None
    if session_id is not None or value is None:
        st.session_state[SESSION_ID] = session_id


def session_id() -> int | None:
    """The browser session this Streamlit session is signed in with (None: none yet)."""
    value = st.session_state.get(SESSION_ID)
    return value if isinstance(value, int) else None


def navigate(target: tuple[str, str]) -> None:
    """Have the next run send the browser to ``target`` ((kind, value); see access.py)."""
    st.session_state[NAVIGATE] = target


def take_navigation() -> tuple[str, str] | None:
    """The navigation waiting for this run, once."""
    value = st.session_state.pop(NAVIGATE, None)
    return value if isinstance(value, tuple) and len(value) == 2 else None


def signed_in_with_password() -> bool:
    return st.session_state.get(SIGNED_IN) is True


def sign_out() -> None:
    """Forget everything this session held: the next person at this browser starts afresh.

    Except the session's client token: signing in and out must not renew the sign-in budget
    of the browser that does it (it names no one, so nothing personal carries over), and a
    claim link that arrived before the sign-in (an id from the address bar, nothing of the
    account), so the login opens it.
    """
    for key in list(st.session_state):
        if key not in (CLIENT_TOKEN, PENDING_LINK, PENDING_PROJECT, NAVIGATE):
            del st.session_state[key]


def client_token() -> str:
    """This browser session's random name, made on first use."""
    token = st.session_state.get(CLIENT_TOKEN)
    if not isinstance(token, str):
        token = st.session_state[CLIENT_TOKEN] = secrets.token_hex(16)
    return token


def may(action: Action) -> bool:
    """Whether the signed-in actor's role allows ``action`` (for what the UI shows or disables;
    the service checks again, against the stored account): the role in the current project,
    the account's own for what concerns the whole server (users, projects)."""
    current = actor()
    return current is not None and allowed(project_actor(current, action), action)


def project_actor(current: Actor, action: Action | None = None) -> Actor:
    """``current`` with its role in the current project (its own role for a site action, or
    before a project is chosen)."""
    chosen = project()
    if chosen is None or action in SITE_ACTIONS or chosen.role == current.role:
        return current
    return current.model_copy(update={"role": chosen.role})


# --- the project this session works in ----------------------------------------------------


def project() -> Choice | None:
    """The current project and the actor's role in it, as this run found them (project.py)."""
    value = st.session_state.get(CURRENT_PROJECT)
    return value if isinstance(value, Choice) else None


def set_project(value: Choice | None) -> None:
    st.session_state[CURRENT_PROJECT] = value


def scale() -> VerdictScale:
    """The current project's verdict scale (the default scale before a project is chosen)."""
    chosen = project()
    return chosen.project.scale if chosen is not None else DEFAULT_SCALE


def project_id() -> int | None:
    chosen = project()
    return None if chosen is None else chosen.project.id


def leave_claim(*, keep_link: bool = False) -> None:
    """Forget the claim on screen and how we got there (another project: none of it holds);
    the address's claim too, unless it is a link into the new project (``keep_link``)."""
    for key in (CLAIM, HISTORY, SEEN, SHOWN, GROUP_OFFER, FILTER, QUEUE_PAGE, LINK_SEEN):
        st.session_state.pop(key, None)
    if not keep_link:
        st.query_params.pop(LINK, None)


def reviewer() -> str | None:
    current = actor()
    return current.name if current else None


def require_actor() -> Actor:
    """Who is reviewing; without anyone, a prompt to enter a name and the page stops there.

    Not a permission check (the services make those, against the stored account): it only
    gives the pages a caller to pass them.
    """
    current = actor()
    if current is None:
        st.title("Fact-check workbench")
        st.info(
            "Enter your name in the sidebar to start: every review is stored with its reviewer."
        )
        st.stop()
        raise AssertionError("unreachable")  # st.stop() raises
    return current


# --- the open claim and how we got there --------------------------------------------------


def claim_id() -> int | None:
    value = st.session_state.get(CLAIM)
    return value if isinstance(value, int) else None


def open_claim(target: int | None, *, remember: bool = True) -> None:
    """Show ``target`` next (``None``: the first claim still to review)."""
    current = claim_id()
    if remember and current is not None and current != target:
        st.session_state[HISTORY] = push_history(history(), current)
    st.session_state[CLAIM] = target


def history() -> list[int]:
    value = st.session_state.get(HISTORY, [])
    return [int(v) for v in value] if isinstance(value, list) else []


def set_history(ids: list[int]) -> None:
    st.session_state[HISTORY] = ids


# --- the claim's address: ``?claim=<id>`` ------------------------------------------------


def link_value() -> str | None:
    """The ``claim`` query parameter of the address, as given (None: none)."""
    raw = st.query_params.get(LINK)
    return None if raw is None else str(raw)


def new_link() -> str | None:
    """The address's ``claim``, if it names something this session has not acted on yet (a
    pasted link, a reload, a link kept through the login); None otherwise."""
    raw = link_value()
    if raw is None or raw == st.session_state.get(LINK_SEEN):
        return None
    return raw


def show_in_address(target: int | None) -> None:
    """Make the address bar name ``target`` (None: no claim), and remember it as acted on."""
    value = None if target is None else str(target)
    st.session_state[LINK_SEEN] = value
    if link_value() == value:
        return
    if value is None:
        st.query_params.pop(LINK, None)
    else:
        st.query_params[LINK] = value


def keep_link_through_login() -> None:
    """Before the login form: remember the address's claim link for after the sign-in."""
    raw = link_value()
    if raw is not None:
        st.session_state[PENDING_LINK] = raw
    named = st.query_params.get(PROJECT_PARAM)
    if named is not None:
        st.session_state[PENDING_PROJECT] = str(named)


def restore_link_after_login() -> None:
    """After the sign-in: put a link kept through the login back in the address."""
    pending = st.session_state.pop(PENDING_LINK, None)
    if isinstance(pending, str) and link_value() is None:
        st.query_params[LINK] = pending
    named = st.session_state.pop(PENDING_PROJECT, None)
    if isinstance(named, str) and st.query_params.get(PROJECT_PARAM) is None:
        st.query_params[PROJECT_PARAM] = named


def parse_claim_id(raw: str) -> int | None:
    """The claim id a link names (``12``, ``#12``), or None if it names none.

    A positive integer that fits the database's 32-bit ids; anything else is refused.
    """
    text = raw.strip().removeprefix("#")
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if 0 < value <= INT_MAX else None


# --- the queue filter -----------------------------------------------------------------------


def current_filter() -> ClaimFilter:
    """The queue's filter, always within the current project (whatever was stored)."""
    stored = st.session_state.get(FILTER)
    flt = ClaimFilter.model_validate(stored) if isinstance(stored, dict) else ClaimFilter()
    return flt.model_copy(update={"project_id": project_id()})


def set_filter(flt: ClaimFilter) -> None:
    st.session_state[FILTER] = flt.model_dump()
    st.session_state[QUEUE_PAGE] = 1


def queue_page() -> int:
    value = st.session_state.get(QUEUE_PAGE, 1)
    return value if isinstance(value, int) and value >= 1 else 1


def set_queue_page(page: int) -> None:
    st.session_state[QUEUE_PAGE] = max(1, page)


# --- the version of our own review the page showed (for stale-edit detection) -------------


def seen_version(target: int) -> int | None:
    """The version of our review of ``target`` as last shown or saved (0: none existed)."""
    seen = st.session_state.get(SEEN)
    if isinstance(seen, tuple) and len(seen) == 2 and seen[0] == target:
        return int(seen[1])
    return None


def set_seen_version(target: int, version: int) -> None:
    st.session_state[SEEN] = (target, version)


# --- the offer to apply the last verdict to the claims similar to it ----------------------


@dataclass(frozen=True)
class GroupOffer:
    claim_id: int
    verdict: str
    waiting: int  # similar claims without a verdict of ours when the verdict was given


def group_offer() -> GroupOffer | None:
    offer = st.session_state.get(GROUP_OFFER)
    return offer if isinstance(offer, GroupOffer) and offer.waiting > 0 else None


def set_group_offer(target: int, verdict: str, waiting: int) -> None:
    st.session_state[GROUP_OFFER] = GroupOffer(target, verdict, waiting)


def clear_group_offer() -> None:
    st.session_state.pop(GROUP_OFFER, None)


# --- when the open claim was put in front of the reviewer (time spent per review) ---------


def mark_shown(target: int) -> datetime:
    """When ``target`` was first shown in this visit; reruns of the same claim keep the time."""
    shown = shown_at(target)
    if shown is None:
        shown = datetime.now(UTC)
        st.session_state[SHOWN] = (target, shown)
    return shown


def shown_at(target: int) -> datetime | None:
    shown = st.session_state.get(SHOWN)
    if isinstance(shown, tuple) and len(shown) == 2 and shown[0] == target:
        return shown[1] if isinstance(shown[1], datetime) else None
    return None


def team_reviewing() -> bool:
    """Whether "next claim" comes from assignment (team mode, a role that reviews) rather
    than from the queue order and filter (single-user mode, viewers browsing)."""
    return signed_in_with_password() and may(Action.review)


# --- one-shot messages, shown where the action was ----------------------------------------


@dataclass(frozen=True)
class Flash:
    area: str
    level: Level
    message: str


def flash(area: str, level: Level, message: str) -> None:
    st.session_state[FLASH] = Flash(area, level, message)


def run_flashed(area: str, action: Callable[[], object], done: str) -> None:
    """Run a form's service call; leave ``done`` for ``area``, or the service's refusal."""
    try:
        action()
    except WorkbenchError as exc:
        flash(area, "error", str(exc))
        return
    flash(area, "success", done)


def signed_in_actor() -> Actor:
    """The signed-in account, for a form's callback (which runs before the page's checks)."""
    current = actor()
    if current is None:
        raise PermissionDenied("sign in first")
    return current


def show_flash(area: str) -> None:
    """Show (once) the message left for ``area``, its text shown literally."""
    pending = st.session_state.get(FLASH)
    if not isinstance(pending, Flash) or pending.area != area:
        return
    del st.session_state[FLASH]
    show = {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}
    show[pending.level](render.md_escape(pending.message))
