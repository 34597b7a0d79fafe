"""Byline and credit lines of Vietnamese news articles (vn-press §3.2–3.3, design §4).

A Vietnamese article usually closes its body with who wrote it and, when republished, whom it
is credited to: ``Minh Phong`` / ``Nguồn: QBTV.vn``, ``Bài và ảnh: TRÀ MY``, ``(TTXVN/Vietnam+)``,
``CÔNG SÁNG (báo lao động)``. :func:`split_trailing_byline` peels such lines off the end of the
body; :func:`parse_byline` reads one line a selector already marked as a byline (``p.pAuthor``,
``.author-name``, cafef's ``p.author``).

Hand-written, stdlib only: no maintained library reads Vietnamese bylines (trafilatura and
newspaper look for English "By …" lines and meta tags; an NER model would be a heavy dependency
for what is a line-shape problem).

Rules a caller must know:

- Input is NFC, whitespace-normalized text (the caller normalizes).
- ``parse_byline`` returns ``None`` for a line that is not a byline, and an *empty*
  ``Attribution()`` for a byline that names no person and no outlet: a photo/video credit
  (``Ảnh: Công Sáng``), a staff tag (``PV``, ``P.V``, ``CTV``, ``Nhóm PV``, ``BBT``) or a
  WordPress posting account (``Biên tập viên``, ``Quản trị viên``, ``admin``, ``BTV``).
- Trailing lines are read strictly (a bare name must look like a Vietnamese personal name);
  ``parse_byline`` is looser about bare names, since the markup already says it is a byline.
- A name may carry initials: ``N.Hà``, ``P. Hoa``, ``Đ.Q``, ``Nguyễn T. Hà`` (kept as written).
- One all-caps token that is an acronym (``TTXVN``, ``VOV``, ``QBTV``, ``VTV1``) or a domain
  (``QBTV.vn``) is an outlet: a credit, never an author. A single all-caps word that is neither
  an acronym nor one Vietnamese syllable (``VNEXPRESS``) names no one.
- ``Theo <surname-led or initialled personal name>`` is an author (cafef: ``Theo Hồ Hương``);
  ``Theo <outlet>`` is a credit (``Theo TTXVN``, ``Theo Đại Đoàn kết``). A credit is an outlet's
  name: no comma, no clause word (``đã``, ``được``…), at most 6 words unless it starts like an
  outlet (``Báo``, ``Đài``, ``Cổng thông tin``…); ``Theo Sở Y tế, số ca mắc đã giảm`` is text.
- Two or more bare-name lines in a row at the end of the body are read as a list of people in
  the text, not a byline, and are left in place. At least one paragraph always stays.
- When several lines give a credit, the first in page order wins.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Attribution", "parse_byline", "split_trailing_byline"]


@dataclass(frozen=True)
class Attribution:
    authors: tuple[str, ...] = ()  # persons credited for the text, page order
    credit: str | None = None  # outlet the text is credited to when republished, e.g. 'QBTV.vn'


_MAX_LINES = 3  # byline block at the end of a body: name, photo credit, source (vn-press §3.2)
_MAX_LINE_WORDS = 20  # a whole byline line, several authors and a photo credit included
_MAX_PART_WORDS = 8  # one name or one outlet (vn-press §3.2: "no more than about 8 words")
_MAX_CREDIT_WORDS = 6  # an outlet not led by "Báo", "Đài"…: longer is a sentence ("Theo Sở …")
_SENTENCE_END = frozenset(".!?…:;,\"'”’“")

# Role labels before a colon. Text roles name authors; photo roles are removed but credit no
# text author; "Nguồn:" gives the credit. Longer alternatives first so "Bài và ảnh" wins over
# "Bài". "Thực hiện" (= produced by) is not in vn-press but closes most long-form pieces.
_TEXT_LABELS = (
    r"(?:bài|tin)\s*(?:và|,|&|/|\+|-)\s*ảnh",
    r"nhóm\s+phóng\s+viên",
    r"nhóm\s+p\.?v",
    r"(?:nhóm\s+)?thực\s+hiện",
    r"bài",
    r"tin",
    r"p\.?v",
    r"ctv",
)
_PHOTO_LABELS = (r"nguồn\s+ảnh", r"ảnh", r"video", r"clip")
_CREDIT_LABELS = (r"nguồn",)
_LABEL_RE = re.compile(
    r"(?<!\w)(?:"
    + "|".join(
        f"(?P<{role}{i}>{alt})"
        for role, alts in (
            ("text", _TEXT_LABELS),
            ("photo", _PHOTO_LABELS),
            ("credit", _CREDIT_LABELS),
        )
        for i, alt in enumerate(alts)
    )
    + r")\s*[:：]\s*",
    re.IGNORECASE,
)
_THEO_RE = re.compile(r"^(?:theo|nguồn)(?:\s*[:：]\s*|\s+)(?P<rest>.+)$", re.IGNORECASE)
_WHOLE_BRACKET_RE = re.compile(r"^\((?P<inner>[^()]*)\)$")
_TAIL_BRACKET_RE = re.compile(r"\s*\((?P<inner>[^()]*)\)$")
# Between names: "," ";" "&" anywhere, dashes and "và" (= and) only between spaces.
_NAME_SEP_RE = re.compile(r"\s*[,;&]\s*|\s+[-–—]\s+|\s+và\s+", re.IGNORECASE)
# One word of a name; a dot is no part of it (initials are read by _initials_name).
_NAME_WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]*)*")
_ACRONYM_RE = re.compile(r"(?<!\w)[A-ZĐ]{2,}")
_DOMAIN_RE = re.compile(r"\w\.(?:vn|com|net|org|info)\b", re.IGNORECASE)
# A whole token naming an outlet: an acronym with an optional channel number (TTXVN, VOV, QBTV,
# VTV1), or a domain (QBTV.vn, baoquangbinh.vn).
_ACRONYM_TOKEN_RE = re.compile(r"[A-ZĐ]{2,6}[0-9]{0,2}")
_DOMAIN_TOKEN_RE = re.compile(
    r"[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:vn|com|net|org|info)", re.IGNORECASE
)
# Pieces of a name with initials: "N.Hà" -> "N.", "Hà"; "Nguyễn T. Hà" -> "Nguyễn", "T.", "Hà".
_NAME_PIECE_RE = re.compile(r"[^\s.]+\.?")
# Shapes of those pieces (I initial "T.", L lone capital "Q", W name word): "N.Hà", "N.T.Hà",
# "P. Hoa", "Đ.Q"; "Nguyễn T. Hà", "Nguyễn T.T. Thu Hà".
_INITIALS_SHAPE_RE = re.compile(r"I{1,2}W?|IL|WI{1,2}W{1,2}")
# Words of a clause, never of an outlet's name: "Theo Sở Y tế số ca mắc đã giảm" is text.
_CLAUSE_WORD_RE = re.compile(
    r"(?<!\w)(?:đã|đang|sẽ|vừa|được|bị|là|thì|có|không|chưa|vẫn|cũng|cho biết|cho hay|"
    r"cho rằng)(?!\w)",
    re.IGNORECASE,
)
# One Vietnamese syllable once tone and vowel marks are stripped: onset, 1–3 vowels, coda.
# Rejects chrome and foreign words ("Facebook", "Google News", "Loading") that are capitalised.
_SYLLABLE_RE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?"
)

# The ~30 commonest surnames cover nearly all Vietnamese full names. A bare line of 3–4 words
# must start with one (Nguyễn Văn An yes, Ban Dân Vận no); two-word pen names (Minh Phong, Trà
# My) rarely carry a surname, so they are not held to it.
_SURNAMES = frozenset(
    {
        "nguyễn", "trần", "lê", "phạm", "hoàng", "huỳnh", "phan", "vũ", "võ", "đặng", "bùi",
        "đỗ", "hồ", "ngô", "dương", "lý", "đào", "đoàn", "vương", "trịnh", "trương", "đinh",
        "lâm", "phùng", "mai", "tô", "hà", "cao", "lương", "tạ", "thái", "chu", "lưu", "hứa",
        "kiều", "quách",
    }
)  # fmt: skip
# Words that open the name of an organisation or an administrative unit, never a person's name.
_ORG_START_RE = re.compile(
    r"^(?:sở|ban|bộ|hội|ủy|uỷ|ubnd|hđnd|công ty|trường|tỉnh|huyện|xã|phường|thành phố|thị xã|"
    r"thị trấn|tp|cục|chi cục|tổng cục|viện|đảng|báo|đài|tạp chí|trung tâm|tập đoàn|mặt trận|"
    r"công an|quảng)(?:\s|$)"
)
# Places of the target region (Bắc Trung Bộ), and a few national ones, whose names are shaped
# like two-word pen names ("Quảng …" is caught above). Other places of that shape pass as
# names: add them here when seen.
_PLACES = frozenset(
    {
        "hà tĩnh", "nghệ an", "thanh hóa", "thanh hoá", "thừa thiên huế", "đà nẵng", "hà nội",
        "đồng hới", "đông hà", "việt nam", "hồ chí minh", "hoàng sa", "tây nguyên",
        "miền trung",
    }
)  # fmt: skip
# Outlets with name-shaped titles, credited in brackets or after "Theo": without this list
# "(Dân Trí)" would read as a person and "Theo Hà Nội Mới" as the person "Hà Nội Mới".
_KNOWN_OUTLETS = frozenset(
    {
        "dân trí", "tuổi trẻ", "thanh niên", "tiền phong", "nhân dân", "lao động",
        "người lao động", "hà nội mới", "đại đoàn kết", "pháp luật", "tin tức", "quân đội nhân dân",
        "công an nhân dân", "ap", "voa",
    }
)  # fmt: skip
# Section headings and comment/share chrome that an all-caps line can hold ("BÌNH LUẬN" reads
# as the name "Bình Luận"). The body extractor drops chrome; this only keeps it out of authors.
_HEADINGS = frozenset(
    {
        "bình luận", "ý kiến", "đọc thêm", "xem thêm", "tin khác", "tin liên quan",
        "bài liên quan", "chia sẻ", "phản hồi", "liên hệ", "tin mới", "mới nhất", "xem nhiều",
        "đọc nhiều", "chủ đề", "từ khóa", "từ khoá", "tin nổi bật", "video", "ảnh",
    }
)  # fmt: skip
# Staff tags that sign a piece without naming anyone, and the posting accounts a WordPress site
# shows as "author" (qbtv: "Biên tập viên", "Quản trị viên"; replica/README.md). BBT = Ban biên
# tập (editorial board), BTV = biên tập viên (editor), P.V = PV = phóng viên (reporter).
_STAFF = frozenset(
    {
        "pv", "p.v", "p. v", "ctv", "btv", "bbt", "nhóm pv", "nhóm p.v", "nhóm phóng viên",
        "phóng viên", "ban biên tập", "biên tập viên", "quản trị viên", "quản trị", "admin",
        "administrator",
    }
)  # fmt: skip
# All-caps chrome shaped like an acronym ("HOT", "SHARE"): never an outlet.
_NOT_OUTLETS = frozenset(
    {
        "hot", "new", "live", "top", "tag", "tags", "photo", "video", "clip", "share", "print",
        "email", "menu", "home", "like", "tweet", "zalo", "rss", "login",
    }
)  # fmt: skip
# "(tổng hợp)" = compiled by; dropped after a name, it names no one.
_COMPILED = frozenset({"tổng hợp", "th", "t/h", "tổng hợp/th"})
_NOT_NAMES = _PLACES | _KNOWN_OUTLETS | _HEADINGS
_NOT_CREDITS = _HEADINGS | _PLACES | _COMPILED | _STAFF
_OUTLET_START_RE = re.compile(
    r"^(?:báo|đài|tạp chí|cổng thông tin|kênh|thông tấn xã|truyền hình)(?:\s|$)"
)
# "Theo quyết định…", "Theo ông…": the start of a sentence, not a credit.
_NOT_CREDIT_START_RE = re.compile(
    r"^(?:quyết định|nghị định|nghị quyết|thông tư|luật|điều|khoản|kế hoạch|chỉ thị|công văn|"
    r"quy định|báo cáo|số liệu|thống kê|dự báo|ông|bà|anh|chị|tôi|đó|như|kỳ|phần|hết|còn|tiếp|"
    r"bài|tin|ảnh|video|clip)(?:\s|$)"
)


def parse_byline(line: str) -> Attribution | None:
    """Read one line already known to hold a byline (from p.pAuthor, .author-name, a trailing
    paragraph…); None if it is not one."""
    parsed = _parse_line(line, strict=False)
    return parsed[0] if parsed is not None else None


def split_trailing_byline(paragraphs: list[str]) -> tuple[list[str], Attribution]:
    """Peel the byline/credit lines (at most 3) off the END of the body; return the remaining
    paragraphs and what they credited."""
    paras = list(paragraphs)
    nonempty = [i for i, p in enumerate(paras) if p.strip()]
    if len(nonempty) < 2:  # a one-line body is all text
        return paras, Attribution()
    peeled: list[Attribution] = []  # from the end up
    cut = len(paras)
    for pos in range(len(nonempty) - 1, 0, -1):  # never the first paragraph
        if len(peeled) == _MAX_LINES:
            break
        parsed = _parse_line(paras[nonempty[pos]], strict=True)
        if parsed is None:
            break
        attribution, bare = parsed
        if bare:
            above = _parse_line(paras[nonempty[pos - 1]], strict=True)
            if above is not None and above[1]:  # a list of names, not a byline
                break
        peeled.append(attribution)
        cut = nonempty[pos]
    if not peeled:
        return paras, Attribution()
    peeled.reverse()
    authors = tuple(dict.fromkeys(a for p in peeled for a in p.authors))
    credit = next((p.credit for p in peeled if p.credit), None)
    return paras[:cut], Attribution(authors=authors, credit=credit)


def _parse_line(line: str, *, strict: bool) -> tuple[Attribution, bool] | None:
    """The attribution of one line and whether it was a bare name (no label, bracket or
    credit), or None. ``strict`` holds bare names to the shape of a Vietnamese name."""
    text = " ".join(line.split())
    if not text or text[-1] in _SENTENCE_END or len(text.split()) > _MAX_LINE_WORDS:
        return None
    whole = _WHOLE_BRACKET_RE.match(text)
    if whole:  # "(TTXVN)", "(Theo Báo Nghệ An)", "(Ảnh: Công Sáng)"
        inner = whole["inner"].strip()
        if not inner or inner[-1] in _SENTENCE_END:
            return None
        if _LABEL_RE.match(inner) or _THEO_RE.match(inner):
            parsed = _parse_line(inner, strict=strict)
            return (parsed[0], False) if parsed is not None else None
        return (Attribution(credit=inner), False) if _is_credit(inner, explicit=False) else None
    if any(_LABEL_RE.finditer(text)):
        attribution = _parse_labelled(text, strict=strict)
        return (attribution, False) if attribution is not None else None
    theo = _THEO_RE.match(text)
    if theo:
        attribution = _author_or_credit(theo["rest"])
        return (attribution, False) if attribution is not None else None
    if text.casefold() in _STAFF:
        return Attribution(), False
    names = _names_and_credit(text, strict=strict)
    if names is None:
        return None
    authors, credit = names
    return Attribution(authors=authors, credit=credit), credit is None


def _parse_labelled(text: str, *, strict: bool) -> Attribution | None:
    """A line with role labels: "Bài và ảnh: Trà My", "Bài: Thu Hà - Ảnh: Công Sáng"."""
    matches = list(_LABEL_RE.finditer(text))
    authors: list[str] = []
    credit: str | None = None
    head = text[: matches[0].start()].strip(" -–—,;|/")
    if head:  # "Thu Hà - Ảnh: Công Sáng", "Theo TTXVN - Ảnh: Công Sáng"
        parsed = _parse_line(head, strict=strict)
        if parsed is None:
            return None
        authors.extend(parsed[0].authors)
        credit = parsed[0].credit
    for m, nxt in zip(matches, [*matches[1:], None], strict=True):
        content = text[m.end() : nxt.start() if nxt else len(text)].strip(" -–—,;|/")
        if not content:
            return None
        role = (m.lastgroup or "").rstrip("0123456789")
        if role == "photo":
            continue
        if role == "credit":
            found = _author_or_credit(content)
            if found is None:
                return None
            authors.extend(found.authors)
            credit = credit or found.credit
            continue
        if content.casefold() in _STAFF:
            continue
        names = _names_and_credit(content, strict=False)  # the label vouches for the names
        if names is None:
            return None
        authors.extend(names[0])
        credit = credit or names[1]
    return Attribution(authors=tuple(dict.fromkeys(authors)), credit=credit)


def _author_or_credit(rest: str) -> Attribution | None:
    """What follows "Theo"/"Nguồn": a person when it is a surname-led name (cafef's
    "Theo Hồ Hương"), else an outlet ("Theo TTXVN", "Nguồn: QBTV.vn")."""
    rest = rest.strip()
    names = _names_and_credit(rest, strict=True, surname=True)
    if names is not None and len(names[0]) == 1:
        return Attribution(authors=names[0], credit=names[1])
    if _is_credit(rest, explicit=True):
        return Attribution(credit=rest)
    return None


def _names_and_credit(
    text: str, *, strict: bool, surname: bool = False
) -> tuple[tuple[str, ...], str | None] | None:
    """Names with an optional outlet: "Thu Hà - Thiên Vỹ", "CÔNG SÁNG (báo lao động)",
    "Thu Hà/TTXVN", "Thu Hà - TTXVN", "Minh Anh (tổng hợp)"; None unless every part is a name,
    a staff tag or (one) outlet."""
    credit: str | None = None
    bracket = _TAIL_BRACKET_RE.search(text)
    if bracket:
        inner = bracket["inner"].strip()
        text = text[: bracket.start()].strip()
        theo = _THEO_RE.match(inner)
        if inner.casefold() in _COMPILED | _STAFF:
            pass
        elif theo and _is_credit(theo["rest"], explicit=True):
            credit = theo["rest"].strip()
        elif _is_credit(inner, explicit=False):
            credit = inner
        else:
            return None
    if "/" in text:
        head, _, tail = text.rpartition("/")
        if credit is not None or not _is_credit(tail.strip(), explicit=False):
            return None
        if _is_outlet_token(head.strip()):  # "TTXVN/Vietnam+", as in "(TTXVN/Vietnam+)"
            text, credit = "", text
        else:
            text, credit = head.strip(), tail.strip()
    names: list[str] = []
    for part in _NAME_SEP_RE.split(text) if text else ():
        if part.casefold() in _STAFF:
            continue
        if _is_outlet_token(part):  # "TTXVN", "Thu Hà - TTXVN"
            if credit not in (None, part):
                return None
            credit = part
            continue
        name = _name_form(part, strict=strict, surname=surname)
        if name is None:
            return None
        names.append(name)
    if not names and credit is None:
        return None
    return tuple(dict.fromkeys(names)), credit


def _name_form(part: str, *, strict: bool, surname: bool = False) -> str | None:
    """The name as credited (all-caps to title case), or None when ``part`` is not a name."""
    words = part.split()
    if not words or len(words) > _MAX_PART_WORDS or _is_outlet_token(part):
        return None
    if part.isupper():
        words = [_NAME_WORD_RE.sub(lambda m: m[0][0] + m[0][1:].lower(), w) for w in words]
    key = " ".join(words).casefold()
    if _ORG_START_RE.match(key) or key in _NOT_NAMES or key in _STAFF:
        return None
    if "." in part:
        return _initials_name(words, strict=strict, surname=surname)
    if not all(_NAME_WORD_RE.fullmatch(w) and w[0].isupper() for w in words):
        return None
    if len(words) == 1 and part.isupper() and not _is_syllable(words[0]):
        return None  # "VNEXPRESS", "TH": one all-caps word that is no syllable is no name
    if strict or surname:
        if not 2 <= len(words) <= 4 or not all(
            w[1:] == w[1:].lower() and _is_syllable(w) for w in words
        ):
            return None
        if (surname or len(words) > 2) and words[0].casefold() not in _SURNAMES:
            return None
    return " ".join(words)


def _initials_name(words: list[str], *, strict: bool, surname: bool) -> str | None:
    """A name with initials ("N.Hà", "Đ.Q", "P. Hoa", "Nguyễn T. Hà"), as written; None when the
    dots are not initials ("TP.HCM", "Hà.")."""
    pieces = [p for w in words for p in _NAME_PIECE_RE.findall(w)]
    if "".join(pieces) != "".join(words):  # a dot that follows no letter: ".vn", "N..Hà"
        return None
    shape = ""
    for piece in pieces:
        if len(piece) == 2 and piece[1] == "." and piece[0].isalpha() and piece[0].isupper():
            shape += "I"
        elif len(piece) == 1 and piece.isalpha() and piece.isupper():
            shape += "L"
        elif (
            _NAME_WORD_RE.fullmatch(piece)
            and piece[0].isupper()
            and (not strict or (piece[1:] == piece[1:].lower() and _is_syllable(piece)))
        ):
            shape += "W"
        else:
            return None
    if not _INITIALS_SHAPE_RE.fullmatch(shape):
        return None
    if (strict or surname) and shape[0] == "W" and pieces[0].casefold() not in _SURNAMES:
        return None
    return " ".join(words)


def _is_outlet_token(text: str) -> bool:
    """Whether ``text`` is one token naming an outlet: "TTXVN", "VOV", "VTV1", "QBTV.vn". A
    Vietnamese syllable ("MINH") is a pen name, not an acronym, unless a known outlet ("VOA")."""
    key = text.casefold()
    if key in _NOT_CREDITS or key in _NOT_OUTLETS:
        return False
    if _DOMAIN_TOKEN_RE.fullmatch(text):
        return True
    return _ACRONYM_TOKEN_RE.fullmatch(text) is not None and (
        key in _KNOWN_OUTLETS or not _is_syllable(text)
    )


def _is_syllable(word: str) -> bool:
    bare = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
    return _SYLLABLE_RE.fullmatch(bare.casefold().replace("đ", "d")) is not None


def _is_credit(text: str, *, explicit: bool) -> bool:
    """Whether ``text`` names an outlet. ``explicit``: it followed "Theo"/"Nguồn", so any short
    capitalised phrase will do; otherwise (a bracket, after a slash) it must look like one."""
    words = text.split()
    if not words or len(words) > _MAX_PART_WORDS or text[-1] in _SENTENCE_END:
        return False
    if "," in text or _CLAUSE_WORD_RE.search(text):  # "Theo Sở Y tế, số ca mắc đã giảm"
        return False
    key = text.casefold()
    if key in _KNOWN_OUTLETS or _DOMAIN_RE.search(text):
        return True
    if key in _NOT_CREDITS or _NOT_CREDIT_START_RE.match(key):
        return False
    if _OUTLET_START_RE.match(key):  # "Cổng thông tin điện tử tỉnh Quảng Bình": up to 8 words
        return True
    if len(words) > _MAX_CREDIT_WORDS:
        return False
    if explicit:
        return text[0].isupper() or text[0].isdigit()
    if _ACRONYM_RE.search(text):  # TTXVN, VOV, QBTV
        return True
    # "Vietnamplus", "VnExpress": capitalised but not shaped like a person's name.
    return all(w[0].isupper() or w[0].isdigit() for w in words) and (
        _name_form(text, strict=True) is None
    )
