"""The Polish catalog is complete, compiled without GNU gettext, and used by the pages.

When one of these fails, the workflow (extract → translate → compile → test) is at the top of
src/frontoffice/i18n.py.
"""

from __future__ import annotations

import gettext
import io
import shutil

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from frontoffice import i18n
from frontoffice.core import presets

PL_PO = i18n.LOCALE_DIR / "pl" / "LC_MESSAGES" / "django.po"
PL_MO = i18n.mo_path(PL_PO)
HOW = "see the workflow at the top of src/frontoffice/i18n.py"


@pytest.fixture(scope="module")
def pl_catalog():
    return i18n.read_catalog(PL_PO)


def test_every_entry_is_translated_and_not_fuzzy(pl_catalog):
    report = i18n.inspect(PL_PO, pl_catalog)
    assert report.entries > 0
    assert report.complete, f"{report.summary()} ({HOW}):\n" + "\n".join(report.lines())


def test_committed_mo_matches_the_po(pl_catalog):
    assert PL_MO.exists(), f"{PL_MO} is missing: run python -m frontoffice.i18n compile"
    committed = i18n.mo_entries(PL_MO.read_bytes())
    fresh = i18n.mo_entries(i18n.compile_catalog(pl_catalog))
    stale = sorted(repr(key) for key in committed.keys() ^ fresh.keys())
    changed = sorted(repr(key) for key in committed.keys() & fresh.keys() if committed[key] != fresh[key])
    assert committed == fresh, (
        f"django.mo is out of date with django.po: run python -m frontoffice.i18n compile\n"
        f"added/removed: {stale[:20]}\nchanged: {changed[:20]}"
    )


def test_plural_rule_is_the_polish_three_form_rule():
    translations = gettext.GNUTranslations(io.BytesIO(PL_MO.read_bytes()))
    # 1 plik · 2/3/4 pliki · 0/5/11/12/13/14/21/25 plików · 22/104 pliki · 112/114 plików
    numbers = (1, 2, 3, 4, 0, 5, 11, 12, 13, 14, 21, 25, 22, 104, 112, 114)
    assert [translations.plural(n) for n in numbers] == [0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 2, 2]


@pytest.mark.skipif(any(shutil.which(tool) is None for tool in i18n.GETTEXT_TOOLS),
                    reason="extracting strings needs GNU gettext (xgettext, msgmerge, msguniq): not on PATH")
def test_every_source_string_is_in_the_catalog(pl_catalog, tmp_path):
    extracted = i18n.catalog_keys(i18n.extract_source_strings(tmp_path))
    assert extracted, "extraction found no strings at all"
    missing = sorted(extracted - i18n.catalog_keys(pl_catalog), key=lambda key: (key[0] or "", key[1]))
    assert not missing, (
        f"{len(missing)} source strings are not in locale/pl/LC_MESSAGES/django.po: run "
        f"python -m frontoffice.i18n extract, translate, compile ({HOW}):\n"
        + "\n".join(f"  [{ctx}] {msgid!r}" if ctx else f"  {msgid!r}" for ctx, msgid in missing[:50])
    )


@pytest.mark.parametrize(("vertical", "one", "many"), [
    (presets.MEDICAL, "pacjent", "pacjenci"),
    (presets.EDUCATION, "uczeń", "uczniowie"),
    (presets.LEGAL, "klient", "klienci"),
    (presets.SMALL_BUSINESS, "klient", "klienci"),
    (presets.GENERAL, "klient", "klienci"),
])
def test_vertical_terms_are_translated_in_their_context(vertical, one, many):
    terms = presets.VERTICALS[vertical].terms
    with translation.override("pl"):
        assert (str(terms.client), str(terms.clients)) == (one, many)
        template = Template("{{ terms.client }} · {{ terms.clients|capfirst }}")
        rendered = template.render(Context({"terms": terms}))
        assert rendered == f"{one} · {many.capitalize()}"
    with translation.override("en"):
        assert str(terms.client) in {"patient", "student", "client", "customer"}


