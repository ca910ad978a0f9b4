"""The search module: the same answers on both engines, best matches first, stable pages."""

import pytest

from frontoffice.clients import queries, search, services
from frontoffice.clients.validation import ClientInput
from frontoffice.core.text import fold, terms
from tests.clients.factories import make_client


def ids(page):
    return [c.pk for c in page.items]


@pytest.mark.parametrize("text, folded", [
    ("Żółw", "zolw"), ("ŁÓDŹ", "lodz"), ("  Anna   Maria  ", "anna maria"), ("Müller-Lüdenscheidt", "muller-ludenscheidt"),
    ("Gęślą jaźń", "gesla jazn"), ("", ""),
])
def test_fold_strips_case_and_diacritics(text, folded):
    assert fold(text) == folded


def test_terms_are_folded_and_unique():
    assert terms("Łódź łódź Kraków") == ["lodz", "krakow"]


def test_name_prefix_ranks_before_word_prefix_before_substring(owner):
    org = owner.organization
    substring = make_client(owner, first_name="Zenon", last_name="Nowakowski")     # "owak" inside
    word = make_client(owner, first_name="Owen", last_name="Zabłocki")            # a word starts with "owe"
    prefix = make_client(owner, first_name="Adam", last_name="Owczarek")          # surname starts with "ow"
    assert ids(queries.client_search(org, "ow")) == [prefix.pk, word.pk]         # 2 letters: no substring bucket
    make_client(owner, first_name="Ala", last_name="Kot")
    result = ids(queries.client_search(org, "owa"))
    assert result == [substring.pk]
    assert ids(queries.client_search(org, "zablocki owen")) == [word.pk]


def test_exact_contact_and_identifier_come_first(owner):
    org = owner.organization
    named = make_client(owner, first_name="Ewa", last_name="Kowalczyk")
    by_mail = make_client(owner, first_name="Piotr", last_name="Zieliński", emails=["kowal@example.com"])
    by_pesel = make_client(owner, first_name="Marta", last_name="Lis", identifiers={"pesel": "44051401359"})
    assert ids(queries.client_search(org, "kowal@example.com"))[0] == by_mail.pk
    assert ids(queries.client_search(org, "44051401359")) == [by_pesel.pk]
    assert named.pk in ids(queries.client_search(org, "kowal"))


@pytest.mark.parametrize("typed", ["600 100 200", "+48600100200", "600-100-200", "0048 600 100 200", "100200",
                                   "(+48) 600 100 200"])
def test_phone_in_any_format(owner, typed):
    client = make_client(owner, phones=["+48 600 100 200"])
    make_client(owner, first_name="Other", last_name="Person", phones=["601 100 201"])
    assert ids(queries.client_search(owner.organization, typed)) == [client.pk]


