# ruff: noqa: E501  (HTML templates keep the long lines of the real markup)
"""Báo Hà Tĩnh replica: the "cms-title / zce-content-body" CMS family (vn-press.md §2 C).

Article pages carry ``h1.article__title.cms-title``, ``div.article__meta`` with the category link
and ``time.time[datetime]``, the lead in ``h2.article__sapo.cms-desc`` and the text in
``div.article__body.zce-content-body.cms-body`` (images as ``table.picture`` or
``figure.picture``, an inline "Tin liên quan" box and an ad slot inside the body, the byline as
a right-aligned bold paragraph at the end), then ``div.article__author`` / ``span.cms-author``,
``div.article__tag``, a comment box and a "Tin cùng chuyên mục" zone.
"""

from __future__ import annotations

import gzip
import json
import math
from datetime import datetime
from urllib.parse import quote

from replica.expected import byline_parts
from replica.site import Article, Image, PageContext, Site, slugify
from replica.web import (
    CSS,
    GZIP,
    ICT,
    JPEG,
    JPEG_PLACEHOLDER,
    JS,
    PNG,
    RSS,
    TEXT,
    XML,
    Resource,
    esc,
    fill,
    page,
    png_placeholder,
    rfc822,
    vn_weekday,
)

PER_PAGE = 3
NOT_FOUND = "*404*"
ASSET_VER = "20240915"
MAIN_CSS = f"/static/css/main.min.css?v={ASSET_VER}"
MAIN_JS = f"/static/js/main.min.js?v={ASSET_VER}"
LOGO = "/static/images/logo-baohatinh.png"
ICON = "/static/images/favicon.png"
PUBLICATION = "Báo Hà Tĩnh"

INLINE_CSS = """
:root { --primary: #c4161c; --text: #222; }
.article__sapo { font-weight: 700; font-size: 1.1rem; }
.article__body table.picture { margin: 1rem auto; }
.article__body td.caption p { font-style: italic; font-size: .9rem; color: #555; }
"""

HEAD_JS = """
    var _ADM_Channel = '%2Fdetail%2F';
    window.dataLayer = window.dataLayer || [];
    function gtag(){dataLayer.push(arguments);}
    gtag('js', new Date());
    gtag('config', 'G-BHT0000000');
"""


def _mod(a: Article) -> datetime:
    return a.modified_dt or a.published_dt


def _meta_date(dt: datetime) -> str:
    """``Thứ Sáu, 22/11/2024 10:16 (GMT+7)`` as the article meta shows it."""
    local = dt.astimezone(ICT)
    return f"{vn_weekday(local)}, {local:%d/%m/%Y %H:%M} (GMT+7)"


def _short_date(dt: datetime) -> str:
    return f"{dt.astimezone(ICT):%d/%m/%Y %H:%M}"


