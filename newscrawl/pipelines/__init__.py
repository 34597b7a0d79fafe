"""Item pipelines: each does one thing and counts what it drops, by reason, in the stats."""
