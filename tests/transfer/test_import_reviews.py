"""`import_reviews`: reviews exported here or elsewhere, loaded onto the claims stored here."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from tests.transfer.support import (
    claim_at,
    export_lines,
    finals_of,
    key_of,
    open_claims,
    review_three,
    reviews_of,
    row_counts,
    verdicts_of,
    write_jsonl,
)
from workbench.audit import claim_history
from workbench.auth.accounts import add_user, list_users, local_actor, login
from workbench.auth.policy import SYSTEM
from workbench.db.models import Review
from workbench.db.open import open_database
from workbench.db.session import unit_of_work
from workbench.errors import InputFileError, LoginFailed, PermissionDenied
from workbench.export import ExportFormat, export_to_file
from workbench.review import decisions, queue
from workbench.review.adjudicate import adjudicate, adjudication_queue, final_verdict
from workbench.schemas import Actor, FinalSource, Role, Verdict
from workbench.storable import seconds_problem, time_problem
from workbench.transfer import ImportRecord, import_reviews
from workbench.transfer.import_records import parse_line, read_records


def exported(engine: Engine, tmp_path: Path) -> Path:
    path = tmp_path / "reviews.jsonl"
    export_to_file(engine, ExportFormat.jsonl, path, actor=SYSTEM)
    return path


# --- round trip -------------------------------------------------------------------------------


def test_export_then_import_reproduces_reviews_urls_and_finals(
    seeded: Engine, other: Engine, tmp_path: Path
) -> None:
    ids = review_three(seeded)
    # The second database numbers its claims differently: matching must not use the ids.
    assert key_of(seeded, ids[0]) != key_of(other, ids[0])
    path = exported(seeded, tmp_path)

    report = import_reviews(other, path, actor=SYSTEM)

    assert reviews_of(other) == reviews_of(seeded)  # verdicts, notes, URLs, timing
    assert len(reviews_of(other)) == report.reviews_added == 7
    expected_finals = finals_of(seeded)
    adjudicated_key = key_of(seeded, ids[0])
    expected_finals[adjudicated_key] = (
        Verdict.disputed,
        FinalSource.adjudicated,
        "[imported] Ben's source holds",
    )
    assert finals_of(other) == expected_finals
    assert {(v, s) for v, s, _ in expected_finals.values()} == {
        (Verdict.disputed, FinalSource.adjudicated),
        (Verdict.unsupported, FinalSource.single),
        (Verdict.verified, FinalSource.consensus),
        (Verdict.verified, FinalSource.single),  # the claim "not a claim" there, open here
    }
    total = queue.list_claims(seeded, queue.ClaimFilter(state="all"), actor=SYSTEM).total
    assert (report.lines, report.claims_matched, report.finals_added) == (total, total, 1)
    assert (report.reviews_unchanged, report.conflicts, report.unmatched) == (0, [], [])
    assert sorted(report.new_reviewers) == ["Ana", "Ben", "Cleo"]
    # The imported adjudication is not flagged "reviews changed since adjudication": it is
    # stored after the reviews it weighed.
    page = adjudication_queue(other, local_actor(other, "Ada"))
    assert not any(item.reviews_changed for item in page.items)


def test_importing_twice_adds_nothing(seeded: Engine, other: Engine, tmp_path: Path) -> None:
    review_three(seeded)
    path = exported(seeded, tmp_path)
    first = import_reviews(other, path, actor=SYSTEM)
    counts = row_counts(other)

    again = import_reviews(other, path, actor=SYSTEM)

    assert row_counts(other) == counts  # not even a history entry
    assert (again.reviews_added, again.finals_added, again.new_reviewers) == (0, 0, [])
    assert again.reviews_unchanged == first.reviews_added == 7
    assert again.conflicts == [] and again.unmatched == []


def test_importing_an_export_into_its_own_database_changes_nothing(
    seeded: Engine, tmp_path: Path
) -> None:
    review_three(seeded)
    counts = row_counts(seeded)
    report = import_reviews(seeded, exported(seeded, tmp_path), actor=SYSTEM)
    assert (report.reviews_added, report.reviews_unchanged, report.conflicts) == (0, 7, [])
    assert row_counts(seeded) == counts


def test_a_rerun_after_a_crash_finishes_without_duplicates(
    seeded: Engine, other: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    review_three(seeded)
    reviewed = [r for r in export_lines(seeded) if r["reviews"]]
    path = write_jsonl(tmp_path / "reviewed.jsonl", reviewed)
    # The package exports a function of the module's name: fetch the module itself.
    module = importlib.import_module("workbench.transfer.import_reviews")

    real = module._Importer.line
    calls = 0

    def crash_on_the_fourth_line(self: Any, *args: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 4:
            raise RuntimeError("power cut")
        real(self, *args)

    monkeypatch.setattr(module._Importer, "line", crash_on_the_fourth_line)
    with pytest.raises(RuntimeError):
        import_reviews(other, path, batch=2, actor=SYSTEM)  # lines 1-2 committed, 3-4 rolled back
    monkeypatch.undo()
    assert 0 < len(reviews_of(other)) < 7

    report = import_reviews(other, path, actor=SYSTEM)
    assert reviews_of(other) == reviews_of(seeded)
    assert report.reviews_added + report.reviews_unchanged == 7 and report.reviews_unchanged > 0


# --- conflicts and unmatched lines ------------------------------------------------------------


def test_a_different_review_here_is_a_conflict_and_stays(
    seeded: Engine, other: Engine, tmp_path: Path
) -> None:
    ids = review_three(seeded)
    path = exported(seeded, tmp_path)
    here = claim_at(other, key_of(seeded, ids[1]))  # Ben said "unsupported" there
    ben = local_actor(other, "Ben")
    decisions.set_verdict(other, here, ben, Verdict.verified)
    line = next(n for n, r in enumerate(export_lines(seeded), start=1) if r["claim_id"] == ids[1])

    report = import_reviews(other, path, actor=SYSTEM)

    assert [(c.line, c.claim_id, c.reviewer) for c in report.conflicts] == [(line, here, "Ben")]
    assert "verdict (verified here, unsupported in the file)" in report.conflicts[0].reason
    claim = queue.get_claim(other, here, actor=SYSTEM)
    assert [(r.reviewer, r.verdict) for r in claim.reviews] == [("Ben", Verdict.verified)]
    assert report.reviews_added == 6  # every other review went in
    assert "Ben" not in report.new_reviewers


def test_a_different_note_or_url_is_a_conflict_too(seeded: Engine, tmp_path: Path) -> None:
    (claim_id,) = open_claims(seeded, 1)
    decisions.set_verdict(seeded, claim_id, local_actor(seeded, "Ana"), Verdict.verified)
    base = {"claim_id": claim_id, "reviews": [{"reviewer": "Ana", "verdict": "verified"}]}
    noted: dict[str, Any] = {
        "claim_id": claim_id,
        "reviews": [{"reviewer": "Ana", "verdict": "verified"}],
    }
    noted["reviews"][0]["note"] = "another note"
    linked: dict[str, Any] = {
        "claim_id": claim_id,
        "reviews": [{"reviewer": "Ana", "verdict": "verified"}],
    }
    linked["reviews"][0]["urls"] = ["https://example.org/x"]
    path = write_jsonl(tmp_path / "r.jsonl", [base, noted, linked])
    report = import_reviews(seeded, path, actor=SYSTEM)
    assert report.reviews_unchanged == 1
    assert [(c.line, c.reviewer) for c in report.conflicts] == [(2, "Ana"), (3, "Ana")]
    assert "note" in report.conflicts[0].reason and "URLs" in report.conflicts[1].reason


def test_an_adjudicated_final_here_is_kept(seeded: Engine, other: Engine, tmp_path: Path) -> None:
    ids = review_three(seeded)  # claim 0 adjudicated "disputed" there
    path = exported(seeded, tmp_path)
    here = claim_at(other, key_of(seeded, ids[0]))
    adjudicate(other, local_actor(other, "Ada"), here, Verdict.verified, "our own reading")

    report = import_reviews(other, path, actor=SYSTEM)

    final = final_verdict(other, here)
    assert final is not None
    assert (final.verdict, final.reason) == (Verdict.verified, "our own reading")
    assert [(c.claim_id, c.reviewer) for c in report.conflicts] == [(here, None)]
    assert "adjudicated here as verified" in report.conflicts[0].reason
    assert report.finals_added == 0


def test_an_automatic_final_gives_way_to_an_imported_adjudication(
    seeded: Engine, other: Engine, tmp_path: Path
) -> None:
    ids = review_three(seeded)
    here = claim_at(other, key_of(seeded, ids[0]))
    decisions.set_verdict(other, here, local_actor(other, "Dee"), Verdict.verified)  # single
    report = import_reviews(other, exported(seeded, tmp_path), actor=SYSTEM)
    final = final_verdict(other, here)
    assert final is not None and final.source == FinalSource.adjudicated
    assert final.verdict == Verdict.disputed and report.finals_added == 1


def test_an_unmatched_claim_is_reported_by_line_and_the_rest_imports(
    seeded: Engine, other: Engine, tmp_path: Path
) -> None:
    review_three(seeded)
    lines = export_lines(seeded)
    stranger = json.loads(json.dumps(lines[0]))
    stranger["document"]["sha256"] = "ab" * 32
    moved = json.loads(json.dumps(lines[0]))
    moved["char_start"], moved["char_end"] = 0, 3
    path = write_jsonl(tmp_path / "r.jsonl", [*lines[:2], stranger, moved, *lines[2:]])

    report = import_reviews(other, path, actor=SYSTEM)

    assert [(u.line, u.reason) for u in report.unmatched] == [
        (3, f"no document with sha256 {'ab' * 32} here"),
        (4, f"document {lines[0]['document']['sha256']} has no claim at characters 0-3 here"),
    ]
    assert reviews_of(other) == reviews_of(seeded)


def test_ids_are_used_only_without_document_and_offsets(seeded: Engine, tmp_path: Path) -> None:
    (claim_id,) = open_claims(seeded, 1)
    path = write_jsonl(
        tmp_path / "r.jsonl",
        [
            # The id exists here, but the line's document does not: unmatched, not misfiled.
            {
                "claim_id": claim_id,
                "document": {"sha256": "cd" * 32},
                "char_start": 0,
                "char_end": 5,
                "reviews": [{"reviewer": "Ana", "verdict": "verified"}],
            },
            {"claim_id": 999_999, "reviews": [{"reviewer": "Ana", "verdict": "verified"}]},
        ],
    )
    report = import_reviews(seeded, path, actor=SYSTEM)
    assert [u.line for u in report.unmatched] == [1, 2]
    assert report.unmatched[1].reason == "no claim with id 999999 here"
    assert (
        report.reviews_added == 0 and queue.get_claim(seeded, claim_id, actor=SYSTEM).reviews == []
    )


def test_a_text_that_differs_from_the_claim_is_a_conflict(seeded: Engine, tmp_path: Path) -> None:
    (claim_id,) = open_claims(seeded, 1)
    path = write_jsonl(
        tmp_path / "r.jsonl",
        [
            {
                "claim_id": claim_id,
                "text": "Something else entirely.",
                "reviews": [{"reviewer": "Ana", "verdict": "verified"}],
            }
        ],
    )
    report = import_reviews(seeded, path, actor=SYSTEM)
    assert [(c.line, c.claim_id, c.reviewer) for c in report.conflicts] == [(1, claim_id, None)]
    assert "text differs" in report.conflicts[0].reason
    assert (
        report.claims_matched == 0 and queue.get_claim(seeded, claim_id, actor=SYSTEM).reviews == []
    )


# --- reviewers ----------------------------------------------------------------------------------


def test_an_unknown_reviewer_becomes_an_account_that_cannot_log_in(
    seeded: Engine, tmp_path: Path
) -> None:
    add_user(seeded, SYSTEM, "Ana", Role.admin, "a good long password")
    (claim_id,) = open_claims(seeded, 1)
    path = write_jsonl(
        tmp_path / "r.jsonl",
        [
            {
                "claim_id": claim_id,
                "reviews": [
                    {"reviewer": "Ana", "verdict": "verified"},
                    {"reviewer": "  Zoe   Outside ", "verdict": "disputed"},
                ],
            }
        ],
    )
    report = import_reviews(seeded, path, actor=SYSTEM)
    assert report.new_reviewers == ["Zoe Outside"]
    users = {u.name: u for u in list_users(seeded, SYSTEM)}
    assert users["Zoe Outside"].role == Role.reviewer and not users["Zoe Outside"].can_log_in
    assert users["Ana"].can_log_in
    with pytest.raises(LoginFailed):
        login(seeded, "Zoe Outside", "")
    with pytest.raises(LoginFailed):
        login(seeded, "Zoe Outside", "any password at all")


# --- a bad file -------------------------------------------------------------------------------

REVIEW = {"reviewer": "Ana", "verdict": "verified"}
GOOD = {"reviews": [REVIEW]}
# Validation runs before any claim is looked up: the id of a malformed line does not matter.
LINE = {"claim_id": 1, **GOOD}


def with_review(**fields: Any) -> dict[str, Any]:
    return {"claim_id": 1, "reviews": [{"reviewer": "Ana", "verdict": None, **fields}]}


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        (with_review(verdict="maybe"), "reviews[0].verdict", "must be verified, disputed"),
        ({"claim_id": 1, "reviews": [{"verdict": "verified"}]}, "reviews[0].reviewer", "missing"),
        ({"claim_id": 1, "reviews": [{"reviewer": "Ana"}]}, "reviews[0].verdict", "is missing"),
        ({"claim_id": 1}, "reviews", "is missing"),
        ({"claim_id": 1, "reviews": {}}, "reviews", "must be a list"),
        (with_review(urls=["ftp://x.org/f"]), "reviews[0].urls[0].url", "only http://"),
        (with_review(urls=[{"url": "no"}]), "reviews[0].urls[0].url", "no scheme"),
        (with_review(urls=[{"href": "x"}]), "reviews[0].urls[0].url", "is missing"),
        (with_review(seconds_spent=-1), "reviews[0].seconds_spent", "at least 0"),
        # Values that parse, and used to be stored, but do not fit a column or break the pages.
        (with_review(seconds_spent=1e308), "reviews[0].seconds_spent", "(30 days), not 1e+308"),
        (with_review(seconds_spent=2_592_001), "reviews[0].seconds_spent", "30 days"),
        (with_review(decided_at="0001-01-01"), "reviews[0].decided_at", "between 2000-01-01"),
        (with_review(decided_at="0001-01-01T00:00:00+05:00"), "reviews[0].decided_at", "outside"),
        (with_review(decided_at="2999-01-01T00:00:00Z"), "reviews[0].decided_at", "tomorrow"),
        (
            with_review(urls=[{"url": "https://example.org/", "added_at": "1999-12-31T23:00Z"}]),
            "reviews[0].urls[0].added_at",
            "between 2000-01-01",
        ),
        ({**GOOD, "claim_id": 10**30}, "claim_id", "from 1 to 2147483647, not a number of 31"),
        ({**GOOD, "claim_id": 2**31}, "claim_id", "from 1 to 2147483647, not 2147483648"),
        ({**GOOD, "claim_id": 0}, "claim_id", "from 1 to 2147483647"),
        ({**LINE, "char_start": -1, "char_end": 4}, "char_start", "from 0 to"),
        ({**LINE, "char_start": 0, "char_end": 2**31}, "char_end", "from 0 to 2147483647"),
        ('{"claim_id": ' + "9" * 5000 + "}", None, "not usable JSON"),
        ("[" * 100_000, None, "nested too deeply"),
        (with_review(decided_at="yesterday"), "reviews[0].decided_at", "ISO 8601"),
        (with_review(note="a\u0000b"), "reviews[0].note", "NUL"),
        (with_review(reviewer=""), "reviews[0].reviewer", "enter your name"),
        ({**LINE, "document": {"sha256": "xyz"}}, "document.sha256", "64 hexadecimal"),
        ({**LINE, "schema_version": 9}, "schema_version", "(1 to 5)"),
        ({**LINE, "char_start": 5, "char_end": 5}, "char_end", "greater than char_start"),
        ({**LINE, "final_source": "adjudicated"}, "final_verdict", "is missing"),
        ({**LINE, "final_source": "voted"}, "final_source", "single, consensus, adjudicated"),
        (GOOD, None, "names no claim"),
        ("{not json", None, "not valid JSON"),
        ("[1, 2]", None, "one JSON object, not an array"),
    ],
)
def test_a_malformed_line_names_file_line_and_field(
    tmp_path: Path, line: dict[str, Any] | str, field: str | None, message: str
) -> None:
    good: list[dict[str, Any] | str] = [LINE] * 4
    path = write_jsonl(tmp_path / "bad.jsonl", [*good[:2], line, *good[2:]])
    with pytest.raises(InputFileError) as caught:
        list(read_records(path))
    error = caught.value
    assert (error.path, error.line, error.field) == (str(path), 3, field)
    assert str(error).startswith(f"{path}:3: ")
    if field is not None:
        assert f"field '{field}': " in str(error)
    assert message in str(error)
    assert "\n" not in str(error)


@pytest.mark.parametrize("bad", [3, 5])
def test_a_bad_line_stops_the_import_before_anything_is_written(
    seeded: Engine, tmp_path: Path, bad: int
) -> None:
    ids = open_claims(seeded, 5)
    lines: list[dict[str, Any] | str] = [{"claim_id": i, **GOOD} for i in ids]
    lines[bad - 1] = {"claim_id": ids[bad - 1], "reviews": [{**REVIEW, "verdict": "maybe"}]}
    path = write_jsonl(tmp_path / "bad.jsonl", lines)
    counts = row_counts(seeded)

    with pytest.raises(InputFileError) as caught:
        import_reviews(seeded, path, actor=SYSTEM)

    assert str(caught.value).startswith(f"{path}:{bad}: field 'reviews[0].verdict': ")
    assert row_counts(seeded) == counts  # not even the lines before the bad one


@pytest.mark.parametrize(
    "bad",
    [
        {"claim_id": 10**30},  # too large for SQLite: an OverflowError in the driver
        {"claim_id": 2**31},  # too large for PostgreSQL's integer: a DataError
        {"reviews": [{**REVIEW, "reviewer": "Bo", "seconds_spent": 1e308}]},
        {"reviews": [{**REVIEW, "reviewer": "Bo", "decided_at": "0001-01-01T00:00:00Z"}]},
    ],
    ids=["10**30", "2**31", "1e308 seconds", "year 1"],
)
def test_a_value_out_of_range_after_600_good_lines_writes_nothing(
    seeded: Engine, tmp_path: Path, bad: dict[str, Any]
) -> None:
    # The hostile tester's file: 600 good lines fill more than one batch; the bad value used
    # to be found only while writing, after the first 500 lines were committed.
    ids = open_claims(seeded, 6)
    lines: list[dict[str, Any] | str] = [
        {"claim_id": ids[n % 6], "reviews": [{**REVIEW, "reviewer": f"R{n % 7}"}]}
        for n in range(600)
    ]
    lines.append({"claim_id": ids[0], **GOOD, **bad})
    path = write_jsonl(tmp_path / "bad.jsonl", lines)
    counts = row_counts(seeded)
    with pytest.raises(InputFileError) as caught:
        import_reviews(seeded, path, actor=SYSTEM)
    assert str(caught.value).startswith(f"{path}:601: field ")
    assert row_counts(seeded) == counts


def test_a_verdict_error_says_what_is_allowed(tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as caught:
        parse_line(
            json.dumps({"claim_id": 1, "reviews": [{"reviewer": "A", "verdict": "true"}]}),
            "f.jsonl",
            7,
        )
    assert str(caught.value) == (
        "f.jsonl:7: field 'reviews[0].verdict': "
        "must be verified, disputed, unsupported or null, not 'true'"
    )


def test_a_missing_file_is_one_clear_error(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"no-such\.jsonl: file vanished"):
        import_reviews(engine, tmp_path / "no-such.jsonl", actor=SYSTEM)


def test_blank_lines_are_skipped_and_line_numbers_stay_true(seeded: Engine, tmp_path: Path) -> None:
    (claim_id,) = open_claims(seeded, 1)
    path = tmp_path / "r.jsonl"
    path.write_text(
        "\n" + json.dumps({"claim_id": claim_id, **GOOD}) + "\n\n" + '{"claim_id": 1}\n',
        encoding="utf-8",
    )
    with pytest.raises(InputFileError, match=r"r\.jsonl:4: field 'reviews'"):
        import_reviews(seeded, path, actor=SYSTEM)


# --- another tool's minimal file --------------------------------------------------------------


def test_a_minimal_file_from_another_tool_imports(seeded: Engine, tmp_path: Path) -> None:
    ids = open_claims(seeded, 2)
    path = write_jsonl(
        tmp_path / "other-tool.jsonl",
        [
            {
                "claim_id": ids[0],
                "reviews": [
                    {
                        "reviewer": "Kim",
                        "verdict": "disputed",
                        "urls": ["https://Example.org/a#frag", {"url": "example.org/b"}],
                        "decided_at": "2024-05-01T10:00:00",
                        "seconds_spent": 42.5,
                    },
                    {"reviewer": "Lee", "verdict": None, "note": None},
                ],
                "tool": "their-annotator 2.1",  # unknown fields are ignored
            },
            {"claim_id": ids[1], "reviews": [{"reviewer": "Kim", "verdict": "verified"}]},
        ],
    )
    report = import_reviews(seeded, path, actor=SYSTEM)
    assert (report.reviews_added, report.claims_matched, report.new_reviewers) == (
        3,
        2,
        ["Kim", "Lee"],
    )
    first = queue.get_claim(seeded, ids[0], actor=SYSTEM).reviews
    kim = next(r for r in first if r.reviewer == "Kim")
    assert [u.url for u in kim.urls] == ["https://example.org/a", "https://example.org/b"]
    assert kim.decided_at is not None and kim.decided_at.isoformat() == "2024-05-01T10:00:00+00:00"
    assert kim.seconds_spent == 42.5
    lee = next(r for r in first if r.reviewer == "Lee")
    assert (lee.verdict, lee.note, lee.decided_at) == (None, "", None)
    second = queue.get_claim(seeded, ids[1], actor=SYSTEM).reviews
    assert second[0].decided_at is not None  # now, when the file gives a verdict but no time
    final = final_verdict(seeded, ids[1])
    assert final is not None and (final.verdict, final.source) == (
        Verdict.verified,
        FinalSource.single,
    )


def test_reviews_of_a_claim_marked_not_a_claim_are_still_imported(
    seeded: Engine, tmp_path: Path
) -> None:
    (claim_id,) = open_claims(seeded, 1)
    decisions.mark_not_a_claim(seeded, claim_id, local_actor(seeded, "Ada"))
    path = write_jsonl(tmp_path / "r.jsonl", [{"claim_id": claim_id, **GOOD}])
    assert import_reviews(seeded, path, actor=SYSTEM).reviews_added == 1
    assert [r.reviewer for r in queue.get_claim(seeded, claim_id, actor=SYSTEM).reviews] == ["Ana"]


def test_every_version_of_the_export_reads(tmp_path: Path) -> None:
    base: dict[str, Any] = {
        "claim_id": 3,
        "text": "t",
        "char_start": 0,
        "char_end": 1,
        "speaker": None,
        "score": 0.5,
        "extractor": "linear@1",
        "status": "open",
        "document": {"id": 1, "title": "T", "source": "s", "sha256": "ab" * 32},
        "reviews": [
            {
                "id": 1,
                "reviewer": "Ana",
                "verdict": "verified",
                "note": "",
                "urls": [{"url": "https://example.org/", "added_at": "2024-01-01T00:00:00Z"}],
                "version": 1,
                "created_at": "2024-01-01T00:00:00Z",
                "updated_at": "2024-01-01T00:00:00Z",
            }
        ],
    }
    v1 = {**base, "schema_version": 1}
    v2 = {**v1, "schema_version": 2, "final_verdict": None, "final_source": None}
    v3 = {**v2, "schema_version": 3}
    v4 = {**v3, "schema_version": 4}
    v4["reviews"] = [
        {**base["reviews"][0], "blind_verdict": "verified", "changed_after_reveal": False}
    ]
    for version in (v1, v2, v3, v4):
        record = parse_line(json.dumps(version), "f.jsonl", 1)
        assert isinstance(record, ImportRecord) and record.by_offsets


# --- permissions and history ------------------------------------------------------------------


def test_a_reviewer_may_not_import(seeded: Engine, tmp_path: Path) -> None:
    (claim_id,) = open_claims(seeded, 1)
    user = add_user(seeded, SYSTEM, "Rui", Role.reviewer, "a good long password")
    rui = Actor(id=user.id, name=user.name, role=user.role)
    path = write_jsonl(tmp_path / "r.jsonl", [{"claim_id": claim_id, **GOOD}])
    counts = row_counts(seeded)
    with pytest.raises(PermissionDenied):
        import_reviews(seeded, path, actor=rui)
    # A role claimed by the caller is not trusted: the stored one counts.
    with pytest.raises(PermissionDenied):
        import_reviews(seeded, path, actor=rui.model_copy(update={"role": Role.admin}))
    assert row_counts(seeded) == counts


def test_an_admin_import_is_in_the_history_under_their_name(seeded: Engine, tmp_path: Path) -> None:
    (claim_id,) = open_claims(seeded, 1)
    user = add_user(seeded, SYSTEM, "Ada", Role.admin, "a good long password")
    ada = Actor(id=user.id, name=user.name, role=user.role)
    review = {"reviewer": "Ana", "verdict": "verified", "urls": ["https://example.org/x"]}
    path = write_jsonl(tmp_path / "r.jsonl", [{"claim_id": claim_id, "reviews": [review]}])
    import_reviews(seeded, path, actor=ada)
    entries = [(e.actor, e.entity, e.action) for e in claim_history(seeded, claim_id)]
    assert entries == [
        ("Ada", "review", "create"),
        ("Ada", "url", "create"),
        (None, "final_verdict", "create"),  # a single final follows from the review
    ]


def test_the_cli_import_records_no_actor(seeded: Engine, tmp_path: Path) -> None:
    (claim_id,) = open_claims(seeded, 1)
    path = write_jsonl(tmp_path / "r.jsonl", [{"claim_id": claim_id, **GOOD}])
    import_reviews(seeded, path, actor=SYSTEM)
    assert {e.actor for e in claim_history(seeded, claim_id)} == {None}
    with unit_of_work(seeded) as session:
        review = session.scalars(select(Review).where(Review.claim_id == claim_id)).one()
        assert review.reviewer.name == "Ana" and review.version == 1


# --- property: export → import reproduces the verdicts ------------------------------------------

REVIEWERS = ("Ana", "Ben", "Cleo", "Dai")
VERDICTS = (None, *Verdict)


@pytest.mark.backends("sqlite")
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(st.integers(0, 7), st.sampled_from(REVIEWERS), st.sampled_from(VERDICTS)),
        max_size=20,
    )
)
def test_export_then_import_reproduces_the_verdict_set(
    seeded: Engine, tmp_path_factory: pytest.TempPathFactory, reviews: list[Any]
) -> None:
    folder = tmp_path_factory.mktemp("copy")
    copies = []
    for name in ("there", "here"):
        target = folder / f"{name}.sqlite"
        # A consistent copy, outside any transaction (VACUUM cannot run inside one).
        raw = seeded.raw_connection()
        try:
            sqlite = raw.driver_connection
            assert sqlite is not None
            sqlite.execute("VACUUM INTO ?", (str(target),))
        finally:
            raw.close()
        copies.append(open_database(f"sqlite:///{target}", migrate=False))
    there, here = copies
    ids = open_claims(there, 8)
    for index, reviewer, verdict in reviews:
        decisions.set_verdict(there, ids[index], local_actor(there, reviewer), verdict)
    path = folder / "reviews.jsonl"
    export_to_file(there, ExportFormat.jsonl, path, actor=SYSTEM)

    report = import_reviews(here, path, actor=SYSTEM)

    assert verdicts_of(here) == verdicts_of(there)
    assert finals_of(here) == finals_of(there)
    assert report.reviews_added == len(verdicts_of(there)) and report.conflicts == []


# --- blind verdicts (schema version 4) ------------------------------------------------------


def blind_of(engine: Engine) -> set[tuple[Any, ...]]:
    """Every decided review by claim key: reviewer, verdict, blind verdict, flag."""
    from workbench.export.rows import iter_records

    return {
        (
            record.document.sha256,
            record.char_start,
            record.char_end,
            review.reviewer,
            review.verdict,
            review.blind_verdict,
            review.changed_after_reveal,
        )
        for record in iter_records(engine)
        for review in record.reviews
    }


def test_blind_verdicts_and_changes_after_the_reveal_survive_export_and_import(
    seeded: Engine, other: Engine, tmp_path: Path
) -> None:
    from workbench.projects.settings import set_project_setting

    for engine in (seeded, other):
        set_project_setting(engine, SYSTEM, "reviews_per_claim", 2)
    claim_id = open_claims(seeded, 1)[0]
    ana, ben = local_actor(seeded, "Ana"), local_actor(seeded, "Ben")
    decisions.set_verdict(seeded, claim_id, ana, Verdict.verified)
    decisions.set_verdict(seeded, claim_id, ben, Verdict.disputed)
    decisions.set_verdict(seeded, claim_id, ben, Verdict.verified)  # after seeing Ana's
    path = tmp_path / "reviews.jsonl"
    export_to_file(seeded, ExportFormat.jsonl, path, actor=SYSTEM)
    assert json.loads(path.read_text().splitlines()[0])["schema_version"] == 5

    report = import_reviews(other, path, actor=SYSTEM)

    assert report.reviews_added == 2 and report.conflicts == []
    assert blind_of(other) == blind_of(seeded)
    assert (Verdict.verified, Verdict.disputed, True) in {r[4:] for r in blind_of(other)}
    # Here too the late agreement is no consensus: the claim waits for an admin.
    there = claim_at(other, key_of(seeded, claim_id))
    assert final_verdict(other, there) is None
    (item,) = adjudication_queue(other, local_actor(other, "Ada")).items
    assert item.claim.id == there and item.agreed_after_reveal
    # Importing again changes nothing; a file naming another blind verdict is a conflict.
    assert import_reviews(other, path, actor=SYSTEM).reviews_unchanged == 2
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    for line in lines:
        for review in line["reviews"]:
            review["blind_verdict"] = review["verdict"]
            review["changed_after_reveal"] = False
    again = import_reviews(other, write_jsonl(tmp_path / "edited.jsonl", lines), actor=SYSTEM)
    assert [c.reviewer for c in again.conflicts] == ["Ben"]
    assert "blind verdict (disputed here, verified in the file)" in again.conflicts[0].reason


def test_a_version_3_file_takes_the_verdict_as_blind(seeded: Engine, tmp_path: Path) -> None:
    (claim_id,) = open_claims(seeded, 1)
    line = {
        "schema_version": 3,
        "claim_id": claim_id,
        "reviews": [
            {"reviewer": "Ana", "verdict": "disputed"},
            {"reviewer": "Ben", "verdict": None},
        ],
    }
    import_reviews(seeded, write_jsonl(tmp_path / "v3.jsonl", [line]), actor=SYSTEM)
    with unit_of_work(seeded) as session:
        rows = session.execute(
            select(Review.verdict, Review.blind_verdict, Review.changed_after_reveal)
            .where(Review.claim_id == claim_id)
            .order_by(Review.id)
        ).all()
    assert [tuple(r) for r in rows] == [("disputed", "disputed", False), (None, None, False)]


def test_a_verdict_other_than_the_blind_one_is_stored_as_changed_after_the_reveal(
    seeded: Engine, tmp_path: Path
) -> None:
    """Another tool may name a blind verdict without the flag: the difference is the flag."""
    (claim_id,) = open_claims(seeded, 1)
    review = {"reviewer": "Ana", "verdict": "verified", "blind_verdict": "unsupported"}
    line = {"schema_version": 4, "claim_id": claim_id, "reviews": [review]}
    import_reviews(seeded, write_jsonl(tmp_path / "v4.jsonl", [line]), actor=SYSTEM)
    with unit_of_work(seeded) as session:
        row = session.execute(
            select(Review.blind_verdict, Review.changed_after_reveal).where(
                Review.claim_id == claim_id
            )
        ).one()
    assert tuple(row) == ("unsupported", True)
    bad = {**line, "reviews": [{**review, "blind_verdict": "maybe"}]}
    with pytest.raises(InputFileError, match="blind_verdict"):
        import_reviews(seeded, write_jsonl(tmp_path / "bad.jsonl", [bad]), actor=SYSTEM)


# --- property: any record imports, or is one line naming it; never a traceback ----------------

_WILD_INTS = st.one_of(
    st.integers(-5, 50),
    st.integers(),
    st.sampled_from([2**31 - 1, 2**31, 2**63, 10**30, -(2**31) - 1]),
)
_WILD_FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([1e308, 2_592_000, 0.5])
)
_WILD_TIMES = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda t: t.isoformat()),
    st.datetimes().map(lambda t: t.isoformat()),
    st.sampled_from(["0001-01-01", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"]),
    st.text(max_size=5),
)
_ANY = st.one_of(st.none(), st.booleans(), _WILD_INTS, _WILD_FLOATS, st.text(max_size=8))
# A well-formed line with a few of its values replaced by wild ones: a wholly random line
# fails on its shape long before its values are looked at.
_WILD_FIELDS: dict[tuple[str | int, ...], Any] = {
    ("claim_id",): st.one_of(_WILD_INTS, _ANY),
    ("char_start",): _WILD_INTS,
    ("char_end",): _WILD_INTS,
    ("document",): st.fixed_dictionaries({"sha256": st.one_of(st.just("ab" * 32), _ANY)}),
    ("final_source",): st.one_of(st.just("adjudicated"), _ANY),
    ("final_verdict",): st.one_of(st.just("disputed"), _ANY),
    ("final_reason",): st.one_of(st.text(max_size=10), _ANY),
    ("schema_version",): _WILD_INTS,
    ("reviews",): _ANY,
    ("reviews", 0, "reviewer"): st.one_of(st.text(max_size=120), _ANY),
    ("reviews", 0, "verdict"): _ANY,
    ("reviews", 0, "note"): st.one_of(st.text(max_size=20), _ANY),
    ("reviews", 0, "decided_at"): st.one_of(_WILD_TIMES, _ANY),
    ("reviews", 0, "seconds_spent"): st.one_of(_WILD_FLOATS, _WILD_INTS, _ANY),
    ("reviews", 0, "urls"): st.one_of(_ANY, st.lists(_ANY, max_size=2)),
    ("reviews", 0, "urls", 0, "added_at"): st.one_of(_WILD_TIMES, _ANY),
}


@st.composite
def _records(draw: st.DrawFn) -> dict[str, Any]:
    record: dict[str, Any] = {
        "claim_id": draw(st.integers(1, 8)),
        "reviews": [
            {
                "reviewer": draw(st.sampled_from(REVIEWERS)),
                "verdict": draw(st.sampled_from([v.value for v in Verdict])),
                "urls": [{"url": "https://example.org/b"}],
            }
        ],
    }
    paths = draw(st.lists(st.sampled_from(sorted(_WILD_FIELDS, key=str)), min_size=1, max_size=3))
    for path in paths:
        target: Any = record
        for step in path[:-1]:
            # A scalar, or a list asked for a key, ends the path, as a missing key or index does.
            steppable = isinstance(target, dict) or (
                isinstance(target, list) and isinstance(step, int)
            )
            if not steppable:
                break
            try:
                target = target[step]
            except (KeyError, IndexError):
                break
        else:
            if isinstance(target, dict):
                target[path[-1]] = draw(_WILD_FIELDS[path])
    return record


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(_records())
def test_any_record_imports_or_is_one_line_and_nothing_is_written(
    seeded: Engine, tmp_path_factory: pytest.TempPathFactory, record: dict[str, Any]
) -> None:
    # Behind good lines in batches of two, so that a late failure shows as a partial write.
    ids = [
        c.id for c in queue.list_claims(seeded, queue.ClaimFilter(state="all"), actor=SYSTEM).items
    ][:6]
    good = [{"claim_id": ids[n % 6], "reviews": [{**REVIEW, "reviewer": "Ana"}]} for n in range(6)]
    path = write_jsonl(tmp_path_factory.mktemp("any") / "r.jsonl", [*good, record])
    counts = row_counts(seeded)
    try:
        import_reviews(seeded, path, batch=2, actor=SYSTEM)
    except InputFileError as error:
        assert "\n" not in str(error) and str(error).startswith(f"{path}:7: ")
        assert row_counts(seeded) == counts
        return
    # Imported: what was stored is something the pages can compute with.
    with unit_of_work(seeded) as session:
        for spent, decided in session.execute(select(Review.seconds_spent, Review.decided_at)):
            assert spent is None or seconds_problem(spent) is None
            assert decided is None or time_problem(decided) is None