def _views(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class _Ctx(PageContext):
    def cat(self, slug: str, page_no: int = 1) -> str:
        return self.url(f"/{slug}/" + ("" if page_no == 1 else f"?page={page_no}"))

    def tag(self, name: str, page_no: int = 1) -> str:
        return self.url(
            f"/tags/{slugify(name)}.html" + ("" if page_no == 1 else f"?page={page_no}")
        )

    def cat_name(self, slug: str) -> str:
        return self.site.categories.get(slug, slug)


# --- frame -------------------------------------------------------------------------------------


def _head(c: _Ctx, *, title: str, meta: str, ld: list[dict]) -> str:
    scripts = "".join(
        '<script type="application/ld+json">'
        + json.dumps(obj, ensure_ascii=False).replace("</", "<\\/")
        + "</script>\n"
        for obj in ld
    )
    return f"""<!DOCTYPE html>
<html lang="vi" prefix="og: http://ogp.me/ns#">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
{meta}<meta property="fb:app_id" content="1004050000000000">
<meta name="copyright" content="{PUBLICATION}">
<link rel="shortcut icon" href="{c.url(ICON)}" type="image/png">
<link rel="alternate" type="application/rss+xml" title="{PUBLICATION} - Trang chủ" href="{c.url("/rss/home.rss")}">
<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>
<link rel="stylesheet" href="{c.url(MAIN_CSS)}">
<style>{INLINE_CSS}</style>
{scripts}<script async src="https://www.googletagmanager.com/gtag/js?id=G-BHT0000000"></script>
<script>{HEAD_JS}</script>
</head>
"""


def _header(c: _Ctx, current: str | None) -> str:
    items = [
        f'<li class="menu__item{" active" if current == "home" else ""}">'
        f'<a class="menu__link" href="{c.base}/" title="Trang chủ"><i class="ic-home"></i>Trang chủ</a></li>'
    ]
    for slug, name in c.site.categories.items():
        active = " active" if current == slug else ""
        items.append(
            f'<li class="menu__item{active}"><a class="menu__link" href="{c.cat(slug)}" '
            f'title="{esc(name)}">{esc(name)}</a></li>'
        )
    return f"""<header class="site-header">
    <div class="header__top container">
        <a class="header__logo" href="{c.base}/" title="{PUBLICATION}"><img src="{c.url(LOGO)}" alt="{PUBLICATION}" width="300" height="60"></a>
        <form class="header__search" action="{c.base}/tim-kiem.html" method="get"><input type="text" name="q" placeholder="Tìm kiếm"><button type="submit"><i class="ic-search"></i></button></form>
    </div>
    <nav class="site-nav"><div class="container"><ul class="menu">{"".join(items)}</ul></div></nav>
</header>
"""


def _footer(c: _Ctx) -> str:
    links = "".join(
        f'<li><a href="{c.cat(slug)}">{esc(name)}</a></li>'
        for slug, name in c.site.categories.items()
    )
    return f"""<footer class="site-footer">
    <div class="container">
        <ul class="footer__menu"><li><a href="{c.base}/">Trang chủ</a></li>{links}<li><a href="{c.url("/rss/home.rss")}">RSS</a></li></ul>
        <div class="footer__info">
            <p class="footer__name"><strong>BÁO HÀ TĨNH ĐIỆN TỬ</strong></p>
            <p>Cơ quan của Đảng bộ, chính quyền, nhân dân tỉnh Hà Tĩnh</p>
            <p>Ghi rõ nguồn “Báo Hà Tĩnh” khi phát hành lại thông tin từ website này.</p>
        </div>
    </div>
</footer>
<script src="{c.url(MAIN_JS)}"></script>
<script>
    (function () {{
        var lazy = document.querySelectorAll('img.lazyload');
        for (var i = 0; i < lazy.length; i++) {{ lazy[i].src = lazy[i].getAttribute('data-src'); }}
    }})();
</script>
</body>
</html>
"""


def _frame(c: _Ctx, *, head: str, body_class: str, current: str | None, main: str) -> str:
    return head + f'<body class="{body_class}">\n' + _header(c, current) + main + _footer(c)


def _og(c: _Ctx, *, title: str, url: str, description: str, image: str | None, kind: str) -> str:
    img = ""
    if image:
        img = (
            f'<meta property="og:image" content="{image}">\n'
            '<meta property="og:image:width" content="1200">\n'
            '<meta property="og:image:height" content="630">\n'
        )
    return f"""<meta name="description" content="{esc(description)}">
<link rel="canonical" href="{url}">
<meta property="og:site_name" content="{PUBLICATION}">
<meta property="og:type" content="{kind}">
<meta property="og:title" content="{esc(title)}">
<meta property="og:description" content="{esc(description)}">
<meta property="og:url" content="{url}">
{img}<meta name="twitter:card" content="summary_large_image">
"""


# --- listing items -----------------------------------------------------------------------------


def _story(c: _Ctx, a: Article, *, summary: bool = True, thumb: bool = True) -> str:
    pic = ""
    if thumb and a.images:
        src = c.url(a.images[0].src)
        pic = (
            f'<figure class="story__thumb"><a class="cms-link" href="{c.art(a)}" title="{esc(a.title)}">'
            f'<img class="lazyload" src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7" '
            f'data-src="{src}" alt="{esc(a.title)}" width="300" height="200"></a></figure>'
        )
    lead = f'<div class="story__summary">{esc(a.lead)}</div>' if summary and a.lead else ""
    return (
        f'<article class="story" data-id="{a.post_id}">{pic}'
        f'<h3 class="story__title"><a class="cms-link" href="{c.art(a)}" title="{esc(a.title)}">{esc(a.title)}</a></h3>'
        f'<div class="story__meta"><a class="story__cate" href="{c.cat(a.category)}">{esc(c.cat_name(a.category))}</a>'
        f'<time class="time" datetime="{a.published}">{_short_date(a.published_dt)}</time></div>'
        f"{lead}</article>\n"
    )


def _sidebar(c: _Ctx) -> str:
    popular = sorted(c.site.articles, key=lambda a: (-a.views, a.post_id))[:5]
    items = "".join(_story(c, a, summary=False, thumb=False) for a in popular)
    return f"""<aside class="sidebar">
    <div class="ads ads--sidebar"><div id="adm-slot-sidebar-1" class="adm-slot"></div></div>
    <section class="box box--most-read"><header class="box-heading"><h3 class="box-heading__title">Đọc nhiều</h3></header><div class="box__body">{items}</div></section>
    <div class="ads ads--sidebar"><div id="adm-slot-sidebar-2" class="adm-slot"></div></div>
</aside>
"""


def _pagination(c: _Ctx, link, page_no: int, pages: int) -> str:
    if pages <= 1:
        return ""
    parts = []
    if page_no > 1:
        parts.append(f'<a class="prev" rel="prev" href="{link(page_no - 1)}">‹</a>')
    for n in range(1, pages + 1):
        if n == page_no:
            parts.append(f'<span class="active">{n}</span>')
        else:
            parts.append(f'<a class="page-item" href="{link(n)}">{n}</a>')
    if page_no < pages:
        parts.append(f'<a class="next" rel="next" href="{link(page_no + 1)}">›</a>')
    return f'<div class="pagination">{"".join(parts)}</div>'


def _listing(
    c: _Ctx,
    *,
    link,
    label: str,
    articles: list[Article],
    current: str | None,
    body_class: str,
) -> dict[str, Resource]:
    pages = max(1, math.ceil(len(articles) / PER_PAGE))
    out: dict[str, Resource] = {}
    for page_no in range(1, pages + 1):
        chunk = articles[(page_no - 1) * PER_PAGE : page_no * PER_PAGE]
        url = link(page_no)
        title = label if page_no == 1 else f"{label} - Trang {page_no}"
        meta = _og(
            c,
            title=title,
            url=url,
            description=f"Tin tức {label} mới nhất - {PUBLICATION}",
            image=None,
            kind="website",
        )
        ld = [
            {
                "@context": "https://schema.org",
                "@type": "BreadcrumbList",
                "itemListElement": [
                    {"@type": "ListItem", "position": 1, "name": "Trang chủ", "item": f"{c.base}/"},
                    {"@type": "ListItem", "position": 2, "name": label, "item": link(1)},
                ],
            }
        ]
        head = _head(c, title=f"{title} | {PUBLICATION}", meta=meta, ld=ld)
        stories = "".join(_story(c, a) for a in chunk)
        main = f"""<main class="site-content">
<div class="container">
    <div class="category">
        <div class="category__heading"><h1 class="category__title"><a href="{link(1)}" title="{esc(label)}">{esc(label)}</a></h1></div>
        <div class="row">
            <div class="col-main">
                <div class="box-stream">{stories}</div>
                {_pagination(c, link, page_no, pages)}
            </div>
            {_sidebar(c)}
        </div>
    </div>
</div>
</main>
"""
        newest = max((_mod(a) for a in chunk), default=None)
        out[url[len(c.base) :]] = page(
            _frame(c, head=head, body_class=body_class, current=current, main=main),
            last_modified=newest,
        )
    return out


# --- article page ------------------------------------------------------------------------------


def _image_html(c: _Ctx, a: Article, index: int, img: Image) -> str:
    src = c.url(img.src)
    photo_id = a.post_id * 10 + index + 1
    alt = esc(img.caption or a.title)
    tag = (
        f'<img class="cms-photo" src="{src}" alt="{alt}" data-image-id="{photo_id}" '
        f'data-width="1200" data-height="800" data-photo-original-src="{src}">'
    )
    if img.style == "figure":
        caption = f"<figcaption>{esc(img.caption)}</figcaption>" if img.caption else ""
        return f'<figure class="picture">{tag}{caption}</figure>'
    caption_row = (
        f'<tr><td class="caption"><p>{esc(img.caption)}</p></td></tr>' if img.caption else ""
    )
    return (
        f'<table class="picture" align="center"><tbody><tr><td class="pic">{tag}</td></tr>'
        f"{caption_row}</tbody></table>"
    )


def _byline_html(line: str) -> str:
    if line.startswith(("Theo ", "Nguồn", "(")):
        return f'<p style="text-align: right;"><em>{esc(line)}</em></p>'
    return f'<p style="text-align: right;"><strong>{esc(line)}</strong></p>'


def _related_inline(c: _Ctx, a: Article) -> str:
    # Picked by the editor when the article was written: older stories of the same section.
    others = [x for x in c.site.in_category(a.category) if x.published_dt < a.published_dt][:2]
    if not others:
        return ""
    items = "".join(
        f'<article class="story"><h4 class="story__title"><a class="cms-link" href="{c.art(x)}" '
        f'title="{esc(x.title)}">{esc(x.title)}</a></h4></article>'
        for x in others
    )
    return (
        '<div class="article-relate"><header class="box-heading"><h3 class="box-heading__title">'
        f"Tin liên quan</h3></header>{items}</div>"
    )


def body_html(c: _Ctx, a: Article) -> str:
    parts: list[str] = []

    def images_after(n: int) -> None:
        for index, img in enumerate(a.images):
            if img.after == n:
                parts.append(_image_html(c, a, index, img))
                if img.repeat_caption and img.caption:
                    parts.append(f'<p style="text-align: center;"><em>{esc(img.caption)}</em></p>')

    images_after(0)
    for n, para in enumerate(a.paragraphs, start=1):
        parts.append(f"<p>{fill(para, c.base)}</p>")
        if n == 2:
            parts.append(_related_inline(c, a))
        if n == 3:
            parts.append(
                '<div class="sda_middle"><div id="adm-slot-detail-middle" class="adm-slot"></div></div>'
            )
        images_after(n)
    parts.extend(_byline_html(line) for line in a.byline)
    return "\n".join(p for p in parts if p)


def _names(a: Article) -> list[str]:
    return byline_parts(a.byline)[0]


def _article_ld(c: _Ctx, a: Article) -> list[dict]:
    url = c.art(a)
    names = _names(a)
    author: object
    if names:
        author = [{"@type": "Person", "name": n} for n in names]
    else:
        author = {"@type": "Organization", "name": PUBLICATION}
    news: dict = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": a.title,
        "description": a.lead or "",
        "datePublished": a.published,
        "author": author,
        "publisher": {
            "@type": "Organization",
            "name": PUBLICATION,
            "logo": {"@type": "ImageObject", "url": c.url(LOGO), "width": 300, "height": 60},
        },
        "articleSection": c.cat_name(a.category),
        "keywords": ", ".join(a.tags),
        "inLanguage": "vi",
    }
    if a.modified:
        news["dateModified"] = a.modified
    if a.images:
        news["image"] = {
            "@type": "ImageObject",
            "url": c.url(a.images[0].src),
            "width": 1200,
            "height": 800,
        }
    crumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Trang chủ", "item": f"{c.base}/"},
            {
                "@type": "ListItem",
                "position": 2,
                "name": c.cat_name(a.category),
                "item": c.cat(a.category),
            },
        ],
    }
    return [news, crumbs]


