"""Correcting the extractor through the service layer: boundaries, splits, merges, additions.

On SQLite and PostgreSQL (the ``engine`` fixture). A small document is stored by hand so that
every offset in a test can be read off its text.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, func, select

from workbench.audit import claim_history
from workbench.auth.policy import SYSTEM
from workbench.db.models import Claim, ClaimSketch, Document, HistoryEntry, Membership, User
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, NotFound, PermissionDenied, StaleEdit
from workbench.review import correction_form, corrections, decisions, queue, stats
from workbench.review.corrections import CorrectionKind, NeedsConfirmation
from workbench.review.history import visible_claim_history
from workbench.schemas import Actor, ClaimOrigin, ClaimStatus, Role, Verdict

TEXT = (
    "The minister spoke on Monday. Unemployment fell to 4.1 percent last year. "
    "Exports rose by 12 percent.\n\n"
    "Crime doubled since 2019. The mayor denied it."
)
S1 = (0, 29)  # "The minister spoke on Monday."
S2 = (30, 73)  # "Unemployment fell to 4.1 percent last year."
S3 = (74, 101)  # "Exports rose by 12 percent."
S4 = (103, 128)  # "Crime doubled since 2019."
S5 = (129, 149)  # "The mayor denied it."


def span_text(span: tuple[int, int]) -> str:
    return TEXT[span[0] : span[1]]


def test_the_fixture_offsets_are_the_sentences() -> None:
    assert span_text(S1) == "The minister spoke on Monday."
    assert span_text(S2) == "Unemployment fell to 4.1 percent last year."
    assert span_text(S3) == "Exports rose by 12 percent."
    assert span_text(S4) == "Crime doubled since 2019."
    assert span_text(S5) == "The mayor denied it."


def add_user(engine: Engine, name: str, role: Role = Role.reviewer) -> Actor:
    with unit_of_work(engine) as session:
        user = User(name=name, role=role.value)
        session.add(user)
        session.flush()
        # A member of the one project, as accounts.add_user makes it (issue 14).
        session.add(Membership(user_id=user.id, project_id=1, role=role.value))
        return Actor(id=user.id, name=name, role=role)


def claim_row(document_id: int, span: tuple[int, int]) -> Claim:
    return Claim(
        document_id=document_id,
        text=span_text(span),
        char_start=span[0],
        char_end=span[1],
        speaker="Minister",
        score=0.8,
        extractor="heuristic@1",
        status="open",
    )


@pytest.fixture
def doc(engine: Engine) -> tuple[Engine, int, dict[str, int]]:
    """One document, claims on S2, S3 and S4 (S1 and S5 are missed sentences)."""
    with unit_of_work(engine) as session:
        document = Document(project_id=1, title="Test", source="t.txt", text=TEXT, sha256="a" * 64)
        session.add(document)
        session.flush()
        claims = {name: claim_row(document.id, span) for name, span in (("s2", S2), ("s3", S3))}
        claims["s4"] = claim_row(document.id, S4)
        session.add_all(claims.values())
        session.flush()
        return engine, document.id, {name: c.id for name, c in claims.items()}


def claim(engine: Engine, claim_id: int) -> Claim:
    with unit_of_work(engine) as session:
        found = session.get(Claim, claim_id)
        assert found is not None
        return found


def assert_offsets_hold(engine: Engine) -> None:
    """The invariant of every claim: its text is the document's text between its offsets."""
    with unit_of_work(engine) as session:
        for text, start, end, full in session.execute(
            select(Claim.text, Claim.char_start, Claim.char_end, Document.text).join(Document)
        ):
            assert full[start:end] == text


# --- each correction ----------------------------------------------------------------------------


def test_extending_a_claim_to_the_next_sentence_creates_a_corrected_claim_and_retires_the_old(
    doc: tuple[Engine, int, dict[str, int]],
) -> None:
    engine, _, ids = doc
    ana = add_user(engine, "Ana")
    done = corrections.adjust_claim(engine, ids["s4"], ana, S4[0], S5[1])
    assert done.kind == CorrectionKind.adjust and done.retired == [ids["s4"]]
    (new,) = done.created
    assert new.text == "Crime doubled since 2019. The mayor denied it."
    stored = claim(engine, new.id)
    assert (stored.origin, stored.corrected_from_id, stored.status) == (
        "corrected",
        ids["s4"],
        "open",
    )
    assert (stored.speaker, stored.score, stored.extractor) == ("Minister", 0.8, "reviewer")
    old = claim(engine, ids["s4"])
    assert (old.status, old.status_changed_by_id) == ("superseded", ana.id)
    assert_offsets_hold(engine)


