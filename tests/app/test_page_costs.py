"""What keeps the pages' cost flat: the Review page's fragment, one engine per process, short
option lists, and figures reused until something they come from changes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, text
from streamlit.testing.v1 import AppTest

from tests.app.support import fragment_run, sidebar_text, sign_in
from workbench.app import state
from workbench.auth import accounts
from workbench.auth.policy import SYSTEM
from workbench.db import session as db_session
from workbench.projects.settings import set_project_setting
from workbench.review import decisions, options, queue
from workbench.schemas import Actor, Role, Verdict

App = Callable[[], AppTest]
PASSWORD = "correct horse battery staple"
FRAGMENT = "review_claim"  # workbench/app/views/review.py


def shown(at: AppTest) -> str:
    return str(at.subheader[0].value)


# --- the Review page: a click reruns the claim view -----------------------------------------


def test_a_verdict_reruns_the_claim_view_and_its_counts_only(seeded: Engine, app: App) -> None:
    total = queue.progress(seeded).total
    first = queue.next_claim_id(seeded, queue.ClaimFilter(), after=None)
    assert first is not None
    at = sign_in(app())
    assert shown(at) == f"Claim #{first}"

    at.button(key="verdict_verified").click()
    at = fragment_run(at, FRAGMENT)
    assert not at.exception
    following = queue.next_claim_id(seeded, queue.ClaimFilter(), after=first)
    assert shown(at) == f"Claim #{following}"
    assert "Saved “Verified”" in at.success[0].value
    # The sidebar's counts are drawn by the fragment, and follow the verdict ...
    assert "1 reviewed today" in sidebar_text(at)
    assert f"{total - 1} of {total} claims need more reviews" in sidebar_text(at)
    # ... while the rest of the page, the reviewer's name box included, did not run again.
    assert "Reviewer: Ana" not in sidebar_text(at)

    # The fragment's own widgets keep working from a fragment run: back, and clear.
    at.button(key="previous").click()
    at = fragment_run(at, FRAGMENT)
    assert shown(at) == f"Claim #{first}"
    at.button(key="clear_verdict").click()
    at = fragment_run(at, FRAGMENT)
    assert "0 reviewed today" in sidebar_text(at)
    assert f"{total} of {total} claims need more reviews" in sidebar_text(at)
    review = next(
        r for r in queue.get_claim(seeded, first, actor=SYSTEM).reviews if r.reviewer == "Ana"
    )
    assert review.verdict is None

    # A full run afterwards draws the whole page, the counts once.
    at.run(timeout=30)
    assert "Reviewer: Ana" in sidebar_text(at)
    assert sidebar_text(at).count("reviewed today") == 1


def test_a_click_after_the_account_was_disabled_reruns_the_whole_app(
    seeded: Engine, app: App
) -> None:
    accounts.add_user(seeded, SYSTEM, "Ada", Role.admin, PASSWORD)
    accounts.add_user(seeded, SYSTEM, "Ana", Role.reviewer, PASSWORD)
    at = app().run(timeout=30)
    at.text_input(key="login_name").input("Ana")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click()
    at = at.run(timeout=30)
    claim = shown(at)
    admin = accounts.login(seeded, "Ada", PASSWORD)
    accounts.set_disabled(seeded, admin, "Ana", True)

    at.button(key="verdict_verified").click()
    at = fragment_run(at, FRAGMENT)
    assert not at.exception
    # The service refused the verdict; the fragment found the account gone and asked for
    # the whole app, which shows the login form.
    assert at.text_input(key="login_name") is not None
    assert not at.subheader
    claim_id = int(claim.removeprefix("Claim #"))
    assert all(r.verdict is None for r in queue.get_claim(seeded, claim_id, actor=SYSTEM).reviews)


@pytest.mark.parametrize("run", ["fragment", "full"])
def test_a_claim_gone_under_the_page_opens_the_next(seeded: Engine, app: App, run: str) -> None:
    at = sign_in(app())
    gone = int(shown(at).removeprefix("Claim #"))
    with seeded.begin() as connection:
        connection.execute(text("DELETE FROM claims WHERE id = :id"), {"id": gone})
    at = fragment_run(at, FRAGMENT) if run == "fragment" else at.run(timeout=30)
    assert not at.exception
    assert f"Claim \\#{gone} no longer exists" in at.warning[0].value  # escaped Markdown
    assert shown(at) == f"Claim #{queue.next_claim_id(seeded, queue.ClaimFilter(), after=None)}"


# --- one engine per process -----------------------------------------------------------------


def test_the_engine_is_made_once_per_process(
    seeded: Engine, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    create = db_session.create

    def counting(url: str) -> Engine:
        made.append(url)
        return create(url)

    monkeypatch.setattr(db_session, "create", counting)
    db_session.dispose_all()  # the fixture's engine was made before the count began
    first = sign_in(app())
    first.button(key="verdict_verified").click()
    first.run(timeout=30)
    first.switch_page("views/queue.py")
    first.run(timeout=30)
    second = sign_in(app(), "Ben")  # another session of the same process
    second.run(timeout=30)
    assert len(made) == 1
    url = made[0]
    assert state.engine() is db_session.get_engine(url)


# --- the Queue page's option lists ---------------------------------------------------------


def test_the_queue_lists_a_bounded_number_of_documents_and_speakers(
    seeded: Engine, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(options, "OPTION_LIMIT", 2)
    documents = queue.list_documents(seeded)
    speakers = queue.list_speakers(seeded)
    assert len(documents) > 2 and len(speakers) > 2
    at = sign_in(app())
    at.switch_page("views/queue.py")
    at = at.run(timeout=30)
    assert len(at.selectbox(key="qf_document").options) == 3  # "All documents" and two
    assert at.selectbox(key="qf_speaker").options == ["All speakers", *speakers[:2]]

    # A filter on a document or speaker not listed (typed in the browser) shows it too.
    last = documents[-1]
    at.switch_page("views/review.py")  # as the browser does, the boxes are drawn anew
    at = at.run(timeout=30)
    at.session_state[state.FILTER] = queue.ClaimFilter(
        document_id=last.id, speaker=speakers[-1]
    ).model_dump()
    at.switch_page("views/queue.py")
    at = at.run(timeout=30)
    assert at.selectbox(key="qf_document").value == last.id
    assert at.selectbox(key="qf_speaker").value == speakers[-1]
    assert len(at.selectbox(key="qf_document").options) == 4

    # What a typed value is looked up as.
    assert options.find_document(seeded, f"#{last.id}") == last.id
    assert options.find_document(seeded, last.title.upper()) == last.id
    assert options.find_document(seeded, "no such title at all") is None
    assert options.find_speaker(seeded, f"  {speakers[-1].lower()} ") == speakers[-1]
    assert options.find_speaker(seeded, "Nobody Atall") is None


# --- figures reused until what they come from changes ---------------------------------------


def team_session(seeded: Engine, app: App, page: str) -> tuple[AppTest, Actor]:
    accounts.add_user(seeded, SYSTEM, "Ada", Role.admin, PASSWORD)
    for name in ("Rui", "Rita"):
        accounts.add_user(seeded, SYSTEM, name, Role.reviewer, PASSWORD)
    set_project_setting(seeded, SYSTEM, "reviews_per_claim", 2)
    ids = queue.list_claims(seeded, queue.ClaimFilter(), page_size=12, actor=SYSTEM).items
    rui, rita = (accounts.login(seeded, n, PASSWORD) for n in ("Rui", "Rita"))
    for n, claim in enumerate(ids):
        decisions.set_verdict(seeded, claim.id, rui, Verdict.verified)
        decisions.set_verdict(
            seeded, claim.id, rita, Verdict.verified if n % 3 else Verdict.disputed
        )
    at = app().run(timeout=30)
    at.text_input(key="login_name").input("Ada")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click()
    at.run(timeout=30)
    at.switch_page(page)
    return at.run(timeout=60), rui


@pytest.mark.parametrize(
    ("page", "module", "functions"),
    [
        # The Agreement table is read whole once, then patched from the claims a change
        # touched (workbench.agreement.incremental): either read counts.
        ("views/agreement.py", "workbench.agreement.table", ("load_table", "load_claims")),
        # The decided reviews likewise (workbench.review.progress.current_decisions).
        ("views/progress.py", "workbench.review.decided", ("read_all", "read_claims")),
    ],
)
def test_a_rerun_that_changes_nothing_reuses_the_figures(
    seeded: Engine,
    app: App,
    monkeypatch: pytest.MonkeyPatch,
    page: str,
    module: str,
    functions: tuple[str, ...],
) -> None:
    import importlib

    target = importlib.import_module(module)
    calls: list[object] = []

    def counted(original: Callable[..., object]) -> Callable[..., object]:
        def counting(*args: object, **kwargs: object) -> object:
            calls.append(args)
            return original(*args, **kwargs)

        return counting

    for function in functions:
        monkeypatch.setattr(target, function, counted(getattr(target, function)))
    at, rui = team_session(seeded, app, page)
    assert not at.exception and at.dataframe
    for _ in range(3):
        at = at.run(timeout=60)
    assert len(calls) == 1  # read once, whatever the reruns
    before = [df.value.to_dict() for df in at.dataframe]

    # A review changes: the next run reads again, and shows the change.
    claim = queue.list_claims(seeded, queue.ClaimFilter(), page_size=1, actor=SYSTEM).items[0]
    decisions.set_verdict(seeded, claim.id, rui, Verdict.unsupported)
    at = at.run(timeout=60)
    assert len(calls) == 2
    assert [df.value.to_dict() for df in at.dataframe] != before
