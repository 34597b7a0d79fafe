"""A labeled set of text pairs for near-duplicate matching (newscrawl.extract.similarity), built
at test time from real article texts in ../shared/fixtures (never copied into the repository)
and from the project's replica articles (replica/sites/*/articles: written by the project,
modelled on real reports; marked `replica:` in `origin`).

Material:
- real article bodies: the Dân trí and CafeF article pages (extracted with
  `newscrawl.extract.article.extract_article`) and the QBTV naive scrape (title, counters and
  the theme's chrome after the credit line dropped; its faults otherwise kept);
- real teasers (title + sapo) of the 8 listing pages, read with each outlet's teaser markup;
- real page chrome: the footer text of 5 listing pages and the QBTV theme's comment-form lines;
- the 16 replica articles (two provincial sites, 8 each).

Positives (`duplicate=True`, kind "republished"): one long text (≥ 150 words) against a copy
with 2–4 republication edits drawn at random (seeded, so the set is the same on every run) —
`edits` names them:
  lead       another lead prepended: "(Outlet) - <title>. <a sentence of the text>"
  credit     a credit line appended ("Theo …", "Nguồn: …", "(Theo …)"), maybe a byline too
  title      a changed title put on the first line of the body
  drop       one paragraph removed (not the first)
  add        one paragraph added: a real sapo of an unrelated teaser, at a random place
  reorder    two adjacent paragraphs swapped
  trim       the last sentence of one paragraph cut
  tones      tone marks moved to the new placement (hòa → hoà) and i → y (lí → lý, tỉ → tỷ)
  typos      5 words mistyped on one side (a tone mark lost, a letter doubled): typos fixed
  nfd        the whole text in decomposed Unicode (Unikey's "Unicode tổ hợp")
  punct      straight quotes, hyphens for dashes, doubled spaces
Teasers are not used as positives: they are shorter than MIN_WORDS, and a short text is
never matched on its text alone.

Negatives (`duplicate=False`):
  same-source      two different replica articles of one site (same province, often the same
                   subject: tourism twice, floods and a typhoon, two expressway openings)
  real-articles    the three real article bodies against each other
  same-listing     two teasers of one listing page on one subject (a shared subject word:
                   gold price, petrol, shares …) — same source, same topic
  other-outlet     two teasers of different outlets sharing ≥ 6 content words: related news
                   (petrol supply, gold prices, household taxes), sometimes one event told by
                   two newsrooms (gold price falls, the LDG chairman's return)
  boilerplate      two different texts sharing only boilerplate: a real outlet footer leaked
                   into two article bodies, or the QBTV byline/credit/comment-form chrome
                   plus a closing paragraph appended to two different article openings
  short-template   two official announcements from one template with different details
                   (power cuts, water cuts, citizen reception days), written by the project
                   in the shape such notices take; under MIN_WORDS by nature
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations
from pathlib import Path

import parsel

from newscrawl.extract.article import extract_article
from tests.conftest import SHARED

ARTICLE_PAGES = {
    "dantri_article": (
        "Dân trí",
        "https://dantri.com.vn/kinh-doanh/"
        "gia-vang-giam-van-cao-hon-the-gioi-gan-20-trieu-dongluong-20260307080054340.htm",
    ),
    "cafef_article": (
        "CafeF",
        "https://cafef.vn/"
        "tang-ho-tro-giam-ap-luc-tai-chinh-khi-chuyen-muc-dich-su-dung-dat-188260307071033787.chn",
    ),
}
QBTV_SCRAPE = "qbtv-article-naive-scrape.txt"
# Teaser markup per outlet: the sapo's selector; the title is the first link of its item with
# at least 5 words (the item being the nearest ancestor holding such a link).
TEASER_SAPO = {
    "baochinhphu": ".box-stream-sapo, .box-category-sapo",
    "baodautu": ".sapo_thumb_news",
    "cafef": ".box-category-sapo",
    "dantri": ".article-excerpt",
    "nld": ".box-category-sapo",
    "tuoitre": ".box-category-sapo",
    "vietnamnet": ".horizontalPost__main-desc, .verticalPost__main-desc",
    "vnexpress": "p.description",
}
FOOTER_OUTLETS = ("baodautu", "cafef", "dantri", "tuoitre", "vietnamnet")
POSITIVES_PER_REAL_TEXT = 14
POSITIVES_PER_REPLICA_TEXT = 7
EDITS_PER_POSITIVE = (2, 4)
MAX_SAME_LISTING = 60
MAX_OTHER_OUTLET = 30


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    duplicate: bool
    kind: str
    origin: str  # where the texts come from; "replica:" marks the project's own articles
    edits: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Doc:
    title: str
    paragraphs: tuple[str, ...]
    outlet: str
    origin: str

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


class FixturesMissing(FileNotFoundError):
    pass


def _squash(text: str) -> str:
    return " ".join(text.split())


# --- Reading the material ------------------------------------------------------------------


def _fixtures(shared: Path) -> Path:
    folder = shared / "fixtures"
    if not (folder / "pages").is_dir():
        raise FixturesMissing(f"shared fixtures not found at {folder} (set NEWSCRAWL_SHARED)")
    return folder


def real_articles(shared: Path = SHARED) -> list[Doc]:
    folder = _fixtures(shared)
    docs = []
    for name, (outlet, url) in ARTICLE_PAGES.items():
        html = (folder / "pages" / f"{name}.html").read_text("utf-8")
        art = extract_article(parsel.Selector(text=html), url)
        paras = tuple(p for p in (_squash(p) for p in art.body.split("\n\n")) if p)
        docs.append(Doc(art.title, paras, outlet, f"real:{name}"))
    lines = [_squash(x) for x in (folder / QBTV_SCRAPE).read_text("utf-8").splitlines()]
    lines = [x for x in lines if x]
    title, rest = lines[0], lines[1:]
    rest = [x for x in rest if not x.isdigit()]  # comment and view counters
    rest = rest[: rest.index("Minh Phong")]  # byline, credit and comment form after it
    docs.append(Doc(title, tuple(rest), "QBTV", "real:qbtv-naive-scrape"))
    return docs


def replica_articles() -> list[Doc]:
    from replica.expected import body_text
    from replica.site import load_site

    docs = []
    for site_id, outlet in (("qbtv", "QBTV"), ("baohatinh", "Báo Hà Tĩnh")):
        site = load_site(site_id)
        for art in site.articles:
            paras = tuple(p for p in (_squash(p) for p in body_text(art).split("\n\n")) if p)
            docs.append(Doc(art.title, paras, outlet, f"replica:{site_id}/{art.slug}"))
    return docs


@dataclass(frozen=True)
class Teaser:
    outlet: str
    title: str
    sapo: str

    @property
    def text(self) -> str:
        return f"{self.title}\n\n{self.sapo}"


def teasers(shared: Path = SHARED) -> list[Teaser]:
    folder = _fixtures(shared) / "pages"
    out: list[Teaser] = []
    for outlet, css in TEASER_SAPO.items():
        sel = parsel.Selector(text=(folder / f"{outlet}_list.html").read_text("utf-8"))
        seen = set()
        for sapo_node in sel.css(css):
            sapo = _squash(sapo_node.xpath("string()").get(""))
            titles: list[str] = []
            for item in reversed(sapo_node.xpath("ancestor::*")[-6:]):  # nearest item first
                titles = [
                    _squash(a.xpath("string()").get(""))
                    for a in item.xpath(".//a")
                    if len(a.xpath("string()").get("").split()) >= 5
                ]
                titles = [t for t in titles if t not in sapo and sapo not in t]
                if titles:
                    break
            if not titles or len(sapo.split()) < 8 or sapo in seen:
                continue
            seen.add(sapo)
            out.append(Teaser(outlet, titles[0], sapo))
    return out


def footers(shared: Path = SHARED) -> dict[str, str]:
    """Real page chrome: the footer text of some listing pages."""
    folder = _fixtures(shared) / "pages"
    out = {}
    for outlet in FOOTER_OUTLETS:
        sel = parsel.Selector(text=(folder / f"{outlet}_list.html").read_text("utf-8"))
        node = sel.css("footer, .footer, #footer")
        out[outlet] = _squash(node[0].xpath("string()").get(""))
    return out


def qbtv_chrome(shared: Path = SHARED) -> str:
    """The QBTV scrape's lines from the byline on: byline, credit, the comment form."""
    lines = [_squash(x) for x in (_fixtures(shared) / QBTV_SCRAPE).read_text("utf-8").splitlines()]
    lines = [x for x in lines if x]
    return "\n\n".join(lines[lines.index("Minh Phong") :])


