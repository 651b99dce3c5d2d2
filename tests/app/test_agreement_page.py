"""The Agreement page, the queue's sort by disagreement, and links into Adjudication (AppTest).

Team mode with three reviewers: 40 claims each reviewed by all three, so every figure shows,
and a second, tiny set-up whose coefficients must be withheld. One reviewer's name carries
Markdown and HTML, which must reach the reader as text. Figures are checked against the
report service run on the same database.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine
from streamlit.elements.widgets import button as button_module
from streamlit.testing.v1 import AppTest

from tests.app.conftest import HOME
from workbench.agreement.report import build_report
from workbench.agreement.table import load_table
from workbench.auth import accounts
from workbench.auth.policy import SYSTEM
from workbench.db.session import unit_of_work
from workbench.projects.settings import set_project_setting
from workbench.review import queue
from workbench.review.decisions import record_verdict
from workbench.schemas import Actor, Role, Verdict

App = Callable[[], AppTest]
PASSWORD = "correct horse battery"
AGREEMENT = "views/agreement.py"
QUEUE = "views/queue.py"
ADJUDICATE = "views/adjudicate.py"
PAGES = HOME.parent / "views"
# A reviewer whose name is Markdown and HTML: shown literally wherever it appears.
ROSA = "Rosa *<b>bold</b>* [site](https://example.org)"
REVIEWERS = ("Rui", "Rita", ROSA)
CLAIMS = 40
SPLIT_AT = 18  # in reading order: the sort by disagreement must bring it to the top

V, D, U = Verdict.verified, Verdict.disputed, Verdict.unsupported


@dataclass(frozen=True)
class Seeded:
    engine: Engine
    claim_ids: list[int]  # reviewed, in reading order
    split: int  # three reviewers, three verdicts
    consensus: int  # three reviewers, one verdict
    plan: dict[int, dict[str, Verdict]]  # claim -> reviewer -> verdict


def people(engine: Engine) -> dict[str, Actor]:
    return {
        u.name: Actor(id=u.id, name=u.name, role=u.role)
        for u in accounts.list_users(engine, SYSTEM)
    }


def team(engine: Engine, reviewers: Iterable[str]) -> dict[str, Actor]:
    accounts.add_user(engine, SYSTEM, "Ada", Role.admin, PASSWORD)
    accounts.add_user(engine, SYSTEM, "Vera", Role.viewer, PASSWORD)
    for name in reviewers:
        accounts.add_user(engine, SYSTEM, name, Role.reviewer, PASSWORD)
    set_project_setting(engine, SYSTEM, "reviews_per_claim", 3)
    return people(engine)


def reading_order(engine: Engine) -> list[int]:
    page = queue.list_claims(engine, queue.ClaimFilter(state="all"), page_size=500, actor=SYSTEM)
    return [c.id for c in page.items]


def decide(engine: Engine, verdicts: dict[int, dict[Actor, Verdict]]) -> None:
    with unit_of_work(engine) as session:
        for claim_id, by in verdicts.items():
            for who, verdict in by.items():
                record_verdict(session, claim_id, who, verdict)


@pytest.fixture
def seeded_team(seeded: Engine) -> Seeded:
    """40 claims, each reviewed by Rui, Rita and Rosa.

    Rui and Rita agree but on one claim; Rosa says "unsupported" on every fourth claim (an
    overuse the report notes, naming her); claim SPLIT_AT has three different verdicts.
    """
    who = team(seeded, REVIEWERS)
    rui, rita, rosa = (who[name] for name in REVIEWERS)
    ids = reading_order(seeded)[:CLAIMS]
    plan: dict[int, dict[Actor, Verdict]] = {}
    for i, claim_id in enumerate(ids):
        base = V if i % 10 < 5 else D if i % 10 < 9 else U
        plan[claim_id] = {rui: base, rita: base, rosa: U if i % 4 == 1 else base}
    plan[ids[SPLIT_AT]] = {rui: V, rita: D, rosa: U}
    decide(seeded, plan)
    named = {c: {who.name: v for who, v in by.items()} for c, by in plan.items()}
    return Seeded(engine=seeded, claim_ids=ids, split=ids[SPLIT_AT], consensus=ids[2], plan=named)


@pytest.fixture
def tiny_team(seeded: Engine) -> Seeded:
    """Five claims reviewed by two reviewers: too few for any coefficient."""
    who = team(seeded, ("Rui", "Rita"))
    ids = reading_order(seeded)[:5]
    plan = {c: {who["Rui"]: V, who["Rita"]: V if n % 2 else D} for n, c in enumerate(ids)}
    decide(seeded, plan)
    named = {c: {who.name: v for who, v in by.items()} for c, by in plan.items()}
    return Seeded(engine=seeded, claim_ids=ids, split=ids[0], consensus=ids[1], plan=named)


def log_in(at: AppTest, name: str) -> AppTest:
    at.run(timeout=30)
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click()
    return at.run(timeout=30)


def open_page(app: App, page: str, name: str = "Ada", **query: str) -> AppTest:
    at = log_in(app(), name)
    assert not at.exception
    at.switch_page(page)
    at.query_params.update(query)  # the page opened at an address with this query
    return at.run(timeout=60)


def plain(elements: Iterable[object]) -> str:
    """Messages as a reader sees them (the app escapes Markdown in them)."""
    return re.sub(r"\\(.)", r"\1", "\n".join(str(getattr(e, "value", "")) for e in elements))


def captions(at: AppTest) -> str:
    return plain(at.caption)


def charts(at: AppTest) -> list[Any]:
    return list(at.get("vega_lite_chart"))


def table(at: AppTest, *columns: str) -> Any:
    """The one dataframe whose columns start with ``columns`` (AppTest shows no keys)."""
    (found,) = [
        d.value for d in at.dataframe if list(d.value.columns)[: len(columns)] == list(columns)
    ]
    return found


def has_table(at: AppTest, *columns: str) -> bool:
    return any(list(d.value.columns)[: len(columns)] == list(columns) for d in at.dataframe)


# --- the Agreement page ----------------------------------------------------------------------


def test_an_admin_sees_the_figures_and_what_they_rest_on(seeded_team: Seeded, app: App) -> None:
    at = open_page(app, AGREEMENT)
    assert not at.exception
    assert at.title[0].value == "Agreement"
    expected = build_report(load_table(seeded_team.engine), samples=1000)
    overall = expected.overall
    assert overall.alpha is not None and overall.alpha_low is not None

    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {
        "Krippendorff's α": f"{overall.alpha:.3f}",
        "Fleiss' κ": f"{overall.fleiss_kappa:.3f}",
        "Gwet's AC1": f"{overall.ac1:.3f}",
        "Observed agreement": f"{overall.observed:.3f}",
    }
    shown = captions(at)
    assert f"95% interval {overall.alpha_low:.3f} to {overall.alpha_high:.3f}" in shown
    assert f"Rests on {CLAIMS} claims reviewed by two or more reviewers" in shown
    assert f"their {3 * CLAIMS} verdicts" in shown
    assert "Krippendorff's scale: alpha >= 0.800 reliable; 0.667-0.800" in shown
    reading = plain([*at.success, *at.info, *at.warning])
    assert f"**Reading:** α = {overall.alpha:.3f} is {overall.reading}." in reading
    assert "at least 10 are needed" not in reading  # nothing withheld

    # The report's data-quality note names Rosa: her name is text, not Markdown or HTML.
    overuse = [n.message for n in expected.notes if n.kind == "label_overuse"]
    assert overuse and ROSA in overuse[0]
    assert overuse[0] in plain(at.warning)
    assert r"\*\<b\>bold\</b\>\* \[site\]\(https\://example\.org\)" in "\n".join(
        str(w.value) for w in at.warning
    )

    # The heatmap, the verdicts per reviewer and agreement over time; the tables beside them.
    assert len(charts(at)) == 3
    reviewers = table(at, "reviewer", "reviews")
    assert list(reviewers["reviewer"]) == sorted(REVIEWERS)
    assert list(reviewers["reviews"]) == [CLAIMS] * 3
    pairs = table(at, "reviewer", "with")
    assert list(pairs["claims both reviewed"]) == [CLAIMS] * 3
    assert list(table(at, "verdict")["verdict"]) == ["Verified", "Disputed", "Unsupported"]
    assert len(table(at, "document")) == len(expected.by_document)

    # Each most-disputed claim links to its adjudication, the split claim first.
    links = at.page_link
    assert len(links) == len(expected.most_disputed)
    first = links[0].proto
    assert first.query_string == f"claim={seeded_team.split}"
    assert first.page == "adjudication"  # its address: /adjudication?claim=ID
    assert plain([links[0]]).startswith(f"#{seeded_team.split} — ")


def test_the_confusion_matrix_shows_the_two_reviewers_chosen(seeded_team: Seeded, app: App) -> None:
    at = open_page(app, AGREEMENT)
    at.selectbox(key="agreement_pair_a").set_value("Rui")
    at.selectbox(key="agreement_pair_b").set_value(ROSA)
    at = at.run(timeout=60)
    assert not at.exception
    # Rows: Rui's verdict; columns: Rosa's.
    matrix = table(at, "Verified", "Disputed", "Unsupported")
    expected = [
        [
            sum(1 for by in seeded_team.plan.values() if (by["Rui"], by[ROSA]) == (row, col))
            for col in (V, D, U)
        ]
        for row in (V, D, U)
    ]
    assert matrix.to_numpy().tolist() == expected
    assert expected[0][2] > 0 and expected[2][0] == 0  # not symmetric: the orientation shows
    assert any(
        t.value.startswith(f"Rows: Rui's verdict; columns: {ROSA}'s. Rests on {CLAIMS} claims")
        for t in at.text
    )
    at.selectbox(key="agreement_pair_b").set_value("Rui")
    at = at.run(timeout=60)
    assert "Choose two different reviewers." in plain(at.info)


def test_one_document_narrows_every_figure(seeded_team: Seeded, app: App) -> None:
    table = load_table(seeded_team.engine)
    document_id = int(table.document_ids[0])
    claims = int((table.document_ids == document_id).sum())
    at = open_page(app, AGREEMENT)
    at.selectbox(key="agreement_scope").set_value(document_id)
    at = at.run(timeout=60)
    assert not at.exception
    assert f"Rests on {claims} claim" in captions(at)
    assert has_table(at, "reviewer", "reviews") and not has_table(at, "document")


def test_too_few_claims_give_a_warning_not_a_number(tiny_team: Seeded, app: App) -> None:
    at = open_page(app, AGREEMENT)
    assert not at.exception
    warnings = plain(at.warning)
    assert "No coefficient is shown: only 5 claims reviewed by two or more reviewers" in warnings
    assert "at least 10 are needed" in warnings
    assert not at.metric
    assert "Rests on 5 claims reviewed by two or more reviewers and their 10 verdicts" in (
        captions(at)
    )
    # The pair's κ is withheld too; its counts are all there is.
    assert "κ is withheld: these two share 5 claims" in plain(at.warning)
    assert "Only 5 claims were reviewed by two or more reviewers" in warnings  # the note


@pytest.mark.parametrize("name", ["Rui", "Vera"])
def test_reviewers_and_viewers_do_not_get_the_page(tiny_team: Seeded, app: App, name: str) -> None:
    at = log_in(app(), name)
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(AGREEMENT)

    # Run without Home.py (as a deep link could while the views lived in pages/): the
    # refusal, and no figure at all.
    direct = AppTest.from_file(str(PAGES / "agreement.py"), default_timeout=30)
    direct.session_state["reviewer"] = people(tiny_team.engine)[name]
    direct.session_state["signed_in_with_password"] = True
    direct.run()
    assert not direct.exception
    assert "Only admins audit agreement" in plain(direct.error)
    assert not direct.metric and not direct.dataframe and not charts(direct)
    assert not direct.download_button and not direct.page_link


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, bytes]]:
    """The bytes of every file the app hands to a download button, by the button's label.

    The CSV is built on the click (a callable, run by the server in a thread of its own);
    AppTest has no server to run it, so it is called here, as a click would.
    """
    stored: dict[str, bytes] = {}
    original = button_module.ButtonMixin._download_button

    def keep(self: Any, *args: Any, **kwargs: Any) -> Any:
        data = kwargs["data"]
        made = data() if callable(data) else data
        stored[kwargs["label"]] = made.encode("utf-8") if isinstance(made, str) else made
        return original(self, *args, **kwargs)

    monkeypatch.setattr(button_module.ButtonMixin, "_download_button", keep)
    yield stored


def test_the_raw_table_downloads_as_csv_one_row_per_verdict(
    seeded_team: Seeded, app: App, downloads: dict[str, bytes]
) -> None:
    at = open_page(app, AGREEMENT)
    (button,) = at.download_button
    assert button.label == "Download the raw table (CSV)"
    rows = list(csv.DictReader(io.StringIO(downloads[button.label].decode("utf-8"))))
    assert len(rows) == 3 * CLAIMS
    assert set(rows[0]) == {"claim_id", "document_id", "reviewer", "verdict", "final_verdict"}
    assert {int(r["claim_id"]) for r in rows} == set(seeded_team.claim_ids)
    assert {r["reviewer"] for r in rows} == set(REVIEWERS)
    split = {r["reviewer"]: r["verdict"] for r in rows if int(r["claim_id"]) == seeded_team.split}
    assert split == {"Rui": "verified", "Rita": "disputed", ROSA: "unsupported"}
    consensus = [r for r in rows if int(r["claim_id"]) == seeded_team.consensus]
    assert {r["final_verdict"] for r in consensus} == {"verified"}
    assert f"{3 * CLAIMS} rows, one per verdict" in captions(at)


# --- the queue sorted by disagreement ----------------------------------------------------------


def queue_ids(at: AppTest) -> list[int]:
    return [int(i) for i in at.dataframe[0].value["id"]]


def test_an_admin_sorts_the_queue_by_disagreement(seeded_team: Seeded, app: App) -> None:
    at = open_page(app, QUEUE)
    at.selectbox(key="qf_sort").set_value("disagreement")
    at = at.run(timeout=30)
    # The claims still to review have too few verdicts to split on: the page says so.
    assert "set Review state to Reviewed or All" in plain(at.info)
    at.selectbox(key="qf_sort").set_value("reading")
    at.selectbox(key="qf_state").set_value("all")
    at = at.run(timeout=30)
    assert queue_ids(at)[0] != seeded_team.split  # reading order
    at.selectbox(key="qf_sort").set_value("disagreement")
    at = at.run(timeout=30)
    assert not at.exception
    assert "set Review state" not in plain(at.info)
    frame = at.dataframe[0].value
    assert queue_ids(at)[0] == seeded_team.split
    assert frame["disagreement"].iloc[0] == 1.0
    # Then Rosa's dissents (one pair in three differs), then claims without a split.
    shares = [s for s in frame["disagreement"].tolist() if s == s]  # NaN: under 2 verdicts
    assert shares == sorted(shares, reverse=True)
    assert "most disagreement first" in at.caption[0].value


def test_the_sort_control_is_absent_for_reviewers(seeded_team: Seeded, app: App) -> None:
    at = open_page(app, QUEUE, name="Rui")
    assert not at.exception
    assert "qf_sort" not in {s.key for s in at.selectbox}
    assert "disagreement" not in at.dataframe[0].value.columns


# --- links into Adjudication ---------------------------------------------------------------------


def test_a_link_opens_its_claim_on_the_adjudication_page(seeded_team: Seeded, app: App) -> None:
    # A consensus claim: not waiting for adjudication, but an admin may overrule it.
    at = open_page(app, ADJUDICATE, claim=str(seeded_team.consensus))
    assert not at.exception
    assert at.subheader[0].value == f"Claim #{seeded_team.consensus}"
    assert f"Opened from a link: claim #{seeded_team.consensus} is listed first" in captions(at)
    assert "it is not waiting for adjudication" in captions(at)
    texts = [t.value for t in at.text]
    assert texts.count("Verdict: Verified") == 3
    # The disputed claims are still offered after it.
    options = at.selectbox[0].options
    assert options[0].startswith(f"#{seeded_team.consensus} — ")
    assert any(o.startswith(f"#{seeded_team.split} — ") for o in options[1:])

    # Closing the link drops it; the disputed queue remains, and the address names the claim
    # now on screen.
    at.button(key="adjudicate_close_link").click()
    at = at.run(timeout=30)
    assert at.query_params["claim"] != str(seeded_team.consensus)
    assert at.subheader[0].value == f"Claim #{at.query_params['claim']}"
    assert "Opened from a link" not in captions(at)
    options = at.selectbox[0].options
    assert not any(o.startswith(f"#{seeded_team.consensus} — ") for o in options)
    assert at.subheader[0].value != f"Claim #{seeded_team.consensus}"

    at = open_page(app, ADJUDICATE, claim=str(seeded_team.split))
    assert at.subheader[0].value == f"Claim #{seeded_team.split}"
    assert "not waiting" not in captions(at)


@pytest.mark.parametrize(
    ("claim", "message"),
    [
        ("abc", "The link names “abc”, which is not a claim id"),
        ("999999", "Claim #999999 does not exist"),
        ("12345678901234567890", "which is not a claim id"),
    ],
)
def test_a_bad_link_warns_and_shows_the_queue(
    seeded_team: Seeded, app: App, claim: str, message: str
) -> None:
    at = open_page(app, ADJUDICATE, claim=claim)
    assert not at.exception
    assert message in plain(at.warning)
    assert at.subheader[0].value.startswith("Claim #")  # the disputed queue as usual


def test_the_page_says_it_shows_blind_verdicts_and_switches_to_current(
    seeded_team: Seeded, app: App
) -> None:
    # Rita comes round to Rui's verdict on the split claim after seeing it.
    decide(seeded_team.engine, {seeded_team.split: {people(seeded_team.engine)["Rita"]: V}})
    at = open_page(app, AGREEMENT)
    assert not at.exception
    assert at.radio(key="agreement_use").value == "blind"
    assert "use the blind verdicts, given before the reveal (1 review was changed" in plain(
        at.info
    ).replace("*", "")
    blind = build_report(load_table(seeded_team.engine), samples=0).overall
    assert {m.label: m.value for m in at.metric}["Observed agreement"] == f"{blind.observed:.3f}"

    at.radio(key="agreement_use").set_value("current")
    at = at.run(timeout=60)
    assert not at.exception
    assert "use the current verdicts, changes after the reveal included" in plain(
        at.warning
    ).replace("*", "")
    current = build_report(load_table(seeded_team.engine, use="current"), samples=0).overall
    assert current.observed != blind.observed
    assert {m.label: m.value for m in at.metric}["Observed agreement"] == f"{current.observed:.3f}"
