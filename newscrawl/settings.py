"""Scrapy settings of newscrawl. Every default a user may want to change lives here, with why.
Override per run with `-s NAME=value`, or in a settings module of your own."""

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"

# Identify ourselves, with a URL where a site owner can reach the operator. Set your own:
#   scrapy crawl qbtv -s USER_AGENT="newscrawl/0.1 (+https://your.org/crawler)"
USER_AGENT = "newscrawl/0.1 (+https://github.com/newscrawl/newscrawl; news archiving)"
ROBOTSTXT_OBEY = True

# Politeness: provincial sites run on small servers. AutoThrottle adapts to their latency,
# never going below DOWNLOAD_DELAY seconds between requests to one domain.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS_PER_DOMAIN = 2

# Bounded waits: a dead or stalled server costs at most DOWNLOAD_TIMEOUT × (RETRY_TIMES + 1).
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
# A page still failing after its retries is a fault of the site, counted by reason
# (newscrawl/fault/<reason>) and asked for again next run, not an error of the crawl (which
# Scrapy's ERROR would make it: exit code 1).
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"
# Scrapy retries at once; a 429 or 503 with Retry-After is retried after the wait it asks, up to
# this many seconds (newscrawl/retry_after.py). A longer wait is left to the next run.
NEWSCRAWL_RETRY_AFTER_MAX = 60
REDIRECT_MAX_TIMES = 5
# A news page is well under 2 MB; anything far larger is a trap or a file, not an article.
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
# A body that ends before its announced length is a failed download, never half an article
# handed on (Scrapy's default, stated because the records depend on it).
DOWNLOAD_FAIL_ON_DATALOSS = True

# How many pages of one listing (category) to walk per run; pagination also stops at the
# first page whose articles were all seen before.
NEWSCRAWL_MAX_LISTING_PAGES = 5
# Articles a run asks for at most (0: no cap); the next runs go on with the rest (counted as
# newscrawl/articles/deferred). A site whose sitemaps list 100 000 articles is then read in
# runs of bounded length, and the scheduler never holds more article requests than this.
NEWSCRAWL_MAX_ARTICLES = 1000

# Traps: a crawl stays bounded whatever a site serves (newscrawl/middlewares.py counts each
# stop as newscrawl/trap/<reason>). Articles are leaves (no link is followed from an article
# page) and listings page at most NEWSCRAWL_MAX_LISTING_PAGES deep, so the deepest request a
# site needs is 5 links from a start point (the articles of listing page 5; robots.txt →
# sitemap index → sitemap → article is 3). What nests deeper — sitemap indexes listing further
# indexes forever — is a trap; DEPTH_LIMIT must stay ≥ NEWSCRAWL_MAX_LISTING_PAGES.
DEPTH_LIMIT = 10
# The page budget of a run, whatever its pages are: after this many responses the run stops
# (newscrawl/trap/page_budget, exit code 1; the requests already under way, at most
# CONCURRENT_REQUESTS, still arrive), and the next run goes on with what it did not fetch.
# NEWSCRAWL_MAX_ARTICLES bounds the articles; this bounds the rest too, such as a sitemap index
# listing 50 000 sitemaps. At the polite pace above (about a page a second) 5000 pages take some
# 1.5 hours, far more than a run of 1000 articles and its feeds, sitemaps and listings needs.
CLOSESPIDER_PAGECOUNT = 5000
# Requests go only to the source's own hosts and never into an internal network (loopback,
# link-local such as 169.254.169.254, private ranges), checked before any connection, redirects
# included; refusals are counted as newscrawl/refused/<reason>. Scrapy's components are
# replaced by subclasses that count what they stop.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "newscrawl.middlewares.CountedOffsiteMiddleware": 50,
    "newscrawl.middlewares.PrivateAddressMiddleware": 60,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "newscrawl.middlewares.CountedMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "newscrawl.middlewares.CountedRedirectMiddleware": 600,
    # Retry-After honoured (newscrawl/retry_after.py); UTF-8 declared as another charset and
    # double-encoded texts read right, after HttpCompressionMiddleware (newscrawl/charset.py).
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newscrawl.retry_after.RetryAfterMiddleware": 550,
    "newscrawl.charset.CharsetMiddleware": 585,
}
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "newscrawl.middlewares.CountedDepthMiddleware": 900,
}

