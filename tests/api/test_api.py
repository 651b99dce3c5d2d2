"""The HTTP API against a live `workbench api` (issue 15), on SQLite and PostgreSQL: tokens,
401/403/404 per endpoint, projects kept apart, keyset pages, stale reviews, and what a
hostile client sends."""

from __future__ import annotations

import base64
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import Engine

from tests.api.conftest import TEXT, api_server, assert_error, auth, build_world
from workbench.auth import accounts
from workbench.auth.policy import SYSTEM
from workbench.auth.tokens import create_token, list_tokens, revoke_token
from workbench.extract import default_extractor
from workbench.ingest.service import ingest_documents
from workbench.projects.membership import grant
from workbench.projects.settings import set_project_setting
from workbench.schemas import DocumentIn, Role

# (method, path, JSON body) of every endpoint that needs a token; {c}: a claim id.
ENDPOINTS = [
    ("GET", "/me", None),
    ("GET", "/projects", None),
    ("GET", "/projects/health", None),
    ("GET", "/claims", None),
    ("GET", "/claims/{c}", None),
    ("PUT", "/claims/{c}/review", {"verdict": "verified", "version": None}),
    ("GET", "/claims/{c}/final", None),
    ("PUT", "/claims/{c}/final", {"verdict": "verified", "reason": "r", "version": None}),
    ("GET", "/adjudication", None),
    ("POST", "/documents", {"text": TEXT}),
    ("POST", "/documents/batch", {"documents": [{"text": TEXT}]}),
]


