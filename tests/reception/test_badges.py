"""Badges and the roll call read back from the PDF: page sizes, text with Polish letters, the QR code."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from frontoffice.core.errors import Conflict
from frontoffice.reception import badges, queries
from frontoffice.reception.models import Evacuation, EvacuationMark, Visit
from tests.core.factories import DepartmentFactory, SiteFactory, UserFactory
from tests.reception.factories import VisitFactory

MM = 72 / 25.4  # PDF points per millimetre
ARRIVED = datetime(2026, 1, 5, 13, 7, tzinfo=UTC)  # 14:07 in Warsaw
NAME = "Żółć Łukasz-Gęślą"
COMPANY = "Źródło Wąchock sp. z o.o."


def _text(page) -> str:
    return " ".join(page.extract_text().split())


def _pages(content: bytes):
    assert content.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(content)).pages


@pytest.fixture
def site(org):
    return org.sites.get()


@pytest.fixture
def host(make_member, org):
    return make_member(org, user=UserFactory(full_name="Michał Wąsik-Ćwikła"))


@pytest.fixture
def visit(site, host):
    return VisitFactory(site=site, host_member=host, visitor_name=NAME, visitor_company=COMPANY,
                        visit_type="patient", status=Visit.ARRIVED, arrived_at=ARRIVED, badge_number="17",
                        code="7K3M9QX2TZ")


def _decoder():
    try:
        import zxingcpp
    except ImportError:
        return None
    return lambda image: [r.text for r in zxingcpp.read_barcodes(image)]


# --- the badge ------------------------------------------------------------------------------------

def test_label_badge_is_one_page_of_62_by_100_mm(visit):
    pages = _pages(badges.badge_pdf(visit))
    assert len(pages) == 1
    box = pages[0].mediabox
    assert float(box.width) == pytest.approx(62 * MM, abs=0.01)
    assert float(box.height) == pytest.approx(100 * MM, abs=0.01)


def test_badge_text_reads_back_with_polish_letters(visit, site):
    text = _text(_pages(badges.badge_pdf(visit))[0])
    for expected in (NAME, COMPANY, "Michał Wąsik-Ćwikła", "17", "7K3M9QX2TZ", site.name, "PATIENT",
                     "January 5, 2026"):
        assert expected in text


def test_badge_is_in_the_organisations_language(visit, org):
    org.language = "pl"
    org.save()
    text = _text(_pages(badges.badge_pdf(visit))[0])
    assert "5 stycznia 2026" in text
    assert NAME in text


def test_badge_date_is_the_local_date_of_the_site(visit):
    visit.arrived_at = datetime(2026, 1, 5, 23, 30, tzinfo=UTC)  # already the 6th in Warsaw
    assert "January 6, 2026" in _text(_pages(badges.badge_pdf(visit))[0])


def test_expected_visit_gets_a_badge_dated_for_its_day_without_a_number(site):
    visit = VisitFactory(site=site, visitor_name="Anna Kowalska",
                         expected_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    text = _text(_pages(badges.badge_pdf(visit))[0])
    assert "March 2, 2026" in text
    assert "BADGE" not in text


def test_department_host_is_printed(site):
    department = DepartmentFactory(organization=site.organization, name="Rejestracja główna")
    visit = VisitFactory(site=site, host_member=None, host_department=department, status=Visit.ARRIVED,
                         arrived_at=ARRIVED, badge_number="3")
    assert "Rejestracja główna" in _text(_pages(badges.badge_pdf(visit))[0])


def test_a4_badge_is_one_a4_page_with_the_badge_once(visit):
    pages = _pages(badges.badge_pdf(visit, size="a4"))
    assert len(pages) == 1
    box = pages[0].mediabox
    assert float(box.width) == pytest.approx(210 * MM, abs=0.01)
    assert float(box.height) == pytest.approx(297 * MM, abs=0.01)
    text = _text(pages[0])
    assert text.count(NAME) == 1
    assert "7K3M9QX2TZ" in text
    assert "Cut along the dashed line." in text


@pytest.mark.parametrize("size", ["label", "a4"])
def test_badge_qr_code_holds_the_visit_code(visit, size):
    images = _pages(badges.badge_pdf(visit, size=size))[0].images
    assert len(images) == 1
    decode = _decoder()
    if decode is None:
        pytest.skip("no QR decoder installed (zxing-cpp): the image is there, its content unchecked")
    assert decode(images[0].image) == ["7K3M9QX2TZ"]


def test_long_name_shrinks_and_stays_on_one_page(site, host):
    name = "Maria Magdalena Aleksandra Konstancja Wierzbicka-Szczęsnowska-Przybyłowicz"
    visit = VisitFactory(site=site, host_member=host, visitor_name=name, visitor_company="Ż" * 120,
                         status=Visit.ARRIVED, arrived_at=ARRIVED, badge_number="128")
    pages = _pages(badges.badge_pdf(visit))
    assert len(pages) == 1
    text = _text(pages[0]).replace("- ", "-")  # broken after a hyphen, the way it has to be
    assert "Wierzbicka-Szczęsnowska-Przybyłowicz" in text
    assert "7K3M9QX2TZ" not in text and visit.code in text  # the QR block is still there
    _assert_inside(pages[0])


def test_unbreakable_name_is_cut_rather_than_overflowing(site, host):
    visit = VisitFactory(site=site, host_member=host, visitor_name="Ł" * 200, status=Visit.ARRIVED,
                         arrived_at=ARRIVED, badge_number="1")
    pages = _pages(badges.badge_pdf(visit))
    assert len(pages) == 1
    assert "…" in _text(pages[0])
    _assert_inside(pages[0])


def test_fitted_lines_never_exceed_the_width():
    pdf = badges._new_pdf((62, 100))
    for text in ("Jo", "Żółć Łukasz-Gęślą", "Ą" * 300, "Bartłomiej " * 30):
        size, lines = badges._fit(pdf, text, 53, style="B", tiers=((26, 14, 2), (13.5, 9, 3)))
        assert 9 <= size <= 26 and 1 <= len(lines) <= 3
        pdf.set_font(badges.FONT, "B", size)
        assert all(pdf.get_string_width(line) <= 53 for line in lines)


def _assert_inside(page) -> None:
    """Every text run starts inside the page (a run pushed off the edge would start past it)."""
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    starts = []
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: starts.append((text, tm[4], tm[5]))
                      if text.strip() else None)
    assert starts
    for text, x, y in starts:
        assert 0 <= x < width and 0 <= y < height, text


@pytest.mark.parametrize("status", [Visit.CANCELLED, Visit.NO_SHOW, Visit.LEFT])
def test_no_badge_for_a_visit_that_is_over(visit, status):
    visit.status = status
    with pytest.raises(Conflict):
        badges.badge_pdf(visit)


def test_no_badge_while_a_watchlist_match_waits_for_a_manager(visit):
    visit.status, visit.held_at = Visit.EXPECTED, ARRIVED
    with pytest.raises(Conflict, match="manager"):
        badges.badge_pdf(visit)


def test_unknown_size_is_refused(visit):
    with pytest.raises(ValueError):
        badges.badge_pdf(visit, size="letter")


def test_unknown_visit_type_still_prints(visit):
    visit.visit_type = "plumber_on_call"
    assert "PLUMBER ON CALL" in _text(_pages(badges.badge_pdf(visit))[0])


def test_badge_renders_to_an_image_whose_qr_scans(visit, tmp_path):
    """The real check of what prints: rasterised by poppler as a printer would, then scanned."""
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    pdf = tmp_path / "badge.pdf"
    pdf.write_bytes(badges.badge_pdf(visit))
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-singlefile", str(pdf), str(tmp_path / "badge")],
                   check=True)
    from PIL import Image

    image = Image.open(tmp_path / "badge.png")
    assert image.size in ((244, 394), (245, 394))  # 62 × 100 mm at 100 dpi
    decode = _decoder()
    if decode is not None:
        assert decode(image) == ["7K3M9QX2TZ"]


# --- the roll call --------------------------------------------------------------------------------

def _on_site(site, host, count):
    return [VisitFactory(site=site, host_member=host, visitor_name=f"Gość {n:02d} Żądło",
                         visitor_company="Łąka", status=Visit.ARRIVED, badge_number=str(n),
                         arrived_at=ARRIVED + timedelta(minutes=n)) for n in range(1, count + 1)]


def test_roll_call_is_a4_titled_with_site_and_local_time(org, site, host):
    pages = _pages(badges.roll_call_pdf(org, site, _on_site(site, host, 3), ARRIVED + timedelta(hours=1)))
    assert len(pages) == 1
    assert float(pages[0].mediabox.width) == pytest.approx(210 * MM, abs=0.01)
    assert float(pages[0].mediabox.height) == pytest.approx(297 * MM, abs=0.01)
    text = _text(pages[0])
    assert f"Roll call — {site.name} — January 5, 2026, 3:07 PM" in text
    for expected in ("Gość 01 Żądło", "Łąka", "Michał Wąsik-Ćwikła", "2:08 PM", "☐", "Total on site: 3",
                     "Page 1 of 1"):
        assert expected in text


def test_roll_call_of_sixty_spans_pages_with_headings_on_each(org, site, host):
    visits = _on_site(site, host, 60)
    pages = _pages(badges.roll_call_pdf(org, site, visits, ARRIVED + timedelta(hours=2)))
    assert len(pages) >= 2
    texts = [_text(page) for page in pages]
    for number, text in enumerate(texts, 1):
        assert re.search(r"No\. Name Company Host Arrived Badge Found", text), number
        assert f"Page {number} of {len(pages)}" in text
    assert "Total on site: 60" in texts[-1]
    everyone = " ".join(texts)
    assert all(f"Gość {n:02d} Żądło" in everyone for n in range(1, 61))
    assert everyone.count("☐") == 60


def test_roll_call_sorts_by_name(org, site, host):
    visits = [VisitFactory(site=site, host_member=host, visitor_name=name, status=Visit.ARRIVED,
                           arrived_at=ARRIVED) for name in ("Zenon Zając", "Łucja Łoś", "Adam Abacki")]
    text = _text(_pages(badges.roll_call_pdf(org, site, visits, ARRIVED))[0])
    assert text.index("Adam Abacki") < text.index("Łucja Łoś") < text.index("Zenon Zając")


def test_roll_call_in_an_evacuation_shows_who_is_safe(org, site, host, manager):
    visits = _on_site(site, host, 3)
    evacuation = Evacuation.objects.create(organization=org, site=site, started_by=manager,
                                           started_at=ARRIVED + timedelta(hours=1))
    EvacuationMark.objects.create(evacuation=evacuation, visit=visits[1], marked_by=manager,
                                  marked_at=ARRIVED + timedelta(hours=1, minutes=4))
    text = _text(_pages(badges.roll_call_pdf(org, site, visits, ARRIVED + timedelta(hours=1, minutes=5),
                                             evacuation=evacuation))[0])
    assert "☑ safe 3:11 PM" in text
    assert text.count("☐") == 2
    assert "Evacuation started at 3:07 PM; 1 of 3 marked safe so far." in text
    assert "Total on site: 3 · marked safe: 1" in text


def test_roll_call_from_the_on_site_query_needs_no_more_queries(org, site, host, manager,
                                                                django_assert_num_queries):
    _on_site(site, host, 2)
    evacuation = Evacuation.objects.create(organization=org, site=site, started_by=manager,
                                           started_at=ARRIVED)
    EvacuationMark.objects.create(evacuation=evacuation, visit=Visit.objects.order_by("pk").first(),
                                  marked_by=manager, marked_at=ARRIVED + timedelta(minutes=2))
    board = queries.on_site(org, site=site)
    with django_assert_num_queries(0):
        content = badges.roll_call_pdf(org, site, board.visits, ARRIVED, evacuation=board.evacuation)
    assert "☑ safe 2:09 PM" in _text(_pages(content)[0])


def test_roll_call_of_all_sites_names_each_site(org, site, host):
    annex = SiteFactory(organization=org, name="Filia Łódź")
    visits = _on_site(site, host, 1) + [VisitFactory(site=annex, host_member=host, visitor_name="Ewa Nowak",
                                                     status=Visit.ARRIVED, arrived_at=ARRIVED)]
    text = _text(_pages(badges.roll_call_pdf(org, None, visits, ARRIVED))[0])
    assert "Roll call — all sites —" in text
    assert "Site" in text and "Filia Łódź" in text and site.name in text


def test_roll_call_says_when_nobody_is_there(org, site):
    text = _text(_pages(badges.roll_call_pdf(org, site, [], ARRIVED))[0])
    assert "Nobody is on site." in text and "Total on site: 0" in text


def test_roll_call_marks_a_visitor_still_there_from_yesterday(org, site, host):
    visit = VisitFactory(site=site, host_member=host, visitor_name="Nocny Marek", status=Visit.ARRIVED,
                         arrived_at=ARRIVED - timedelta(days=1))
    text = _text(_pages(badges.roll_call_pdf(org, site, [visit], ARRIVED))[0])
    assert "1/4/26 2:07 PM" in text


def test_roll_call_in_polish(org, site, host):
    org.language = "pl"
    org.save()
    text = _text(_pages(badges.roll_call_pdf(org, site, _on_site(site, host, 1), ARRIVED))[0])
    assert "5 stycznia 2026, 14:07" in text and "Gość 01 Żądło" in text