def test_the_span_is_trimmed_of_surrounding_whitespace(
    doc: tuple[Engine, int, dict[str, int]],
) -> None:
    engine, _, ids = doc
    done = corrections.adjust_claim(
        engine, ids["s2"], add_user(engine, "Ana"), S2[0] - 1, S2[1] - 1
    )
    assert (done.created[0].char_start, done.created[0].char_end) == (S2[0], S2[1] - 1)


def test_a_split_at_a_sentence_boundary_gives_two_claims_from_one(
    doc: tuple[Engine, int, dict[str, int]],
) -> None:
    engine, _, ids = doc
    ana = add_user(engine, "Ana")
    merged = corrections.adjust_claim(engine, ids["s4"], ana, S4[0], S5[1]).created[0]
    done = corrections.split_claim(engine, merged.id, ana, S5[0])
    assert [c.text for c in done.created] == [span_text(S4), span_text(S5)]
    # S4's span was claim s4, which the first correction replaced: it is put back, reviews
    # and all; S5's is new, cut from the merged claim.
    assert done.created[0].id == ids["s4"]
    assert claim(engine, ids["s4"]).status == "open"
    assert claim(engine, done.created[1].id).corrected_from_id == merged.id
    assert claim(engine, merged.id).status == "superseded"
    assert_offsets_hold(engine)


def test_a_merge_split_back_puts_the_original_claims_back(
    doc: tuple[Engine, int, dict[str, int]],
) -> None:
    engine, _, ids = doc
    ana, ben = add_user(engine, "Ana"), add_user(engine, "Ben")
    decisions.set_verdict(engine, ids["s2"], ana, Verdict.verified)
    merged = corrections.merge_with_next(engine, ids["s2"], ana).created[0]
    before = queue.progress(engine)
    done = corrections.split_claim(engine, merged.id, ben, S3[0])
    assert [c.id for c in done.created] == [ids["s2"], ids["s3"]]
    assert [r.reviewer for r in queue.get_claim(engine, ids["s2"], SYSTEM).reviews] == ["Ana"]
    after = queue.progress(engine)
    assert (after.total, after.reviewed) == (before.total + 1, before.reviewed + 1)
    entry = claim_history(engine, ids["s2"])[-1]
    assert (entry.before, entry.after["status"], entry.actor) == (
        {"status": "superseded"},
        "open",
        "Ben",
    )


def test_a_split_at_a_chosen_character(doc: tuple[Engine, int, dict[str, int]]) -> None:
    engine, _, ids = doc
    done = corrections.split_claim(engine, ids["s2"], add_user(engine, "Ana"), S2[0] + 12)
    assert [c.text for c in done.created] == ["Unemployment", "fell to 4.1 percent last year."]


def test_a_merge_joins_the_next_claim_and_retires_both(
    doc: tuple[Engine, int, dict[str, int]],
) -> None:
    engine, _, ids = doc
    done = corrections.merge_with_next(engine, ids["s2"], add_user(engine, "Ana"))
    assert done.retired == [ids["s2"], ids["s3"]]
    new = claim(engine, done.created[0].id)
    assert (new.corrected_from_id, new.merged_from_id) == (ids["s2"], ids["s3"])
    assert {claim(engine, i).status for i in done.retired} == {"superseded"}


def test_no_merge_across_a_paragraph(doc: tuple[Engine, int, dict[str, int]]) -> None:
    engine, _, ids = doc
    with pytest.raises(InvalidInput, match="no claim after it in its paragraph"):
        corrections.merge_with_next(engine, ids["s3"], add_user(engine, "Ana"))


def test_adding_a_missed_sentence(doc: tuple[Engine, int, dict[str, int]]) -> None:
    engine, document_id, _ = doc
    ana = add_user(engine, "Ana")
    done = corrections.add_claim(engine, document_id, ana, *S1)
    new = claim(engine, done.created[0].id)
    assert (new.text, new.origin, new.corrected_from_id, new.score) == (
        span_text(S1),
        "added",
        None,
        1.0,
    )
    assert done.retired == []
    # It is in the queue, with its own similarity sketch, like an extracted claim.
    out = queue.get_claim(engine, new.id, SYSTEM).claim
    assert (out.status, out.origin) == (ClaimStatus.open, ClaimOrigin.added)
    with unit_of_work(engine) as session:
        assert session.get(ClaimSketch, new.id) is not None


