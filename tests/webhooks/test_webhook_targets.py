"""Where a webhook may send: never into the server's own network unless an admin says so."""

from __future__ import annotations

import ipaddress

import pytest
from sqlalchemy import Engine

from tests.webhooks.support import SECRET, hook
from workbench.auth.policy import SYSTEM
from workbench.errors import InvalidInput, PermissionDenied
from workbench.schemas import Actor, Role
from workbench.webhooks.service import add_webhook, list_webhooks
from workbench.webhooks.targets import TargetRefused, check_url, resolve, why_refused

REFUSED = [
    ("http://127.0.0.1:8080/hook", "loopback"),
    ("http://10.1.2.3/hook", "private"),
    ("http://192.168.0.10/hook", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),  # a cloud's metadata service
    ("http://[::1]:8080/hook", "loopback"),
    ("http://[::ffff:127.0.0.1]/hook", "loopback"),  # IPv4-mapped IPv6
    ("http://localhost:8080/hook", "loopback"),  # a name that resolves to loopback
    ("http://2130706433/hook", "loopback"),  # 127.0.0.1 spelt as one number
    ("http://0.0.0.0/hook", "unspecified"),
    ("http://100.64.0.1/hook", "not public"),  # carrier-grade NAT
    ("http://224.0.0.1/hook", "multicast"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_addresses_inside_the_network_are_refused(url: str, reason: str) -> None:
    with pytest.raises(TargetRefused, match=f"\\({reason}\\).*--allow-private"):
        resolve(check_url(url), allow_private=False)
    assert resolve(check_url(url), allow_private=True).address is not None


def test_a_public_address_is_allowed() -> None:
    assert why_refused(ipaddress.ip_address("93.184.215.14")) is None
    assert why_refused(ipaddress.ip_address("2606:4700::1111")) is None
    target = resolve(check_url("https://93.184.215.14:8443/in"), allow_private=False)
    assert target.connect_url() == "https://93.184.215.14:8443/in"


def test_a_name_connects_to_the_address_that_was_checked() -> None:
    target = resolve(check_url("http://localhost:8080/in?x=1"), allow_private=True)
    assert target.connect_url() == f"http://{target.address}:8080/in?x=1"
    assert target.host_header() == "localhost:8080"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/x",
        "file:///etc/passwd",
        "gopher://127.0.0.1:25/",
        "http://user:pw@example.org/x",
        "http:///nohost",
        "http://example.org:99999/x",
        "http://exa mple.org/",
        "",
    ],
)
def test_only_plain_http_and_https_urls(url: str) -> None:
    with pytest.raises(InvalidInput):
        check_url(url)


@pytest.mark.parametrize("url", [url for url, _ in REFUSED[:7]])
def test_add_refuses_them_without_allow_private(engine: Engine, url: str) -> None:
    with pytest.raises(TargetRefused):
        hook(engine, url, allow_private=False)
    assert list_webhooks(engine, SYSTEM) == []
    assert hook(engine, url, allow_private=True).allow_private


def test_only_a_site_admin_manages_webhooks(engine: Engine) -> None:
    from tests.review.test_assign import add_user

    reviewer = add_user(engine, "rita")
    project_admin = add_user(engine, "pat")  # a reviewer on the site, admin of the project
    with pytest.raises(PermissionDenied):
        add_webhook(engine, reviewer, "http://127.0.0.1/x", ["final.decided"], SECRET)
    with pytest.raises(PermissionDenied):
        list_webhooks(engine, Actor(id=project_admin.id, name="pat", role=Role.admin))
    admin = add_user(engine, "ada", Role.admin)
    added = add_webhook(
        engine, admin, "http://127.0.0.1/x", ["final.decided"], SECRET, allow_private=True
    )
    assert added.created_by == "ada"


@pytest.mark.parametrize(
    ("events", "secret", "message"),
    [
        (["final.decided"], "", "secret is empty"),
        (["final.decided"], "short", "shorter than 16"),
        ([""], SECRET, "at least one event"),
        (["review.decided,verdict.stolen"], SECRET, "unknown event 'verdict.stolen'"),
    ],
)
def test_add_checks_events_and_secret(
    engine: Engine, events: list[str], secret: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        add_webhook(engine, SYSTEM, "http://127.0.0.1/x", events, secret, allow_private=True)
