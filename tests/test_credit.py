import pytest

from newscrawl.extract.credit import normalize_credit


@pytest.mark.parametrize(
    ("credit", "outlet"),
    [
        ("QBTV.vn", "QBTV"),  # "Nguồn: QBTV.vn", the QBTV sample
        ("qbtv.vn", "QBTV"),
        ("Đài PT-TH Quảng Bình", "QBTV"),
        ("Đài PTTH Quảng Bình", "QBTV"),
        ("TTXVN", "TTXVN"),  # "Theo TTXVN"
        ("TTXVN/Vietnam+", "TTXVN"),  # "(TTXVN/Vietnam+)" closing vietnamplus items
        ("Thông tấn xã Việt Nam", "TTXVN"),
        ("báo lao động", "Lao Động"),  # "CÔNG SÁNG (báo lao động)", vn-press §3.2
        ("Báo Lao Động", "Lao Động"),
        ("Báo Quảng Trị", "Báo Quảng Trị"),
        ("Báo và Phát thanh, Truyền hình Quảng Trị", "Báo Quảng Trị"),  # the merged outlet
        ("Báo Nghệ An điện tử", "Báo Nghệ An"),
        ("baohatinh.vn", "Báo Hà Tĩnh"),
        ("Cổng TTĐT Chính phủ", "Báo Chính phủ"),
        ("VOV.VN", "VOV"),
        ("Sở Y tế Hà Tĩnh", "Sở Y tế Hà Tĩnh"),  # unknown: as written
        (None, None),
    ],
)
def test_normalize_credit(credit, outlet):
    assert normalize_credit(credit) == outlet
