from frontoffice.clients import queries
from tests.clients.factories import make_client


def test_search_folds_diacritics_and_finds_phone_formats(owner):
    zolw = make_client(owner, first_name="Żaneta", last_name="Żółw", phones=["600 100 200"])
    lodz = make_client(owner, kind="organization", first_name="", last_name="", organization_name="Łódź Print")
    make_client(owner, first_name="Adam", last_name="Nowak")
    org = owner.organization
    assert [c.pk for c in queries.client_search(org, "zolw").items] == [zolw.pk]
    assert [c.pk for c in queries.client_search(org, "lodz").items] == [lodz.pk]
    for q in ["600 100 200", "+48600100200", "600-100-200", "100200"]:
        assert [c.pk for c in queries.client_search(org, q).items] == [zolw.pk], q
    assert [c.pk for c in queries.client_search(org, "aneta zol").items] == [zolw.pk]
