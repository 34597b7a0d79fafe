"""Where requests must not go (issue 6, point 5): other sites, and addresses inside a network
(loopback, link-local such as 169.254.169.254, private ranges) unless the source is served from
this machine. Refused before any connection, redirects included, counted as
`newscrawl/refused/<reason>`; and no source can be configured into them by accident."""

import json
import re
from dataclasses import replace
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

import newscrawl.sources
from newscrawl.addresses import address_kind, host_kind
from newscrawl.middlewares import PrivateAddressMiddleware
from newscrawl.record import schema_errors
from newscrawl.sources import check_public_site, get_source, load_sources
from replica.expected import expected_records
from replica.faults import first_then, nginx_error
from replica.hostile import send, serve_hostile
from replica.traps import redirect, site_routes
from tests.test_crawl import crawl

# --- which addresses and hosts ---------------------------------------------------------------


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "loopback"),
    ("127.255.0.9", "loopback"),
    ("::1", "loopback"),
    ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
    ("169.254.169.254", "link_local"),  # the cloud metadata service
    ("fe80::1", "link_local"),
    ("10.0.0.5", "private"),
    ("172.16.3.4", "private"),
    ("192.168.1.1", "private"),
    ("100.64.0.1", "private"),  # shared address space (carrier-grade NAT)
    ("192.0.2.1", "private"),  # documentation (TEST-NET-1)
    ("fc00::1", "private"),  # unique local
    ("fd00:ec2::254", "private"),  # the metadata service over IPv6
    ("::ffff:10.1.2.3", "private"),
    ("2002:a00:1::", "private"),  # 6to4 of 10.0.0.1
    ("64:ff9b::a9fe:a9fe", "link_local"),  # NAT64 of 169.254.169.254
    ("224.0.0.1", "multicast"),
    ("ff02::1", "multicast"),
    ("0.0.0.0", "reserved"),  # reaches this machine on Linux
    ("::", "reserved"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("::7f00:1", "reserved"),  # IPv4-compatible (deprecated)
    ("8.8.8.8", None),
    ("14.225.0.1", None),  # a Vietnamese host
    ("::ffff:8.8.8.8", None),
    ("64:ff9b::808:808", None),  # NAT64 of a public address
    ("2606:4700::1", None),
])  # fmt: skip
def test_address_kind(address, kind):
    assert address_kind(address) == kind


@pytest.mark.parametrize(("host", "kind"), [
    ("qbtv.vn", None),
    ("www.baohatinh.vn", None),
    ("mirror.example", None),  # not resolvable publicly, but no internal name either
    ("127.0.0.1", "loopback"),
    ("localhost", "loopback"),
    ("LOCALHOST.", "loopback"),
    ("replica.localhost", "loopback"),
    ("::1", "loopback"),
    ("[::1]", "loopback"),
    ("127.1", "loopback"),  # legacy IPv4 forms, which resolvers accept
    ("2130706433", "loopback"),
    ("0x7f000001", "loopback"),
    ("169.254.169.254", "link_local"),
    ("10.0.0.5", "private"),
    ("0.0.0.0", "reserved"),
    ("intranet", "bare_name"),
    ("metadata", "bare_name"),
    ("metadata.google.internal", "internal_name"),
    ("printer.local", "internal_name"),
    ("nas.home.arpa", "internal_name"),
    ("cms.corp", "internal_name"),
])  # fmt: skip
def test_host_kind(host, kind):
    assert host_kind(host) == kind


# --- a source cannot be configured into them -------------------------------------------------


@pytest.mark.parametrize("base_url", [
    "http://10.0.0.5:8080",
    "http://169.254.169.254/",
    "http://[fd00:ec2::254]/",
    "http://[::ffff:192.168.1.1]/",
    "http://intranet/",
    "http://cms.internal:8080",
    "http://0.0.0.0:8801",
])  # fmt: skip
def test_a_source_cannot_be_rebased_into_an_internal_network(base_url):
    with pytest.raises(ValueError, match="a source may be served from a public host"):
        get_source("qbtv").rebased(base_url)