def test_the_context_lists_the_paragraph_sentences_and_what_can_be_added(
    doc: tuple[Engine, int, dict[str, int]],
) -> None:
    engine, _, ids = doc
    ana = add_user(engine, "Ana")
    context = correction_form.correction_context(engine, ids["s2"], ana)
    assert (context.paragraph_start, context.paragraph_end) == (0, S3[1])
    assert [(s.char_start, s.char_end) for s in context.sentences] == [S1, S2, S3]
    assert [s.char_start for s in correction_form.missed_sentences(context)] == [S1[0]]
    assert context.next_claim is not None and context.next_claim.id == ids["s3"]
    assert correction_form.extend_to_next_sentence(context) == (S2[0], S3[1])
    assert correction_form.extend_to_previous_sentence(context) == (S1[0], S2[1])
    assert correction_form.drop_last_sentence(context) is None


# --- what is kept, and who may -------------------------------------------------------------------


def test_reviews_stay_with_the_original_and_others_verdicts_need_confirmation(
    doc: tuple[Engine, int, dict[str, int]],
) -> None:
    engine, _, ids = doc
    ana, ben = add_user(engine, "Ana"), add_user(engine, "Ben")
    decisions.set_verdict(engine, ids["s2"], ben, Verdict.verified)
    before = queue.progress(engine)
    with pytest.raises(NeedsConfirmation, match="1 verdict from other reviewers") as refused:
        corrections.adjust_claim(engine, ids["s2"], ana, S2[0], S2[1] - 1)
    assert refused.value.verdicts == 1
    assert claim(engine, ids["s2"]).status == "open"  # nothing written
    done = corrections.adjust_claim(engine, ids["s2"], ana, S2[0], S2[1] - 1, confirm=True)
    old = queue.get_claim(engine, ids["s2"], SYSTEM)
    assert [r.reviewer for r in old.reviews] == ["Ben"]
    assert queue.get_claim(engine, done.created[0].id, SYSTEM).reviews == []
    # The totals: the reviewed claim left the queue, an unreviewed one joined it.
    after = queue.progress(engine)
    assert (after.total, after.reviewed) == (before.total, before.reviewed - 1)
    with unit_of_work(engine) as session:
        totals = stats.totals(session)
        assert totals.superseded == 1
        stats.recount(session)
    with unit_of_work(engine) as session:
        assert stats.totals(session) == totals  # the kept totals are the counted ones


def test_ones_own_verdict_needs_no_confirmation(doc: tuple[Engine, int, dict[str, int]]) -> None:
    engine, _, ids = doc
    ana = add_user(engine, "Ana")
    decisions.set_verdict(engine, ids["s2"], ana, Verdict.verified)
    corrections.adjust_claim(engine, ids["s2"], ana, S2[0], S2[1] - 1)


def test_a_retired_claim_cannot_be_reviewed_reopened_or_corrected_again(
    doc: tuple[Engine, int, dict[str, int]],
) -> None:
    engine, _, ids = doc
    ana, ben = add_user(engine, "Ana"), add_user(engine, "Ben")
    done = corrections.adjust_claim(engine, ids["s2"], ana, S2[0], S2[1] - 1)
    with pytest.raises(InvalidInput, match="replaced by a correction"):
        decisions.set_verdict(engine, ids["s2"], ben, Verdict.verified)
    with pytest.raises(InvalidInput, match="replaced by a correction"):
        decisions.reopen_claim(engine, ids["s2"], ben)
    with pytest.raises(StaleEdit, match=f"now claim #{done.created[0].id}.*changed by Ana"):
        corrections.adjust_claim(engine, ids["s2"], ben, S2[0], S2[1] - 2)


def test_viewers_and_the_command_line_may_not_correct(
    doc: tuple[Engine, int, dict[str, int]],
) -> None:
    engine, document_id, ids = doc
    vic = add_user(engine, "Vic", Role.viewer)
    with pytest.raises(PermissionDenied, match="viewer"):
        corrections.adjust_claim(engine, ids["s2"], vic, S2[0], S2[1] - 1)
    with pytest.raises(PermissionDenied, match="viewer"):
        corrections.add_claim(engine, document_id, vic, *S1)
    with pytest.raises(PermissionDenied):
        corrections.add_claim(engine, document_id, SYSTEM, *S1)  # type: ignore[arg-type]
    assert claim(engine, ids["s2"]).status == "open"


