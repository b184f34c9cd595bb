"""Paging: how many pages a list has and whether a next page can be reached."""
from pricewatch.services.queries import MAX_OFFSET, Page


def test_a_capped_list_stops_paging_at_the_deepest_offset():
    page = Page(rows=[], page=MAX_OFFSET // 50 + 1, page_size=50, total=25_000)
    assert page.pages == MAX_OFFSET // 50 + 1 and not page.has_next and page.has_prev


def test_an_uncapped_list_pages_to_its_last_row():
    assert Page(rows=[], page=400, page_size=50, total=25_001, max_offset=None).has_next
    last = Page(rows=[], page=501, page_size=50, total=25_001, max_offset=None)
    assert last.pages == 501 and not last.has_next


def test_an_empty_list_has_one_page_and_no_neighbours():
    page = Page(rows=[], page=1, page_size=50, total=0, max_offset=None)
    assert page.pages == 1 and not page.has_next and not page.has_prev