def _share(c: _Ctx, a: Article) -> str:
    u = quote(c.art(a), safe="")
    return (
        '<div class="article__social social-share">'
        f'<a class="social-share__item facebook" href="https://www.facebook.com/sharer/sharer.php?u={u}" '
        'target="_blank" rel="nofollow" title="Chia sẻ Facebook"><i class="ic-facebook"></i></a>'
        f'<a class="social-share__item zalo" href="https://sp.zalo.me/share_inline?url={u}" '
        'target="_blank" rel="nofollow" title="Chia sẻ Zalo"><i class="ic-zalo"></i></a>'
        '<a class="social-share__item print" href="javascript:window.print();" title="In bài viết">'
        '<i class="ic-print"></i></a>'
        f'<span class="article__views"><i class="ic-eye"></i> {_views(a.views)}</span></div>'
    )


def article_page(c: _Ctx, a: Article) -> Resource:
    url = c.art(a)
    cat_name = c.cat_name(a.category)
    image = c.url(a.images[0].src) if a.images else None
    meta = _og(
        c, title=a.title, url=url, description=a.lead or a.title, image=image, kind="article"
    )
    meta += f'<meta name="keywords" content="{esc(", ".join(a.tags))}">\n'
    meta += f'<meta name="news_keywords" content="{esc(", ".join(a.tags))}">\n'
    meta += f'<meta property="article:published_time" content="{a.published}">\n'
    if a.modified:
        meta += f'<meta property="article:modified_time" content="{a.modified}">\n'
    meta += f'<meta property="article:section" content="{esc(cat_name)}">\n'
    meta += "".join(f'<meta property="article:tag" content="{esc(t)}">\n' for t in a.tags)
    head = _head(c, title=f"{a.title} | {PUBLICATION}", meta=meta, ld=_article_ld(c, a))
    names = _names(a)
    author_box = (
        f'<div class="article__author"><span class="cms-author">{esc(" - ".join(names))}</span></div>'
        if names
        else ""
    )
    tags = "".join(
        f'<a class="article__tag-item" href="{c.tag(t)}" title="{esc(t)}">{esc(t)}</a>'
        for t in a.tags
    )
    same = [x for x in c.site.in_category(a.category) if x is not a][:4]
    same_html = "".join(_story(c, x) for x in same)
    main = f"""<main class="site-content">
<div class="container">
    <div class="breadcrumb breadcrumb-detail"><a class="breadcrumb__item" href="{c.base}/">Trang chủ</a><a class="breadcrumb__item" href="{c.cat(a.category)}" title="{esc(cat_name)}">{esc(cat_name)}</a></div>
    <div class="row detail">
        <div class="col-main">
            <div class="article" data-id="{a.post_id}">
                <h1 class="article__title cms-title">{esc(a.title)}</h1>
                <div class="article__meta">
                    <a class="article__cate" href="{c.cat(a.category)}" title="{esc(cat_name)}">{esc(cat_name)}</a>
                    <time class="time" datetime="{a.published}">{_meta_date(a.published_dt)}</time>
                </div>
                {_share(c, a)}
                <h2 class="article__sapo cms-desc">{esc(a.lead or "")}</h2>
                <div class="article__body zce-content-body cms-body" itemprop="articleBody">
{body_html(c, a)}
                </div>
                {author_box}
                <div class="article__tag"><span class="box-heading__title">Từ khóa:</span>{tags}</div>
                <div class="ads ads--detail-bottom"><div id="adm-slot-detail-bottom" class="adm-slot"></div></div>
                <div class="article__comment comment-box" id="comment-box">
                    <header class="box-heading"><h3 class="box-heading__title">Ý kiến bạn đọc</h3></header>
                    <form class="comment-form" action="{c.base}/binh-luan.html" method="post">
                        <textarea name="content" placeholder="Mời bạn để lại ý kiến..."></textarea>
                        <input type="text" name="name" placeholder="Họ tên"><input type="email" name="email" placeholder="Email">
                        <input type="hidden" name="article_id" value="{a.post_id}">
                        <button type="submit" class="btn">Gửi bình luận</button>
                    </form>
                    <p class="comment-note">Bình luận của bạn sẽ được biên tập trước khi đăng.</p>
                </div>
            </div>
        </div>
        {_sidebar(c)}
    </div>
    <section class="zone zone--same-category">
        <header class="zone__heading"><h3 class="heading">Tin cùng chuyên mục</h3></header>
        <div class="zone__body">{same_html}</div>
    </section>
</div>
</main>
"""
    return page(
        _frame(
            c, head=head, body_class=f"detail-page cate-{a.category}", current=a.category, main=main
        ),
        last_modified=_mod(a),
    )