def test_a_disabled_account_is_refused(doc: tuple[Engine, int, dict[str, int]]) -> None:
    engine, _, ids = doc
    ana = add_user(engine, "Ana")
    with unit_of_work(engine) as session:
        session.get_one(User, ana.id).disabled = True
    with pytest.raises(PermissionDenied, match="disabled"):
        corrections.split_claim(engine, ids["s2"], ana, S2[0] + 12)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (-1, 10, "outside the document"),
        (0, len(TEXT) + 1, "outside the document"),
        (40, 40, "empty"),
        (50, 40, "empty"),
        (S3[1], S4[0], "only whitespace"),
        (S3[0], S4[1], "crosses a blank line"),
        (S2[0], S3[1], "overlaps claim"),
        (S3[0], S3[1], "already claim"),
    ],
)
def test_bad_spans_are_refused_and_nothing_is_written(
    doc: tuple[Engine, int, dict[str, int]], start: int, end: int, message: str
) -> None:
    engine, document_id, ids = doc
    ana = add_user(engine, "Ana")
    with unit_of_work(engine) as session:
        entries = session.scalar(select(func.count(HistoryEntry.id)))
        claims = session.scalar(select(func.count(Claim.id)))
    with pytest.raises(InvalidInput, match=message):
        corrections.add_claim(engine, document_id, ana, start, end)
    if message != "already claim":  # the same span given as a correction of S2 itself
        with pytest.raises(InvalidInput, match=message):
            corrections.adjust_claim(engine, ids["s2"], ana, start, end)
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count(HistoryEntry.id))) == entries
        assert session.scalar(select(func.count(Claim.id))) == claims
        assert session.get_one(Claim, ids["s2"]).status == "open"


