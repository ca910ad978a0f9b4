"""Translations: extract → translate → compile → test, with no GNU gettext needed to install or test.

The catalogs live in ``src/frontoffice/locale/<lang>/LC_MESSAGES/django.po`` (``LOCALE_PATHS``). Each
``django.mo`` next to its ``.po`` is compiled by this module with Babel and **committed**, so an install
needs nothing beyond the Python dependencies. GNU gettext (``xgettext``, ``msgmerge``, ``msguniq``) is
only needed on a developer's machine, for step 1.

When you add or change a user-visible string
--------------------------------------------

1. **Extract** the strings into the catalog (needs GNU gettext; updates the ``.po``)::

       .venv/bin/python -m frontoffice.i18n extract     # or: make messages (extract + compile)

   ``extract`` runs Django's ``makemessages -l pl --no-obsolete --no-location`` from
   ``src/frontoffice``, ignoring ``*/tests/*`` and any ``*/locale`` folder inside an app (makemessages
   would otherwise write that app's strings into a second catalog there; ``check`` reports such a
   catalog), with a throw-away ``FRONTOFFICE_DATA_DIR`` unless one is set. New strings arrive with an
   empty ``msgstr``; changed strings may arrive marked ``#, fuzzy`` with a guessed translation.

2. **Translate** every empty ``msgstr`` in ``locale/pl/LC_MESSAGES/django.po``, and for each
   ``#, fuzzy`` entry check the guess, fix it and delete the ``fuzzy`` flag (keep ``python-format``).
   Conventions of the Polish catalog:

   - imperative second person for actions and buttons ("Zapisz", "Anuluj", "Wyloguj", "Szukaj…");
     impersonal or noun forms elsewhere, so no sentence depends on the reader's gender
     ("Zapisano.", "Nie możesz…", not "Zapisałeś"); "Twój/Twoja" capitalised when addressing the user;
   - activity verbs as nouns ("dodanie działu"), capabilities as gerunds ("Dodawanie…");
   - terms: organisation = organizacja, site = lokalizacja, department = dział, member/staff =
     pracownik/pracownicy, closure = okres zamknięcia, two-factor sign-in = logowanie dwuetapowe,
     token = token API; Polish quotation marks „…”;
   - keep every placeholder (``%(name)s``; ``{{ name }}`` in ``blocktranslate`` becomes
     ``%(name)s``) and every HTML tag exactly; names of people and organisations are never inflected,
     so write "w organizacji %(org)s", not "w %(org)s";
   - ``pgettext`` contexts (``msgctxt``) are separate entries: the vertical terms in
     ``core/presets.py`` ("medical" → pacjent/pacjenci, "education" → uczeń/uczniowie, "legal",
     "general", "small_business" → klient/klienci) and "person" ("Name" of a person = "Imię i
     nazwisko"). If one English msgid needs two Polish translations, give the source a context
     (``pgettext_lazy("ctx", …)`` / ``{% translate "…" context "ctx" %}``);
   - plurals (``ngettext``/``{% blocktranslate count %}``) need all three Polish forms, in the
     order of the header ``Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 &&
     (n%100<10 || n%100>=20) ? 1 : 2);`` — 1 plik / 2, 22 pliki / 5, 12, 14 plików.

3. **Compile** the ``.mo`` files (pure Python, Babel)::

       .venv/bin/python -m frontoffice.i18n compile      # --strict: exit 1 if anything is missing

   Untranslated and fuzzy entries are left out of the ``.mo`` (the page falls back to English) and
   listed on stderr. Commit the ``.po`` and the ``.mo`` together.

4. **Test**::

       .venv/bin/python -m frontoffice.i18n check        # exit 1 on untranslated/fuzzy/stale .mo
       .venv/bin/pytest tests/test_i18n.py -q

   ``check`` also runs Babel's placeholder checks and reports a ``.po`` left outside ``locale/``.
   The tests prove the catalog is complete, that the committed ``.mo`` matches the ``.po``, that every
   string in the source is in the catalog (skipped where ``xgettext`` is not installed) and that a
   page renders in Polish.
"""

from __future__ import annotations

