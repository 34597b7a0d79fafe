"""Byline and credit lines (newscrawl.extract.byline).

Ids name where the shape is seen: "vnpress" is /work/shared/vn-press.md §3.2–3.3, "design" is
design.md §4, "qbtv" the QBTV sample (fixtures/qbtv-article-naive-scrape.txt), "dantri"/"cafef"
the stored pages in fixtures/pages/. Shapes marked "common" are everyday endings of Vietnamese
provincial papers that follow the rules of those sections.
"""

import pytest

from newscrawl.extract.byline import Attribution, parse_byline, split_trailing_byline

# A body paragraph that ends in a full stop, as the last text paragraph does.
BODY = "Hội nghị đã thảo luận, làm rõ những kết quả đạt được trong công tác dân vận."
# The QBTV sample's last text paragraph, as the body extractor hands it over.
QBTV_LAST = (
    "Kết luận hội nghị, đồng chí Nguyễn Lam, Phó Trưởng Ban Dân vận Trung ương lưu ý về nhiệm "
    "vụ trọng tâm 6 tháng cuối năm 2020: Ban Dân vận Tỉnh ủy các tỉnh Bắc Trung bộ cần quan "
    "tâm hơn nữa đến công tác dân vận của lực lượng vũ trang, Mặt trận và các tổ chức chính trị "
    "– xã hội, công tác vận động đồng bào , đồng bào công giáo…"
)

