"""``GET /claims``: wrong filters answer 400 naming the field (never a silent empty list), and
keyset pages in each of the Queue's orders (``sort``) add up to the unpaged list."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, update

from tests.api.conftest import TEXT, World, assert_error, auth, build_world
from workbench.db.models import Claim
from workbench.db.session import unit_of_work
from workbench.extract import default_extractor
from workbench.ingest.service import ingest_documents
from workbench.schemas import DocumentIn


@pytest.fixture
def world(engine: Engine) -> World:
    return build_world(engine)


def _get(client: TestClient, token: str, **params: Any) -> Any:
    return client.get("/api/v1/claims", params=params, headers=auth(token))


@pytest.mark.backends("sqlite")
def test_wrong_filters_are_400_naming_the_field(client: TestClient, world: World) -> None:
    ada, boss = world.tokens["ada"], world.tokens["boss"]
    got = _get(client, ada, project="health", verdict="pants-on-fire")
    error = assert_error(got, 400, "invalid")["error"]
    assert error["field"] == "verdict"
    assert "'pants-on-fire'" in error["message"] and "verified" in error["message"]
    got = _get(client, ada, project="health", state="all", final="nonsense")
    error = assert_error(got, 400, "invalid")["error"]
    assert error["field"] == "final" and "'nonsense'" in error["message"]
    # A document of another project, or none: the same words (no probing across projects).
    other = world.claims["election"][0]
    with unit_of_work(world.engine) as session:
        election_doc = session.get_one(Claim, other).document_id
    for document in (election_doc, 99_999):
        got = _get(client, ada, project="health", document_id=document)
        error = assert_error(got, 400, "invalid")["error"]
        assert error["field"] == "document_id" and f"no document {document} " in error["message"]
    got = _get(client, boss, project="health", state="all", reviewer="nobody")
    assert assert_error(got, 400, "invalid")["error"]["field"] == "reviewer"
    got = _get(client, ada, project="health", min_score=0.9, max_score=0.1)
    assert assert_error(got, 400, "invalid")["error"]["field"] == "min_score"
    for params in ({"state": "nonsense"}, {"sort": "score"}, {"final_from": "x"}):
        got = _get(client, ada, project="health", **params)
        assert assert_error(got, 422)["error"]["field"] == next(iter(params))
    # Right filters that match nothing are still an empty list.
    got = _get(client, ada, project="health", verdict="disputed", speaker="nobody")
    assert got.status_code == 200 and got.json()["items"] == []


def _many_claims(world: World) -> list[int]:
    """More claims in health, with disagreement and verdict counts that tie and differ."""
    documents = [
        DocumentIn(text=TEXT.replace("4,000", f"{n},000"), title=f"d{n}", source=f"d{n}.txt")
        for n in range(5, 11)
    ]
    ingest_documents(world.engine, documents, default_extractor(), project="health")
    with unit_of_work(world.engine) as session:
        ids = list(
            session.scalars(
                Claim.__table__.select()
                .with_only_columns(Claim.id)
                .where(Claim.project_id == world.projects["health"])
                .order_by(Claim.id)
            )
        )
        for n, claim_id in enumerate(ids):
            session.execute(
                update(Claim)
                .where(Claim.id == claim_id)
                .values(verdicts=1 + n % 3, disagreement=(0.0, 0.5, 1 / 3)[n % 3 if n % 2 else 0])
            )
    return ids


def _walk(client: TestClient, token: str, limit: int, **params: Any) -> list[int]:
    seen: list[int] = []
    cursor: str | None = None
    while True:
        page = _get(client, token, limit=limit, **params, **({"cursor": cursor} if cursor else {}))
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["items"]) <= limit
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen


@pytest.mark.backends("sqlite")
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    limit=st.integers(min_value=1, max_value=12),
    sort=st.sampled_from(["reading", "disagreement"]),
    state=st.sampled_from(["all", "reviewed", "to_review"]),
)
def test_pages_in_each_order_add_up_to_the_whole_list(
    client: TestClient, world: World, limit: int, sort: str, state: str
) -> None:
    if len(world.claims["health"]) < 5:  # once per test (hypothesis reuses the fixtures)
        world.claims["health"][:] = _many_claims(world)
    ada = world.tokens["ada"]
    params = {"project": "health", "sort": sort, "state": state}
    whole = _get(client, ada, limit=500, **params).json()
    assert whole["next_cursor"] is None
    expected = [item["id"] for item in whole["items"]]
    if state != "to_review":
        assert len(expected) > 12
    walked = _walk(client, ada, limit, **params)
    assert walked == expected and len(set(walked)) == len(walked)
    if sort == "disagreement" and state == "all":
        splits = [c["disagreement"] or 0 for c in whole["items"]]
        assert splits == sorted(splits, reverse=True)


@pytest.mark.backends("sqlite")
def test_a_cursor_holds_to_its_sort_and_filters(client: TestClient, world: World) -> None:
    world.claims["health"][:] = _many_claims(world)
    ada = world.tokens["ada"]
    params = {"project": "health", "state": "all", "sort": "disagreement", "limit": 2}
    cursor = _get(client, ada, **params).json()["next_cursor"]
    assert cursor
    assert _get(client, ada, **params, cursor=cursor).status_code == 200
    for other in ({"sort": "reading"}, {"state": "reviewed"}, {"min_score": 0.1}):
        got = _get(client, ada, **{**params, **other}, cursor=cursor)
        error = assert_error(got, 400, "invalid_cursor")["error"]
        assert error["field"] == "cursor" and "other filters" in error["message"]
    garbled = [cursor[:-3], cursor[:10] + ("A" if cursor[10] != "A" else "B") + cursor[11:]]
    for bad in garbled:
        got = _get(client, ada, **params, cursor=bad)
        assert assert_error(got, 400, "invalid_cursor")["error"]["field"] == "cursor"


@pytest.mark.backends("postgresql")
def test_pages_by_disagreement_on_postgresql(client: TestClient, world: World) -> None:
    world.claims["health"][:] = _many_claims(world)
    ada = world.tokens["ada"]
    for sort in ("reading", "disagreement"):
        params = {"project": "health", "sort": sort, "state": "all"}
        items = _get(client, ada, limit=500, **params).json()["items"]
        whole = [c["id"] for c in items]
        assert len(whole) == len(world.claims["health"])
        if sort == "disagreement":
            splits = [c["disagreement"] or 0 for c in items]
            assert splits == sorted(splits, reverse=True) and splits != sorted(splits)
        for limit in (1, 2, 5):
            assert _walk(client, ada, limit, **params) == whole