# --- home, 404 ---------------------------------------------------------------------------------


def _home(c: _Ctx) -> Resource:
    latest = c.site.newest_first()
    top = latest[0] if latest else None
    hot = ""
    if top:
        img = (
            f'<figure class="story__thumb"><a class="cms-link" href="{c.art(top)}" title="{esc(top.title)}">'
            f'<img src="{c.url(top.images[0].src)}" alt="{esc(top.title)}"></a></figure>'
            if top.images
            else ""
        )
        hot = (
            f'<article class="story story--highlight">{img}<h2 class="story__heading">'
            f'<a class="cms-link" href="{c.art(top)}" title="{esc(top.title)}">{esc(top.title)}</a></h2>'
            f'<div class="story__summary">{esc(top.lead or "")}</div></article>'
        )
    news = "".join(_story(c, a) for a in latest[1:6])
    zones = []
    for slug, name in c.site.categories.items():
        items = "".join(_story(c, a) for a in c.site.in_category(slug)[:3])
        zones.append(
            f'<section class="zone zone--cate"><header class="zone__heading"><h2 class="heading">'
            f'<a href="{c.cat(slug)}" title="{esc(name)}">{esc(name)}</a></h2></header>'
            f'<div class="zone__body">{items}</div></section>'
        )
    meta = _og(
        c,
        title=PUBLICATION,
        url=f"{c.base}/",
        description=c.site.description,
        image=c.url(LOGO),
        kind="website",
    )
    ld = [
        {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": PUBLICATION,
            "url": f"{c.base}/",
            "potentialAction": {
                "@type": "SearchAction",
                "target": f"{c.base}/tim-kiem.html?q={{search_term_string}}",
                "query-input": "required name=search_term_string",
            },
        }
    ]
    head = _head(c, title=f"{PUBLICATION} - Tin tức Hà Tĩnh mới nhất", meta=meta, ld=ld)
    main = f"""<main class="site-content">
<div class="container">
    <h1 class="hidden">{PUBLICATION}</h1>
    <section class="zone zone--featured"><div class="zone__body">{hot}</div></section>
    <div class="row">
        <div class="col-main">
            <section class="zone zone--latest"><header class="zone__heading"><h2 class="heading">Tin mới</h2></header><div class="zone__body">{news}</div></section>
            {"".join(zones)}
        </div>
        {_sidebar(c)}
    </div>
</div>
</main>
"""
    newest = max((_mod(a) for a in latest), default=None)
    return page(
        _frame(c, head=head, body_class="home-page", current="home", main=main),
        last_modified=newest,
    )


