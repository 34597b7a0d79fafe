"""CharsetMiddleware: a page's text as its authors wrote it, whatever its server says of it.

Scrapy decodes a response in the charset its headers or its <meta> declare (w3lib), which is
right for nearly every page. Two faults of Vietnamese sites it cannot see, both repaired here,
before the page is parsed, and counted:

- `newscrawl/fault/mislabeled_charset`: a UTF-8 page declared windows-1252 or ISO-8859-1 (a
  server default, a copied <meta>). Read as declared, each Vietnamese letter becomes two or
  three Latin symbols, and the bytes windows-1252 leaves undefined become U+FFFD, which no
  repair can undo. A body that is valid UTF-8 and not ASCII is read as UTF-8: text in a
  one-byte charset is next to never valid UTF-8.
- `newscrawl/fault/mojibake`: texts the CMS stored double-encoded (UTF-8 read as windows-1252
  and saved again: "Ä‘" for "đ"), on a page that is otherwise right. Each piece of text (a text
  node, an attribute value) is repaired on its own with ftfy, as normalize.repair_mojibake
  repairs a field: ftfy leaves a text that mixes broken and correct pieces as it is, and after
  parsing it is too late, as whitespace cleaning drops the no-break spaces and soft hyphens
  that stand for the "à" and "í" bytes.
"""

from __future__ import annotations

import codecs
import logging
import re

from scrapy.http import HtmlResponse, Response

from newscrawl.extract.normalize import repair_mojibake
from newscrawl.tally import Tally

logger = logging.getLogger(__name__)

# Runs of text between markup: text nodes, attribute values, the insides of tags.
_TEXT_PIECE = re.compile(r'[^<>"]+')


def mislabeled_utf8(body: bytes, encoding: str) -> bool:
    """Whether `body`, declared in `encoding`, is UTF-8 text."""
    if codecs.lookup(encoding).name.startswith("utf") or body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def repair_page_mojibake(html: str) -> str:
    """`html` with each double-encoded piece of text repaired."""
    if repair_mojibake(html) == html:  # the page as a whole shows no sign of it: most pages
        return html
    return _TEXT_PIECE.sub(lambda piece: repair_mojibake(piece[0]), html)


class CharsetMiddleware:
    """A downloader middleware: it must see the body after HttpCompressionMiddleware has
    unpacked it, so its order number is below that middleware's (590)."""

    def __init__(self, stats) -> None:
        self.faults = Tally(stats, logger)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_response(self, request, response: Response) -> Response:
        if not isinstance(response, HtmlResponse):  # feeds and sitemaps: links and dates only
            return response
        if mislabeled_utf8(response.body, response.encoding):
            self.faults.fault("mislabeled_charset", response.url, f"declared {response.encoding}")
            response = response.replace(encoding="utf-8")
        text = response.text
        repaired = repair_page_mojibake(text)
        if repaired != text:
            self.faults.fault("mojibake", response.url)
            response = response.replace(body=repaired.encode("utf-8"), encoding="utf-8")
        return response
