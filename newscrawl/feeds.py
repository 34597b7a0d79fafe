"""Feed-export URI parameters: `%(source_id)s` and `%(day)s` in FEEDS paths."""

from datetime import datetime

from newscrawl.extract.dates import VN_TZ


def uri_params(params: dict, spider) -> dict:
    # The day is Vietnam's: a run at 01:00 local time belongs to that local day's file.
    return {**params, "day": datetime.now(VN_TZ).date().isoformat()}
