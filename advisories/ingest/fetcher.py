"""The guarded fetcher: HTTP requests to a URL that a person typed in and a stranger serves.

- http and https only; the host is resolved once, every address it resolves to must be public
  (unless the caller's AddressRules trust it: FEED_ALLOWED_NETWORKS for feeds,
  WEBHOOK_ALLOWED_NETWORKS for webhooks), including the IPv4 address inside an IPv6 form that
  carries one (NAT64, 6to4, Teredo, mapped, compatible), and the connection goes to the address
  that was checked, so a DNS answer that changes between check and connect (rebinding) gains
  nothing; https verifies the certificate and host name with the default SSL context;
- redirects are followed only when asked, each checked the same way, at most MAX_REDIRECTS;
- one time budget for the whole exchange, a byte cap on the body read in chunks, and the same
  cap after decompression.
``guarded_request`` is the general form (any method, any status is a result); ``guarded_get``
is the feed reader's GET built on it. It knows nothing of feeds, notices or webhooks.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
import zlib
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings

MAX_REDIRECTS = 5
CHUNK_BYTES = 64 * 1024
_REDIRECTS = {301, 302, 303, 307, 308}


class FetchError(Exception):
    """The URL could not be fetched safely. The message is meant for a curator."""


class FetchRefused(FetchError):
    """The URL was refused before connecting (its scheme, port or addresses), not a network
    failure: asking again will not help until the URL or the deployment's rules change."""


@dataclass(frozen=True, slots=True)
class AddressRules:
    """Which non-public addresses a caller may still reach (``address_allowed``)."""

    allowed_networks: Sequence[str] = ()
    allow_private: bool = False


def feed_rules() -> AddressRules:
    """The feed reader's rules, read from settings when asked (tests change them)."""
    return AddressRules(
        allowed_networks=tuple(settings.FEED_ALLOWED_NETWORKS),
        allow_private=settings.FEED_ALLOW_PRIVATE_ADDRESSES,
    )


@dataclass(frozen=True, slots=True)
class FetchResult:
    status: int  # 200 or 304
    url: str  # after redirects
    content: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""


@dataclass(frozen=True, slots=True)
class HttpResult:
    """Any answer of a guarded request, whatever its status."""

    status: int
    reason: str
    url: str  # after the redirects followed, if any
    headers: dict[str, str] = field(default_factory=dict)  # names lower-cased
    content: bytes = b""  # empty for statuses whose body was not asked for
    truncated: bool = False  # the body was longer than max_bytes (with truncate=True)

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


def guarded_request(
    *,
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes | None = None,
    timeout: float,
    max_bytes: int,
    follow_redirects: bool = False,
    rules: AddressRules,
    read_body_for: Container[int] | None = None,
    truncate: bool = False,
    decompress: bool = False,
) -> HttpResult:
    """Send one request within ``timeout`` seconds in all and return the answer, any status.

    The body is read for the statuses in ``read_body_for`` (all when None), up to ``max_bytes``:
    a longer one raises FetchError, or is cut to ``max_bytes`` with ``truncate``. With
    ``follow_redirects`` a 3xx with a Location is followed (as a GET when 303), each hop checked;
    without it a 3xx is returned like any answer. Raises FetchRefused for a URL refused before
    connecting, FetchError for a timeout, a connection failure or a body over the cap.
    """
    limits = _Limits(timeout=timeout, max_bytes=max_bytes, truncate=truncate, decompress=decompress)
    deadline = time.monotonic() + timeout
    for _ in range(MAX_REDIRECTS + 1):
        result = _request_once(
            method=method,
            url=url,
            headers=headers,
            body=body,
            deadline=deadline,
            rules=rules,
            limits=limits,
            read_body_for=read_body_for,
            follow_redirects=follow_redirects,
        )
        if not follow_redirects or result.status not in _REDIRECTS:
            return result
        location = result.header("Location")
        if not location:
            raise FetchError(f"HTTP {result.status} without a Location header.")
        url = urljoin(url, location)
        if result.status == http.client.SEE_OTHER:
            method, body = "GET", None
    raise FetchError(f"More than {MAX_REDIRECTS} redirects.")