# --- Republication edits (positives) -------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZĐÀ-Ỹ“\"])")
CREDITS = [
    "Theo {outlet}",
    "Nguồn: {outlet}",
    "(Theo {outlet})",
    "Theo Báo điện tử {outlet}",
    "{name}\n\nNguồn: {outlet}",
]
OUTLETS = ["Báo Quảng Bình", "Báo Hà Tĩnh", "TTXVN", "Báo Mới", "Quảng Trị Online", "VOV"]
NAMES = ["Minh Phong", "Thu Hà", "Hoàng Anh", "Phan Trâm", "Đức Thắng"]
TITLE_PREFIXES = ["Quảng Bình: ", "Hà Tĩnh: ", "NÓNG: ", "Tin mới: ", ""]
TITLE_SUFFIXES = [" (video)", " - Ảnh", "", " ngay trong sáng nay"]


def _sentences(text: str) -> list[str]:
    return _SENTENCE_END.split(text)


def _edit_lead(doc: Doc, rng: random.Random) -> Doc:
    sents = [s for p in doc.paragraphs[1:] for s in _sentences(p) if len(s.split()) >= 8]
    extra = rng.choice(sents) if sents else ""
    lead = f"({rng.choice(OUTLETS)}) - {doc.title}. {extra}".strip()
    return Doc(doc.title, (lead, *doc.paragraphs), doc.outlet, doc.origin)