def test_a_claim_is_at_most_max_claim_chars(
    doc: tuple[Engine, int, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, document_id, _ = doc
    monkeypatch.setattr(corrections, "MAX_CLAIM_CHARS", 10)
    with pytest.raises(InvalidInput, match="at most 10 characters"):
        corrections.add_claim(engine, document_id, add_user(engine, "Ana"), *S1)


def test_an_unchanged_span_or_a_split_outside_the_claim_is_refused(
    doc: tuple[Engine, int, dict[str, int]],
) -> None:
    engine, _, ids = doc
    ana = add_user(engine, "Ana")
    with pytest.raises(InvalidInput, match="nothing to change"):
        corrections.adjust_claim(engine, ids["s2"], ana, S2[0] - 1, S2[1])
    with pytest.raises(InvalidInput, match="must fall inside"):
        corrections.split_claim(engine, ids["s2"], ana, S2[1])
    with pytest.raises(NotFound):
        corrections.adjust_claim(engine, 10**6, ana, 0, 5)


def test_a_span_marked_not_a_claim_is_pointed_to(doc: tuple[Engine, int, dict[str, int]]) -> None:
    engine, document_id, ids = doc
    ana = add_user(engine, "Ana")
    decisions.mark_not_a_claim(engine, ids["s4"], ana)
    with pytest.raises(InvalidInput, match="marked 'not a claim': open it"):
        corrections.add_claim(engine, document_id, ana, *S4)
    with pytest.raises(InvalidInput, match="marked 'not a claim'"):
        corrections.adjust_claim(engine, ids["s4"], ana, S4[0], S4[1] - 1)


# --- history ----------------------------------------------------------------------------------


def test_every_correction_is_in_the_history_and_reviewers_see_it(
    doc: tuple[Engine, int, dict[str, int]],
) -> None:
    engine, _, ids = doc
    ana, ben = add_user(engine, "Ana"), add_user(engine, "Ben")
    done = corrections.merge_with_next(engine, ids["s2"], ana)
    new_id = done.created[0].id
    (created,) = claim_history(engine, new_id)
    assert (created.entity, created.action, created.actor) == ("claim", "create", "Ana")
    assert created.after["corrected_from"] == [ids["s2"], ids["s3"]]
    assert created.after["correction"] == "merge"
    for old in (ids["s2"], ids["s3"]):
        (retired,) = claim_history(engine, old)
        assert (retired.entity, retired.before, retired.after["status"]) == (
            "claim_status",
            {"status": "open"},
            "superseded",
        )
        assert retired.after["replaced_by"] == [new_id]
    # Ben has decided nothing: he still sees how the claim he is shown came about.
    assert [e.entity for e in visible_claim_history(engine, ben, new_id)] == ["claim"]


# --- at once ----------------------------------------------------------------------------------


def test_twelve_reviewers_correcting_one_claim_at_once_make_one_correction(
    doc: tuple[Engine, int, dict[str, int]],
) -> None:
    engine, _, ids = doc
    reviewers = [add_user(engine, f"R{i}") for i in range(12)]
    results: list[object] = []
    start = threading.Barrier(len(reviewers))

    def correct(i: int, actor: Actor) -> None:
        start.wait()
        try:
            # Each a different span, so no unique key decides it: the claim's lock does.
            results.append(corrections.adjust_claim(engine, ids["s2"], actor, S2[0], S2[1] - 1 - i))
        except Exception as exc:  # collected and checked below
            results.append(exc)

    threads = [threading.Thread(target=correct, args=(i, r)) for i, r in enumerate(reviewers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done = [r for r in results if isinstance(r, corrections.Corrected)]
    refused = [r for r in results if not isinstance(r, corrections.Corrected)]
    assert len(done) == 1
    assert len(refused) == 11 and all(isinstance(r, StaleEdit) for r in refused), refused
    with unit_of_work(engine) as session:
        made = session.scalars(select(Claim.id).where(Claim.corrected_from_id == ids["s2"])).all()
        assert made == [done[0].created[0].id]
        retirements = session.scalar(
            select(func.count(HistoryEntry.id)).where(
                HistoryEntry.claim_id == ids["s2"], HistoryEntry.entity == "claim_status"
            )
        )
        assert retirements == 1
        assert stats.totals(session).superseded == 1
    assert_offsets_hold(engine)


# --- training data -------------------------------------------------------------------------


def test_corrections_and_added_claims_enter_the_extractors_training_set(
    doc: tuple[Engine, int, dict[str, int]],
) -> None:
    """`workbench train-extractor` learns from corrections: the spans reviewers cut or added
    are positives; "not a claim" and spans a correction replaced are negatives, except a span
    its replacement contains (a merge or an extension: its words are still in a claim)."""
    from workbench.extract.train_linear import workbench_examples

    engine, document_id, ids = doc
    ana = add_user(engine, "Ana")
    before = workbench_examples(engine)
    assert before.examples == []  # nothing decided yet
    split = corrections.split_claim(engine, ids["s2"], ana, S2[0] + 12)  # "Unemployment" | ...
    added = corrections.add_claim(engine, document_id, ana, *S1)
    extended = corrections.adjust_claim(engine, ids["s4"], ana, S4[0], S5[1])
    decisions.mark_not_a_claim(engine, ids["s3"], ana)
    found = workbench_examples(engine)
    labels = dict(found.examples)
    assert labels == {
        "Unemployment": 1,
        "fell to 4.1 percent last year.": 1,
        span_text(S1): 1,
        extended.created[0].text: 1,
        span_text(S2): 0,  # split: the span was cut wrong
        span_text(S3): 0,  # not a claim
    }
    assert span_text(S4) not in labels  # extended: its words are still in a claim
    assert (found.positives, found.corrected, found.negatives, found.retired) == (4, 4, 2, 1)
    assert [c.text for c in split.created] == ["Unemployment", "fell to 4.1 percent last year."]
    assert added.created[0].text == span_text(S1)


def test_train_extractor_hands_corrections_to_the_refit_and_says_so(
    doc: tuple[Engine, int, dict[str, int]],
    tmp_path: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`workbench train-extractor`'s library call: what it passes to the refit, and its line."""
    from pathlib import Path

    from workbench.config import Settings
    from workbench.extract import retraining, train_linear
    from workbench.extract.evaluation import Evaluation

    engine, document_id, ids = doc
    ana = add_user(engine, "Ana")
    corrections.add_claim(engine, document_id, ana, *S1)
    corrections.split_claim(engine, ids["s2"], ana, S2[0] + 12)
    given: list[tuple[str, int]] = []

    def fake_retrain(folder: Path, out: Path, *, extra: list[tuple[str, int]], **_: object):  # type: ignore[no-untyped-def]
        given.extend(extra)
        same = Evaluation(precision=0.5, recall=0.5, f1=0.5)
        return train_linear.RetrainReport(
            path=out,
            before=same,
            after=same,
            public_examples=10,
            workbench_added=len(extra),
            dropped_overlap=0,
            threshold=0.5,
        )

    monkeypatch.setattr(train_linear, "retrain", fake_retrain)
    out = Path(str(tmp_path)) / "m.npz"
    done = retraining.retrain_with_reviews(engine, Settings(), Path("."), out, folds=0)
    assert (span_text(S1), 1) in given and (span_text(S2), 0) in given
    assert ("Unemployment", 1) in given
    assert (
        "workbench examples: 4 added (3 with a verdict or cut by a reviewer (3 corrected or "
        "added), 1 not a claim or replaced by a correction (1 replaced); "
        "0 with both left out)" in done.summary()
    )