# (tail after BODY, tail left in the body, authors, credit)
SPLIT_CASES = [
    # --- the QBTV sample and design §4
    pytest.param(
        [QBTV_LAST, "Minh Phong", "Nguồn: QBTV.vn"],
        [QBTV_LAST],
        ("Minh Phong",),
        "QBTV.vn",
        id="qbtv-sample-exact-ending",
    ),
    pytest.param(["Minh Phong"], [], ("Minh Phong",), None, id="qbtv-name-alone"),
    pytest.param(["Nguồn: QBTV.vn"], [], (), "QBTV.vn", id="qbtv-credit-only"),
    pytest.param(
        ["Bài và ảnh: Trà My"], [], ("Trà My",), None, id="design-4-bai-va-anh-mixed-case"
    ),
    pytest.param(["Theo TTXVN"], [], (), "TTXVN", id="design-4-theo-ttxvn"),
    # --- vn-press §3.2 prefixes
    pytest.param(["Bài và ảnh: TRÀ MY"], [], ("Trà My",), None, id="vnpress-3.2-nghean-allcaps"),
    pytest.param(["Bài: Thu Hà"], [], ("Thu Hà",), None, id="vnpress-3.2-bai"),
    pytest.param(["Tin: Quang Hiếu"], [], ("Quang Hiếu",), None, id="vnpress-3.2-tin"),
    pytest.param(["Bài, ảnh: Văn Dũng"], [], ("Văn Dũng",), None, id="vnpress-3.2-bai-comma-anh"),
    pytest.param(["Bài & ảnh: Hải Yến"], [], ("Hải Yến",), None, id="vnpress-3.2-bai-amp-anh"),
    pytest.param(["Tin và ảnh: Hoàng Nam"], [], ("Hoàng Nam",), None, id="vnpress-3.2-tin-va-anh"),
    pytest.param(["Tin, ảnh: Lê Minh"], [], ("Lê Minh",), None, id="vnpress-3.2-tin-comma-anh"),
    pytest.param(
        ["Nhóm PV: Thu Hà, Minh Anh, Quốc Việt"],
        [],
        ("Thu Hà", "Minh Anh", "Quốc Việt"),
        None,
        id="vnpress-3.2-nhom-pv-three",
    ),
    pytest.param(
        ["Nhóm phóng viên: Thu Hà - Thiên Vỹ"],
        [],
        ("Thu Hà", "Thiên Vỹ"),
        None,
        id="vnpress-3.2-nhom-phong-vien",
    ),
    pytest.param(["CTV: Nguyễn Văn An"], [], ("Nguyễn Văn An",), None, id="vnpress-3.2-ctv"),
    pytest.param(["PV"], [], (), None, id="vnpress-3.2-pv-alone"),
    pytest.param(["Bài：Thu Hà"], [], ("Thu Hà",), None, id="common-fullwidth-colon"),
    pytest.param(
        ["Bài và ảnh: Trà My và Châu An"],
        [],
        ("Trà My", "Châu An"),
        None,
        id="vnpress-3.2-va-prefix-and-between-names",
    ),
    # --- bare names and multi-author lines
    pytest.param(
        ["Thu Hà - Thiên Vỹ"], [], ("Thu Hà", "Thiên Vỹ"), None, id="common-two-names-dash"
    ),
    pytest.param(
        ["TRÀ MY – CHÂU AN"], [], ("Trà My", "Châu An"), None, id="vnpress-3.2-allcaps-en-dash"
    ),
    pytest.param(
        ["Thu Hà; Minh Anh & Quốc Việt"],
        [],
        ("Thu Hà", "Minh Anh", "Quốc Việt"),
        None,
        id="common-semicolon-ampersand",
    ),
    pytest.param(["Nguyễn Văn An"], [], ("Nguyễn Văn An",), None, id="vnpress-3.2-full-name"),
    pytest.param(
        ["NGUYỄN THỊ THU HÀ"], [], ("Nguyễn Thị Thu Hà",), None, id="vnpress-3.2-allcaps-4-words"
    ),
    pytest.param(["Minh Anh (tổng hợp)"], [], ("Minh Anh",), None, id="common-name-compiled"),
    # --- photo and video credits (removed, not authors)
    pytest.param(["Ảnh: Công Sáng"], [], (), None, id="vnpress-3.2-photo-credit-only"),
    pytest.param(
        ["Thu Hà", "Ảnh: Trần Tuyền"], [], ("Thu Hà",), None, id="vnpress-3.2-name-then-photo"
    ),
    pytest.param(
        ["Bài: Thu Hà - Ảnh: Công Sáng"], [], ("Thu Hà",), None, id="common-bai-anh-one-line"
    ),
    pytest.param(
        ["Bài: Minh Phong", "Video: Hoàng Anh"], [], ("Minh Phong",), None, id="common-video"
    ),
    pytest.param(["Clip: Lê Hà"], [], (), None, id="common-clip-credit"),
    # --- credits and brackets (vn-press §3.3)
    pytest.param(["(TTXVN/Vietnam+)"], [], (), "TTXVN/Vietnam+", id="vnpress-3.3-vietnamplus"),
    pytest.param(["(TTXVN)"], [], (), "TTXVN", id="vnpress-3.3-ttxvn-bracket"),
    pytest.param(["(Theo Báo Nghệ An)"], [], (), "Báo Nghệ An", id="vnpress-3.3-theo-in-bracket"),
    pytest.param(
        ["CÔNG SÁNG (báo lao động)"],
        [],
        ("Công Sáng",),
        "báo lao động",
        id="vnpress-3.3-duthi-congdoan-name-outlet",
    ),
    pytest.param(
        ["Minh Thu (TTXVN/Vietnam+)"],
        [],
        ("Minh Thu",),
        "TTXVN/Vietnam+",
        id="vnpress-3.3-name-vietnamplus",
    ),
    pytest.param(["Thu Hà/TTXVN"], [], ("Thu Hà",), "TTXVN", id="common-name-slash-agency"),
    pytest.param(["Nguồn Báo Quảng Trị"], [], (), "Báo Quảng Trị", id="vnpress-3.2-nguon-no-colon"),
    pytest.param(["Theo Dân trí"], [], (), "Dân trí", id="common-theo-national-outlet"),
    pytest.param(
        ["Trà My", "Theo Báo Hà Tĩnh"], [], ("Trà My",), "Báo Hà Tĩnh", id="common-name-then-theo"
    ),
    pytest.param(
        ["Bài: Thu Hà", "Ảnh: Văn Dũng", "Nguồn: Báo Quảng Bình"],
        [],
        ("Thu Hà",),
        "Báo Quảng Bình",
        id="vnpress-3.2-three-lines",
    ),
    # --- outlets as one all-caps token: a credit, never an author; BBT is a staff tag
    pytest.param(["TTXVN"], [], (), "TTXVN", id="common-lone-acronym-ttxvn"),
    pytest.param(["VOV"], [], (), "VOV", id="common-lone-acronym-vov"),
    pytest.param(["QBTV.vn"], [], (), "QBTV.vn", id="qbtv-lone-domain"),
    pytest.param(
        ["Minh Phong", "QBTV"], [], ("Minh Phong",), "QBTV", id="qbtv-name-then-lone-acronym"
    ),
    pytest.param(["Thu Hà - TTXVN"], [], ("Thu Hà",), "TTXVN", id="common-name-dash-acronym"),
    pytest.param(
        ["TTXVN/Vietnam+"], [], (), "TTXVN/Vietnam+", id="vnpress-3.3-vietnamplus-no-bracket"
    ),
    pytest.param(["BBT"], [], (), None, id="common-bbt-editorial-board-tag"),
    # --- names with initials; P.V is PV (a staff tag)
    pytest.param(["P.V"], [], (), None, id="common-pv-dotted-staff-tag"),
    pytest.param(["N.Hà"], [], ("N.Hà",), None, id="common-initial-dot-name"),
    pytest.param(["Đ.Q"], [], ("Đ.Q",), None, id="common-two-initials-only"),
    pytest.param(["P. Hoa"], [], ("P. Hoa",), None, id="common-initial-space-name"),
    pytest.param(
        ["T.Thảo - H.Anh"], [], ("T.Thảo", "H.Anh"), None, id="common-two-initial-names-dash"
    ),
    pytest.param(["Nguyễn T. Hà"], [], ("Nguyễn T. Hà",), None, id="common-surname-initial-name"),
    pytest.param(["Bài và ảnh: N.HÀ"], [], ("N.Hà",), None, id="common-label-allcaps-initial"),
    pytest.param(["Thu Hà", "P.V"], [], ("Thu Hà",), None, id="common-name-then-pv-dotted"),
    # --- posting accounts closing a body: staff tags, no person
    pytest.param(["Ban biên tập"], [], (), None, id="common-ban-bien-tap-signature"),
    # --- negatives: left untouched
    pytest.param(
        ["Theo Sở Y tế, số ca mắc đã giảm"],
        None,
        (),
        None,
        id="neg-theo-sentence-comma-no-stop",
    ),
    pytest.param(
        ["Nguồn: Sở Y tế, số ca mắc đã giảm"],
        None,
        (),
        None,
        id="neg-nguon-sentence-comma-no-stop",
    ),
    pytest.param(
        ["Theo Sở Y tế số ca mắc giảm"], None, (), None, id="neg-theo-over-six-words-no-stop"
    ),
    pytest.param(["Theo Sở Y tế dịch đã giảm"], None, (), None, id="neg-theo-short-clause-verb"),
    pytest.param(["TP.HCM"], None, (), None, id="neg-dotted-city-abbreviation"),
    pytest.param(["HOT"], None, (), None, id="neg-allcaps-chrome-word"),
    pytest.param(
        ["Ông An cho biết sẽ tiếp tục theo dõi."], None, (), None, id="neg-sentence-full-stop"
    ),
    pytest.param(["Người dân cần làm gì?"], None, (), None, id="neg-question"),
    pytest.param(["Cụ thể như sau:"], None, (), None, id="neg-colon-before-list"),
    pytest.param(["Minh Phong."], None, (), None, id="neg-name-with-full-stop"),
    pytest.param(["Hội nghị giao ban"], None, (), None, id="neg-qbtv-title-phrase"),
    pytest.param(["Quảng Bình"], None, (), None, id="neg-province"),
    pytest.param(["Hà Tĩnh"], None, (), None, id="neg-province-surname-led"),
    pytest.param(["Đồng Hới"], None, (), None, id="neg-qbtv-city"),
    pytest.param(["Ban Dân vận Trung ương"], None, (), None, id="neg-qbtv-organisation"),
    pytest.param(["Sở Y tế Hà Tĩnh"], None, (), None, id="neg-department"),
    pytest.param(["BAN DÂN VẬN TỈNH ỦY"], None, (), None, id="neg-allcaps-organisation"),
    pytest.param(["Tin liên quan"], None, (), None, id="neg-heading-related"),
    pytest.param(["BÌNH LUẬN"], None, (), None, id="neg-qbtv-comment-heading"),
    pytest.param(["Facebook Twitter"], None, (), None, id="neg-share-bar"),
    pytest.param(["(Còn nữa)"], None, (), None, id="neg-to-be-continued"),
    pytest.param(["Bài 1: Những con đường mới"], None, (), None, id="neg-series-heading"),
    pytest.param(
        ["Theo kế hoạch, công trình sẽ hoàn thành trong năm nay"],
        None,
        (),
        None,
        id="neg-theo-sentence-without-stop",
    ),
    pytest.param(
        ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"],
        None,
        (),
        None,
        id="neg-list-of-names",
    ),
    pytest.param(
        [
            QBTV_LAST,
            "Minh Phong",
            "Nguồn: QBTV.vn",
            "Loading...",
            "BÌNH LUẬN",
            "Please enter your comment!",
            "Please enter your name here",
        ],
        None,
        (),
        None,
        id="neg-qbtv-chrome-not-yet-removed",
    ),
]