def _edit_credit(doc: Doc, rng: random.Random) -> Doc:
    line = rng.choice(CREDITS).format(outlet=doc.outlet, name=rng.choice(NAMES))
    return Doc(doc.title, (*doc.paragraphs, *line.split("\n\n")), doc.outlet, doc.origin)


def _edit_title(doc: Doc, rng: random.Random) -> Doc:
    words = doc.title.split()
    cut = words[: max(5, len(words) - rng.randint(0, 3))]
    title = rng.choice(TITLE_PREFIXES) + " ".join(cut) + rng.choice(TITLE_SUFFIXES)
    return Doc(title, (title, *doc.paragraphs), doc.outlet, doc.origin)


def _edit_drop(doc: Doc, rng: random.Random) -> Doc:
    if len(doc.paragraphs) < 4:
        return doc
    i = rng.randrange(1, len(doc.paragraphs))
    return Doc(doc.title, doc.paragraphs[:i] + doc.paragraphs[i + 1 :], doc.outlet, doc.origin)


def _edit_add(doc: Doc, rng: random.Random, pool: list[str]) -> Doc:
    i = rng.randrange(1, len(doc.paragraphs) + 1)
    added = rng.choice(pool)
    return Doc(doc.title, (*doc.paragraphs[:i], added, *doc.paragraphs[i:]), doc.outlet, doc.origin)


def _edit_reorder(doc: Doc, rng: random.Random) -> Doc:
    if len(doc.paragraphs) < 3:
        return doc
    i = rng.randrange(1, len(doc.paragraphs) - 1)
    p = list(doc.paragraphs)
    p[i], p[i + 1] = p[i + 1], p[i]
    return Doc(doc.title, tuple(p), doc.outlet, doc.origin)