def guarded_get(*, url: str, headers: dict[str, str]) -> FetchResult:
    """GET a feed within FEED_TIMEOUT_SECONDS and FEED_MAX_BYTES, following a few redirects,
    each checked.

    Raises FetchError with a message for the source's curators; a 304 is a result, not an error.
    """
    result = guarded_request(
        method="GET",
        url=url,
        headers=headers,
        timeout=settings.FEED_TIMEOUT_SECONDS,
        max_bytes=settings.FEED_MAX_BYTES,
        follow_redirects=True,
        rules=feed_rules(),
        read_body_for={http.client.OK},
        decompress=True,
    )
    if result.status == http.client.NOT_MODIFIED:
        return FetchResult(status=result.status, url=result.url)
    if result.status != http.client.OK:
        raise FetchError(f"HTTP {result.status} {result.reason}".strip())
    return FetchResult(
        status=result.status,
        url=result.url,
        content=result.content,
        content_type=result.header("Content-Type"),
        etag=result.header("ETag"),
        last_modified=result.header("Last-Modified"),
    )


@dataclass(frozen=True, slots=True)
class _Limits:
    timeout: float
    max_bytes: int
    truncate: bool
    decompress: bool


def _request_once(
    *,
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes | None,
    deadline: float,
    rules: AddressRules,
    limits: _Limits,
    read_body_for: Container[int] | None,
    follow_redirects: bool,
) -> HttpResult:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchRefused(f"Only http and https URLs are fetched, not {url[:200]!r}.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchRefused("The URL has an invalid port.") from None
    address = _checked_address(parts.hostname, port, rules)
    connection = _PinnedConnection.open(
        scheme=parts.scheme, host=parts.hostname, port=port, address=address, deadline=deadline
    )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    try:
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
        except TimeoutError:
            raise FetchError(f"Timed out after {limits.timeout} seconds.") from None
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(f"Could not fetch the URL: {exc}") from None
        status = response.status
        answer = {name.lower(): value for name, value in response.getheaders()}
        wanted = read_body_for is None or status in read_body_for
        if status in _REDIRECTS and follow_redirects:
            wanted = False
        content, truncated = b"", False
        if wanted:
            content, truncated = _read_capped(response, connection, deadline, limits)
        return HttpResult(
            status=status,
            reason=response.reason or "",
            url=url,
            headers=answer,
            content=content,
            truncated=truncated,
        )
    finally:
        connection.close()


def _read_capped(
    response: http.client.HTTPResponse,
    connection: http.client.HTTPConnection,
    deadline: float,
    limits: _Limits,
) -> tuple[bytes, bool]:
    cap = limits.max_bytes
    too_big = f"The response is larger than the limit of {cap} bytes."
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > cap and not limits.truncate:
        raise FetchError(too_big)
    chunks: list[bytes] = []
    size = 0
    truncated = False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"Timed out after {limits.timeout} seconds.")
        if connection.sock is not None:
            connection.sock.settimeout(remaining)
        try:
            chunk = response.read(min(CHUNK_BYTES, cap + 1 - size))
        except TimeoutError:
            raise FetchError(f"Timed out after {limits.timeout} seconds.") from None
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(f"The connection failed while reading: {exc}") from None
        if not chunk:
            break
        size += len(chunk)
        chunks.append(chunk)
        if size > cap:
            if not limits.truncate:
                raise FetchError(too_big)
            truncated = True
            break
    content = b"".join(chunks)[:cap]
    if limits.decompress:
        content = _decoded(content, response, cap, too_big)
    return content, truncated


