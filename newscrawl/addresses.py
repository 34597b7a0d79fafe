"""Which hosts and addresses a crawl may reach: the public Internet, and this machine only for a
source explicitly served from it (the tests and the offline demo).

`address_kind` classifies an IP address that a host resolved to, just before a connection
(newscrawl.middlewares.PrivateAddressMiddleware); `host_kind` classifies a host name as written
in the registry or in a `base_url`, without any lookup, so that a source cannot be configured
into an internal network by accident (newscrawl.sources).
"""

from __future__ import annotations

import ipaddress
import re
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# What each kind is called in messages; the kinds are also the stats' reasons
# (newscrawl/refused/<kind>_address).
DESCRIPTIONS = {
    "loopback": "a loopback address (this machine)",
    "link_local": "a link-local address",
    "private": "a private network address",
    "multicast": "a multicast address",
    "reserved": "a reserved or unspecified address",
    "bare_name": "a bare host name (no dot), which only an internal network resolves",
    "internal_name": "a name for internal use, which only an internal network resolves",
}

# Names that resolve only inside a network: mDNS `.local` (RFC 6762), `.home.arpa` (RFC 8375),
# `.internal` (reserved by ICANN in 2024 for private use), and the suffixes routers and company
# networks commonly give themselves.
INTERNAL_SUFFIXES = (
    "local", "home.arpa", "internal", "localdomain", "lan", "intranet", "corp", "home",
)  # fmt: skip

# NAT64 (RFC 6052): an IPv6 address carrying an IPv4 one in its last 32 bits.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Host names made only of what the legacy IPv4 forms use (`127.1`, `0x7f000001`, `2130706433`):
# resolvers read them as addresses, so they are checked as addresses.
_LEGACY_IPV4 = re.compile(r"^[0-9a-fx.]+$")


def address_kind(address: str | IPAddress) -> str | None:
    """Why no request may go to `address` ("loopback", "link_local", "private", "multicast",
    "reserved"), or None for a public address. An IPv6 address that carries an IPv4 one
    (IPv4-mapped `::ffff:10.0.0.1`, 6to4, NAT64) is judged by the IPv4 address it reaches."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        else:
            ip = ip.ipv4_mapped or ip.sixtofour or ip
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link_local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified or ip.is_reserved:
        return "reserved"
    # is_global is false for the shared (CGNAT, 100.64/10) and documentation ranges too.
    if ip.is_private or not ip.is_global:
        return "private"
    return None


def ip_literal(host: str) -> IPAddress | None:
    """The address `host` spells, in any form a resolver accepts (`::1`, `127.0.0.1`, `127.1`,
    `0x7f000001`), or None for a name."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _LEGACY_IPV4.match(host.lower()):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def host_kind(host: str) -> str | None:
    """Why `host`, as written in a URL, is not a public site (an `address_kind`, "bare_name" or
    "internal_name"), or None. `localhost` and names under `.localhost` are "loopback"
    (RFC 6761). No lookup is made: a public name may still resolve to an internal address,
    which the crawl refuses when it connects."""
    host = host.lower().rstrip(".")
    literal = ip_literal(host)
    if literal is not None:
        return address_kind(literal)
    if host == "localhost" or host.endswith(".localhost"):
        return "loopback"
    if "." not in host:
        return "bare_name"
    if any(host.endswith("." + suffix) for suffix in INTERNAL_SUFFIXES):
        return "internal_name"
    return None


def is_local_host(host: str) -> bool:
    """Whether `host` names this machine: a loopback address or `localhost`."""
    return host_kind(host) == "loopback"