def _edit_trim(doc: Doc, rng: random.Random) -> Doc:
    many = [i for i, p in enumerate(doc.paragraphs) if len(_sentences(p)) >= 2]
    if not many:
        return doc
    i = rng.choice(many)
    p = list(doc.paragraphs)
    p[i] = " ".join(_sentences(p[i])[:-1])
    return Doc(doc.title, tuple(p), doc.outlet, doc.origin)


def _new_tone_style(text: str) -> str:
    """hòa → hoà, khỏe → khoẻ, thủy → thuỷ (open oa/oe/uy only); lí → lý, tỉ → tỷ, kĩ → kỹ."""
    nfd_marks = "\u0300\u0301\u0309\u0303\u0323"

    def move(m: re.Match) -> str:
        first, mark, second = m.group(1), m.group(2), m.group(3)
        return first + unicodedata.normalize("NFC", second + mark)

    text = unicodedata.normalize("NFD", text)
    text = re.sub(
        rf"(?<=[bcdđghklmnpqrstvx])([oOuU])([{nfd_marks}])([aAeEyY])(?![\w\u0300-\u036f])",
        lambda m: move(m) if not (m.group(1) in "uU" and m.group(3) in "aAeE") else m.group(0),
        text,
    )
    text = re.sub(
        rf"(?<=\b[lLkKtTmMsS])i([{nfd_marks}])(?![\w\u0300-\u036f])",
        lambda m: "y" + m.group(1),
        text,
    )
    return unicodedata.normalize("NFC", text)


def _edit_tones(doc: Doc, rng: random.Random) -> Doc:
    return Doc(
        _new_tone_style(doc.title),
        tuple(_new_tone_style(p) for p in doc.paragraphs),
        doc.outlet,
        doc.origin,
    )


def _typo(word: str, rng: random.Random) -> str:
    nfd = unicodedata.normalize("NFD", word)
    marks = [i for i, c in enumerate(nfd) if unicodedata.combining(c)]
    if marks and rng.random() < 0.6:
        i = rng.choice(marks)
        return unicodedata.normalize("NFC", nfd[:i] + nfd[i + 1 :])
    i = rng.randrange(len(word))
    return word[: i + 1] + word[i:]


def _edit_typos(doc: Doc, rng: random.Random) -> Doc:
    p = [para.split(" ") for para in doc.paragraphs]
    slots = [(i, j) for i, ws in enumerate(p) for j, w in enumerate(ws) if len(w) > 2]
    for i, j in rng.sample(slots, min(5, len(slots))):
        p[i][j] = _typo(p[i][j], rng)
    return Doc(doc.title, tuple(" ".join(ws) for ws in p), doc.outlet, doc.origin)


def _edit_nfd(doc: Doc, rng: random.Random) -> Doc:
    nfd = tuple(unicodedata.normalize("NFD", p) for p in doc.paragraphs)
    return Doc(doc.title, nfd, doc.outlet, doc.origin)


def _edit_punct(doc: Doc, rng: random.Random) -> Doc:
    table = str.maketrans({"“": '"', "”": '"', "–": "-", "—": "-", "‘": "'", "’": "'"})
    paras = tuple(p.translate(table).replace(", ", " ,  ") for p in doc.paragraphs)
    return Doc(doc.title, paras, doc.outlet, doc.origin)


EDITS: dict[str, Callable[..., Doc]] = {
    "lead": _edit_lead,
    "credit": _edit_credit,
    "title": _edit_title,
    "drop": _edit_drop,
    "add": _edit_add,
    "reorder": _edit_reorder,
    "trim": _edit_trim,
    "tones": _edit_tones,
    "typos": _edit_typos,
    "nfd": _edit_nfd,
    "punct": _edit_punct,
}


def republish(doc: Doc, edits: list[str], rng: random.Random, pool: list[str]) -> Doc:
    for name in edits:
        fn = EDITS[name]
        doc = fn(doc, rng, pool) if name == "add" else fn(doc, rng)
    return doc