def _decoded(content: bytes, response: http.client.HTTPResponse, cap: int, too_big: str) -> bytes:
    encoding = (response.getheader("Content-Encoding") or "").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        # 32 + MAX_WBITS reads both gzip and zlib framing; the output is capped like the input,
        # so a small compressed bomb cannot inflate past the limit.
        inflater = zlib.decompressobj(32 + zlib.MAX_WBITS)
        try:
            content = inflater.decompress(content, cap + 1)
        except zlib.error as exc:
            raise FetchError(f"The {encoding} encoding is corrupt: {exc}") from None
        if len(content) > cap or inflater.unconsumed_tail:
            raise FetchError(too_big)
    elif encoding not in ("", "identity"):
        raise FetchError(f"Unsupported Content-Encoding {encoding!r}.")
    return content


def _checked_address(host: str, port: int, rules: AddressRules) -> str:
    """Resolve the host once and return an address to connect to, refusing non-public ones."""
    addresses = _resolve(host, port)
    for address in addresses:
        if not address_allowed(address, rules=rules):
            raise FetchRefused(_refusal(host, address))
    return addresses[0]


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"Cannot resolve {host!r}: {exc}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise FetchError(f"Cannot resolve {host!r}.")
    return addresses


def _refusal(host: str, address: str) -> str:
    return (
        f"Refused: {host} resolves to {address}, a private, loopback, link-local or reserved "
        "address (or an IPv6 form that carries one)."
    )


# IPv6 forms that carry an IPv4 address: traffic to them ends at the IPv4 address inside, so
# that address must be public too.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052's well-known prefix
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: local-use translation
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # RFC 4291's deprecated ::a.b.c.d


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """Every IPv4 address an IPv6 address carries: mapped, NAT64, 6to4, Teredo (its server and
    its client), IPv4-compatible."""
    found = [a for a in (ip.ipv4_mapped, ip.sixtofour) if a is not None]
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in _NAT64 or ip in _IPV4_COMPATIBLE:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def _is_public_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return ip.is_global and not ip.is_multicast


def is_public_address(address: str) -> bool:
    """Whether traffic to ``address`` reaches the public internet and nothing else."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv4Address):
        return _is_public_ip(ip)
    if ip.ipv4_mapped is not None:  # an IPv4 socket in IPv6 clothes: only the IPv4 part counts
        return _is_public_ip(ip.ipv4_mapped)
    if ip in _NAT64_LOCAL:
        return False
    return _is_public_ip(ip) and all(_is_public_ip(inner) for inner in embedded_ipv4(ip))


def address_allowed(address: str, *, rules: AddressRules | None = None) -> bool:
    """Public, or in a network the deployment trusts (``rules``, the feeds' by default:
    FEED_ALLOWED_NETWORKS, a feed server of its own), or anything at all with ``allow_private``
    (FEED_ALLOW_PRIVATE_ADDRESSES: development, tests)."""
    rules = rules or feed_rules()
    if rules.allow_private:
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    trusted = (ipaddress.ip_network(n, strict=False) for n in rules.allowed_networks)
    return any(ip in network for network in trusted) or is_public_address(address)


def url_refusal(url: str, *, rules: AddressRules | None = None) -> str | None:
    """Why the guarded fetcher would refuse ``url`` (its scheme or the addresses its host has now),
    or None. For forms that take a URL to fetch later: refuse at save time, not at fetch time.
    A host that does not resolve yet is not refused here; the fetch will say so."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Give an http or https URL."
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = _resolve(parts.hostname, port)
    except (FetchError, ValueError):
        return None
    for address in addresses:
        if not address_allowed(address, rules=rules):
            return _refusal(parts.hostname, address)
    return None


class _PinnedConnection:
    """HTTP(S) connections that go to an address already checked, whatever DNS says later.

    The Host header, TLS server name and certificate check still use the URL's host name.
    """

    @staticmethod
    def open(
        *, scheme: str, host: str, port: int, address: str, deadline: float
    ) -> http.client.HTTPConnection:
        timeout = max(deadline - time.monotonic(), 0.001)
        if scheme == "https":
            return _PinnedHTTPS(host, port, address=address, timeout=timeout)
        return _PinnedHTTP(host, port, address=address, timeout=timeout)


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
