"""Extraction rules, one page shape each: layouts of sites nobody configured, body text that
must survive, chrome and captions that must not, and markup that must not crash.

Each page is a small HTML skeleton of a shape seen on Vietnamese news sites (noted per test);
the text is the project's own."""

from parsel import Selector

from newscrawl.extract.article import NotAnArticle, extract_article

URL = "https://example-tinh.vn/tin-tuc/bai-viet-12345.html"
PARAGRAPHS = [
    "Sáng 26/6, tại thành phố Đồng Hới, hội nghị giao ban công tác dân vận được tổ chức.",
    "Các đại biểu đã thảo luận về những kết quả đạt được trong 6 tháng đầu năm 2020.",
    "Hội nghị cũng đề ra nhiệm vụ trọng tâm cho 6 tháng cuối năm, nhất là công tác nắm tình hình.",
    "Lãnh đạo tỉnh đề nghị các cấp ủy tiếp tục quan tâm đến công tác dân vận ở cơ sở.",
]
HEAD = """<html><head><title>Tin tức</title>
<meta property="article:published_time" content="2020-06-26T15:30:00+07:00"></head><body>"""


def extract(body: str, head: str = HEAD):
    return extract_article(Selector(text=head + body + "</body></html>"), URL)


def paragraphs_of(record) -> list[str]:
    return record.body.split("\n\n")


def test_paragraphs_each_wrapped_in_a_div_are_one_body():
    # Page builders that wrap every paragraph in its own <div> (seen on Liferay portals).
    body = "".join(f"<div class='block'><p>{p}</p></div>" for p in PARAGRAPHS)
    record = extract(f"<h1>Tiêu đề bài</h1><div class='noi-dung'>{body}</div>")
    assert paragraphs_of(record) == PARAGRAPHS


def test_a_body_split_by_an_ad_slot_is_kept_whole():
    first, second = PARAGRAPHS[:2], PARAGRAPHS[2:]
    body = (
        "<div>" + "".join(f"<p>{p}</p>" for p in first) + "</div>"
        "<div class='quang-cao'><a href='/ads'>Quảng cáo</a></div>"
        "<div>" + "".join(f"<p>{p}</p>" for p in second) + "</div>"
    )
    record = extract(f"<h1>Tiêu đề bài</h1><div class='noi-dung'>{body}</div>")
    assert paragraphs_of(record) == PARAGRAPHS


def test_br_separated_text_in_a_layout_table_cell():
    # Old table-layout CMSs: the whole article in one <td>, lines cut by <br>.
    cell = "<br><br>".join(PARAGRAPHS)
    record = extract(f"<h1>Tiêu đề bài</h1><table><tr><td class='content'>{cell}</td></tr></table>")
    assert paragraphs_of(record) == PARAGRAPHS


def test_table_rows_keep_their_numbers():
    table = (
        "<table><tr><th>Huyện</th><th>Số nhà ngập</th></tr>"
        "<tr><td>Lệ Thủy</td><td>19.762</td></tr><tr><td>Quảng Ninh</td><td>8.018</td></tr></table>"
    )
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + table
    record = extract(f"<h1>Tiêu đề bài</h1><div class='entry-content'>{body}</div>")
    assert paragraphs_of(record)[-3:] == [
        "Huyện | Số nhà ngập",
        "Lệ Thủy | 19.762",
        "Quảng Ninh | 8.018",
    ]


def test_unmarked_centred_caption_goes_to_the_image_not_the_body():
    # Hand-edited WordPress posts: the caption is a centred italic paragraph after the image.
    body = (
        f"<p>{PARAGRAPHS[0]}</p>"
        "<p><img src='/uploads/hoi-nghi.jpg'></p>"
        "<p style='text-align: center;'><em>Quang cảnh hội nghị</em></p>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS[1:])
    )
    record = extract(f"<h1>Tiêu đề bài</h1><div class='entry-content'>{body}</div>")
    assert paragraphs_of(record) == PARAGRAPHS
    assert [(i.url, i.caption) for i in record.images] == [
        ("https://example-tinh.vn/uploads/hoi-nghi.jpg", "Quang cảnh hội nghị")
    ]


def test_a_caption_repeated_as_br_cut_lines_is_dropped():
    # The QBTV sample: the figcaption, then the same words again as two lines of the body.
    caption = (
        "Hội nghị giao ban công tác dân vận 6 tháng đầu năm, triển khai nhiệm vụ 6 tháng cuối năm"
    )
    body = (
        f"<p>{PARAGRAPHS[0]}</p>"
        "<figure class='wp-caption'><img src='/a.jpg'>"
        f"<figcaption class='wp-caption-text'>{caption}</figcaption></figure>"
        "<p>Hội nghị giao ban công tác dân vận 6 tháng đầu năm,<br>"
        "triển khai nhiệm vụ 6 tháng cuối năm</p>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS[1:])
    )
    record = extract(f"<h1>Tiêu đề bài</h1><div class='td-post-content'>{body}</div>")
    assert paragraphs_of(record) == PARAGRAPHS
    assert record.images[0].caption == caption