def positives(docs: list[Doc], per_doc: int, pool: list[str]) -> list[Pair]:
    out = []
    for doc in docs:
        for n in range(per_doc):
            rng = random.Random(f"{doc.origin}#{n}")
            edits = rng.sample(sorted(EDITS), rng.randint(*EDITS_PER_POSITIVE))
            # the original keeps its faults (typos) — the republisher fixed them — and an
            # NFD copy is the republisher's; other edits are the republisher's
            original = doc
            if "typos" in edits:
                original = _edit_typos(doc, rng)
                edits.remove("typos")
            copy = republish(doc, edits, rng, pool)
            applied = tuple(sorted([*edits, *(["typos"] if original is not doc else [])]))
            out.append(Pair(original.text, copy.text, True, "republished", doc.origin, applied))
    return out


# --- Negatives -----------------------------------------------------------------------------

SUBJECTS = [
    "vàng",
    "xăng",
    "dầu",
    "chứng khoán",
    "cổ phiếu",
    "thuế",
    "ngân hàng",
    "lãi suất",
    "tỷ giá",
    "bất động sản",
    "đất",
    "giáo dục",
    "thông tư",
    "nghị định",
    "khối ngoại",
    "vn-index",
    "giá",
]


def _subject(t: Teaser) -> str | None:
    text = t.text.casefold()
    return next((s for s in SUBJECTS if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", text)), None)


def same_listing(ts: list[Teaser]) -> list[Pair]:
    out = []
    for a, b in combinations(ts, 2):
        if a.outlet == b.outlet and _subject(a) and _subject(a) == _subject(b):
            out.append(Pair(a.text, b.text, False, "same-listing", f"real:{a.outlet}_list"))
    return random.Random("same-listing").sample(out, min(MAX_SAME_LISTING, len(out)))


_STOP = frozenset(
    re.findall(
        r"\S+",
        "và của có các là được trong cho với đã này từ khi không một những theo tại đến về ngày "
        "người năm tháng sẽ để đang vừa trên sau như nhiều hơn cũng lên giá thị trường việt nam "
        "đồng triệu tỷ usd mới",
    )
)


def _content_words(t: Teaser) -> set[str]:
    return {w for w in re.findall(r"\w+", t.text.casefold()) if w not in _STOP and len(w) > 1}


def other_outlet(ts: list[Teaser]) -> list[Pair]:
    """Teasers of two outlets sharing ≥ 6 content words: related news, at times one event."""
    out = []
    for a, b in combinations(ts, 2):
        if a.outlet != b.outlet and len(_content_words(a) & _content_words(b)) >= 6:
            out.append(
                Pair(a.text, b.text, False, "other-outlet", f"real:{a.outlet}+{b.outlet}_list")
            )
    return random.Random("other-outlet").sample(out, min(MAX_OTHER_OUTLET, len(out)))


CLOSING = (
    "Mời quý độc giả đón xem các bản tin thời sự phát lúc 6 giờ, 11 giờ 30, 18 giờ và 21 giờ "
    "hằng ngày trên kênh truyền hình của Đài, đồng thời theo dõi tin tức mới nhất trên trang "
    "điện tử, ứng dụng di động và các nền tảng mạng xã hội chính thức của cơ quan báo chí tỉnh."
)


def boilerplate(docs: list[Doc], shared: Path) -> list[Pair]:
    """Different texts sharing only boilerplate. Full replica articles of one site + the same
    real footer (an extractor leaking page chrome); openings (first two paragraphs, 60–150
    words) of two articles of one site + the QBTV byline/credit/comment-form chrome and a
    closing paragraph (the project's, in the shape of a station's standard closing)."""
    out = []
    feet = footers(shared)
    chrome = qbtv_chrome(shared) + "\n\n" + CLOSING
    rng = random.Random("boilerplate")
    by_site: dict[str, list[Doc]] = {}
    for d in docs:
        by_site.setdefault(d.origin.split("/")[0], []).append(d)
    for site, site_docs in sorted(by_site.items()):
        pairs = list(combinations(site_docs, 2))
        for a, b in rng.sample(pairs, min(12, len(pairs))):
            foot = feet[rng.choice(FOOTER_OUTLETS)]
            out.append(
                Pair(f"{a.text}\n\n{foot}", f"{b.text}\n\n{foot}", False, "boilerplate", site)
            )
        for a, b in rng.sample(pairs, min(12, len(pairs))):
            ta, tb = ("\n\n".join(d.paragraphs[:2]) for d in (a, b))
            out.append(Pair(f"{ta}\n\n{chrome}", f"{tb}\n\n{chrome}", False, "boilerplate", site))
    return out


TEMPLATES = [
    "Lịch cắt điện ngày {d}/{m}: Để bảo dưỡng, sửa chữa lưới điện, Điện lực {place} tạm ngừng "
    "cung cấp điện từ {h1} giờ đến {h2} giờ tại khu vực {area}. Kính mong quý khách hàng thông "
    "cảm.",
    "Thông báo tạm ngừng cấp nước: Do thi công tuyến ống, Công ty cấp nước tạm ngừng cấp nước "
    "tại {area}, {place} từ {h1} giờ ngày {d}/{m} đến {h2} giờ cùng ngày.",
    "Lịch tiếp công dân: Ngày {d}/{m}, Chủ tịch UBND {place} tiếp công dân định kỳ tại Trụ sở "
    "tiếp công dân, bắt đầu từ {h1} giờ. Công dân đến liên hệ mang theo giấy tờ tùy thân.",
    "Thông báo: Từ {h1} giờ đến {h2} giờ ngày {d}/{m}, cấm các phương tiện lưu thông qua "
    "{area}, {place} để phục vụ sự kiện. Đề nghị người dân đi theo hướng dẫn của lực lượng "
    "chức năng.",
]
PLACES = ["Đồng Hới", "Bố Trạch", "Lệ Thủy", "Quảng Trạch", "Hương Khê", "Kỳ Anh", "Cẩm Xuyên"]
AREAS = ["thôn Đông Thành", "tổ dân phố 5", "khu vực chợ Nam Lý", "xóm 3", "đường Quang Trung"]


def short_templates() -> list[Pair]:
    rng = random.Random("templates")
    out = []
    for n, tpl in enumerate(TEMPLATES):
        for _ in range(6):

            def fill(tpl: str = tpl) -> str:
                return tpl.format(
                    d=rng.randint(1, 28),
                    m=rng.randint(1, 12),
                    h1=rng.randint(6, 9),
                    h2=rng.randint(14, 17),
                    place=rng.choice(PLACES),
                    area=rng.choice(AREAS),
                )

            out.append(Pair(fill(), fill(), False, "short-template", f"project:template{n}"))
    return out


def real_article_pairs(real: list[Doc]) -> list[Pair]:
    return [
        Pair(a.text, b.text, False, "real-articles", f"{a.origin}+{b.origin}")
        for a, b in combinations(real, 2)
    ]


def same_source(replica: list[Doc]) -> list[Pair]:
    return [
        Pair(a.text, b.text, False, "same-source", a.origin.split("/")[0])
        for a, b in combinations(replica, 2)
        if a.origin.split("/")[0] == b.origin.split("/")[0]
    ]


@cache
def build_pairs(shared: Path = SHARED) -> tuple[Pair, ...]:
    """The labeled set; raises FixturesMissing when the shared fixtures are absent."""
    real = real_articles(shared)
    replica = replica_articles()
    ts = teasers(shared)
    pool = [t.sapo for t in ts if len(t.sapo.split()) >= 20]
    pairs = [
        *positives(real, POSITIVES_PER_REAL_TEXT, pool),
        *positives(replica, POSITIVES_PER_REPLICA_TEXT, pool),
        *real_article_pairs(real),
        *same_source(replica),
        *same_listing(ts),
        *other_outlet(ts),
        *boilerplate(replica, shared),
        *short_templates(),
    ]
    return tuple(pairs)


def counts(pairs: tuple[Pair, ...]) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in pairs:
        out[p.kind] = out.get(p.kind, 0) + 1
    return out