# Incremental runs: state of every source (seen articles, content hashes, feed validators, runs)
# in one SQLite file; a JSON report per run; one lock file per source (`scrapy crawl` exits
# with 75 when another run of the source holds it).
NEWSCRAWL_INCREMENTAL = True
NEWSCRAWL_STATE_PATH = "data/state.sqlite3"
NEWSCRAWL_RUNS_DIR = "data/runs"
# Runs kept per source, in the state and as report files (a week of runs every 10 minutes).
NEWSCRAWL_KEEP_RUNS = 1000
NEWSCRAWL_LOCK_DIR = "data/locks"
# When to fetch an article already recorded: "lastmod" when a feed or sitemap shows it modified
# after it was last checked; "never"; "always" (re-extract everything discovered).
NEWSCRAWL_RECHECK = "lastmod"

COMMANDS_MODULE = "newscrawl.commands"
EXTENSIONS = {
    # Before IncrementalRun, so that a stop at CLOSESPIDER_PAGECOUNT is counted in the report.
    "newscrawl.extensions.budget.PageBudget": 90,
    "newscrawl.extensions.incremental.IncrementalRun": 100,
    # After IncrementalRun, so its monitors read the run's final status (newscrawl/monitors.py).
    "newscrawl.monitors.HealthAlerts": 900,
}
# Every run ends with a health verdict (run report, `health <source>: …` log line, exit code).
# To be told when a source is not healthy, name Spidermon actions here, with their settings:
#   NEWSCRAWL_HEALTH_ALERTS = [
#       "spidermon.contrib.actions.slack.notifiers.SendSlackMessageSpiderFinished"
#   ]
#   SPIDERMON_SLACK_SENDER_TOKEN = "…"; SPIDERMON_SLACK_SENDER_NAME = "newscrawl"
#   SPIDERMON_SLACK_RECIPIENTS = ["#news-crawl"]
# or spidermon.contrib.actions.email.smtp.SendSmtpEmail, …telegram…, …sentry… (Spidermon's docs).
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ["newscrawl.monitors.SourceHealthSuite"]
NEWSCRAWL_HEALTH_ALERTS: list[str] = []
ITEM_PIPELINES = {
    "newscrawl.pipelines.normalize.NormalizePipeline": 100,
    "newscrawl.pipelines.validate.ValidatePipeline": 200,
    "newscrawl.pipelines.incremental.IncrementalPipeline": 300,
    "newscrawl.pipelines.duplicates.DuplicatePipeline": 400,
}
# An article whose text was already written (another URL, another outlet in the same state
# store): "drop" it (counted as newscrawl/dropped/duplicate), or "mark" it with duplicate_of.
NEWSCRAWL_DUPLICATES = "drop"
# Edited copies are looked for among the articles written in the last this many days
# (republications follow the original within days; the index stays small).
NEWSCRAWL_NEAR_DUPLICATE_DAYS = 30

# One JSON Lines file per source per (Vietnam) day, appended to by every run of that day.
# `scrapy crawl <source> -o/-O file.jsonl` writes that file instead (not both). Every line is
# flushed to disk before the article is recorded as done, and a line torn by a kill is moved
# aside (`<file>.torn-N`) before the file is appended to again.
FEEDS = {
    "data/%(source_id)s/%(day)s.jsonl": {"format": "jsonlines", "encoding": "utf-8"},
}
FEED_URI_PARAMS = "newscrawl.feeds.uri_params"
FEED_EXPORT_ENCODING = "utf-8"
# Scrapy names the JSON Lines format by a file's suffix too (-O out.jsonl): all three durable.
FEED_EXPORTERS = {
    "jsonlines": "newscrawl.feeds.DurableJsonLinesItemExporter",
    "jsonl": "newscrawl.feeds.DurableJsonLinesItemExporter",
    "jl": "newscrawl.feeds.DurableJsonLinesItemExporter",
}
FEED_STORAGES = {
    "": "newscrawl.feeds.RecoveringFileFeedStorage",
    "file": "newscrawl.feeds.RecoveringFileFeedStorage",
}

TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