def test_the_site_header_date_is_not_the_article_date():
    page = (
        "<div id='header'><span class='date'>Thứ Năm, 26/11/2026</span></div>"
        "<h1>Tiêu đề bài</h1><span class='date'>Thứ Sáu, 26/06/2020 15:30</span>"
        "<div class='entry-content'>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div>"
    )
    record = extract(page, head="<html><head><title>x</title></head><body>")
    assert record.date == "2020-06-26T15:30:00+07:00"


def test_json_ld_with_non_text_values_is_read_not_crashed_on():
    head = (
        HEAD.replace("</head>", "")
        + '<script type="application/ld+json">{"@type": "NewsArticle", "headline": {"@value": '
        '"Tiêu đề từ JSON-LD"}, "description": ["x"], "author": {"@type": "Person", "name": 7},'
        ' "articleSection": [1, "Thời sự"], "keywords": {"a": 1}}</script></head><body>'
    )
    record = extract(
        "<div class='entry-content'>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div>", head
    )
    assert record.title == "Tiêu đề từ JSON-LD"
    assert record.author == [] and record.lead is None and record.category == "Thời sự"


def test_markup_nested_too_deep_is_a_counted_skip_not_a_crash():
    text = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    page = "<h1>Tiêu đề</h1><div class='entry-content'>" + "<font>" * 3000 + text
    try:
        record = extract(page)
    except NotAnArticle as exc:  # a counted skip; anything else (RecursionError) fails
        assert exc.reason in {"too_deep", "no_body"}
    else:
        assert PARAGRAPHS[0] in record.body


def test_an_unconfigured_site_on_a_known_cms_is_read_with_its_profile():
    # A tagDiv site with no registry entry: the posting account must not become the author,
    # the byline closing the body must.
    page = (
        "<article><header class='td-post-title'><h1 class='entry-title'>Tiêu đề bài</h1>"
        "<div class='td-post-author-name'><a>Biên tập viên</a></div></header>"
        "<div class='td-post-content'>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + "<p><strong>Minh Phong</strong></p></div></article>"
    )
    record = extract(page)
    assert record.author == ["Minh Phong"]
    assert paragraphs_of(record) == PARAGRAPHS


def test_a_headline_only_in_the_document_title_counts_where_the_page_shows_it():
    # Table-built government portals: no <h1> and no metadata; the headline is a <span> that
    # repeats the <title> (without the site name after the separator).
    text = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    head = "<html><head><title>Hội nghị giao ban công tác dân vận - Cổng TTĐT tỉnh</title>"
    shown = "<div class='Title'><span>Hội nghị giao ban công tác dân vận</span></div>"
    record = extract(
        f"{shown}<div class='PostDate'>26/06/2020 | 15:30</div><div>{text}</div>", head
    )
    assert record.title == "Hội nghị giao ban công tác dân vận"
    # A <title> the page never shows is the site's name, not a headline.
    try:
        extract(f"<div>{text}</div>", head)
    except NotAnArticle as exc:
        assert exc.reason == "no_title"
    else:
        raise AssertionError("a page with no shown headline must not be an article")


def test_the_site_name_in_the_banner_or_footer_is_not_taken_for_the_headline():
    # The <title>'s other part, the site's name, shown above the headline and below the text.
    text = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    head = (
        "<html><head><title>Hội nghị giao ban công tác dân vận - Sở Nội vụ tỉnh Thanh Hóa</title>"
    )
    site = "<div class='Banner'><span>Sở Nội vụ tỉnh Thanh Hóa</span></div>"
    shown = "<div class='Title'><span>Hội nghị giao ban công tác dân vận</span></div>"
    record = extract(
        f"{site}{shown}<div class='PostDate'>26/06/2020 | 15:30</div><div>{text}</div>{site}",
        head,
    )
    assert record.title == "Hội nghị giao ban công tác dân vận"


def test_a_caption_row_under_an_image_row_is_a_caption():
    # Layout-table image boxes (SharePoint rich-text fields, older CMSs): image row, then an
    # italic caption row.
    box = (
        "<table><tr><td align='center'><img src='/anh/1.jpg'></td></tr>"
        "<tr><td align='center'><em>Quang cảnh hội nghị.</em></td></tr></table>"
    )
    record = extract(
        f"<h1>Tiêu đề bài</h1><div class='entry-content'>{box}"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + "</div>"
    )
    assert [i.caption for i in record.images] == ["Quang cảnh hội nghị."]
    assert paragraphs_of(record) == PARAGRAPHS
