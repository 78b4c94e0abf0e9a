"""The guarded fetcher: an HTTP GET of a URL that a person typed in and a stranger serves.

- http and https only; the host is resolved once, every address it resolves to must be public
  (unless FEED_ALLOWED_NETWORKS trusts it), including the IPv4 address inside an IPv6 form
  that carries one (NAT64, 6to4, Teredo, mapped, compatible), and the connection goes to the
  address that was checked, so a DNS answer that changes between check and connect (rebinding)
  gains nothing;
- each redirect is checked the same way, and there are at most MAX_REDIRECTS;
- one time budget (FEED_TIMEOUT_SECONDS) for the whole fetch, a byte cap (FEED_MAX_BYTES) read
  in chunks, and the same cap after decompression.
It knows nothing of feeds or notices, so any outbound request the project makes can use it.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

MAX_REDIRECTS = 5
CHUNK_BYTES = 64 * 1024
_REDIRECTS = {301, 302, 303, 307, 308}


class FetchError(Exception):
    """The URL could not be fetched safely. The message is meant for a curator."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    status: int  # 200 or 304
    url: str  # after redirects
    content: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""


def guarded_get(*, url: str, headers: dict[str, str]) -> FetchResult:
    """GET ``url`` within the time and size budget, following a few redirects, each checked.

    Raises FetchError with a message for the source's curators; a 304 is a result, not an error.
    """
    deadline = time.monotonic() + settings.FEED_TIMEOUT_SECONDS
    for _ in range(MAX_REDIRECTS + 1):
        status, location, result = _fetch_once(url=url, headers=headers, deadline=deadline)
        if status not in _REDIRECTS:
            assert result is not None
            return result
        url = urljoin(url, location)
    raise FetchError(f"More than {MAX_REDIRECTS} redirects.")


def _fetch_once(
    *, url: str, headers: dict[str, str], deadline: float
) -> tuple[int, str, FetchResult | None]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"Only http and https feed URLs are fetched, not {url[:200]!r}.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchError("The feed URL has an invalid port.") from None
    address = _checked_address(parts.hostname, port)
    connection = _PinnedConnection.open(
        scheme=parts.scheme, host=parts.hostname, port=port, address=address, deadline=deadline
    )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    try:
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
        except TimeoutError:
            raise FetchError(f"Timed out after {settings.FEED_TIMEOUT_SECONDS} seconds.") from None
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(f"Could not fetch the feed: {exc}") from None
        status = response.status
        if status in _REDIRECTS:
            location = response.getheader("Location") or ""
            if not location:
                raise FetchError(f"HTTP {status} without a Location header.")
            return status, location, None
        if status == http.client.NOT_MODIFIED:
            return status, "", FetchResult(status=status, url=url)
        if status != http.client.OK:
            raise FetchError(f"HTTP {status} {response.reason}".strip())
        content = _read_capped(response, connection, deadline)
        return (
            status,
            "",
            FetchResult(
                status=status,
                url=url,
                content=content,
                content_type=response.getheader("Content-Type") or "",
                etag=response.getheader("ETag") or "",
                last_modified=response.getheader("Last-Modified") or "",
            ),
        )
    finally:
        connection.close()


def _read_capped(
    response: http.client.HTTPResponse, connection: http.client.HTTPConnection, deadline: float
) -> bytes:
    cap = settings.FEED_MAX_BYTES
    too_big = f"The feed is larger than the limit of {cap} bytes."
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise FetchError(too_big)
    chunks: list[bytes] = []
    size = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"Timed out after {settings.FEED_TIMEOUT_SECONDS} seconds.")
        if connection.sock is not None:
            connection.sock.settimeout(remaining)
        try:
            chunk = response.read(CHUNK_BYTES)
        except TimeoutError:
            raise FetchError(f"Timed out after {settings.FEED_TIMEOUT_SECONDS} seconds.") from None
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(f"The connection failed while reading: {exc}") from None
        if not chunk:
            break
        size += len(chunk)
        if size > cap:
            raise FetchError(too_big)
        chunks.append(chunk)
    content = b"".join(chunks)
    encoding = (response.getheader("Content-Encoding") or "").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        # 32 + MAX_WBITS reads both gzip and zlib framing; the output is capped like the input,
        # so a small compressed bomb cannot inflate past the limit.
        inflater = zlib.decompressobj(32 + zlib.MAX_WBITS)
        try:
            content = inflater.decompress(content, cap + 1)
        except zlib.error as exc:
            raise FetchError(f"The feed's {encoding} encoding is corrupt: {exc}") from None
        if len(content) > cap or inflater.unconsumed_tail:
            raise FetchError(too_big)
    elif encoding not in ("", "identity"):
        raise FetchError(f"Unsupported Content-Encoding {encoding!r}.")
    return content


def _checked_address(host: str, port: int) -> str:
    """Resolve the host once and return an address to connect to, refusing non-public ones."""
    addresses = _resolve(host, port)
    for address in addresses:
        if not address_allowed(address):
            raise FetchError(_refusal(host, address))
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


def address_allowed(address: str) -> bool:
    """Public, or in a network the deployment trusts (FEED_ALLOWED_NETWORKS: a feed server of
    its own), or anything at all with FEED_ALLOW_PRIVATE_ADDRESSES (development, tests)."""
    if settings.FEED_ALLOW_PRIVATE_ADDRESSES:
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    trusted = (ipaddress.ip_network(n, strict=False) for n in settings.FEED_ALLOWED_NETWORKS)
    return any(ip in network for network in trusted) or is_public_address(address)


def url_refusal(url: str) -> str | None:
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
        if not address_allowed(address):
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