def test_signed_in_page_renders_in_polish_with_the_language_cookie(owner, signed_in):
    client = signed_in(owner)
    client.cookies["frontoffice_language"] = "pl"
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="pl">' in page
    assert "Wyloguj" in page and "Sign out" not in page
    assert "Szukaj… (naciśnij /)" in page
    assert "Dzisiaj" in page  # the page title and the first navigation entry

    client.cookies["frontoffice_language"] = "en"
    assert "Sign out" in client.get(reverse("core:dashboard")).content.decode()


def test_compile_and_check_commands(tmp_path, capsys):
    """The tool itself, on a throwaway catalog: pgettext keys, fuzzy and empty entries, exit codes."""
    messages = tmp_path / "pl" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    header = PL_PO.read_text(encoding="utf-8").split("\n\n", 1)[0]
    po = messages / "django.po"
    po.write_text(header + '\n\nmsgid "Save"\nmsgstr "Zapisz"\n\n'
                  'msgctxt "medical"\nmsgid "patient"\nmsgstr "pacjent"\n\n'
                  '#, python-format\nmsgid "%(n)s file"\nmsgid_plural "%(n)s files"\n'
                  'msgstr[0] "%(n)s plik"\nmsgstr[1] "%(n)s pliki"\nmsgstr[2] "%(n)s plików"\n\n'
                  '#, fuzzy\nmsgid "Cancel"\nmsgstr "Anuluj"\n\nmsgid "Remove"\nmsgstr ""\n',
                  encoding="utf-8")

    assert i18n.compile_all(locale_dir=tmp_path) == 0  # incomplete is a warning...
    assert i18n.compile_all(locale_dir=tmp_path, strict=True) == 1  # ...and an error when strict
    assert i18n.check_all(locale_dir=tmp_path) == 1
    err = capsys.readouterr().err
    assert 'fuzzy: "Cancel"' in err and 'untranslated: "Remove"' in err

    translations = gettext.GNUTranslations(io.BytesIO(i18n.mo_path(po).read_bytes()))
    assert translations.pgettext("medical", "patient") == "pacjent"
    assert translations._catalog["medical\x04patient"] == "pacjent"  # the key Django looks up
    assert [translations.ngettext("%(n)s file", "%(n)s files", n) for n in (1, 3, 5, 22)] == [
        "%(n)s plik", "%(n)s pliki", "%(n)s plików", "%(n)s pliki"]
    assert translations.gettext("Cancel") == "Cancel" and translations.gettext("Remove") == "Remove"

    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace("#, fuzzy\n", "").replace('"Remove"\nmsgstr ""', '"Remove"\nmsgstr "Usuń"'),
                  encoding="utf-8")
    assert i18n.check_all(locale_dir=tmp_path) == 1  # complete now, but the .mo is stale
    assert "out of date" in capsys.readouterr().err
    assert i18n.compile_all(locale_dir=tmp_path, strict=True) == 0
    assert i18n.check_all(locale_dir=tmp_path) == 0, capsys.readouterr().err

    po.write_text(po.read_text(encoding="utf-8").replace('"%(n)s pliki"', '"%(count)s pliki"'),
                  encoding="utf-8")
    assert i18n.check_all(locale_dir=tmp_path) == 1  # a placeholder that is not in the msgid
    assert "error:" in capsys.readouterr().err

    po.write_text(po.read_text(encoding="utf-8").replace('"%(count)s pliki"', '"%(n)s pliki"')
                  + '\n#, python-format\nmsgid "Hello %(name)s"\nmsgstr "Dzień dobry"\n', encoding="utf-8")
    assert i18n.check_all(locale_dir=tmp_path) == 1  # a placeholder left out: msgfmt -c refuses it too
    assert "lacks %(name)s" in capsys.readouterr().err
