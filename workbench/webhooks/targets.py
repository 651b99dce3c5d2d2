"""Where a webhook may send: public http(s) addresses only, unless an admin allowed more.

A webhook makes the server send requests to a URL someone typed; it must not become a way
into the newsroom's own network (a database's admin page on 10.0.0.5, a cloud's metadata
service on 169.254.169.254). So a target whose host is, or resolves to, an address that is
not public (loopback, private, link-local, multicast, reserved, unspecified, shared) is
refused, when the webhook is added and again before every delivery, because what a name
resolves to can change. The delivery then connects to the address that was checked, not to
whatever a second lookup returns (:class:`Target`), so a name cannot pass the check and
then point somewhere else. ``--allow-private`` lifts the rule for one webhook (a receiver
on the same machine or network, on the admin's word).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from workbench.errors import InvalidInput
from workbench.urls import ALLOWED_SCHEMES, MAX_URL_LENGTH

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(InvalidInput):
    """The URL's host is, or resolves to, an address webhooks may not reach."""


def check_url(raw: str) -> str:
    """The webhook URL as stored, or :class:`InvalidInput` saying what is wrong: http or
    https (workbench.urls's schemes and length), a host, a valid port, no user name or
    password (the signature is the receiver's proof), no fragment. Not
    ``urls.normalise_url``: a receiver's query is its own (that one drops tracking
    parameters) and an IPv6 literal is a fine host here."""
    url = raw.strip()
    if not url:
        raise InvalidInput("the webhook URL is empty")
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(f"the webhook URL is longer than {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise InvalidInput("a webhook URL cannot contain spaces or control characters")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise InvalidInput(f"a webhook URL must start with http:// or https:// ({url!r})")
    if not parts.hostname:
        raise InvalidInput(f"the webhook URL {url!r} has no host")
    try:
        _ = parts.port  # raises on a port that is not a number or out of range
    except ValueError as exc:
        raise InvalidInput(f"the webhook URL's port is not valid: {exc}") from exc
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("a webhook URL cannot carry a user name or password")
    return urlunsplit((scheme, parts.netloc.lower(), parts.path or "/", parts.query, ""))


def why_refused(address: IPAddress) -> str | None:
    """Why a webhook may not reach ``address`` (None: it is a public address)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return why_refused(address.ipv4_mapped)  # ::ffff:127.0.0.1 is 127.0.0.1
    for reason, refused in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("private", address.is_private),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
    ):
        if refused:
            return reason
    if not address.is_global:
        return "not public"  # 100.64.0.0/10 (carrier NAT) and the like
    return None


@dataclass(frozen=True)
class Target:
    """A webhook URL and the address a request to it connects to."""

    url: str
    host: str
    address: IPAddress

    def connect_url(self) -> str:
        """The URL with the checked address in place of the host name."""
        parts = urlsplit(self.url)
        shown = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        netloc = shown if parts.port is None else f"{shown}:{parts.port}"
        return urlunsplit(parts._replace(netloc=netloc))

    def host_header(self) -> str:
        return urlsplit(self.url).netloc


def resolve(url: str, *, allow_private: bool) -> Target:
    """The address to send ``url``'s requests to: every address its host resolves to must be
    allowed (a name with one public and one private address is refused: which one a client
    picks is not ours to know). :class:`TargetRefused` names the address and why."""
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        raise InvalidInput(f"the webhook URL {url!r} has no host")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = _addresses(host, port)
    if not allow_private:
        for address in addresses:
            reason = why_refused(address)
            if reason is not None:
                raise TargetRefused(
                    f"the webhook URL {url!r} points at {address} ({reason}): "
                    "webhooks only go to public addresses unless an admin adds the webhook "
                    "with --allow-private"
                )
    return Target(url=url, host=host, address=addresses[0])


def _addresses(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InvalidInput(f"the webhook host {host!r} cannot be resolved ({exc})") from exc
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in found:
        # An IPv6 address may carry a zone ("fe80::1%eth0"): the address is what is judged.
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise InvalidInput(f"the webhook host {host!r} resolves to no address")
    return addresses
