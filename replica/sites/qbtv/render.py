# ruff: noqa: E501  (HTML templates keep the long lines of the real markup)
"""QBTV.vn replica: WordPress + the tagDiv Newspaper theme, Yoast SEO metadata.

Markup follows the theme's ``loop-single.php`` / ``comments.php`` and rendered tagDiv pages
(single post header, ``td-post-content``, ``page-nav`` pagination, ``td_module_*`` listings).
Every URL is built from ``base``, the server's own base URL.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime
from urllib.parse import quote

from replica.site import Article, Image, PageContext, Site, slugify
from replica.web import (
    CSS,
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
    excerpt,
    fill,
    image_variant,
    page,
    png_placeholder,
    rfc822,
    text_of,
    utc_iso,
    word_count,
)

PER_PAGE = 3
THEME_VER = "10.3.9.1"
WP_VER = "6.4.3"
NOT_FOUND = "*404*"

STYLE = f"/wp-content/themes/Newspaper/style.css?ver={THEME_VER}"
JQUERY = "/wp-includes/js/jquery/jquery.min.js?ver=3.7.1"
THEME_JS = f"/wp-content/themes/Newspaper/js/tagdiv_theme.min.js?ver={THEME_VER}"
LOGO = "/wp-content/uploads/2019/06/logo-qbtv.png"
ICON = "/wp-content/uploads/2019/06/cropped-favicon-32x32.png"

SIZES = ("300x200", "218x150", "696x464")

EMOJI_CSS = """
img.wp-smiley, img.emoji {
	display: inline !important;
	border: none !important;
	box-shadow: none !important;
	height: 1em !important;
	width: 1em !important;
	margin: 0 0.07em !important;
	vertical-align: -0.1em !important;
	background: none !important;
	padding: 0 !important;
}"""

HEADER_CSS = """
.td-header-wrap .black-menu .sf-menu > .current-menu-item > a,
.td-header-wrap .black-menu .sf-menu > li > a:hover,
.td-category-header .td-pulldown-category-filter-link:hover,
.td-post-category:hover,
.td-next-prev-wrap a:hover,
.page-nav .current { background-color: #0d5ea6; }
.td-header-wrap .td-header-menu-wrap-full,
.td-header-menu-wrap.td-affix { background-color: #0d5ea6; }
.td-post-content p, .td-post-content { font-size: 17px; line-height: 29px; }
"""

HEAD_JS = """
var tdBlocksArray = []; //here we store all the items for the current page
//td_block class - each ajax block uses a object of this class for requests
function tdBlock() {
    this.id = '';
    this.block_type = 1; //block type id (1-234 etc)
    this.atts = '';
    this.td_column_number = '';
    this.td_current_page = 1; //
    this.post_count = 0; //from wp
    this.found_posts = 0; //from wp
    this.max_num_pages = 0; //from wp
    this.td_filter_value = ''; //current live filter value
    this.is_ajax_running = false;
    this.td_user_action = ''; // load more or infinite loader (used by the animation)
    this.header_color = '';
    this.ajax_pagination_infinite_stop = ''; //show load more at page x
}
var td_ajax_url = "\\/wp-admin\\/admin-ajax.php?td_theme_name=Newspaper&v=10.3.9.1";
var td_get_template_directory_uri = "\\/wp-content\\/plugins\\/td-composer\\/legacy\\/common";
var tds_general_modal_image = "yes";
var td_please_wait = "Vui l\\u00f2ng ch\\u1edd...";
var td_email_user_pass_incorrect = "Ng\\u01b0\\u1eddi d\\u00f9ng ho\\u1eb7c m\\u1eadt kh\\u1ea9u kh\\u00f4ng ch\\u00ednh x\\u00e1c!";
"""

FOOT_JS = """
    (function(){
        var html_jquery_obj = jQuery('html');
        if (html_jquery_obj.length && (html_jquery_obj.is('.ie8') || html_jquery_obj.is('.ie9'))) {
            var path = '/wp-content/themes/Newspaper/style.css';
            jQuery.get(path, function(data) {
                var str_split_separator = '#td_css_split_separator';
                var arr_splits = data.split(str_split_separator);
                var arr_length = arr_splits.length;
            });
        }
    })();
"""

ANALYTICS = """
  window.dataLayer = window.dataLayer || [];
  function gtag(){dataLayer.push(arguments);}
  gtag('js', new Date());
  gtag('config', 'G-QBTV000000');
"""


# --- small pieces ------------------------------------------------------------------------------


def _dt(a: Article) -> datetime:
    return a.published_dt


def _mod(a: Article) -> datetime:
    return a.modified_dt or a.published_dt


def _visible_date(dt: datetime) -> str:
    return dt.strftime("%d/%m/%Y")


def _account(site: Site, a: Article) -> tuple[str, str]:
    login = a.account or next(iter(site.accounts), "admin")
    return login, site.accounts.get(login, login)


def _thumb(a: Article) -> str | None:
    return a.images[0].src if a.images else None


class _Ctx(PageContext):
    def cat(self, slug: str, page_no: int = 1) -> str:
        path = f"/category/{slug}/"
        return self.url(path if page_no == 1 else f"{path}page/{page_no}/")

    def tag(self, name: str, page_no: int = 1) -> str:
        path = f"/tag/{slugify(name)}/"
        return self.url(path if page_no == 1 else f"{path}page/{page_no}/")

    def author(self, login: str, page_no: int = 1) -> str:
        path = f"/author/{login}/"
        return self.url(path if page_no == 1 else f"{path}page/{page_no}/")

    def summary(self, a: Article, words: int = 30) -> str:
        return excerpt(text_of(fill(a.paragraphs[0], self.base)), words)


# --- page frame --------------------------------------------------------------------------------


def _head(
    c: _Ctx,
    *,
    title: str,
    seo: str,
    ld_json: dict | None,
) -> str:
    ld = ""
    if ld_json is not None:
        payload = json.dumps(ld_json, ensure_ascii=False).replace("</", "<\\/")
        ld = f'<script type="application/ld+json" class="yoast-schema-graph">{payload}</script>\n'
    b = c.base
    return f"""<!doctype html >
<!--[if IE 8]>    <html class="ie8" lang="en"> <![endif]-->
<!--[if IE 9]>    <html class="ie9" lang="en"> <![endif]-->
<!--[if gt IE 8]><!--> <html lang="vi"> <!--<![endif]-->
<head>
    <title>{esc(title)}</title>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <meta name='robots' content='index, follow, max-image-preview:large, max-snippet:-1, max-video-preview:-1' />
    <link rel="icon" type="image/png" href="{b}{ICON}">
<!-- This site is optimized with the Yoast SEO plugin v21.9.1 - https://yoast.com/wordpress/plugins/seo/ -->
{seo}{ld}<!-- / Yoast SEO plugin. -->
<link rel='dns-prefetch' href='//fonts.googleapis.com' />
<link rel="alternate" type="application/rss+xml" title="QBTV &raquo; Dòng thông tin" href="{b}/feed/" />
<style id='wp-emoji-styles-inline-css' type='text/css'>
{EMOJI_CSS}
</style>
<link rel='stylesheet' id='google-fonts-style-css' href='https://fonts.googleapis.com/css?family=Open+Sans%3A400%2C600%2C700%7CRoboto%3A400%2C500%2C700&#038;display=swap&#038;ver={THEME_VER}' type='text/css' media='all' />
<link rel='stylesheet' id='td-theme-css' href='{b}{STYLE}' type='text/css' media='all' />
<script type="text/javascript" src="{b}{JQUERY}" id="jquery-core-js"></script>
<meta name="generator" content="WordPress {WP_VER}" />
<!--[if lt IE 9]><script src="https://cdnjs.cloudflare.com/ajax/libs/html5shiv/3.7.3/html5shiv.js"></script><![endif]-->

<!-- JS generated by theme -->

<script>
{HEAD_JS}
</script>

<!-- Header style compiled by theme -->

<style>
{HEADER_CSS}
</style>

<!-- Global site tag (gtag.js) - Google Analytics -->
<script async src="https://www.googletagmanager.com/gtag/js?id=G-QBTV000000"></script>
<script>
{ANALYTICS}
</script>
</head>
"""


def _menu_item(href: str, label: str, current: bool, taxonomy: bool) -> str:
    kind = (
        "menu-item-type-taxonomy menu-item-object-category"
        if taxonomy
        else "menu-item-type-custom menu-item-object-custom menu-item-home"
    )
    cur = " current-menu-item" if current else ""
    return (
        f'<li class="menu-item {kind}{cur} td-menu-item td-normal-menu">'
        f'<a href="{href}">{esc(label)}</a></li>'
    )


def _header(c: _Ctx, *, home: bool, current: str | None) -> str:
    b = c.base
    items = [_menu_item(f"{b}/", "Trang chủ", current == "home", False)]
    for slug, name in c.site.categories.items():
        items.append(_menu_item(c.cat(slug), name, current == slug, True))
    logo_tag = "h1" if home else "div"
    return f"""<div id="td-outer-wrap" class="td-theme-wrap">
    <div class="tdc-header-wrap ">
    <div class="td-header-wrap td-header-style-1 ">
        <div class="td-header-top-menu-full td-container-wrap ">
            <div class="td-container td-header-row td-header-top-menu">
                <div class="top-bar-style-1">
                    <div class="td-header-sp-top-menu">
                        <div class="menu-top-container"><ul id="menu-top-menu" class="top-header-menu"><li class="menu-item td-menu-item td-normal-menu"><a href="{b}/">Trang chủ</a></li><li class="menu-item td-menu-item td-normal-menu"><a href="https://www.youtube.com/@qbtvquangbinh">Truyền hình trực tuyến</a></li></ul></div>
                    </div>
                    <div class="td-header-sp-top-widget">
                        <span class="td-social-icon-wrap"><a target="_blank" href="https://www.facebook.com/qbtv.vn" title="Facebook"><i class="td-icon-font td-icon-facebook"></i></a></span>
                        <span class="td-social-icon-wrap"><a target="_blank" href="https://www.youtube.com/@qbtvquangbinh" title="Youtube"><i class="td-icon-font td-icon-youtube"></i></a></span>
                    </div>
                </div>
            </div>
        </div>
        <div class="td-banner-wrap-full td-logo-wrap-full td-container-wrap ">
            <div class="td-container td-header-row td-header-header">
                <div class="td-header-sp-logo">
                    <{logo_tag} class="td-logo"><a class="td-main-logo" href="{b}/"><img class="td-retina-data" src="{b}{LOGO}" alt="QBTV" title="Đài Phát thanh - Truyền hình Quảng Bình" width="272" height="90"/><span class="td-visual-hidden">QBTV</span></a></{logo_tag}>
                </div>
                <div class="td-header-sp-recs"><div class="td-header-rec-wrap"><div class="td-a-rec td-a-rec-id-header  tdi_1 td_block_template_1"><!-- A generated by theme --><div class="td-all-devices"></div><!-- end A --></div></div></div>
            </div>
        </div>
        <div class="td-header-menu-wrap-full td-container-wrap ">
            <div class="td-header-menu-wrap td-header-gradient ">
                <div class="td-container td-header-row td-header-main-menu">
                    <div id="td-header-menu" role="navigation">
                        <div id="td-top-mobile-toggle"><a href="#"><i class="td-icon-font td-icon-mobile"></i></a></div>
                        <div class="menu-main-menu-container"><ul id="menu-main-menu" class="sf-menu">{"".join(items)}</ul></div>
                    </div>
                    <div class="header-search-wrap">
                        <div class="td-search-btns-wrap"><a id="td-header-search-button" href="#" role="button" class="dropdown-toggle " data-toggle="dropdown"><i class="td-icon-search"></i></a></div>
                        <div class="td-drop-down-search" aria-labelledby="td-header-search-button">
                            <form method="get" class="td-search-form" action="{b}/"><div role="search" class="td-head-form-search-wrap"><input id="td-header-search" type="text" value="" name="s" autocomplete="off" /><input class="wpb_button wpb_btn-inverse btn" type="submit" id="td-header-search-top" value="Tìm kiếm" /></div></form>
                        </div>
                    </div>
                </div>
            </div>
        </div>
    </div>
    </div>
"""


def _footer(c: _Ctx) -> str:
    b = c.base
    menu = "".join(
        f'<li class="menu-item menu-item-type-taxonomy menu-item-object-category td-menu-item '
        f'td-normal-menu"><a href="{c.cat(slug)}">{esc(name)}</a></li>'
        for slug, name in c.site.categories.items()
    )
    return f"""
<!-- Footer -->
<div class="td-footer-wrapper td-container-wrap td-footer-template-14 ">
    <div class="td-container">
        <div class="td-pb-row">
            <div class="td-pb-span12">
                <div class="td-footer-info">
                    <div class="footer-logo-wrap"><a href="{b}/"><img class="td-retina-data" src="{b}{LOGO}" alt="QBTV" title="QBTV" width="272" /></a></div>
                    <div class="footer-text-wrap">ĐÀI PHÁT THANH - TRUYỀN HÌNH QUẢNG BÌNH<br />Ghi rõ nguồn “QBTV.vn” khi phát hành lại thông tin từ website này.</div>
                    <div class="footer-social-wrap td-social-style-2"><span class="td-social-icon-wrap"><a target="_blank" href="https://www.facebook.com/qbtv.vn" title="Facebook"><i class="td-icon-font td-icon-facebook"></i></a></span></div>
                </div>
            </div>
        </div>
    </div>
</div>

<!-- Sub Footer -->
<div class="td-sub-footer-container td-container-wrap ">
    <div class="td-container">
        <div class="td-pb-row">
            <div class="td-pb-span td-sub-footer-menu">
                <div class="menu-footer-menu-container"><ul id="menu-footer-menu" class="td-subfooter-menu"><li class="menu-item menu-item-type-custom menu-item-object-custom menu-item-home td-menu-item td-normal-menu"><a href="{b}/">Trang chủ</a></li>{menu}</ul></div>
            </div>
            <div class="td-pb-span td-sub-footer-copy">&copy; Bản quyền thuộc về Đài Phát thanh - Truyền hình Quảng Bình</div>
        </div>
    </div>
</div>
</div><!--close td-outer-wrap-->

<script type="text/javascript" src="{b}{THEME_JS}" id="td-site-min-js"></script>

<!-- JS generated by theme -->

<script>
{FOOT_JS}
</script>

</body>
</html>
"""


def _frame(c: _Ctx, *, head: str, body_class: str, home: bool, current: str | None, main: str):
    return (
        head
        + f'\n<body class="{body_class}" itemscope="itemscope" itemtype="https://schema.org/WebPage">\n'
        + '<div class="td-scroll-up"><i class="td-icon-menu-up"></i></div>\n'
        + _header(c, home=home, current=current)
        + main
        + _footer(c)
    )


def _seo(
    c: _Ctx,
    *,
    title: str,
    url: str,
    description: str,
    og_type: str,
    extra: str = "",
) -> str:
    return f"""<link rel="canonical" href="{url}" />
{extra}<meta property="og:locale" content="vi_VN" />
<meta property="og:type" content="{og_type}" />
<meta property="og:title" content="{esc(title)}" />
<meta property="og:description" content="{esc(description)}" />
<meta property="og:url" content="{url}" />
<meta property="og:site_name" content="QBTV" />
"""


# --- modules (listing items) -------------------------------------------------------------------


def _module_meta(c: _Ctx, a: Article) -> str:
    login, name = _account(c.site, a)
    return (
        '<div class="td-module-meta-info">'
        f'<span class="td-post-author-name"><a href="{c.author(login)}">{esc(name)}</a> '
        "<span>-</span> </span>"
        '<span class="td-post-date"><time class="entry-date updated td-module-date" '
        f'datetime="{a.published}" >{_visible_date(_dt(a))}</time></span>'
        f'<span class="td-module-comments"><a href="{c.art(a)}#respond">0</a></span>'
        "</div>"
    )


def _module_thumb(c: _Ctx, a: Article, size: str = "218x150") -> str:
    src = _thumb(a)
    if not src:
        return ""
    w, h = size.split("x")
    return (
        f'<div class="td-module-thumb"><a href="{c.art(a)}" rel="bookmark" class="td-image-wrap " '
        f'title="{esc(a.title)}"><img width="{w}" height="{h}" class="entry-thumb" '
        f'src="{c.url(image_variant(src, size))}" alt="" title="{esc(a.title)}" /></a></div>'
    )


def _module(c: _Ctx, a: Article, kind: int, *, excerpt_words: int = 0) -> str:
    exc = (
        f'<div class="td-excerpt">{esc(c.summary(a, excerpt_words))}</div>' if excerpt_words else ""
    )
    cat_name = c.site.categories.get(a.category, a.category)
    return f"""
        <div class="td_module_{kind} td_module_wrap td-animation-stack">
            {_module_thumb(c, a)}
            <div class="item-details">
            <h3 class="entry-title td-module-title"><a href="{c.art(a)}" rel="bookmark" title="{esc(a.title)}">{esc(a.title)}</a></h3>
            <a href="{c.cat(a.category)}" class="td-post-category">{esc(cat_name)}</a>
            {_module_meta(c, a)}
            {exc}
            </div>
        </div>
"""


def _sidebar(c: _Ctx) -> str:
    latest = "".join(
        f'<li><a href="{c.art(a)}">{esc(a.title)}</a></li>' for a in c.site.newest_first()[:5]
    )
    popular = sorted(c.site.articles, key=lambda a: (-a.views, a.post_id))[:3]
    mods = "".join(_module(c, a, 6) for a in popular)
    return f"""
            <div class="td-pb-span4 td-main-sidebar" role="complementary">
                <div class="td-ss-main-sidebar">
                    <aside class="td_block_template_1 widget widget_recent_entries"><h4 class="block-title"><span>Tin mới</span></h4><ul>{latest}</ul></aside>
                    <div class="td_block_wrap td_block_7 td_block_widget tdi_5 td-pb-border-top td_block_template_1 td-column-1 td_block_padding"><div class="td-block-title-wrap"><h4 class="block-title td-block-title"><span class="td-pulldown-size">Xem nhiều</span></h4></div><div id=tdi_5 class="td_block_inner">{mods}</div></div>
                    <aside class="td_block_template_1 widget widget_text"><h4 class="block-title"><span>Lịch phát sóng</span></h4><div class="textwidget"><p>QBTV phát sóng 24/24 giờ trên vệ tinh Vinasat-1 và các hạ tầng truyền hình số, truyền hình cáp.</p></div></aside>
                </div>
            </div>
"""


# --- article page ------------------------------------------------------------------------------

INLINE_AD = (
    '<div class="td-a-rec td-a-rec-id-content_inline  tdi_2 td_block_template_1">'
    "<!-- A generated by theme -->"
    '<script async src="//pagead2.googlesyndication.com/pagead/js/adsbygoogle.js"></script>'
    '<div class="td-g-rec td-g-rec-id-content_inline"></div>'
    "<!-- end A --></div>"
)


def _attachment_id(a: Article, index: int) -> int:
    return a.post_id + 1 + index


def _image_html(c: _Ctx, a: Article, index: int, img: Image) -> str:
    att = _attachment_id(a, index)
    src = c.url(img.src)
    srcset = ", ".join(
        [
            f"{src} 800w",
            f"{c.url(image_variant(img.src, '300x200'))} 300w",
            f"{c.url(image_variant(img.src, '696x464'))} 696w",
        ]
    )
    attrs = (
        f'src="{src}" alt="" width="800" height="533" srcset="{srcset}" '
        'sizes="(max-width: 800px) 100vw, 800px"'
    )
    if img.style == "div" and img.caption:
        return (
            f'<div id="attachment_{att}" style="width: 810px" class="wp-caption aligncenter">'
            f'<img aria-describedby="caption-attachment-{att}" decoding="async" loading="lazy" '
            f'class="size-full wp-image-{att}" {attrs} />'
            f'<p id="caption-attachment-{att}" class="wp-caption-text">{esc(img.caption)}</p></div>'
        )
    if img.caption:
        priority = 'fetchpriority="high" ' if index == 0 else ""
        return (
            f'<figure id="attachment_{att}" aria-describedby="caption-attachment-{att}" '
            f'style="width: 800px" class="wp-caption aligncenter">'
            f'<img {priority}decoding="async" '
            f'class="size-full wp-image-{att}" {attrs} />'
            f'<figcaption id="caption-attachment-{att}" class="wp-caption-text">'
            f"{esc(img.caption)}</figcaption></figure>"
        )
    return (
        f'<p style="text-align: center;"><img loading="lazy" decoding="async" '
        f'class="aligncenter size-full wp-image-{att}" {attrs} /></p>'
    )


def _byline_html(line: str) -> str:
    text = esc(line)
    if line.startswith(("Nguồn", "Theo")):
        return f"<p>{text}</p>" if line.startswith("Nguồn") else f"<p><em>{text}</em></p>"
    if line.startswith("("):
        return f'<p style="text-align: right;">{text}</p>'
    return f'<p style="text-align: right;"><strong>{text}</strong></p>'


def content_html(c: _Ctx, a: Article) -> str:
    """The post content as ``the_content()`` prints it (also used by the feed)."""
    parts: list[str] = []
    indexed = list(enumerate(a.images))

    def images_after(n: int) -> None:
        for index, img in indexed:
            if img.after == n:
                parts.append(_image_html(c, a, index, img))
                if img.repeat_caption and img.caption:
                    parts.append(f'<p style="text-align: center;"><em>{esc(img.caption)}</em></p>')

    images_after(0)
    for n, para in enumerate(a.paragraphs, start=1):
        parts.append(f"<p>{fill(para, c.base)}</p>")
        if n == 2 and len(a.paragraphs) > 3:
            parts.append(INLINE_AD)
        images_after(n)
    parts.extend(_byline_html(line) for line in a.byline)
    return "\n".join(parts)


def _sharing(c: _Ctx, a: Article, where: str) -> str:
    u = quote(c.art(a), safe="")
    t = quote(a.title, safe="")
    buttons = [
        ("facebook", "Facebook", f"https://www.facebook.com/sharer.php?u={u}"),
        ("twitter", "Twitter", f"https://twitter.com/intent/tweet?text={t}&amp;url={u}"),
        ("pinterest", "Pinterest", f"https://pinterest.com/pin/create/button/?url={u}"),
        ("whatsapp", "WhatsApp", f"https://api.whatsapp.com/send?text={t}%20%0A%0A%20{u}"),
    ]
    links = "".join(
        f'<a class="td-social-sharing-button td-social-sharing-button-js td-social-network '
        f'td-social-{key}" href="{href}" title="{label}"><div class="td-social-but-icon">'
        f'<i class="td-icon-{key}"></i></div><div class="td-social-but-text">{label}</div></a>'
        for key, label, href in buttons
    )
    return (
        f'<div id="td_social_sharing_article_{where}" class="td-post-sharing td-ps-bg td-ps-notext '
        f'td-post-sharing-style1 "><div class="td-post-sharing-visible">{links}</div>'
        '<div class="td-social-sharing-hidden"><ul class="td-pulldown-filter-list"></ul>'
        '<a class="td-social-sharing-button td-social-handler td-social-expand-tabs" href="#" '
        f'data-block-uid="td_social_sharing_article_{where}" title="More"><div '
        'class="td-social-but-icon"><i class="td-icon-plus td-social-expand-tabs-icon"></i></div>'
        "</a></div></div>"
    )


def _next_prev(c: _Ctx, a: Article) -> str:
    ordered = sorted(c.site.articles, key=lambda x: (x.published_dt, x.post_id))
    i = ordered.index(a)
    prev_a = ordered[i - 1] if i > 0 else None
    next_a = ordered[i + 1] if i + 1 < len(ordered) else None
    prev_html = (
        '<div class="td-block-span6 td-post-prev-post"><div class="td-post-next-prev-content">'
        f'<span>Bài trước</span><a href="{c.art(prev_a)}">{esc(prev_a.title)}</a></div></div>'
        if prev_a
        else '<div class="td-block-span6 td-post-prev-post"></div>'
    )
    next_html = (
        '<div class="td-block-span6 td-post-next-post"><div class="td-post-next-prev-content">'
        f'<span>Bài tiếp theo</span><a href="{c.art(next_a)}">{esc(next_a.title)}</a></div></div>'
        if next_a
        else ""
    )
    return (
        f'<div class="td-block-row td-post-next-prev">{prev_html}'
        f'<div class="td-next-prev-separator"></div>{next_html}</div>'
    )


def _author_box(c: _Ctx, a: Article) -> str:
    login, name = _account(c.site, a)
    digest = hashlib.md5(f"{login}@qbtv.vn".encode()).hexdigest()
    avatar = f"https://secure.gravatar.com/avatar/{digest}?s=96&#038;d=mm&#038;r=g"
    return f"""<div class="author-box-wrap"><a href="{c.author(login)}"><img alt='' src='{avatar}' class='avatar avatar-96 photo' height='96' width='96' decoding='async'/></a><div class="desc"><div class="td-author-name vcard author"><span class="fn"><a href="{c.author(login)}">{esc(name)}</a></span></div><div class="td-author-description"></div><div class="td-author-social"></div><div class="clearfix"></div></div></div>"""


def _related(a: Article) -> str:
    uid = f"td_uid_{a.post_id % 97}_related"
    atts = json.dumps(
        {
            "limit": 3,
            "ajax_pagination": "next_prev",
            "live_filter": "cur_post_same_categories",
            "td_ajax_filter_type": "td_custom_related",
            "class": f"{uid}_rand",
            "td_column_number": 3,
            "live_filter_cur_post_id": a.post_id,
        },
        separators=(",", ":"),
    )
    return f"""<div class="td_block_wrap td_block_related_posts {uid}_rand td_with_ajax_pagination td-pb-border-top td_block_template_1"  data-td-block-uid="{uid}" ><script>var block_{uid} = new tdBlock();
block_{uid}.id = "{uid}";
block_{uid}.atts = '{atts}';
block_{uid}.td_column_number = "3";
block_{uid}.block_type = "td_block_related_posts";
block_{uid}.post_count = "3";
block_{uid}.found_posts = "9";
block_{uid}.max_num_pages = "3";
tdBlocksArray.push(block_{uid});
</script><h4 class="td-related-title td-block-title"><a id="{uid}_a" class="td-related-left td-cur-simple-item" data-td_filter_value="" data-td_block_id="{uid}" href="#">BÀI LIÊN QUAN</a><a id="{uid}_b" class="td-related-right" data-td_filter_value="td_related_more_from_author" data-td_block_id="{uid}" href="#">XEM THÊM</a></h4><div id={uid} class="td_block_inner"><div class="td-loader-gif td-loader-blocks-mx">Loading...</div></div><div class="td-next-prev-wrap"><a href="#" class="td-ajax-prev-page ajax-page-disabled" id="prev-page-{uid}" data-td_block_id="{uid}"><i class="td-icon-font td-icon-menu-left"></i></a><a href="#"  class="td-ajax-next-page" id="next-page-{uid}" data-td_block_id="{uid}"><i class="td-icon-font td-icon-menu-right"></i></a></div></div> <!-- ./block -->"""


def _comments(c: _Ctx, a: Article) -> str:
    url = c.art(a)
    return f"""<div class="comments" id="comments">
    <div id="respond" class="comment-respond">
        <h4 id="reply-title" class="comment-reply-title">BÌNH LUẬN <small><a rel="nofollow" id="cancel-comment-reply-link" href="{url}#respond" style="display:none;">Hủy trả lời</a></small></h4><form action="{c.base}/wp-comments-post.php" method="post" id="commentform" class="comment-form" novalidate><div class="clearfix"></div>
                <div class="comment-form-input-wrap td-form-comment">
                    <textarea placeholder="Bình luận:" id="comment" name="comment" cols="45" rows="8" aria-required="true"></textarea>
                    <div class="td-warning-comment">Please enter your comment!</div>
                </div><div class="comment-form-input-wrap td-form-author">
                        <input class="" id="author" name="author" placeholder="Tên:*" type="text" value="" size="30"  aria-required='true' />
                        <div class="td-warning-author">Please enter your name here</div>
                     </div>
<div class="comment-form-input-wrap td-form-email">
                        <input class="" id="email" name="email" placeholder="Email:*" type="text" value="" size="30"  aria-required='true' />
                        <div class="td-warning-email-error">You have entered an incorrect email address!</div>
                        <div class="td-warning-email">Please enter your email address here</div>
                     </div>
<div class="comment-form-input-wrap td-form-url">
                        <input class="" id="url" name="url" placeholder="Website:" type="text" value="" size="30" />
                     </div>
<p class="comment-form-cookies-consent"><input id="wp-comment-cookies-consent" name="wp-comment-cookies-consent" type="checkbox" value="yes" /><label for="wp-comment-cookies-consent">Lưu tên của tôi, email, và trang web trong trình duyệt này cho lần bình luận kế tiếp của tôi.</label></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Gửi bình luận" /> <input type='hidden' name='comment_post_ID' value='{a.post_id}' id='comment_post_ID' />
<input type='hidden' name='comment_parent' id='comment_parent' value='0' />
</p></form>    </div><!-- #respond -->
        </div> <!-- /.content -->"""


def _article_ld(c: _Ctx, a: Article, text_words: int) -> dict:
    url = c.art(a)
    login, name = _account(c.site, a)
    person_id = f"{c.base}/#/schema/person/{hashlib.md5(login.encode()).hexdigest()}"
    cat_name = c.site.categories.get(a.category, a.category)
    graph: list[dict] = [
        {
            "@type": "Article",
            "@id": f"{url}#article",
            "isPartOf": {"@id": url},
            "author": {"name": name, "@id": person_id},
            "headline": a.title,
            "datePublished": utc_iso(_dt(a)),
            "dateModified": utc_iso(_mod(a)),
            "mainEntityOfPage": {"@id": url},
            "wordCount": text_words,
            "commentCount": 0,
            "publisher": {"@id": f"{c.base}/#organization"},
            "keywords": a.tags,
            "articleSection": [cat_name],
            "inLanguage": "vi",
            "potentialAction": [
                {"@type": "CommentAction", "name": "Comment", "target": [f"{url}#respond"]}
            ],
        },
        {
            "@type": "WebPage",
            "@id": url,
            "url": url,
            "name": f"{a.title} - QBTV",
            "isPartOf": {"@id": f"{c.base}/#website"},
            "datePublished": utc_iso(_dt(a)),
            "dateModified": utc_iso(_mod(a)),
            "breadcrumb": {"@id": f"{url}#breadcrumb"},
            "inLanguage": "vi",
            "potentialAction": [{"@type": "ReadAction", "target": [url]}],
        },
        {
            "@type": "BreadcrumbList",
            "@id": f"{url}#breadcrumb",
            "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": "Trang chủ", "item": f"{c.base}/"},
                {"@type": "ListItem", "position": 2, "name": a.title},
            ],
        },
        {
            "@type": "WebSite",
            "@id": f"{c.base}/#website",
            "url": f"{c.base}/",
            "name": "QBTV",
            "description": c.site.description,
            "publisher": {"@id": f"{c.base}/#organization"},
            "inLanguage": "vi",
        },
        {
            "@type": "Organization",
            "@id": f"{c.base}/#organization",
            "name": c.site.description,
            "url": f"{c.base}/",
            "logo": {"@type": "ImageObject", "url": c.url(LOGO), "caption": "QBTV"},
        },
        {"@type": "Person", "@id": person_id, "name": name, "url": c.author(login)},
    ]
    if a.images:
        image_url = c.url(a.images[0].src)
        graph[0]["image"] = {"@id": f"{url}#primaryimage"}
        graph[0]["thumbnailUrl"] = image_url
        graph[1]["primaryImageOfPage"] = {"@id": f"{url}#primaryimage"}
        graph[1]["image"] = {"@id": f"{url}#primaryimage"}
        graph[1]["thumbnailUrl"] = image_url
        graph.insert(
            2,
            {
                "@type": "ImageObject",
                "inLanguage": "vi",
                "@id": f"{url}#primaryimage",
                "url": image_url,
                "contentUrl": image_url,
                "width": 800,
                "height": 533,
            },
        )
    return {"@context": "https://schema.org", "@graph": graph}


def article_page(c: _Ctx, a: Article) -> Resource:
    url = c.art(a)
    login, name = _account(c.site, a)
    cat_name = c.site.categories.get(a.category, a.category)
    content = content_html(c, a)
    words = word_count(text_of(content))
    description = c.summary(a)
    og_image = ""
    if a.images:
        og_image = (
            f'<meta property="og:image" content="{c.url(a.images[0].src)}" />\n'
            '<meta property="og:image:width" content="800" />\n'
            '<meta property="og:image:height" content="533" />\n'
            '<meta property="og:image:type" content="image/jpeg" />\n'
        )
    seo = _seo(c, title=a.title, url=url, description=description, og_type="article")
    seo += (
        '<meta property="article:publisher" content="https://www.facebook.com/qbtv.vn" />\n'
        f'<meta property="article:published_time" content="{utc_iso(_dt(a))}" />\n'
        f'<meta property="article:modified_time" content="{utc_iso(_mod(a))}" />\n'
        f'<meta property="article:section" content="{esc(cat_name)}" />\n'
        + og_image
        + f'<meta name="author" content="{esc(name)}" />\n'
        '<meta name="twitter:card" content="summary_large_image" />\n'
        '<meta name="twitter:label1" content="Được viết bởi" />\n'
        f'<meta name="twitter:data1" content="{esc(name)}" />\n'
    )
    head = _head(c, title=f"{a.title} - QBTV", seo=seo, ld_json=_article_ld(c, a, words))
    tag_classes = " ".join(f"tag-{slugify(t)}" for t in a.tags)
    tags_html = "".join(f'<li><a href="{c.tag(t)}">{esc(t)}</a></li>' for t in a.tags)
    source_tags = (
        '<div class="td-post-source-tags"><ul class="td-tags td-post-small-box clearfix">'
        f"<li><span>TAGS</span></li>{tags_html}</ul></div>"
        if a.tags
        else ""
    )
    main = f"""
<div class="td-main-content-wrap td-container-wrap">
    <div class="td-container td-post-template-default ">
        <div class="td-crumb-container"><div class="entry-crumbs"><span><a title="" class="entry-crumb" href="{c.base}/">Trang chủ</a></span> <i class="td-icon-right td-bread-sep"></i> <span><a title="Xem tất cả các bài viết trong {esc(cat_name)}" class="entry-crumb" href="{c.cat(a.category)}">{esc(cat_name)}</a></span> <i class="td-icon-right td-bread-sep td-bred-no-url-last"></i> <span class="td-bred-no-url-last">{esc(a.title)}</span></div></div>
        <div class="td-pb-row">
            <div class="td-pb-span8 td-main-content" role="main">
                <div class="td-ss-main-content">
<article id="post-{a.post_id}" class="post-{a.post_id} post type-post status-publish format-standard has-post-thumbnail category-{a.category} {tag_classes}" itemscope itemtype="https://schema.org/Article">
    <div class="td-post-header">
        <ul class="td-category"><li class="entry-category"><a  href="{c.cat(a.category)}">{esc(cat_name)}</a></li></ul>
        <header class="td-post-title">
            <h1 class="entry-title">{esc(a.title)}</h1>
            <div class="td-module-meta-info">
                <div class="td-post-author-name"><div class="td-author-by">Bởi</div> <a href="{c.author(login)}">{esc(name)}</a><div class="td-author-line"> - </div> </div>
                <span class="td-post-date"><time class="entry-date updated td-module-date" datetime="{a.published}" >{_visible_date(_dt(a))}</time></span>
                <div class="td-post-comments"><a href="{url}#respond"><i class="td-icon-comments"></i>0</a></div>
                <div class="td-post-views"><i class="td-icon-views"></i><span class="td-nr-views-{a.post_id}">{a.views}</span></div>
            </div>
        </header>
    </div>

    <div class="td-post-sharing-top">{_sharing(c, a, "top")}</div>

    <div class="td-post-content tagdiv-type">
{content}
    </div>

    <footer>
        {source_tags}
        <div class="td-post-sharing-bottom"><div class="td-post-sharing-classic"><iframe title="bottomFacebookLike" frameBorder="0" src="https://www.facebook.com/plugins/like.php?href={url}&amp;layout=button_count&amp;show_faces=false&amp;width=105&amp;action=like&amp;colorscheme=light&amp;height=21" style="border:none; overflow:hidden; width:105px; height:21px; background-color:transparent;"></iframe></div>{_sharing(c, a, "bottom")}</div>
        {_next_prev(c, a)}
        {_author_box(c, a)}
        <span class="td-page-meta" itemprop="author" itemscope itemtype="https://schema.org/Person"><meta itemprop="name" content="{esc(name)}"><meta itemprop="url" content="{c.author(login)}"></span><meta itemprop="datePublished" content="{a.published}"><meta itemprop="dateModified" content="{(a.modified or a.published)}"><meta itemscope itemprop="mainEntityOfPage" itemType="https://schema.org/WebPage" itemid="{url}"/><meta itemprop="headline " content="{esc(a.title)}">
    </footer>
</article> <!-- /.post -->

{_related(a)}
{_comments(c, a)}
                </div>
            </div>
{_sidebar(c)}
        </div> <!-- /.td-pb-row -->
    </div> <!-- /.td-container -->
</div> <!-- /.td-main-content-wrap -->
"""
    body_class = (
        f"post-template-default single single-post postid-{a.post_id} single-format-standard "
        "td-standard-pack global-block-template-1 td-full-layout"
    )
    html_text = _frame(
        c, head=head, body_class=body_class, home=False, current=a.category, main=main
    )
    return page(html_text, last_modified=_mod(a))


# --- archives and home -------------------------------------------------------------------------


def _page_nav(base_url: str, page_no: int, pages: int) -> str:
    if pages <= 1:
        return ""

    def link(n: int) -> str:
        return base_url if n == 1 else f"{base_url}page/{n}/"

    parts = []
    if page_no > 1:
        parts.append(f'<a href="{link(page_no - 1)}"><i class="td-icon-menu-left"></i></a>')
    for n in range(1, pages + 1):
        if n == page_no:
            parts.append(f'<span class="current">{n}</span>')
        else:
            cls = "last" if n == pages and n > page_no + 1 else "page"
            parts.append(f'<a href="{link(n)}" class="{cls}" title="{n}">{n}</a>')
    if page_no < pages:
        parts.append(f'<a href="{link(page_no + 1)}"><i class="td-icon-menu-right"></i></a>')
    parts.append(f'<span class="pages">Trang {page_no} của {pages}</span>')
    return f'<div class="page-nav td-pb-padding-side">{"".join(parts)}<div class="clearfix"></div></div>'


def _archive_pages(
    c: _Ctx,
    *,
    base_url: str,
    label: str,
    articles: list[Article],
    body_class: str,
    current: str | None,
    crumb: str,
) -> dict[str, Resource]:
    pages = max(1, math.ceil(len(articles) / PER_PAGE))
    out: dict[str, Resource] = {}
    for page_no in range(1, pages + 1):
        chunk = articles[(page_no - 1) * PER_PAGE : page_no * PER_PAGE]
        url = base_url if page_no == 1 else f"{base_url}page/{page_no}/"
        title = label if page_no == 1 else f"{label} - Trang {page_no} trên {pages}"
        rel = ""
        if page_no > 1:
            prev = base_url if page_no == 2 else f"{base_url}page/{page_no - 1}/"
            rel += f'<link rel="prev" href="{prev}" />\n'
        if page_no < pages:
            rel += f'<link rel="next" href="{base_url}page/{page_no + 1}/" />\n'
        seo = _seo(
            c,
            title=f"{title} - QBTV",
            url=url,
            description=f"{label} - {c.site.description}",
            og_type="article",
            extra=rel,
        )
        head = _head(c, title=f"{title} - QBTV", seo=seo, ld_json=None)
        modules = "".join(_module(c, a, 10, excerpt_words=25) for a in chunk)
        main = f"""
<div class="td-category-header td-container-wrap">
    <div class="td-container">
        <div class="td-pb-row"><div class="td-pb-span12">
            <div class="td-crumb-container"><div class="entry-crumbs"><span><a title="" class="entry-crumb" href="{c.base}/">Trang chủ</a></span> <i class="td-icon-right td-bread-sep td-bred-no-url-last"></i> <span class="td-bred-no-url-last">{esc(crumb)}</span></div></div>
            <h1 class="entry-title td-page-title">{esc(label)}</h1>
        </div></div>
    </div>
</div>
<div class="td-main-content-wrap td-container-wrap">
    <div class="td-container">
        <div class="td-pb-row">
            <div class="td-pb-span8 td-main-content">
                <div class="td-ss-main-content">
                    <div class="clearfix"></div>
{modules}
                    {_page_nav(base_url, page_no, pages)}
                </div>
            </div>
{_sidebar(c)}
        </div> <!-- /.td-pb-row -->
    </div> <!-- /.td-container -->
</div> <!-- /.td-main-content-wrap -->
"""
        cls = body_class + (f" paged paged-{page_no}" if page_no > 1 else "")
        newest = max((_mod(a) for a in chunk), default=None)
        out[url[len(c.base) :]] = page(
            _frame(c, head=head, body_class=cls, home=False, current=current, main=main),
            last_modified=newest,
        )
    return out


def _home(c: _Ctx) -> Resource:
    latest = c.site.newest_first()
    grid = latest[:3]
    more = latest[3:7]
    big = "".join(
        f"""<div class="td_module_mx{5 if i == 0 else 6} td-animation-stack td-big-grid-post-{i} td-big-grid-post td-{"big" if i == 0 else "small"}-thumb">
            {_module_thumb(c, a, "696x464" if i == 0 else "300x200")}
            <div class="td-meta-info-container"><div class="td-meta-align"><div class="td-big-grid-meta">
                <a href="{c.cat(a.category)}" class="td-post-category">{esc(c.site.categories[a.category])}</a>
                <h3 class="entry-title td-module-title"><a href="{c.art(a)}" rel="bookmark" title="{esc(a.title)}">{esc(a.title)}</a></h3>
            </div></div></div>
        </div>"""
        for i, a in enumerate(grid)
    )
    news = "".join(
        _module(c, a, 2 if i == 0 else 6, excerpt_words=25 if i == 0 else 0)
        for i, a in enumerate(more)
    )
    blocks = []
    for slug, name in c.site.categories.items():
        mods = "".join(_module(c, a, 6) for a in c.site.in_category(slug)[:3])
        blocks.append(
            f"""<div class="td_block_wrap td_block_1 td-pb-border-top td_block_template_1 td-column-2"><div class="td-block-title-wrap"><h4 class="block-title td-block-title"><a href="{c.cat(slug)}" class="td-pulldown-size">{esc(name)}</a></h4></div><div class="td_block_inner">{mods}</div></div>"""
        )
    description = c.site.description
    seo = _seo(
        c,
        title=f"QBTV - {description}",
        url=f"{c.base}/",
        description=description,
        og_type="website",
    )
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "CollectionPage",
                "@id": f"{c.base}/",
                "url": f"{c.base}/",
                "name": f"QBTV - {description}",
                "isPartOf": {"@id": f"{c.base}/#website"},
                "inLanguage": "vi",
            },
            {
                "@type": "WebSite",
                "@id": f"{c.base}/#website",
                "url": f"{c.base}/",
                "name": "QBTV",
                "description": description,
                "inLanguage": "vi",
            },
        ],
    }
    head = _head(c, title=f"QBTV - {description}", seo=seo, ld_json=ld)
    main = f"""
<div class="td-main-content-wrap td-main-page-wrap td-container-wrap">
    <div class="tdc-content-wrap">
        <div class="td-container">
            <div class="td_block_wrap td_block_big_grid_3 td-grid-style-1 td-hover-1 td-pb-border-top td_block_template_1"><div class="td_block_inner"><div class="td-big-grid-wrapper">{big}</div><div class="clearfix"></div></div></div>
            <div class="td-pb-row">
                <div class="td-pb-span8 td-main-content">
                    <div class="td_block_wrap td_block_2 td-pb-border-top td_block_template_1"><div class="td-block-title-wrap"><h4 class="block-title td-block-title"><span class="td-pulldown-size">Tin mới nhất</span></h4></div><div class="td_block_inner">{news}</div></div>
                    {"".join(blocks)}
                </div>
{_sidebar(c)}
            </div>
        </div>
    </div>
</div>
"""
    newest = max((_mod(a) for a in latest), default=None)
    return page(
        _frame(
            c,
            head=head,
            body_class="home blog td-standard-pack global-block-template-1 td-full-layout",
            home=True,
            current="home",
            main=main,
        ),
        last_modified=newest,
    )


def _not_found(c: _Ctx) -> Resource:
    seo = '<meta name="robots" content="noindex, follow" />\n'
    head = _head(c, title="Không tìm thấy trang - QBTV", seo=seo, ld_json=None)
    main = f"""
<div class="td-main-content-wrap td-container-wrap">
    <div class="td-container">
        <div class="td-pb-row"><div class="td-pb-span12 td-main-content"><div class="td-ss-main-content">
            <div class="td-404-title">Ối! Lỗi 404</div>
            <div class="td-404-sub-title">Xin lỗi, nhưng trang bạn đang tìm kiếm không tồn tại.</div>
            <div class="td-404-sub-sub-title">Bạn có thể quay lại <a href="{c.base}/">Trang chủ</a></div>
        </div></div></div>
    </div>
</div>
"""
    return page(
        _frame(c, head=head, body_class="error404", home=False, current=None, main=main),
        status=404,
    )


# --- feed, sitemaps, robots --------------------------------------------------------------------


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _feed(c: _Ctx) -> Resource:
    items = []
    latest = c.site.newest_first()[:10]
    for a in latest:
        _, name = _account(c.site, a)
        cats = [c.site.categories.get(a.category, a.category), *a.tags]
        cat_xml = "".join(f"\n\t\t<category>{_cdata(x)}</category>" for x in cats)
        summary = excerpt(text_of(fill(a.paragraphs[0], c.base)), 55, " [&#8230;]")
        items.append(
            f"""	<item>
		<title>{esc(a.title)}</title>
		<link>{c.art(a)}</link>
		<comments>{c.art(a)}#respond</comments>
		<dc:creator>{_cdata(name)}</dc:creator>
		<pubDate>{rfc822(_dt(a), utc=True)}</pubDate>{cat_xml}
		<guid isPermaLink="false">{c.base}/?p={a.post_id}</guid>
		<description>{_cdata(summary)}</description>
		<content:encoded>{_cdata(content_html(c, a))}</content:encoded>
		<slash:comments>0</slash:comments>
	</item>"""
        )
    newest = max((_mod(a) for a in latest), default=None)
    build = rfc822(newest, utc=True) if newest else ""
    xml = f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	xmlns:slash="http://purl.org/rss/1.0/modules/slash/"
	>

<channel>
	<title>QBTV</title>
	<atom:link href="{c.base}/feed/" rel="self" type="application/rss+xml" />
	<link>{c.base}</link>
	<description>{esc(c.site.description)}</description>
	<lastBuildDate>{build}</lastBuildDate>
	<language>vi</language>
	<sy:updatePeriod>
	hourly	</sy:updatePeriod>
	<sy:updateFrequency>
	1	</sy:updateFrequency>
	<generator>https://wordpress.org/?v={WP_VER}</generator>
{chr(10).join(items)}
	</channel>
</rss>
"""
    return Resource(xml.encode("utf-8"), RSS, last_modified=newest)


def _xml(text: str, last_modified: datetime | None = None) -> Resource:
    return Resource(text.encode("utf-8"), XML, last_modified=last_modified)


def _sitemaps(c: _Ctx) -> dict[str, Resource]:
    newest = max((_mod(a) for a in c.site.articles), default=None)
    index = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{c.base}/wp-sitemap-posts-post-1.xml</loc></sitemap>"
        f"<sitemap><loc>{c.base}/wp-sitemap-taxonomies-category-1.xml</loc></sitemap>"
        "</sitemapindex>\n"
    )
    posts = "".join(
        f"<url><loc>{c.art(a)}</loc><lastmod>{utc_iso(_mod(a))}</lastmod></url>"
        for a in c.site.newest_first()
    )
    cats = "".join(f"<url><loc>{c.cat(slug)}</loc></url>" for slug in c.site.categories)
    urlset = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    return {
        "/wp-sitemap.xml": _xml(index, newest),
        "/wp-sitemap-posts-post-1.xml": _xml(
            f'<?xml version="1.0" encoding="UTF-8"?>\n{urlset}{posts}</urlset>\n', newest
        ),
        "/wp-sitemap-taxonomies-category-1.xml": _xml(
            f'<?xml version="1.0" encoding="UTF-8"?>\n{urlset}{cats}</urlset>\n', newest
        ),
    }


def _robots(c: _Ctx) -> Resource:
    text = (
        "User-agent: *\n"
        "Disallow: /wp-admin/\n"
        "Allow: /wp-admin/admin-ajax.php\n"
        "\n"
        f"Sitemap: {c.base}/wp-sitemap.xml\n"
    )
    return Resource(text.encode("utf-8"), TEXT)


def _assets(c: _Ctx) -> dict[str, Resource]:
    fixed = datetime(2024, 1, 15, 8, 0, tzinfo=ICT)
    out = {
        STYLE: Resource(
            b"/* Newspaper theme (replica stub) */\nbody{margin:0}\n", CSS, last_modified=fixed
        ),
        JQUERY: Resource(b"/*! jQuery (replica stub) */\n", JS, last_modified=fixed),
        THEME_JS: Resource(b"/* tagdiv theme (replica stub) */\n", JS, last_modified=fixed),
        LOGO: Resource(png_placeholder(272, 90, (13, 94, 166)), PNG, last_modified=fixed),
        ICON: Resource(png_placeholder(32, 32, (13, 94, 166)), PNG, last_modified=fixed),
    }
    for a in c.site.articles:
        for img in a.images:
            for path in (img.src, *(image_variant(img.src, s) for s in SIZES)):
                out[path] = Resource(JPEG_PLACEHOLDER, JPEG, last_modified=_dt(a))
    return out


# --- entry point -------------------------------------------------------------------------------


def render(site: Site, base_url: str) -> dict[str, Resource]:
    """Every page of the site, keyed by path (plus query), with ``base_url`` substituted."""
    c = _Ctx(site, base_url)
    out: dict[str, Resource] = {"/": _home(c)}
    pack = "td-standard-pack global-block-template-1"
    archives = [
        (c.cat(slug), name, site.in_category(slug), f"category category-{slug}", slug, name)
        for slug, name in site.categories.items()
    ]
    archives += [
        (c.tag(tag), tag, site.with_tag(tag), f"tag tag-{slugify(tag)}", None, f"Thẻ: {tag}")
        for tag in site.all_tags()
    ]
    archives += [
        (
            c.author(login),
            name,
            site.newest_first([a for a in site.articles if _account(site, a)[0] == login]),
            f"author author-{login}",
            None,
            f"Tác giả: {name}",
        )
        for login, name in site.accounts.items()
    ]
    for base, label, articles, kind, current, crumb in archives:
        out.update(
            _archive_pages(
                c,
                base_url=base,
                label=label,
                articles=articles,
                body_class=f"archive {kind} {pack}",
                current=current,
                crumb=crumb,
            )
        )
    for a in site.articles:
        out[site.path_of(a)] = article_page(c, a)
    out["/feed/"] = _feed(c)
    out.update(_sitemaps(c))
    out["/robots.txt"] = _robots(c)
    out.update(_assets(c))
    out[NOT_FOUND] = _not_found(c)
    return out