import argparse
import contextlib
import gettext
import io
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PACKAGE_DIR = Path(__file__).resolve().parent
LOCALE_DIR = PACKAGE_DIR / "locale"
DOMAIN = "django"

# Languages we ship, and the plural rule each catalog's header must carry. Django's own Polish
# catalog uses a four-form rule (the fourth for fractions), which makemessages copies into a new
# catalog; ours is the three-form rule of the GNU gettext manual: 1 plik, 2-4/22-24 pliki, else plików
# (12-14 plików). Django keeps a separate plural function per catalog, so the two do not clash.
LANGUAGES = ("pl",)
PLURAL_FORMS = {
    "pl": "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
}

# What makemessages is given, both by `extract` and by the test that compares source and catalog.
MAKEMESSAGES_OPTIONS = {
    "no_obsolete": True,
    "no_location": True,
    "ignore_patterns": ["*/tests/*", "*/locale"],
}
# Files the "django" domain extracts from (makemessages' defaults: templates and Python).
SOURCE_SUFFIXES = (".py", ".html", ".txt")

GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq")
PROG = "python -m frontoffice.i18n"


class I18nError(Exception):
    pass


# --- reading and compiling ------------------------------------------------------------------


def po_files(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Every catalog under ``locale_dir``: ``<lang>/LC_MESSAGES/*.po``."""
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def mo_path(po: Path) -> Path:
    return po.with_suffix(".mo")


def language_of(po: Path) -> str:
    return po.parent.parent.name


def read_catalog(po: Path) -> Catalog:
    with po.open("rb") as handle:
        try:
            return read_po(handle, locale=language_of(po), domain=po.stem, abort_invalid=True)
        except Exception as exc:  # babel raises PoFileError (and ValueError for a bad header)
            raise I18nError(f"{po}: cannot be read: {exc}") from exc


def compile_catalog(catalog: Catalog) -> bytes:
    """The .mo bytes for ``catalog``; fuzzy and untranslated entries are left out."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def mo_entries(data: bytes) -> dict:
    """What gettext (and so Django) will look up in a compiled catalog: ``{key: translation}``.

    Keys are ``msgid``, ``"context\\x04msgid"`` for pgettext, ``(msgid, n)`` for plural forms.
    The header entry is replaced by its one meaningful field, ``("", "plural-forms")``.
    """
    translations = gettext.GNUTranslations(io.BytesIO(data))
    entries = dict(translations._catalog)  # the dict Django's TranslationCatalog reads
    entries.pop("", None)
    entries[("", "plural-forms")] = " ".join(translations._info.get("plural-forms", "").split())
    return entries


def _label(message: Message) -> str:
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    text = msgid if len(msgid) <= 70 else msgid[:67] + "..."
    text = text.replace("\n", "\\n")
    return f'[{message.context}] "{text}"' if message.context else f'"{text}"'


def _untranslated(message: Message) -> bool:
    if isinstance(message.string, (list, tuple)):
        return not all(message.string)
    return not message.string


@dataclass
class Report:
    po: Path
    untranslated: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # placeholders, plural forms, header
    entries: int = 0

    @property
    def complete(self) -> bool:
        return not (self.untranslated or self.fuzzy or self.errors)

    def lines(self) -> list[str]:
        out = [f"  untranslated: {item}" for item in self.untranslated]
        out += [f"  fuzzy: {item}" for item in self.fuzzy]
        out += [f"  error: {item}" for item in self.errors]
        return out

    def summary(self) -> str:
        return (f"{_relative(self.po)}: {self.entries} entries, {len(self.untranslated)} untranslated, "
                f"{len(self.fuzzy)} fuzzy, {len(self.errors)} errors")


def inspect(po: Path, catalog: Catalog | None = None) -> Report:
    """Untranslated and fuzzy entries, placeholder mismatches and a wrong header of one catalog."""
    catalog = catalog or read_catalog(po)
    report = Report(po)
    language = language_of(po)
    if catalog.fuzzy:
        report.errors.append('the header entry (msgid "") is marked fuzzy; delete "#, fuzzy" above it')
    expected = PLURAL_FORMS.get(language)
    if expected and _normal(catalog.plural_forms) != _normal(expected):
        report.errors.append(f"Plural-Forms is {catalog.plural_forms!r}; it must be {expected!r}")
    for message in catalog:
        if not message.id:
            continue
        report.entries += 1
        if message.fuzzy:
            report.fuzzy.append(_label(message))
        elif _untranslated(message):
            report.untranslated.append(_label(message))
        elif message.pluralizable and len(message.string) != catalog.num_plurals:
            report.errors.append(f"{_label(message)}: {len(message.string)} plural forms, "
                                 f"the header says {catalog.num_plurals}")
    for message, errors in catalog.check():  # babel's checkers: python-format placeholders, plurals
        if message.fuzzy or _untranslated(message):
            continue
        report.errors.extend(f"{_label(message)}: {error}" for error in errors)
    for message in catalog:
        # Babel accepts a translation that leaves a named placeholder out; msgfmt --check-format (and so
        # Django's compilemessages) does not, so neither do we.
        if (message.id and not message.pluralizable and "python-format" in message.flags
                and not message.fuzzy and message.string):
            lost = set(_NAMED.findall(message.id)) - set(_NAMED.findall(message.string))
            if lost:
                missing = ", ".join(f"%({name})s" for name in sorted(lost))
                report.errors.append(f"{_label(message)}: the translation lacks {missing}")
    return report


_NAMED = re.compile(r"%\(([^)]+)\)")


def _normal(plural_forms: str) -> str:
    return "".join(plural_forms.split()).rstrip(";")


def is_up_to_date(po: Path, catalog: Catalog | None = None) -> bool:
    """Does the committed .mo hold exactly what compiling the .po gives now?"""
    mo = mo_path(po)
    if not mo.exists():
        return False
    catalog = catalog or read_catalog(po)
    try:
        return mo_entries(mo.read_bytes()) == mo_entries(compile_catalog(catalog))
    except OSError:  # gettext raises OSError for a file that is not a .mo
        return False


def stray_catalogs(package_dir: Path = PACKAGE_DIR, locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Catalogs in an app's own ``locale`` folder: Django would load them, we do not maintain them."""
    return sorted(p for p in package_dir.glob("**/locale/*/LC_MESSAGES/*.po")
                  if locale_dir not in p.parents)


def _relative(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.relative_to(PACKAGE_DIR.parent.parent))
    return str(path)


# --- commands -------------------------------------------------------------------------------


def compile_all(*, strict: bool = False, locale_dir: Path = LOCALE_DIR, out=None, err=None) -> int:
    """Write ``django.mo`` next to every ``django.po``; 0, or 1 when strict and something is missing."""
    out, err = out or sys.stdout, err or sys.stderr
    pos = po_files(locale_dir)
    if not pos:
        print(f"no catalogs under {locale_dir}", file=err)
        return 1
    incomplete = False
    for po in pos:
        catalog = read_catalog(po)
        report = inspect(po, catalog)
        mo = mo_path(po)
        data = compile_catalog(catalog)
        if mo.exists() and is_up_to_date(po, catalog):
            state = "up to date"
        else:
            temporary = mo.with_suffix(".mo.tmp")
            temporary.write_bytes(data)
            os.replace(temporary, mo)
            state = "written"
        print(f"{_relative(mo)}: {state} ({report.entries - len(report.untranslated) - len(report.fuzzy)}"
              f"/{report.entries} translated)", file=out)
        if not report.complete:
            incomplete = True
            print(f"{report.summary()} — left out of the .mo, shown in English:", file=err)
            for line in report.lines():
                print(line, file=err)
    if incomplete and strict:
        print("compile --strict: translate the entries above (see the top of frontoffice/i18n.py)", file=err)
        return 1
    return 0


def check_all(*, locale_dir: Path = LOCALE_DIR, out=None, err=None) -> int:
    """Report every problem; 0 when all catalogs are complete and every .mo is up to date."""
    out, err = out or sys.stdout, err or sys.stderr
    pos = po_files(locale_dir)
    failed = False
    if not pos:
        print(f"no catalogs under {locale_dir}", file=err)
        return 1
    for language in LANGUAGES:
        if not (locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po").exists():
            failed = True
            print(f"missing catalog: {language}/LC_MESSAGES/{DOMAIN}.po (run: {PROG} extract)",
                  file=err)
    for po in pos:
        catalog = read_catalog(po)
        report = inspect(po, catalog)
        print(report.summary(), file=out if report.complete else err)
        for line in report.lines():
            print(line, file=err)
        mo = mo_path(po)
        if not mo.exists():
            print(f"{_relative(mo)}: missing (run: {PROG} compile)", file=err)
        elif not is_up_to_date(po, catalog):
            print(f"{_relative(mo)}: out of date with its .po (run: {PROG} compile)", file=err)
        else:
            print(f"{_relative(mo)}: up to date", file=out)
        failed = failed or not report.complete or not is_up_to_date(po, catalog)
    if locale_dir == LOCALE_DIR:
        for po in stray_catalogs():
            failed = True
            print(f"{_relative(po)}: a catalog outside {_relative(LOCALE_DIR)}; move its entries into the "
                  f"main catalog and delete that locale folder", file=err)
    if failed:
        print("check: FAILED (the workflow is at the top of src/frontoffice/i18n.py)", file=err)
        return 1
    print("check: OK", file=out)
    return 0


def _require_gettext() -> None:
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing:
        raise I18nError(f"extracting strings needs GNU gettext ({', '.join(missing)} not found on PATH); "
                        f"install the 'gettext' package. Compiling and checking do not need it.")


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontoffice.settings")
    if "FRONTOFFICE_DATA_DIR" not in os.environ:  # settings create the data folder; keep it out of the tree
        os.environ["FRONTOFFICE_DATA_DIR"] = tempfile.mkdtemp(prefix="frontoffice-i18n-")
    import django

    django.setup()


def extract(languages: tuple[str, ...] = LANGUAGES, *, verbosity: int = 1) -> None:
    """Update ``locale/<lang>/LC_MESSAGES/django.po`` from the source (GNU gettext required)."""
    _require_gettext()
    _setup_django()
    from django.core.management import call_command

    with contextlib.chdir(PACKAGE_DIR):
        call_command("makemessages", locale=list(languages), verbosity=verbosity, **MAKEMESSAGES_OPTIONS)


def extract_source_strings(workdir: Path, language: str = "pl") -> Catalog:
    """Run Django's extraction over a copy of the source in ``workdir``; the real catalog is untouched.

    Used by the tests to find strings the catalog lacks. Needs GNU gettext and configured settings.
    """
    _require_gettext()
    from django.core.management import call_command
    from django.test import override_settings

    source = workdir / "frontoffice"
    for path in PACKAGE_DIR.rglob("*"):
        relative = path.relative_to(PACKAGE_DIR)
        if (path.is_file() and path.suffix in SOURCE_SUFFIXES
                and not {"locale", "tests", "__pycache__"} & set(relative.parts[:-1])):
            target = source / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    locale = source / "locale"
    locale.mkdir()
    with override_settings(LOCALE_PATHS=[locale]), contextlib.chdir(source):
        call_command("makemessages", locale=[language], verbosity=0, **MAKEMESSAGES_OPTIONS)
    return read_catalog(locale / language / "LC_MESSAGES" / f"{DOMAIN}.po")


def catalog_keys(catalog: Catalog) -> set[tuple[str | None, str]]:
    """``(context, msgid)`` of every entry (the singular msgid for plurals)."""
    keys = set()
    for message in catalog:
        if message.id:
            msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
            keys.add((message.context, msgid))
    return keys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    compile_parser = commands.add_parser("compile", help="compile locale/*/LC_MESSAGES/*.po to .mo (Babel)")
    compile_parser.add_argument("--strict", action="store_true",
                                help="exit 1 if any entry is untranslated or fuzzy")
    commands.add_parser("check", help="report untranslated/fuzzy entries and stale .mo files; exit 1 on any")
    commands.add_parser("extract", help="update the .po files from the source (needs GNU gettext)")
    args = parser.parse_args(argv)
    try:
        if args.command == "compile":
            return compile_all(strict=args.strict)
        if args.command == "check":
            return check_all()
        extract()
        print(f"extracted; now translate the empty and fuzzy entries, then: {PROG} compile")
        return 0
    except I18nError as exc:
        print(f"frontoffice.i18n: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