def test_health_docs_and_tokens(engine: Engine, db_url: str, tmp_path: Path) -> None:
    w = build_world(engine)
    claim = w.claims["health"][0]
    with api_server(db_url, tmp_path) as api:
        health = httpx.get(f"{api}/health")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        root = api.removesuffix("/api/v1")
        schema = httpx.get(f"{root}/openapi.json").json()
        for _, path, _ in ENDPOINTS:
            templated = path.replace("{c}", "{claim_id}").replace("/health", "/{project}")
            assert f"/api/v1{templated}" in schema["paths"], templated
        assert "ErrorBody" in schema["components"]["schemas"]
        assert httpx.get(f"{root}/docs").status_code == 200
        for n, (method, path, body) in enumerate(ENDPOINTS):
            url = api + path.format(c=claim)
            assert_error(httpx.request(method, url, json=body), 401, "unauthorized")
            if n < 5:  # a bad token is a failure the throttle counts: five here
                bad = httpx.request(method, url, json=body, headers=auth("wbt_nope"))
                assert_error(bad, 401, "unauthorized")
        me = httpx.get(f"{api}/me", headers=auth(w.tokens["rae"]))
        assert me.status_code == 200 and me.json()["name"] == "rae"
        # Revoked, expired-by-disable: refused at the next request.
        extra = create_token(engine, SYSTEM, "rae", "extra")
        assert httpx.get(f"{api}/me", headers=auth(extra.secret)).status_code == 200
        revoke_token(engine, SYSTEM, extra.token.id)
        assert_error(httpx.get(f"{api}/me", headers=auth(extra.secret)), 401)
        accounts.set_disabled(engine, SYSTEM, "rae", True)
        assert_error(httpx.get(f"{api}/me", headers=auth(w.tokens["rae"])), 401)
        accounts.set_disabled(engine, SYSTEM, "rae", False)
        assert httpx.get(f"{api}/me", headers=auth(w.tokens["rae"])).status_code == 200
        assert any(t.last_used_at is not None for t in list_tokens(engine, SYSTEM))
        # Bad tokens from one address: ten free failures (seven so far), then a pause.
        statuses = [httpx.get(f"{api}/me", headers=auth("wbt_guess")).status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        slowed = httpx.get(f"{api}/me", headers=auth("wbt_guess"))
        assert_error(slowed, 429, "too_many_requests")
        assert int(slowed.headers["Retry-After"]) >= 1
        # ...good tokens too, from that address, until the pause ends.
        assert_error(httpx.get(f"{api}/me", headers=auth(w.tokens["rae"])), 429)


def test_projects_are_kept_apart_and_roles_hold(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    w = build_world(engine)
    health, election = w.claims["health"][0], w.claims["election"][0]
    rae, vic, eli = (auth(w.tokens[n]) for n in ("rae", "vic", "eli"))
    review: dict[str, object] = {"verdict": "verified", "note": "", "urls": [], "version": None}
    with api_server(db_url, tmp_path) as api:
        names = [p["name"] for p in httpx.get(f"{api}/projects", headers=rae).json()]
        assert names == ["health"]
        assert_error(httpx.get(f"{api}/projects/election", headers=rae), 404, "not_found")
        ids = [c["id"] for c in httpx.get(f"{api}/claims", headers=rae).json()["items"]]
        assert ids == w.claims["health"]  # rae's only project, without naming it
        # Another desk's claim is answered as a claim that does not exist: same status, words.
        missing = assert_error(httpx.get(f"{api}/claims/999999", headers=rae), 404)
        foreign = assert_error(httpx.get(f"{api}/claims/{election}", headers=rae), 404)
        assert str(foreign["error"]).replace(str(election), "N") == str(missing["error"]).replace(
            "999999", "N"
        )
        assert_error(httpx.put(f"{api}/claims/{election}/review", json=review, headers=rae), 404)
        assert_error(httpx.get(f"{api}/claims?project=election", headers=rae), 404)
        assert_error(httpx.get(f"{api}/claims?project=nosuch", headers=rae), 404)
        # A viewer reads and may not review; a reviewer may not adjudicate nor ingest.
        assert httpx.get(f"{api}/claims/{health}", headers=vic).status_code == 200
        assert_error(httpx.put(f"{api}/claims/{health}/review", json=review, headers=vic), 403)
        final = {"verdict": "verified", "reason": "sources", "version": None}
        assert_error(httpx.put(f"{api}/claims/{health}/final", json=final, headers=rae), 403)
        assert_error(httpx.get(f"{api}/adjudication", headers=rae), 403)
        assert_error(httpx.post(f"{api}/documents", json={"text": TEXT}, headers=rae), 403)
        # Admin of health: adjudicates there, and only there.
        ada = auth(w.tokens["ada"])
        decided = httpx.put(f"{api}/claims/{health}/final", json=final, headers=ada)
        assert decided.status_code == 200 and decided.json()["source"] == "adjudicated"
        again = httpx.put(f"{api}/claims/{health}/final", json=final, headers=ada)
        assert_error(again, 409, "stale")
        assert httpx.get(f"{api}/claims/{health}/final", headers=ada).json()["final"]["version"]
        assert_error(httpx.put(f"{api}/claims/{election}/final", json=final, headers=ada), 404)
        assert httpx.get(f"{api}/adjudication?project=health", headers=ada).status_code == 200
        assert httpx.get(f"{api}/claims/{election}", headers=eli).status_code == 200
        # A token limited to health: election is out of its sight though its account is in.
        grant(engine, SYSTEM, "eli", "health", Role.reviewer)
        limited = auth(create_token(engine, SYSTEM, "eli", "h", project="health").secret)
        assert httpx.get(f"{api}/claims/{health}", headers=limited).status_code == 200
        assert_error(httpx.get(f"{api}/claims/{election}", headers=limited), 404)
        names = [p["name"] for p in httpx.get(f"{api}/projects", headers=limited).json()]
        assert names == ["health"]


def test_reviews_versions_stale_and_blind(engine: Engine, db_url: str, tmp_path: Path) -> None:
    w = build_world(engine)
    set_project_setting(engine, SYSTEM, "reviews_per_claim", 2, "health")
    grant(engine, SYSTEM, "eli", "health", Role.reviewer)
    claim = w.claims["health"][0]
    rae, eli = auth(w.tokens["rae"]), auth(w.tokens["eli"])
    url = f"/claims/{claim}/review"
    with api_server(db_url, tmp_path) as api:
        body = {
            "verdict": "disputed",
            "note": "Ministry figures differ ✓ مرحبا",
            "urls": ["https://example.org/a", "https://example.org/b"],
            "version": None,
        }
        first = httpx.put(api + url, json=body, headers=rae)
        assert first.status_code == 200, first.text
        saved = first.json()
        assert saved["verdict"] == "disputed" and saved["note"] == body["note"]
        assert [u["url"] for u in saved["urls"]] == body["urls"]
        # The version seen is stale: 409 with the review as it is now; nothing changed.
        stale = httpx.put(api + url, json={**body, "verdict": "verified"}, headers=rae)
        current = assert_error(stale, 409, "stale")["current"]
        assert isinstance(current, dict) and current["version"] == saved["version"]
        # With the version seen: saved, URLs replaced, a new version.
        edit = {**body, "urls": ["https://example.org/b"], "version": saved["version"]}
        changed = httpx.put(api + url, json=edit, headers=rae).json()
        assert changed["version"] > saved["version"]
        assert [u["url"] for u in changed["urls"]] == ["https://example.org/b"]
        # Blind review: eli sees nothing of rae's until eli has decided.
        before = httpx.get(f"{api}/claims/{claim}", headers=eli).json()
        assert before["reviews"] == [] and before["hidden_reviews"] == 1
        mine: dict[str, object] = {"verdict": "verified", "note": "", "urls": [], "version": None}
        assert httpx.put(api + url, json=mine, headers=eli).status_code == 200
        after = httpx.get(f"{api}/claims/{claim}", headers=eli).json()
        assert sorted(r["reviewer"] for r in after["reviews"]) == ["eli", "rae"]
        # eli is in two projects now: which one is asked, in the API's words.
        which = assert_error(httpx.get(f"{api}/claims", headers=eli), 400, "project_required")
        assert which["error"]["field"] == "project" and "project=NAME" in which["error"]["message"]
        # A filter by others' verdicts is the admins' (it would tell eli what rae said).
        assert_error(httpx.get(f"{api}/claims?project=health&reviewer=rae", headers=eli), 403)


def test_twelve_concurrent_saves_of_one_version_one_wins(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    w = build_world(engine)
    claim = w.claims["health"][1]
    rae = auth(w.tokens["rae"])
    with api_server(db_url, tmp_path) as api:
        start = httpx.put(
            f"{api}/claims/{claim}/review",
            json={"verdict": None, "note": "draft", "urls": [], "version": None},
            headers=rae,
        ).json()

        def save(n: int) -> int:
            body = {
                "verdict": "verified",
                "note": f"try {n}",
                "urls": [],
                "version": start["version"],
            }
            with httpx.Client(timeout=60) as client:
                return client.put(
                    f"{api}/claims/{claim}/review", json=body, headers=rae
                ).status_code

        with ThreadPoolExecutor(12) as pool:
            statuses = sorted(pool.map(save, range(12)))
        assert statuses == [200] + [409] * 11


def test_keyset_pages_cover_each_claim_once_while_claims_are_added(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    w = build_world(engine)
    boss = auth(w.tokens["boss"])
    for n in range(3):
        text = TEXT.replace("4,000", f"{4001 + n:,}")
        ingest_documents(
            engine,
            [DocumentIn(text=text, title=f"d{n}", source=f"d{n}.txt")],
            default_extractor(),
            project="health",
        )
    with api_server(db_url, tmp_path) as api:
        first = httpx.get(f"{api}/claims?project=health&state=all&limit=500", headers=boss)
        everything = [c["id"] for c in first.json()["items"]]
        seen: list[int] = []
        cursor: str | None = None
        added = 0
        while True:
            query = f"{api}/claims?project=health&state=all&limit=2" + (
                f"&cursor={cursor}" if cursor else ""
            )
            page = httpx.get(query, headers=boss)
            assert page.status_code == 200, page.text
            seen += [c["id"] for c in page.json()["items"]]
            cursor = page.json()["next_cursor"]
            if cursor is None:
                break
            if added == 3:  # enough: each new document adds as many claims as a page holds
                continue
            text = TEXT.replace("4,000", f"{5000 + added:,}")
            document = DocumentIn(text=text, title=f"new {added}", source=f"n{added}.txt")
            ingest_documents(engine, [document], default_extractor(), project="health")
            added += 1
        assert len(seen) == len(set(seen)), "a claim came twice"
        assert set(everything) <= set(seen), "a claim was skipped"


def test_documents_are_ingested_with_the_clis_rules(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    w = build_world(engine)
    ada = auth(w.tokens["ada"])
    text = TEXT.replace("4,000", "7,000")
    with api_server(db_url, tmp_path) as api:
        body = {
            "text": text,
            "title": "Harbour",
            "url": "https://news.example/h",
            "project": "health",
            "desk": "x",
        }
        made = httpx.post(f"{api}/documents", json=body, headers=ada)
        assert made.status_code == 201, made.text
        result = made.json()
        assert result["duplicate"] is False and len(result["claims"]) == 2
        assert all(text[c["char_start"] : c["char_end"]] == c["text"] for c in result["claims"])
        again = httpx.post(f"{api}/documents", json=body, headers=ada).json()
        assert again["duplicate"] is True and again["document"]["id"] == result["document"]["id"]
        unsafe = httpx.post(
            f"{api}/documents",
            json={**body, "text": text + " More.", "url": "javascript:alert(1)"},
            headers=ada,
        )
        assert unsafe.status_code == 201 and unsafe.json()["document"]["url"] is None
        assert unsafe.json()["warnings"]
        blank = httpx.post(
            f"{api}/documents", json={"text": "   ", "project": "health"}, headers=ada
        )
        assert assert_error(blank, 400, "invalid")["error"]["field"] == "text"
        batch = {
            "project": "health",
            "documents": [{"text": TEXT.replace("4,000", "9,000")}, {"text": ""}],
        }
        items = httpx.post(f"{api}/documents/batch", json=batch, headers=ada).json()["items"]
        assert items[0]["result"]["document"]["id"] and items[1]["error"]["field"] == "text"
        assert items[0]["result"]["document"]["source"] == "api"
        assert result["document"]["source"] == "https://news.example/h"
        assert_error(
            httpx.post(f"{api}/documents", json={**body, "project": "election"}, headers=ada), 404
        )
        too_many = {"documents": [{"text": "x"}] * 101}
        assert (
            assert_error(httpx.post(f"{api}/documents/batch", json=too_many, headers=ada), 422)[
                "error"
            ]["field"]
            == "documents"
        )


def test_what_a_hostile_client_sends(engine: Engine, db_url: str, tmp_path: Path) -> None:
    w = build_world(engine)
    rae = auth(w.tokens["rae"])
    claim = w.claims["health"][0]
    review = f"/claims/{claim}/review"
    with api_server(db_url, tmp_path) as api:
        huge = b'{"text": "' + b"a" * (33 * 1024 * 1024) + b'"}'
        assert_error(httpx.post(f"{api}/documents", content=huge, headers=rae), 413, "too_large")

        def chunks() -> object:
            yield b'{"text": "'
            for _ in range(40):
                yield b"a" * (1024 * 1024)
            yield b'"}'

        streamed = httpx.post(f"{api}/documents", content=chunks(), headers=rae, timeout=60)  # type: ignore[arg-type]
        assert_error(streamed, 413, "too_large")
        json_headers = {**rae, "content-type": "application/json"}
        for raw in (b"not json", b"[1, 2]", b'{"verdict": ', b"\xff\xfe"):
            assert_error(httpx.put(api + review, content=raw, headers=json_headers), 400)
        missing = httpx.put(api + review, json={"verdict": "verified"}, headers=rae)
        assert assert_error(missing, 422, "invalid")["error"]["field"] == "version"
        # A verdict's name off the project's scale is the service's refusal (400); one that
        # cannot be a verdict's name at all is the body's (422); both name the field.
        wrong = httpx.put(api + review, json={"verdict": "maybe", "version": None}, headers=rae)
        assert assert_error(wrong, 400, "invalid")["error"]["field"] == "verdict"
        shape = {"verdict": "<b>Maybe</b>", "version": None}
        assert (
            assert_error(httpx.put(api + review, json=shape, headers=rae), 422)["error"]["field"]
            == "verdict"
        )
        nul = httpx.put(
            api + review, json={"verdict": None, "note": "a\x00b", "version": None}, headers=rae
        )
        assert_error(nul, 400, "invalid")
        lone = '{"verdict": null, "note": "\\ud800", "version": null}'
        assert_error(httpx.put(api + review, content=lone, headers=json_headers), 400)
        bad_url = {"verdict": None, "urls": ["javascript:alert(1)"], "version": None}
        assert_error(httpx.put(api + review, json=bad_url, headers=rae), 400)
        # Ids past PostgreSQL's int4 (2**31) were a driver error there: 500.
        for claim_id in ("-1", "0", str(2**31), str(2**62), str(10**30), "1.5", "abc"):
            assert_error(httpx.get(f"{api}/claims/{claim_id}", headers=rae), 422)
            assert_error(httpx.put(f"{api}/claims/{claim_id}/review", json={}, headers=rae), 422)
        assert_error(httpx.get(f"{api}/claims/{2**31 - 1}", headers=rae), 404)
        assert_error(httpx.get(f"{api}/claims?document_id={2**31}", headers=rae), 422)
        for limit in ("0", "-5", "501", str(10**30)):
            got = httpx.get(f"{api}/claims?limit={limit}", headers=rae)
            assert assert_error(got, 422)["error"]["field"] == "limit"
        page = httpx.get(f"{api}/claims?limit=1", headers=rae).json()
        good = page["next_cursor"]
        assert good is not None
        forged = [
            "abc",
            good[:-2],
            good + "AA",
            base64.urlsafe_b64encode(b"v1:1:2").decode(),
            base64.urlsafe_b64encode(b"v2:1:2:3").decode(),
            base64.urlsafe_b64encode(b"v1:-1:2:3").decode(),
            base64.urlsafe_b64encode(f"v1:{10**30}:0:0".encode()).decode(),
            "%00",
            "é",
        ]
        for cursor in forged:
            got = httpx.get(f"{api}/claims", params={"cursor": cursor}, headers=rae)
            error = assert_error(got, 400, "invalid_cursor")["error"]
            assert error["field"] == "cursor"
        odd = {"verdict": None, "note": "\u202eRTL \U0001f600 e\u0301", "version": None}
        saved = httpx.put(api + review, json=odd, headers=rae)
        assert saved.status_code == 200 and saved.json()["note"] == odd["note"]
        assert json.loads(saved.text)["note"] == odd["note"]
        assert_error(httpx.get(f"{api}/nowhere", headers=rae), 404)
        assert_error(httpx.delete(f"{api}/claims", headers=rae), 405)
