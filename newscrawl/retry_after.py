"""RetryAfterMiddleware: Scrapy's RetryMiddleware, waiting as long as the server asks.

Scrapy's RetryMiddleware retries a 503 or a 429 at once, and neither it nor AutoThrottle reads
`Retry-After` (Scrapy 2.19), so a server that asks for a pause gets the retries straight away,
and they fail too. This subclass lets RetryMiddleware decide whether and how often to retry,
then waits as long as the answer's `Retry-After` says (seconds or an HTTP date) before handing
the retry back, up to NEWSCRAWL_RETRY_AFTER_MAX seconds. The wait holds that request only; it
also counts against CONCURRENT_REQUESTS, so a server that answers everything so slows the whole
run down, as it asked. A server asking for longer than the cap is not retried this run: the
answer goes on as a failure, counted as `newscrawl/fault/retry_after_too_long`, and the page is
asked for again by the next run.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.asyncio import sleep

from newscrawl.tally import Tally

logger = logging.getLogger(__name__)


def retry_after(value: bytes | None, now: datetime | None = None) -> float | None:
    """The seconds a `Retry-After` value asks to wait (RFC 9110: delay-seconds or an HTTP date);
    None when there is none or it cannot be read."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # an HTTP date is GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.max_wait = settings.getfloat("NEWSCRAWL_RETRY_AFTER_MAX")

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        wait = None
        if response.status in self.retry_http_codes and not request.meta.get("dont_retry"):
            wait = retry_after(response.headers.get("Retry-After"))
        if wait is not None and wait > self.max_wait:
            detail = f"{wait:.0f} s asked, at most {self.max_wait:.0f} s waited: left for next run"
            Tally(self.crawler.stats, logger).fault("retry_after_too_long", request.url, detail)
            return response
        retry = super().process_response(request, response)
        if wait and isinstance(retry, Request):
            await sleep(wait)
        return retry