@pytest.mark.parametrize(("base_url", "local"), [
    ("http://127.0.0.1:8801", True),
    ("http://localhost:8801", True),
    ("http://[::1]:8801", True),
    ("https://mirror.example.org", False),
])  # fmt: skip
def test_only_a_source_served_from_this_machine_is_local(base_url, local):
    assert get_source("qbtv").rebased(base_url).local is local


def test_no_registry_source_is_local_and_all_are_public_sites():
    for source in load_sources().values():
        assert not source.local
        check_public_site(source)


@pytest.mark.parametrize(("change", "message"), [
    ({"domains": ("10.0.0.5",)}, "domain '10.0.0.5' is a private network address"),
    ({"domains": ("qbtv.vn", "127.0.0.1")}, "domain '127.0.0.1' is a loopback address"),
    ({"domains": ("qbtv",)}, "domain 'qbtv' is a bare host name"),
    ({"mobile_hosts": ("m.qbtv.internal",)}, "mobile host 'm.qbtv.internal' is a name for"),
    ({"feeds": ("http://169.254.169.254/latest/meta-data/",)}, "start point"),
    ({"sitemaps": ("https://other-site.vn/sitemap.xml",)}, "start point"),
    ({"listings": ("file:///etc/passwd",)}, "start point"),
])  # fmt: skip
def test_a_registry_source_must_be_a_public_site(change, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        check_public_site(replace(get_source("qbtv"), **change))


def test_crawling_with_an_internal_base_url_is_a_usage_error(tmp_path):
    result = crawl("qbtv", "http://169.254.169.254/latest", tmp_path)
    assert result.returncode == 2
    assert "169.254.169.254 is a link-local address" in result.stderr
    assert "Traceback" not in result.stderr


def test_loading_a_registry_with_an_internal_address_fails(monkeypatch):
    read_toml = newscrawl.sources._read_toml

    def with_intranet_domain(name):
        tables = read_toml(name)
        if name == "sources.toml":
            tables["qbtv"]["domains"] = ["192.168.1.20"]
        return tables

    monkeypatch.setattr(newscrawl.sources, "_read_toml", with_intranet_domain)
    with pytest.raises(ValueError, match=re.escape("source 'qbtv': domain '192.168.1.20'")):
        load_sources.__wrapped__()


# --- the guard, before any connection ----------------------------------------------------------


def _guard(source):
    crawler = get_crawler()
    crawler.spider = SimpleNamespace(source=source)
    return PrivateAddressMiddleware.from_crawler(crawler), crawler.stats


def _check(guard, url):
    """Run the guard on `url`; an address literal needs no lookup, so the coroutine finishes
    without an event loop."""
    try:
        guard.process_request(Request(url)).send(None)
    except StopIteration:
        return "allowed"
    except IgnoreRequest:
        return "refused"
    raise AssertionError("the guard waited for a lookup")


@pytest.mark.parametrize(("url", "stat"), [
    ("http://169.254.169.254/latest/meta-data/", "link_local_address"),
    ("http://[fd00:ec2::254]/latest/meta-data/", "private_address"),
    ("http://10.0.0.5:8080/admin", "private_address"),
    ("http://127.0.0.1:8801/", "loopback_address"),
    ("http://[::ffff:127.0.0.1]:8801/", "loopback_address"),
    ("http://0.0.0.0:8801/", "reserved_address"),
])  # fmt: skip
def test_the_guard_refuses_internal_addresses_for_a_registry_source(url, stat):
    guard, stats = _guard(get_source("qbtv"))
    assert _check(guard, url) == "refused"
    assert stats.get_value(f"newscrawl/refused/{stat}") == 1


def test_a_local_source_may_reach_this_machine_and_nothing_else_inside():
    guard, stats = _guard(get_source("qbtv").rebased("http://127.0.0.1:8801"))
    assert _check(guard, "http://127.0.0.1:8801/feed/") == "allowed"
    assert _check(guard, "http://[::1]:8801/feed/") == "allowed"
    assert _check(guard, "http://169.254.169.254/latest/meta-data/") == "refused"
    assert _check(guard, "http://192.168.1.1/") == "refused"
    assert _check(guard, "http://14.225.0.1/") == "allowed"  # public: no lookup, no request
    assert stats.get_value("newscrawl/refused/loopback_address") is None


# --- in a crawl ------------------------------------------------------------------------------

# A DNS for the crawl (replica.traps.HostsResolver): names only it knows.
RESOLVER = ("-s", "TWISTED_DNS_RESOLVER=replica.traps.HostsResolver")
# Where a broken guard would connect: TEST-NET-1, which no network routes.
UNROUTED = "192.0.2.1"


def _hosts(mapping) -> tuple[str, ...]:
    return (*RESOLVER, "-s", f"REPLICA_HOSTS={json.dumps(mapping)}", "-s", "DOWNLOAD_TIMEOUT=5")


def _records(path):
    """Every line of an output file: JSON, schema-valid, one per article."""
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert all(schema_errors(r) == [] for r in records)
    assert len({r["id"] for r in records}) == len(records), "an article was written twice"
    return records


def _stat(result, name) -> int:
    found = re.search(rf"'newscrawl/{name}': (\d+)", result.stderr)
    return int(found[1]) if found else 0


def test_a_public_name_that_resolves_to_this_machine_is_refused_before_any_connection(tmp_path):
    with serve_hostile(site_routes("qbtv")) as server:
        port = server.base_url.rsplit(":", 1)[1]
        mirror = f"http://qbtv-mirror.example.com:{port}"
        result = crawl(
            "qbtv", mirror, tmp_path, "-O", "out.jsonl",
            *_hosts({"qbtv-mirror.example.com": "127.0.0.1"}),
        )  # fmt: skip
        hits = sum(server.hits.values())

    assert hits == 0  # not even robots.txt: the server listens where the name points
    assert result.returncode == 69, result.stderr[-3000:]  # no start point answered
    assert _stat(result, "refused/loopback_address") == 5  # feed, sitemap, three listings
    refusals = re.findall(r"\[newscrawl\.middlewares\] WARNING: refused (\S+): (.*)", result.stderr)
    assert len(refusals) == 1  # logged once per host
    assert "qbtv-mirror.example.com resolves to 127.0.0.1, a loopback address" in refusals[0][1]
    assert "Traceback" not in result.stderr
    assert (tmp_path / "out.jsonl").read_text() == ""


def test_links_and_redirects_off_the_site_or_into_a_network_are_refused(tmp_path):
    with serve_hostile({}) as server:
        port = server.base_url.rsplit(":", 1)[1]
        base = f"http://localhost:{port}"  # a local source: loopback allowed, nothing else
        intranet = f"http://intranet.localhost:{port}/2026/01/05/noi-bo/"
        elsewhere = "http://elsewhere.example.net"
        server.routes |= site_routes(
            "qbtv",
            links=[intranet, "/2026/01/04/metadata/", "/2026/01/06/may-nay/", "/2026/01/07/ra/"],
        )
        server.routes |= {
            # A subdomain of the site whose name points into the network.
            "/2026/01/04/metadata/": redirect(f"http://metadata.localhost:{port}/latest/"),
            # This machine, under another name than the source's.
            "/2026/01/06/may-nay/": redirect(f"http://127.0.0.1:{port}/secret"),
            "/2026/01/07/ra/": redirect(f"{elsewhere}/2026/01/07/ra/"),
            # A listing whose next page is on another site.
            "/category/kinh-te/": lambda handler: send(
                handler,
                f'<div class="page-nav"><a href="{elsewhere}/kinh-te/page/2/">'
                '<i class="td-icon-menu-right"></i></a></div>'.encode(),
            ),
        }
        result = crawl(
            "qbtv", base, tmp_path, "-O", "out.jsonl",
            *_hosts({"intranet.localhost": UNROUTED, "metadata.localhost": UNROUTED}),
        )  # fmt: skip
        secret_hits = server.hits["/secret"]

    assert result.returncode == 0, result.stderr[-3000:]
    assert secret_hits == 0
    assert _stat(result, "refused/private_address") == 2
    assert _stat(result, "refused/offsite") == 3
    # No connection was tried: the only download "exceptions" are the refusals.
    assert set(re.findall(r"exception_type_count/([\w.]+)", result.stderr)) == {
        "scrapy.exceptions.IgnoreRequest"
    }
    logged = re.findall(
        r"\[newscrawl\.middlewares\] (?:INFO|WARNING): refused (\S+): ", result.stderr
    )
    assert sorted(urlsplit(url).hostname for url in logged) == [
        "127.0.0.1", "elsewhere.example.net", "intranet.localhost", "metadata.localhost",
    ]  # once per host  # fmt: skip
    assert "Traceback" not in result.stderr
    records = _records(tmp_path / "out.jsonl")
    assert {r["url"] for r in records} == {e["url"] for e in expected_records("qbtv", base)}


def test_a_retried_request_redirected_off_the_site_is_refused(tmp_path):
    # Scrapy marks every retry dont_filter, which its OffsiteMiddleware lets through, and its
    # RedirectMiddleware passes that on to the retry's redirect.
    with serve_hostile({}) as server:
        port = server.base_url.rsplit(":", 1)[1]
        server.routes |= site_routes("qbtv", links=["/2026/01/07/ra/"])
        server.routes["/2026/01/07/ra/"] = first_then(
            nginx_error(503, "Service Unavailable"),
            redirect(f"http://elsewhere.example.net:{port}/2026/01/07/ra/"),
        )
        result = crawl(
            "qbtv", f"http://localhost:{port}", tmp_path, "-O", "out.jsonl",
            *_hosts({"elsewhere.example.net": "127.0.0.1"}),
        )  # fmt: skip
        hits = server.hits["/2026/01/07/ra/"]

    assert hits == 2  # the 503 and its retry; not the redirect, which the server would answer
    assert result.returncode == 0, result.stderr[-3000:]
    assert _stat(result, "refused/offsite") == 1
    assert "refused http://elsewhere.example.net:" in result.stderr


def test_a_name_that_does_not_resolve_is_a_dns_failure(tmp_path):
    # `.invalid` never resolves (RFC 6761); the guard's lookup fails as the download's would.
    result = crawl("qbtv", "http://qbtv.invalid", tmp_path, "-O", "out.jsonl")
    assert result.returncode == 69, result.stderr[-3000:]  # no start point answered
    assert _stat(result, "fault/dns_failure") == 5  # feed, sitemap, three listings
    assert "newscrawl/fault/DNSLookupError" not in result.stderr
    assert "Traceback" not in result.stderr


def test_a_name_is_resolved_once_so_a_rebinding_dns_cannot_redirect_the_crawl(tmp_path):
    # The first answer is checked and connected to; a guard or a connection that asked again
    # would get the second one, be refused or time out, and lose articles.
    with serve_hostile(site_routes("qbtv")) as server:
        base = server.base_url.replace("127.0.0.1", "localhost")
        result = crawl(
            "qbtv", base, tmp_path, "-O", "out.jsonl",
            *_hosts({"localhost": ["127.0.0.1", UNROUTED]}),
        )  # fmt: skip

    assert result.returncode == 0, result.stderr[-3000:]
    assert "newscrawl/refused" not in result.stderr
    records = _records(tmp_path / "out.jsonl")
    assert {r["url"] for r in records} == {e["url"] for e in expected_records("qbtv", base)}