def _not_found(c: _Ctx) -> Resource:
    head = _head(
        c,
        title=f"Không tìm thấy trang | {PUBLICATION}",
        meta='<meta name="robots" content="noindex">\n',
        ld=[],
    )
    main = f"""<main class="site-content"><div class="container"><div class="page-404">
<h1 class="page-404__title">404</h1><p>Trang bạn tìm không tồn tại hoặc đã bị xóa.</p>
<p><a href="{c.base}/">Quay về trang chủ</a></p></div></div></main>
"""
    return page(_frame(c, head=head, body_class="page-404", current=None, main=main), status=404)


# --- feeds, sitemaps, robots -------------------------------------------------------------------


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _rss(c: _Ctx) -> Resource:
    latest = c.site.newest_first()[:50]
    items = []
    for a in latest:
        img = f'<a href="{c.art(a)}"><img src="{c.url(a.images[0].src)}" /></a>' if a.images else ""
        items.append(
            f"""<item>
<title>{esc(a.title)}</title>
<link>{c.art(a)}</link>
<description>{_cdata(img + esc(a.lead or ""))}</description>
<pubDate>{rfc822(a.published_dt)}</pubDate>
<guid isPermaLink="true">{c.art(a)}</guid>
<category>{esc(c.cat_name(a.category))}</category>
</item>"""
        )
    newest = max((_mod(a) for a in latest), default=None)
    build = rfc822(newest) if newest else ""
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{PUBLICATION} - Trang chủ</title>
<link>{c.base}/</link>
<atom:link href="{c.url("/rss/home.rss")}" rel="self" type="application/rss+xml" />
<description>{esc(c.site.description)}</description>
<language>vi</language>
<copyright>{PUBLICATION}</copyright>
<lastBuildDate>{build}</lastBuildDate>
<image><url>{c.url(LOGO)}</url><title>{PUBLICATION}</title><link>{c.base}/</link></image>
{chr(10).join(items)}
</channel>
</rss>
"""
    return Resource(xml.encode("utf-8"), RSS, last_modified=newest)


def _months(site: Site) -> dict[str, list[Article]]:
    out: dict[str, list[Article]] = {}
    for a in site.newest_first():
        out.setdefault(f"{a.published_dt:%Y-%m}", []).append(a)
    return out


def _sitemaps(c: _Ctx) -> dict[str, Resource]:
    out: dict[str, Resource] = {}
    newest = max((_mod(a) for a in c.site.articles), default=None)
    lastmod = newest.isoformat(timespec="seconds") if newest else ""
    entries = [
        f"<sitemap><loc>{c.url('/sitemaps/news.xml')}</loc><lastmod>{lastmod}</lastmod></sitemap>"
    ]
    for month, arts in _months(c.site).items():
        path = f"/sitemaps/articles-{month}.xml.gz"
        month_mod = max(_mod(a) for a in arts)
        entries.append(
            f"<sitemap><loc>{c.url(path)}</loc><lastmod>{month_mod.isoformat(timespec='seconds')}</lastmod></sitemap>"
        )
        urls = "".join(
            f"<url><loc>{c.art(a)}</loc><lastmod>{_mod(a).isoformat(timespec='seconds')}</lastmod>"
            "<changefreq>monthly</changefreq><priority>0.8</priority></url>"
            for a in arts
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
        )
        out[path] = Resource(
            gzip.compress(xml.encode("utf-8"), mtime=0), GZIP, last_modified=month_mod
        )
    out["/sitemap.xml"] = Resource(
        (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(entries)
            + "</sitemapindex>\n"
        ).encode("utf-8"),
        XML,
        last_modified=newest,
    )
    news = "".join(
        f"""<url><loc>{c.art(a)}</loc><news:news><news:publication><news:name>{PUBLICATION}</news:name><news:language>vi</news:language></news:publication><news:publication_date>{a.published}</news:publication_date><news:title>{esc(a.title)}</news:title><news:keywords>{esc(", ".join(a.tags))}</news:keywords></news:news></url>"""
        for a in c.site.newest_first()
    )
    out["/sitemaps/news.xml"] = Resource(
        (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + news + "</urlset>\n"
        ).encode("utf-8"),
        XML,
        last_modified=newest,
    )
    return out


def _robots(c: _Ctx) -> Resource:
    text = (
        f"User-agent: *\nDisallow: /tim-kiem.html\nAllow: /\n\nSitemap: {c.url('/sitemap.xml')}\n"
    )
    return Resource(text.encode("utf-8"), TEXT)


def _assets(c: _Ctx) -> dict[str, Resource]:
    fixed = datetime(2024, 9, 15, 8, 0, tzinfo=ICT)
    out = {
        MAIN_CSS: Resource(
            b"/* main.min.css (replica stub) */\nbody{margin:0}\n", CSS, last_modified=fixed
        ),
        MAIN_JS: Resource(b"/* main.min.js (replica stub) */\n", JS, last_modified=fixed),
        LOGO: Resource(png_placeholder(300, 60, (196, 22, 28)), PNG, last_modified=fixed),
        ICON: Resource(png_placeholder(32, 32, (196, 22, 28)), PNG, last_modified=fixed),
    }
    for a in c.site.articles:
        for img in a.images:
            out[img.src] = Resource(JPEG_PLACEHOLDER, JPEG, last_modified=a.published_dt)
    return out


def render(site: Site, base_url: str) -> dict[str, Resource]:
    """Every page of the site, keyed by path (plus query), with ``base_url`` substituted."""
    c = _Ctx(site, base_url)
    out: dict[str, Resource] = {"/": _home(c)}
    for slug, name in site.categories.items():
        out.update(
            _listing(
                c,
                link=lambda n, slug=slug: c.cat(slug, n),
                label=name,
                articles=site.in_category(slug),
                current=slug,
                body_class=f"cate-page cate-{slug}",
            )
        )
    for tag in site.all_tags():
        out.update(
            _listing(
                c,
                link=lambda n, tag=tag: c.tag(tag, n),
                label=tag,
                articles=site.with_tag(tag),
                current=None,
                body_class="tag-page",
            )
        )
    for a in site.articles:
        out[site.path_of(a)] = article_page(c, a)
    out["/rss/home.rss"] = _rss(c)
    out.update(_sitemaps(c))
    out["/robots.txt"] = _robots(c)
    out.update(_assets(c))
    out[NOT_FOUND] = _not_found(c)
    return out