def test_pages_cover_every_match_once_in_order(owner):
    created = [make_client(owner, first_name=f"Jan{i:02d}", last_name="Nowak") for i in range(23)]
    created += [make_client(owner, first_name="Nowak", last_name=f"Zet{i}") for i in range(5)]      # word bucket
    created += [make_client(owner, first_name="Ola", last_name=f"Grynowakówna{i}") for i in range(4)]  # substring
    seen, cursor = [], None
    while True:
        page = queries.client_search(owner.organization, "nowak", cursor=cursor, limit=7)
        seen += ids(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(c.pk for c in created)
    assert len(seen) == len(set(seen))
    first_page = ids(queries.client_search(owner.organization, "nowak", limit=20))
    assert set(first_page[:20]) <= {c.pk for c in created[:23]}


def test_search_is_scoped_to_the_organisation(owner, other_owner):
    make_client(other_owner, first_name="Anna", last_name="Żółwińska", phones=["600 200 300"])
    assert ids(queries.client_search(owner.organization, "zolwinska")) == []
    assert ids(queries.client_search(owner.organization, "600200300")) == []


def test_update_reindexes_and_archive_hides(owner):
    client = make_client(owner, first_name="Jan", last_name="Kowalski")
    services.client_update(actor=owner, client=client, data=ClientInput(first_name="Jan", last_name="Wiśniewski"))
    org = owner.organization
    assert ids(queries.client_search(org, "kowalski")) == []
    assert ids(queries.client_search(org, "wisniewski")) == [client.pk]
    services.client_archive(actor=owner, client=client)
    assert ids(queries.client_search(org, "wisniewski")) == []
    assert ids(queries.client_search(org, "wisniewski", archived=True)) == [client.pk]


def test_merged_and_erased_records_leave_the_search(owner):
    kept = make_client(owner, first_name="Jan", last_name="Kowalski", phones=["600100200"])
    merged = make_client(owner, first_name="Janek", last_name="Kowalski", phones=["600100201"])
    erased = make_client(owner, first_name="Zofia", last_name="Kowalska")
    services.client_merge(actor=owner, kept=kept, merged=merged)
    services.client_erase(actor=owner, client=erased)
    assert ids(queries.client_search(owner.organization, "kowal", archived=None)) == [kept.pk]
    assert ids(queries.client_search(owner.organization, "600100201")) == [kept.pk]  # the phone moved


def test_quotes_and_operators_in_queries_are_harmless(owner):
    make_client(owner, first_name="Anna", last_name="O'Brien")
    for q in ['"', "a\"b", "NEAR(", "*", "AND OR NOT", "brien'; drop", "%", "_", "\\"]:
        queries.client_search(owner.organization, q)  # never an SQL or FTS syntax error
    assert len(ids(queries.client_search(owner.organization, "o'brien"))) == 1


def test_by_phone_is_exact_and_stays_in_the_organisation(owner, other_owner):
    client = make_client(owner, phones=["+48600100200"])
    theirs = make_client(other_owner, phones=["+48600100200"])
    assert list(search.by_phone(owner.organization, "+48600100200")) == [client]
    assert list(search.by_phone(other_owner.organization, "+48600100200")) == [theirs]
    assert list(search.by_phone(owner.organization, "+48600100201")) == []


def test_rebuild_restores_the_index(owner):
    client = make_client(owner, first_name="Łucja", last_name="Ćwik")
    assert search.rebuild(owner.organization) == 1
    assert ids(queries.client_search(owner.organization, "cwik lucja")) == [client.pk]


@pytest.mark.parametrize("q", ["@", "@@", "a@", "-", "+", ".", "a.b", "x-", "--a", "a+b", "ab@cd", "1-2-3", "ż@ó"])
def test_punctuation_queries_do_not_fail(owner, q):
    make_client(owner, first_name="Anna", last_name="Nowak", emails=["anna@example.com"])
    queries.client_search(owner.organization, q)


def _all_pages(org, q, limit):
    seen, cursor = [], None
    while True:
        page = queries.client_search(org, q, cursor=cursor, limit=limit)
        seen += ids(page)
        cursor = page.next_cursor
        if cursor is None:
            return seen


@pytest.mark.parametrize("sort_at_most, window", [(-1, 10_000), (-1, 2)])
def test_walking_the_sort_index_gives_the_same_pages(owner, monkeypatch, sort_at_most, window):
    """Big buckets are walked in sort order instead of sorted (and, past the window, sorted after all):
    the same rows in the same order, page after page."""
    for i, (first, last) in enumerate([("Jan", "Nowak"), ("Anna", "Nowak"), ("Nowak", "Zet"), ("Ola", "Grynowak"),
                                       ("Anna", "Kowalska-Nowak"), ("Adam", "Abacki"), ("Anna", "Zielińska"),
                                       ("Nowakowski", "Anna"), ("Ewa", "Bnowak"), ("Anna", "Nowicka")] * 2):
        make_client(owner, first_name=first, last_name=last, phones=[f"600 100 {200 + i}"],
                    emails=[f"{first.lower()}.{i}@example.com"])
    org = owner.organization
    wanted = {q: _all_pages(org, q, limit=3) for q in ("nowak", "anna n", "owak", "anna", "zi", "600 10", "xample")}
    monkeypatch.setattr(search, "SORT_AT_MOST", sort_at_most)
    monkeypatch.setattr(search, "WALK_WINDOW", window)
    assert {q: _all_pages(org, q, limit=3) for q in wanted} == wanted
    assert all(wanted.values())


def test_erasing_a_client_also_erases_records_merged_into_it_and_blocks_undo(owner):
    from frontoffice.core.errors import Conflict

    kept = make_client(owner, first_name="Jan", last_name="Kowalski")
    merged = make_client(owner, first_name="Janek", last_name="Kowalskyy", date_of_birth="1980-01-02",
                         notes="allergic to penicillin")
    merge = services.client_merge(actor=owner, kept=kept, merged=merged)
    services.client_erase(actor=owner, client=kept)
    merged.refresh_from_db()
    merge.refresh_from_db()
    assert merged.erased_at and merged.first_name == "" and merged.notes == "" and merged.date_of_birth is None
    assert merge.kept_before == {}
    with pytest.raises(Conflict):
        services.merge_undo(actor=owner, merge=merge)


def test_undo_keeps_corrections_made_after_the_merge(owner):
    kept = make_client(owner, first_name="Jan", last_name="Kowalski")
    merged = make_client(owner, first_name="Jan", last_name="Kowalski", date_of_birth="1980-01-02",
                         phones=["600100200"])
    merge = services.client_merge(actor=owner, kept=kept, merged=merged)
    kept.refresh_from_db()
    assert kept.date_of_birth.isoformat() == "1980-01-02"
    services.client_update(actor=owner, client=kept, data=ClientInput(first_name="Jan", last_name="Kowalski-Nowak",
                                                                      date_of_birth="1980-01-02"))
    services.merge_undo(actor=owner, merge=merge)
    kept.refresh_from_db()
    assert kept.last_name == "Kowalski-Nowak"      # corrected after the merge: stays
    assert kept.date_of_birth is None                # filled by the merge and untouched since: taken back


def test_first_name_then_surname_ranks_right_after_the_sort_name(owner):
    """"piotr k": the name read "first last" starts with it — before names where the words only start
    inner words ("Adamczyk-Piotrowska Krystyna"), which come before mere substrings."""
    org = owner.organization
    inner = make_client(owner, first_name="Krystyna", last_name="Adamczyk-Piotrowska")
    substring = make_client(owner, first_name="Karol", last_name="Szpiotrowski")
    later = make_client(owner, first_name="Piotr", last_name="Kwiatkowski")
    sooner = make_client(owner, first_name="Piotr", last_name="Kaczmarek")
    surname = make_client(owner, first_name="Kamil", last_name="Piotr")  # sort name "piotr kamil"
    make_client(owner, first_name="Piotr", last_name="Nowak")
    assert ids(queries.client_search(org, "piotr k")) == [surname.pk, sooner.pk, later.pk, inner.pk, substring.pk]
    assert ids(queries.client_search(org, "otrows")) == [inner.pk, substring.pk]
    assert _all_pages(org, "piotr k", limit=1) == [surname.pk, sooner.pk, later.pk, inner.pk, substring.pk]


def test_short_words_must_start_a_word_in_the_substring_bucket(owner):
    """A 1–2 letter word beside a longer one starts a word of the text (an index can check that): "nowak xq"
    finds "xq…" e-mails of Grynowaks, not "…xq…" inside a word."""
    org = owner.organization
    starts = make_client(owner, first_name="Zenon", last_name="Grynowak", emails=["xqz@example.com"])
    make_client(owner, first_name="Anna", last_name="Grynowak", emails=["axqz@example.com"])
    assert ids(queries.client_search(org, "nowak xq")) == [starts.pk]
    assert ids(queries.client_search(org, "nowak zq")) == []


@pytest.mark.parametrize("typed", ["600 1", "600-10", "(+48) 600 1", "0048 600 10"])
def test_a_phone_typed_in_groups_is_one_run_of_digits(owner, typed):
    org = owner.organization
    client = make_client(owner, first_name="Ewa", last_name="Lis", phones=["600 100 200"])
    make_client(owner, first_name="Olga", last_name="Lis", phones=["600 222 333"], emails=["o1@example.com"])
    make_client(owner, first_name="Iga", last_name="Lis", phones=["511 600 222"], identifiers={"pesel": "44051401359"})
    assert ids(queries.client_search(org, typed)) == [client.pk]


def test_a_page_loads_clients_and_their_contacts_in_few_statements(owner, django_assert_max_num_queries):
    org = owner.organization
    for i in range(3):
        make_client(owner, first_name=f"Jan{i}", last_name="Nowak", phones=[f"600 100 20{i}"],
                    emails=[f"jan{i}@example.com"])
    with django_assert_max_num_queries(5):  # exact contacts, name prefix (a full page), clients, phones, e-mails
        page = queries.client_search(org, "nowak", limit=2)
    with django_assert_max_num_queries(0):
        contacts = [(c.phones.all()[0].number, c.emails.all()[0].email) for c in page.items]
    assert contacts == [(f"+4860010020{i}", f"jan{i}@example.com") for i in range(2)]
    assert all(c.phones.all()[0].client is c for c in page.items)