@pytest.mark.parametrize(("tail", "kept", "authors", "credit"), SPLIT_CASES)
def test_split_trailing_byline(tail, kept, authors, credit):
    paragraphs = [BODY, *tail]
    expected = paragraphs if kept is None else [BODY, *kept]
    remaining, attribution = split_trailing_byline(paragraphs)
    assert remaining == expected
    assert attribution == Attribution(authors=authors, credit=credit)


def test_split_peels_at_most_three_lines():
    tail = ["Bài: Thu Hà", "Ảnh: Văn Dũng", "Video: Hoàng Anh", "Nguồn: QBTV.vn"]
    remaining, attribution = split_trailing_byline([BODY, *tail])
    assert remaining == [BODY, "Bài: Thu Hà"]
    assert attribution == Attribution(credit="QBTV.vn")


@pytest.mark.parametrize(
    "paragraphs",
    [
        pytest.param(["Minh Phong"], id="neg-one-line-body-name"),
        pytest.param(["Nguồn: QBTV.vn"], id="neg-one-line-body-credit"),
        pytest.param([], id="neg-empty-body"),
        pytest.param(["", "Minh Phong", ""], id="neg-one-line-body-blank-around"),
    ],
)
def test_split_keeps_a_one_line_body(paragraphs):
    assert split_trailing_byline(paragraphs) == (paragraphs, Attribution())


