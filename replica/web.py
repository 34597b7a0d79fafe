"""Helpers shared by the site renderers: resources, escaping, dates, placeholder media."""

from __future__ import annotations

import hashlib
import html
import struct
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from html.parser import HTMLParser

ICT = timezone(timedelta(hours=7), "ICT")

HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"
GZIP = "application/gzip"
TEXT = "text/plain; charset=utf-8"
CSS = "text/css; charset=utf-8"
JS = "application/javascript; charset=utf-8"
JPEG = "image/jpeg"
PNG = "image/png"


@dataclass
class Resource:
    """One response the replica serves: body bytes plus the headers that matter."""

    body: bytes
    content_type: str
    status: int = 200
    last_modified: datetime | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:20] + '"'


def page(text: str, last_modified: datetime | None = None, status: int = 200) -> Resource:
    return Resource(text.encode("utf-8"), HTML, status=status, last_modified=last_modified)


def esc(text: str) -> str:
    """Escape text for HTML element content and double-quoted attributes."""
    return html.escape(text, quote=True)


def fill(fragment: str, base_url: str) -> str:
    """Substitute the site's base URL into an HTML fragment from the data files."""
    return fragment.replace("{base}", base_url.rstrip("/"))


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(fragment: str) -> str:
    """Plain text of an HTML fragment: all descendant text, entities decoded, spaces squashed."""
    collector = _TextCollector()
    collector.feed(fragment)
    collector.close()
    return " ".join("".join(collector.parts).split())


def excerpt(text: str, words: int = 40, more: str = "...") -> str:
    parts = text.split()
    if len(parts) <= words:
        return text
    return " ".join(parts[:words]) + more


def word_count(text: str) -> int:
    return len(text.split())


# --- dates -------------------------------------------------------------------------------------

_WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


def vn_weekday(dt: datetime) -> str:
    return _WEEKDAYS[dt.weekday()]


def rfc822(dt: datetime, utc: bool = False) -> str:
    """RFC 822 date for RSS; WordPress writes GMT (``+0000``), many Vietnamese CMSs local time."""
    return format_datetime(dt.astimezone(UTC) if utc else dt)


def utc_iso(dt: datetime) -> str:
    """``2024-10-29T02:15:00+00:00`` as Yoast SEO writes its metadata."""
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def http_date(dt: datetime) -> str:
    return format_datetime(dt.astimezone(UTC), usegmt=True)


# --- placeholder media -------------------------------------------------------------------------


def _jpeg_placeholder() -> bytes:
    """A valid 8x8 mid-grey baseline JPEG (one MCU, DC and AC all zero), built by hand."""
    soi = b"\xff\xd8"
    app0 = b"\xff\xe0" + struct.pack(">H5sBBBHHBB", 16, b"JFIF\0", 1, 1, 0, 1, 1, 0, 0)
    dqt = b"\xff\xdb" + struct.pack(">HB", 67, 0) + bytes([1] * 64)
    sof0 = b"\xff\xc0" + struct.pack(">HBHHBBBB", 11, 8, 8, 8, 1, 1, 0x11, 0)
    # Huffman tables with a single 1-bit code each: DC category 0, AC end-of-block.
    counts = bytes([1] + [0] * 15)
    dht_dc = b"\xff\xc4" + struct.pack(">HB", 20, 0x00) + counts + b"\x00"
    dht_ac = b"\xff\xc4" + struct.pack(">HB", 20, 0x10) + counts + b"\x00"
    sos = b"\xff\xda" + struct.pack(">HBBBBBB", 8, 1, 1, 0x00, 0, 63, 0)
    scan = b"\x3f"  # DC "0", EOB "0", padded with ones
    return soi + app0 + dqt + sof0 + dht_dc + dht_ac + sos + scan + b"\xff\xd9"


def png_placeholder(width: int = 120, height: int = 40, rgb: tuple[int, int, int] = (190, 20, 30)):
    """A solid-colour PNG (used for logos)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(row * height, 9))
        + chunk(b"IEND", b"")
    )


JPEG_PLACEHOLDER = _jpeg_placeholder()


def image_variant(src: str, size: str) -> str:
    """WordPress-style resized copy: ``/a/b.jpg`` + ``300x200`` -> ``/a/b-300x200.jpg``."""
    stem, dot, ext = src.rpartition(".")
    return f"{stem}-{size}.{ext}" if dot else f"{src}-{size}"