def test_split_does_not_modify_its_input():
    paragraphs = [BODY, "Minh Phong"]
    split_trailing_byline(paragraphs)
    assert paragraphs == [BODY, "Minh Phong"]


# (line from a byline node, expected Attribution or None)
PARSE_CASES = [
    pytest.param("Theo Hồ Hương", Attribution(authors=("Hồ Hương",)), id="cafef-p.author-theo"),
    pytest.param("Theo Đại Đoàn kết", Attribution(credit="Đại Đoàn kết"), id="cafef-link-source"),
    pytest.param("Tri Túc", Attribution(authors=("Tri Túc",)), id="dantri-author-link"),
    pytest.param("Minh Phong", Attribution(authors=("Minh Phong",)), id="qbtv-name"),
    pytest.param("Nguồn: QBTV.vn", Attribution(credit="QBTV.vn"), id="qbtv-credit"),
    pytest.param(
        "Bài và ảnh: TRÀ MY", Attribution(authors=("Trà My",)), id="vnpress-3.2-pauthor-prefix"
    ),
    pytest.param(
        "NGUYỄN VĂN AN", Attribution(authors=("Nguyễn Văn An",)), id="vnpress-3.2-pauthor-allcaps"
    ),
    pytest.param(
        "Kim Ngân - Hồng Nhung",
        Attribution(authors=("Kim Ngân", "Hồng Nhung")),
        id="vnpress-3.2-author-name-two",
    ),
    pytest.param("Ảnh: Công Sáng", Attribution(), id="vnpress-3.2-photo-only-is-empty"),
    pytest.param("PV", Attribution(), id="vnpress-3.2-staff-tag-is-empty"),
    pytest.param("(TTXVN)", Attribution(credit="TTXVN"), id="vnpress-3.3-bracket"),
    pytest.param(
        "CÔNG SÁNG (báo lao động)",
        Attribution(authors=("Công Sáng",), credit="báo lao động"),
        id="vnpress-3.3-name-outlet",
    ),
    pytest.param(
        "Theo Hà Nội Mới", Attribution(credit="Hà Nội Mới"), id="common-outlet-name-shape"
    ),
    pytest.param("Theo Tin tức", Attribution(credit="Tin tức"), id="common-theo-tin-tuc"),
    pytest.param(
        "Theo TTXVN - Ảnh: Công Sáng", Attribution(credit="TTXVN"), id="common-credit-and-photo"
    ),
    pytest.param(
        "Minh Phong - Nguồn: QBTV.vn",
        Attribution(authors=("Minh Phong",), credit="QBTV.vn"),
        id="qbtv-name-and-credit-one-line",
    ),
    # --- outlets as one all-caps token: a credit, never an author
    pytest.param("QBTV", Attribution(credit="QBTV"), id="qbtv-acronym-alone"),
    pytest.param("TTXVN", Attribution(credit="TTXVN"), id="common-acronym-ttxvn"),
    pytest.param("VOV", Attribution(credit="VOV"), id="common-acronym-vov"),
    pytest.param("VTV1", Attribution(credit="VTV1"), id="common-acronym-channel-number"),
    pytest.param("QBTV.vn", Attribution(credit="QBTV.vn"), id="qbtv-domain-alone"),
    pytest.param(
        "TTXVN/Vietnam+", Attribution(credit="TTXVN/Vietnam+"), id="vnpress-3.3-no-bracket"
    ),
    pytest.param("VNEXPRESS", None, id="neg-long-allcaps-word-no-syllable"),
    pytest.param("BBT", Attribution(), id="common-bbt-editorial-board-tag"),
    pytest.param("Bài: BBT", Attribution(), id="common-label-bbt"),
    pytest.param("TRÀ MY", Attribution(authors=("Trà My",)), id="vnpress-3.2-allcaps-two-words"),
    pytest.param("MINH", Attribution(authors=("Minh",)), id="common-allcaps-one-syllable-pen-name"),
    # --- names with initials; P.V is PV
    pytest.param("P.V", Attribution(), id="common-pv-dotted-staff-tag"),
    pytest.param("Đ.Q", Attribution(authors=("Đ.Q",)), id="common-two-initials-only"),
    pytest.param("N.HÀ", Attribution(authors=("N.Hà",)), id="common-allcaps-initial-name"),
    pytest.param("P.V: Thu Hà", Attribution(authors=("Thu Hà",)), id="common-pv-dotted-label"),
    pytest.param("Theo N.Hà", Attribution(authors=("N.Hà",)), id="common-theo-initial-name"),
    # --- WordPress posting accounts (qbtv author box, replica/README.md): no person
    pytest.param("Biên tập viên", Attribution(), id="qbtv-account-bien-tap-vien"),
    pytest.param("Biên Tập Viên", Attribution(), id="common-account-title-case"),
    pytest.param("Quản trị viên", Attribution(), id="qbtv-account-quan-tri-vien"),
    pytest.param("QUẢN TRỊ VIÊN", Attribution(), id="common-account-allcaps"),
    pytest.param("admin", Attribution(), id="common-account-admin"),
    pytest.param("Administrator", Attribution(), id="common-account-administrator"),
    pytest.param("BTV", Attribution(), id="common-account-btv"),
    pytest.param("Ban biên tập", Attribution(), id="common-account-ban-bien-tap"),
    # --- credits are outlet names, not sentences
    pytest.param("Theo Sở Y tế, số ca mắc đã giảm", None, id="neg-theo-sentence-comma"),
    pytest.param("Nguồn: Sở Y tế, số ca mắc đã giảm", None, id="neg-nguon-sentence-comma"),
    pytest.param(
        "Theo Cổng thông tin điện tử tỉnh Quảng Bình",
        Attribution(credit="Cổng thông tin điện tử tỉnh Quảng Bình"),
        id="common-theo-outlet-seven-words",
    ),
    pytest.param("", None, id="neg-empty"),
    pytest.param("Quảng Bình", None, id="neg-province"),
    pytest.param("Hội nghị giao ban", None, id="neg-phrase"),
    pytest.param("BÌNH LUẬN", None, id="neg-comment-heading"),
    pytest.param("Please enter your name here", None, id="neg-qbtv-comment-form"),
    pytest.param("Loading...", None, id="neg-qbtv-loading"),
    pytest.param(
        "Theo đó, mức thu tiền sử dụng đất được điều chỉnh giảm.", None, id="neg-cafef-sentence"
    ),
]


@pytest.mark.parametrize(("line", "expected"), PARSE_CASES)
def test_parse_byline(line, expected):
    assert parse_byline(line) == expected


def test_qbtv_sample_fixture(shared_pages):
    """The stored QBTV text, cut where the theme chrome starts, ends in Minh Phong / QBTV.vn."""
    text = (shared_pages.parent / "qbtv-article-naive-scrape.txt").read_text(encoding="utf-8")
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
    body = paragraphs[: paragraphs.index("Loading...")]
    remaining, attribution = split_trailing_byline(body)
    assert remaining == body[:-2]
    assert attribution == Attribution(authors=("Minh Phong",), credit="QBTV.vn")


def test_cafef_author_node(shared_pages):
    from parsel import Selector

    html = (shared_pages / "cafef_article.html").read_text(encoding="utf-8")
    line = " ".join(Selector(html).css("p.author").xpath("string()").get().split())
    assert parse_byline(line) == Attribution(authors=("Hồ Hương",))


def test_dantri_author_link(shared_pages):
    from parsel import Selector

    html = (shared_pages / "dantri_article.html").read_text(encoding="utf-8")
    names = Selector(html).css('a[href*="/tac-gia/"]::text').getall()
    assert {parse_byline(n.strip()) for n in names if n.strip()} == {
        Attribution(authors=("Tri Túc",))
    }
