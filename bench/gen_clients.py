"""Generate a large, realistic client database for the search benchmarks — fast, without the ORM.

One big organisation (default 1,000,000 clients) and a second, smaller one (default 50,000) so
every query has to keep to its organisation. Polish and English people with their diacritics
(~300 surnames × ~200 first names, picked with a Zipf-like skew so "Nowak" and "Anna" are common and
"Ó Súilleabháin" is rare; Polish -ski/-cki surnames take the feminine form for women; a few
double-barrelled names), ~4 % organisations, 1–2 valid Polish mobile numbers each (E.164,
unique-ish: a few collide, as shared family numbers do), e-mails for ~60 %, a valid PESEL (check
digit, birth date and sex consistent) for ~30 %, a patient number for some, tags for a few, ~2 %
archived, ~0.2 % merged into another record.

``sort_name`` and ``search_text`` are computed by ``clients.search.texts_for`` itself, on lightweight
objects, so the rows are exactly what the services would have stored.

Loading: a fresh database made by the migrations; the secondary indexes are dropped and re-created
afterwards from their own stored definitions (SQLite: ``sqlite_master.sql``, PostgreSQL:
``pg_indexes.indexdef``), so the schema is exactly the migrations'. SQLite: ``executemany`` in big
transactions with load PRAGMAs, then the FTS5 tables filled in bulk with ``INSERT … SELECT`` (the
same rows ``search.index`` writes). PostgreSQL: ``COPY`` (psycopg 3), FK triggers off during the
load. ``ANALYZE`` (PostgreSQL: ``VACUUM ANALYZE``) at the end.

    python bench/gen_clients.py --engine sqlite   --clients 1000000   # fresh temp data folder; prints it
    python bench/gen_clients.py --engine postgres --clients 1000000   # fresh database bench_search
    python bench/gen_clients.py --engine sqlite --clients 1000 --data-dir /tmp/x   # into a folder you name

Not a benchmark itself (run.py only runs ``bench_*.py``); ``bench_client_search.py`` imports it.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from bisect import bisect
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
from harness import cli, log  # noqa: E402

PG_ADMIN = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "bench_search"
SEED = 1_000_003
CHUNK = 50_000

# --- names ------------------------------------------------------------------------------------
# Roughly in order of real frequency: the order feeds the Zipf-like weights below.
# Polish surnames in their masculine form; -ski/-cki/-dzki take -ska/-cka/-dzka for women.
SURNAMES_PL = """
Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański Woźniak Dąbrowski
Kozłowski Jankowski Mazur Wojciechowski Kwiatkowski Krawczyk Kaczmarek Piotrowski Grabowski Zając Pawłowski
Michalski Król Wieczorek Jabłoński Wróbel Nowakowski Majewski Olszewski Stępień Malinowski Jaworski Adamczyk
Dudek Nowicki Pawlak Górski Witkowski Walczak Sikora Baran Rutkowski Michalak Szewczyk Ostrowski Tomaszewski
Pietrzak Zalewski Wróblewski Marciniak Jasiński Zawadzki Bąk Jakubowski Sadowski Duda Włodarczyk Wilk
Chmielewski Borkowski Sokołowski Szczepański Sawicki Lis Kucharski Kalinowski Wysocki Mazurek Kubiak Maciejewski
Czarnecki Kołodziej Urbański Kaźmierczak Sobczak Konieczny Głowacki Zakrzewski Krajewski Krupa Wasilewski
Adamski Laskowski Ziółkowski Makowski Przybylski Domański Nowacki Borowski Błaszczyk Chojnacki Ciesielski Mróz
Szczepaniak Wesołowski Górecki Krupiński Kaczmarczyk Leszczyński Lipiński Kowalewski Urban Kozak Kania
Mikołajczyk Czerwiński Bielecki Jakubiak Kołodziejczyk Sowa Wrona Błaszczak Gajewski Kaczor Pająk
Czajkowski Michalik Kozieł Banaś Bednarek Żak Kasprzak Stępniak Wawrzyniak Grzelak Żółw Ślusarczyk Łuczak
Źrałek Gołębiowski Sęk Łukasik Śliwa Żurek Gąsior Łęcki Żmuda Świątek Ćwik Kłos Gęsiak Bieńkowski Dziedzic
Fijałkowski Górny Jóźwiak Kędzierski Łapiński Młynarczyk Nałęcz Osiński Pałka Rogalski Śmigielski Tokarski
Ułański Wąsik Zięba Żebrowski Andrzejewski Bogusz Cieślak Dobrowolski Filipek Grochowski Hajduk Iwański
Janik Kubacki Lasota Małecki Nawrocki Orzechowski Pluta Radomski Sobieraj Trzciński Urbaniak Wilczyński
Zaremba Żukowski Biernacki Cybulski Dziubiński Frankowski Grzybowski Hołownia Idzik Kurowski Lech Mielczarek
Nowosielski Olejniczak Przybysz Rybicki Skowroński Tarnowski Wasiak Zych Żyła Kurek Bartczak Szulc Bukowski
Kubiak Romanowski Sierpiński Maj Gołąb Kołakowski Śliwiński Grabiec Łazarek Mądry Piątek Szczęsny Wójtowicz
Ślęzak Kruk Brzeziński Ziętek Pietrzyk Sobolewski Stachowiak Milczarek Kopeć Szydłowski
""".split()
SURNAMES_EN = """
Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson Wright Walker
White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin Cooper Hill Ward Morris
Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips Watson Davis Parker Price Bennett Young
Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan
Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb Rogers Gray Mason
""".split() + ["O'Brien", "O'Connor", "McDonald", "Ó Súilleabháin", "Müller", "Brontë", "Zoë-Baker"]
FIRST_F_PL = """
Anna Maria Katarzyna Małgorzata Agnieszka Barbara Krystyna Ewa Elżbieta Zofia Teresa Magdalena Joanna
Janina Monika Danuta Jadwiga Aleksandra Halina Irena Beata Marta Dorota Karolina Jolanta Natalia Iwona
Grażyna Alicja Bożena Urszula Justyna Renata Helena Agata Paulina Wiesława Sylwia Stanisława Julia Patrycja
Aneta Izabela Ewelina Marianna Weronika Wanda Kamila Genowefa Edyta Lucyna Zuzanna Dominika Wioletta
Emilia Czesława Żaneta Łucja Bronisława Gabriela Henryka Kinga Oliwia Hanna Lena Maja Wiktoria Amelia
Żaklina Ilona Halszka Jagoda Bogumiła Józefa Sabina Roksana
""".split()
FIRST_M_PL = """
Piotr Krzysztof Andrzej Tomasz Jan Paweł Michał Marcin Stanisław Jakub Adam Marek Łukasz Grzegorz Mateusz
Wojciech Mariusz Dariusz Zbigniew Jerzy Maciej Józef Ryszard Kamil Robert Rafał Kazimierz Jacek Dawid
Henryk Tadeusz Sebastian Artur Daniel Mirosław Przemysław Szymon Bartosz Zdzisław Roman Sławomir Damian
Leszek Patryk Karol Filip Czesław Mikołaj Bogdan Janusz Edward Hubert Wiesław Jarosław Waldemar Zenon
Bartłomiej Witold Ignacy Bolesław Lech Aleksander Antoni Franciszek Wiktor Oskar Tymoteusz Leon Ksawery
Błażej Radosław Zygmunt Gniewomir Emil
""".split()
FIRST_F_EN = """
Olivia Amelia Isla Ava Emily Sophie Grace Chloe Mia Ella Lily Evie Charlotte Poppy Jessica Sarah Emma Lucy
Hannah Rebecca Zoë Renée Chloé Siobhán Aoife
""".split()
FIRST_M_EN = """
Oliver George Harry Jack Charlie Thomas James William Noah Leo Oscar Henry Alfie Joshua Freddie Arthur
Archie Jacob Daniel Samuel Seán Noël Liam Connor Ciarán
""".split()
COMPANY_KINDS = ("Piekarnia", "Apteka", "Biuro Rachunkowe", "Kancelaria Adwokacka", "Kancelaria Notarialna",
                 "Warsztat Samochodowy", "Hurtownia Spożywcza", "Przedsiębiorstwo Handlowe", "Zakład Usług Remontowych",
                 "Fundacja", "Spółdzielnia Mieszkaniowa", "Gabinet Stomatologiczny", "Przychodnia", "Szkoła Językowa",
                 "Pracownia Krawiecka", "Studio Urody", "Firma Budowlana", "Biuro Podróży", "Drukarnia", "Kwiaciarnia")
COMPANY_WORDS = ("Złoty Kłos", "pod Żółwiem", "Źródło", "Gęś", "Śliwa", "Uśmiech", "Żoliborz", "Łąka", "Słoneczko",
                 "Bałtyk", "Mazowsze", "Jaśmin", "Orzeł", "Dąb", "Wierzba", "Róża", "Kasztan", "Sokół", "Wisła", "Tatry")
COMPANY_EN = ("Ltd", "& Co", "Partners", "Services", "Holdings", "Trading", "Consulting")
LEGAL_FORMS = ("", "", "sp. z o.o.", "s.c.", "sp.k.", "S.A.", "sp.j.")
CITIES = ("Warszawa", "Kraków", "Łódź", "Wrocław", "Poznań", "Gdańsk", "Szczecin", "Bydgoszcz", "Lublin",
          "Białystok", "Katowice", "Gdynia", "Częstochowa", "Radom", "Toruń", "Kielce", "Rzeszów", "Gliwice",
          "Zabrze", "Olsztyn", "Bielsko-Biała", "Zielona Góra", "Świnoujście", "Łomża", "Żyrardów")
STREETS = ("Marszałkowska", "Piękna", "Żeromskiego", "Kościuszki", "Mickiewicza", "Jerozolimskie", "Świętokrzyska",
           "Łąkowa", "Źródlana", "Słoneczna", "Ogrodowa", "Lipowa", "Polna", "Leśna", "Kwiatowa", "Szkolna")
MOBILE_PREFIXES = ("45", "50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88")
DOMAINS = ("gmail.com", "wp.pl", "onet.pl", "interia.pl", "o2.pl", "outlook.com", "example.pl", "poczta.example")
TAGS = ("NFZ", "prywatny", "stały pacjent", "alergia", "cukrzyca", "rehabilitacja", "VIP", "abonament")

BORN_FROM = date(1930, 1, 1)
FEMININE = (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka"))


def _zipf(items, exponent: float) -> tuple[list, list[float]]:
    """Items with cumulative Zipf-like weights (rank r weighs 1 / r**exponent)."""
    items = list(dict.fromkeys(items))
    weights = list(itertools.accumulate(1.0 / (rank + 1) ** exponent for rank in range(len(items))))
    return items, weights


def _pick(rng: random.Random, table) -> str:
    items, cumulative = table
    return items[bisect(cumulative, rng.random() * cumulative[-1])]


def feminine(surname: str) -> str:
    for masculine, female in FEMININE:
        if surname.endswith(masculine):
            return surname[: -len(masculine)] + female
    return surname


# --- one client ---------------------------------------------------------------------------------

@dataclass
class Row:
    kind: str = "person"
    first_name: str = ""
    last_name: str = ""
    organization_name: str = ""
    date_of_birth: date | None = None
    street: str = ""
    postal_code: str = ""
    city: str = ""
    identifiers: dict = field(default_factory=dict)
    tags: list = field(default_factory=list)
    phones: list = field(default_factory=list)
    emails: list = field(default_factory=list)
    archived: bool = False


class Generator:
    """Deterministic for a seed: the same N clients every time."""

    def __init__(self, seed: int = SEED):
        from stdnum.pl import pesel as stdnum_pesel

        from frontoffice.core.text import fold

        self.rng = random.Random(seed)
        self.surnames_pl = _zipf(SURNAMES_PL, 0.5)
        self.surnames_en = _zipf(SURNAMES_EN, 0.6)
        self.first_f_pl = _zipf(FIRST_F_PL, 0.8)
        self.first_m_pl = _zipf(FIRST_M_PL, 0.8)
        self.first_f_en = _zipf(FIRST_F_EN, 0.8)
        self.first_m_en = _zipf(FIRST_M_EN, 0.8)
        self.patient_no = 100_000
        self._check_digit = stdnum_pesel.calc_check_digit
        self._fold = functools.lru_cache(maxsize=None)(lambda name: "".join(ch for ch in fold(name) if ch.isalnum()))

    def below(self, n: int) -> int:
        return int(self.rng.random() * n)

    def phone(self) -> str:
        return f"+48{MOBILE_PREFIXES[self.below(len(MOBILE_PREFIXES))]}{self.below(10_000_000):07d}"

    def pesel(self, born: date, female: bool) -> str:
        month = born.month + {1800: 80, 1900: 0, 2000: 20, 2100: 40}[born.year // 100 * 100]
        serial = f"{self.below(1000):03d}{self.below(5) * 2 + (0 if female else 1)}"
        first10 = f"{born.year % 100:02d}{month:02d}{born.day:02d}{serial}"
        return first10 + self._check_digit(first10)

    def email(self, first: str, last: str, n: int) -> str:
        first_f, last_f = self._fold(first), self._fold(last)
        shape = self.below(5)
        local = (f"{first_f}.{last_f}", f"{first_f[:1]}{last_f}", f"{first_f}{last_f}", f"{last_f}.{first_f}",
                 f"{first_f}.{last_f}{self.below(100)}")[shape]
        if self.rng.random() < 0.5:
            local += str(n % 9973)
        return f"{local}@{DOMAINS[self.below(len(DOMAINS))]}"

    def client(self, n: int) -> Row:
        rng = self.rng
        row = Row()
        if rng.random() < 0.04:
            self._organisation(row, n)
        else:
            self._person(row, n)
        row.phones.append(self.phone())
        if rng.random() < 0.35:
            row.phones.append(self.phone())
        if rng.random() < 0.6:
            row.city = CITIES[self.below(len(CITIES))]
            row.street = f"ul. {STREETS[self.below(len(STREETS))]} {1 + self.below(150)}"
            row.postal_code = f"{self.below(100):02d}-{self.below(1000):03d}"
        if rng.random() < 0.05:
            row.tags = rng.sample(TAGS, k=1 + self.below(2))
        row.archived = rng.random() < 0.02
        return row

    def _person(self, row: Row, n: int) -> None:
        rng = self.rng
        female = rng.random() < 0.52
        if rng.random() < 0.85:
            row.first_name = _pick(rng, self.first_f_pl if female else self.first_m_pl)
            surname = _pick(rng, self.surnames_pl)
            row.last_name = feminine(surname) if female else surname
            if female and rng.random() < 0.03:
                row.last_name += "-" + feminine(_pick(rng, self.surnames_pl))
        else:
            row.first_name = _pick(rng, self.first_f_en if female else self.first_m_en)
            row.last_name = _pick(rng, self.surnames_en)
        if rng.random() < 0.8:
            row.date_of_birth = BORN_FROM + timedelta(days=self.below(90 * 365))
            if rng.random() < 0.38:  # ~30 % of everyone
                row.identifiers["pesel"] = self.pesel(row.date_of_birth, female)
        if rng.random() < 0.25:
            self.patient_no += 1
            row.identifiers["patient_no"] = f"P-{self.patient_no}"
        if rng.random() < 0.6:
            row.emails.append(self.email(row.first_name, row.last_name, n))

    def _organisation(self, row: Row, n: int) -> None:
        rng = self.rng
        row.kind = "organization"
        if rng.random() < 0.8:
            name = f"{rng.choice(COMPANY_KINDS)} " + (rng.choice(COMPANY_WORDS) if rng.random() < 0.5
                                                      else _pick(rng, self.surnames_pl))
            form = rng.choice(LEGAL_FORMS)
            name += f" {form}" if form else ""
            if rng.random() < 0.3:
                name += f" ({rng.choice(CITIES)})"
        else:
            name = f"{_pick(rng, self.surnames_en)} {rng.choice(COMPANY_EN)}"
        row.organization_name = name
        if rng.random() < 0.7:
            row.emails.append(f"biuro{n % 9973}@{self._fold(name.split()[0])}.example")


# --- databases -----------------------------------------------------------------------------------

def fresh_environment(engine: str, data_dir: str | None = None) -> dict:
    """Environment variables for a fresh, migrated database of ``engine`` (and a data folder)."""
    env = dict(os.environ)
    env["FRONTOFFICE_DATA_DIR"] = data_dir or tempfile.mkdtemp(prefix="frontoffice-search-bench-")
    env["FRONTOFFICE_DEBUG"] = "false"
    env.pop("FRONTOFFICE_DEMO", None)
    if engine == "postgres":
        for sql in (f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)", f"CREATE DATABASE {PG_DATABASE}"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True)
        env["FRONTOFFICE_DATABASE_URL"] = f"{PG_ADMIN}/{PG_DATABASE}"
    else:
        env.pop("FRONTOFFICE_DATABASE_URL", None)
        database = Path(env["FRONTOFFICE_DATA_DIR"]) / "frontoffice.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    migrate(env)
    return env


def migrate(env: dict) -> None:
    where = env.get("FRONTOFFICE_DATABASE_URL") or f"SQLite in {env['FRONTOFFICE_DATA_DIR']}"
    log(f"migrating the database ({where.rsplit('@', 1)[-1]})")
    cli("manage", "migrate", "--verbosity", "0", env=env)


def drop_postgres() -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c",
                    f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"], check=True)


def setup_django(env: dict) -> None:
    os.environ.update({k: v for k, v in env.items() if k.startswith("FRONTOFFICE_")})
    if "FRONTOFFICE_DATABASE_URL" not in env:
        os.environ.pop("FRONTOFFICE_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontoffice.settings")
    import django

    django.setup()


CLIENT_COLUMNS = ("id", "organization_id", "kind", "first_name", "last_name", "organization_name", "display_name",
                  "sort_name", "search_text", "date_of_birth", "street", "postal_code", "city", "country",
                  "identifiers", "tags", "notes", "custom", "archived", "merged_into_id", "erased_at", "created_by_id",
                  "created_at", "updated_at")
PHONE_COLUMNS = ("organization_id", "client_id", "number", "reversed_digits", "label", "position")
EMAIL_COLUMNS = ("organization_id", "client_id", "email", "position")
IDENT_COLUMNS = ("organization_id", "client_id", "scheme", "value")
TABLES = ("clients_client", "clients_clientphone", "clients_clientemail", "clients_clientidentifier")


def _batches(generator: Generator, organization_id: int, first_id: int, count: int, now: datetime):
    """Chunks of (clients, phones, emails, identifiers) rows ready for the database."""
    from frontoffice.clients.search import texts_for
    from frontoffice.core.phones import reversed_digits

    rng = generator.rng
    clients, phone_rows, email_rows, ident_rows = [], [], [], []
    for n in range(count):
        pk = first_id + n
        row = generator.client(n)
        obj = SimpleNamespace(kind=row.kind, first_name=row.first_name, last_name=row.last_name,
                              organization_name=row.organization_name, identifiers=row.identifiers, tags=row.tags)
        sort_name, search_text = texts_for(obj, phone_numbers=row.phones, emails=row.emails)
        display = row.organization_name if row.kind == "organization" else f"{row.first_name} {row.last_name}".strip()
        merged_into = first_id + rng.randrange(n) if n > 10 and rng.random() < 0.002 else None
        created = now - timedelta(seconds=(count - n) * 37)
        clients.append((pk, organization_id, row.kind, row.first_name, row.last_name, row.organization_name, display,
                        sort_name, search_text, row.date_of_birth, row.street, row.postal_code, row.city, "PL",
                        json.dumps(row.identifiers), json.dumps(row.tags), "", "{}", row.archived, merged_into, None,
                        None, created, created))
        for position, number in enumerate(row.phones):
            phone_rows.append((organization_id, pk, number, reversed_digits(number), "", position))
        for position, email in enumerate(row.emails):
            email_rows.append((organization_id, pk, email, position))
        for scheme, value in row.identifiers.items():
            ident_rows.append((organization_id, pk, scheme, value))
        if len(clients) >= CHUNK:
            yield clients, phone_rows, email_rows, ident_rows
            clients, phone_rows, email_rows, ident_rows = [], [], [], []
    if clients:
        yield clients, phone_rows, email_rows, ident_rows


def _organisations(other: int) -> list[tuple[object, int]]:
    from frontoffice.core.models import Organization

    big, _ = Organization.objects.get_or_create(slug="bench-search", defaults=dict(
        name="Przychodnia Benchmarkowa", vertical="medical", language="pl", country="PL"))
    small, _ = Organization.objects.get_or_create(slug="bench-other", defaults=dict(
        name="Kancelaria Obok", vertical="legal", language="pl", country="PL"))
    return [(big, 0), (small, other)]


def generate(clients: int, *, other: int = 50_000, seed: int = SEED) -> dict:
    """Load ``clients`` into organisation ``bench-search`` and ``other`` into ``bench-other`` of the
    configured (fresh, migrated) database. Returns counts and timings."""
    from django.db import connection

    from frontoffice.clients import search

    orgs = _organisations(other)
    plan = [(orgs[0][0], clients), (orgs[1][0], other)]
    started = time.perf_counter()
    vendor = connection.vendor
    settings_dict = connection.settings_dict
    connection.close()
    # texts_for() with the same fold(), memoised while loading (names repeat a lot); put back after.
    original = search.fold
    search.fold = functools.lru_cache(maxsize=300_000)(original)
    try:
        if vendor == "sqlite":
            stats = _load_sqlite(settings_dict["NAME"], plan, seed)
        else:
            stats = _load_postgres(settings_dict, plan, seed)
    finally:
        search.fold = original
    stats["seconds"] = time.perf_counter() - started
    stats["organization_id"] = orgs[0][0].pk
    return stats


def _count(stats: dict, batch) -> None:
    for key, rows in zip(("clients", "phones", "emails", "identifiers"), batch):
        stats[key] = stats.get(key, 0) + len(rows)


def _load_sqlite(path: str, plan, seed: int) -> dict:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=OFF")
    for pragma in ("synchronous=OFF", "cache_size=-1000000", "temp_store=MEMORY", "foreign_keys=OFF"):
        db.execute(f"PRAGMA {pragma}")
    indexes = [(name, sql) for name, sql in db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL AND tbl_name IN (?,?,?,?)",
        TABLES)]
    for name, _sql in indexes:
        db.execute(f'DROP INDEX "{name}"')
    stats: dict = {}
    t0 = time.perf_counter()
    first_id = (db.execute("SELECT max(id) FROM clients_client").fetchone()[0] or 0) + 1
    now = datetime.now(UTC).replace(microsecond=0)
    generator = Generator(seed)
    inserts = [
        f"INSERT INTO clients_client ({', '.join(CLIENT_COLUMNS)}) VALUES ({', '.join('?' * len(CLIENT_COLUMNS))})",
        f"INSERT INTO clients_clientphone ({', '.join(PHONE_COLUMNS)}) VALUES (?,?,?,?,?,?)",
        f"INSERT INTO clients_clientemail ({', '.join(EMAIL_COLUMNS)}) VALUES (?,?,?,?)",
        f"INSERT INTO clients_clientidentifier ({', '.join(IDENT_COLUMNS)}) VALUES (?,?,?,?)",
    ]
    for organization, count in plan:
        db.execute("BEGIN")
        for batch in _batches(generator, organization.pk, first_id, count, now):
            clients = [(*c[:9], c[9].isoformat() if c[9] else None, *c[10:22], c[22].isoformat(" "),
                        c[23].isoformat(" ")) for c in batch[0]]
            db.executemany(inserts[0], clients)
            for sql, rows in zip(inserts[1:], batch[1:]):
                db.executemany(sql, rows)
            _count(stats, batch)
            log(f"sqlite: {stats['clients']:,} clients")
        db.execute("COMMIT")
        first_id += count
    stats["load_rows_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for name, sql in indexes:
        db.execute(sql)
    stats["indexes_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    db.execute("BEGIN")
    db.execute("DELETE FROM clients_fts")
    db.execute("DELETE FROM clients_words")
    db.execute("INSERT INTO clients_fts(rowid, search_text) SELECT id, search_text FROM clients_client")
    db.execute("INSERT INTO clients_words(rowid, names) SELECT id, sort_name FROM clients_client")
    db.execute("COMMIT")
    stats["fts_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    db.execute("ANALYZE")
    db.execute("PRAGMA journal_mode=WAL")
    db.close()
    stats["analyze_s"] = time.perf_counter() - t0
    stats["database_bytes"] = Path(path).stat().st_size
    return stats


def _load_postgres(settings_dict: dict, plan, seed: int) -> dict:
    import psycopg

    conninfo = psycopg.conninfo.make_conninfo(
        dbname=settings_dict["NAME"], user=settings_dict["USER"], host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432, password=settings_dict["PASSWORD"] or None)
    stats: dict = {}
    with psycopg.connect(conninfo, autocommit=True) as db:
        db.execute("SET maintenance_work_mem = '1GB'")
        indexes = db.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)", [list(TABLES)]).fetchall()
        t0 = time.perf_counter()
        first_id = (db.execute("SELECT max(id) FROM clients_client").fetchone()[0] or 0) + 1
        now = datetime.now(UTC).replace(microsecond=0)
        generator = Generator(seed)
        with db.transaction():
            db.execute("SET LOCAL session_replication_role = replica")  # no FK triggers while loading
            for name, _sql in indexes:
                db.execute(f'DROP INDEX "{name}"')
            for organization, count in plan:
                for batch in _batches(generator, organization.pk, first_id, count, now):
                    for table, columns, rows in zip(TABLES, (CLIENT_COLUMNS, PHONE_COLUMNS, EMAIL_COLUMNS,
                                                             IDENT_COLUMNS), batch):
                        with db.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                            for row in rows:
                                copy.write_row(row)
                    _count(stats, batch)
                    log(f"postgres: {stats['clients']:,} clients")
                first_id += count
            stats["load_rows_s"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            for name, sql in indexes:
                db.execute(sql)
            stats["indexes_s"] = time.perf_counter() - t0
        for table in TABLES:
            db.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                       f"(SELECT coalesce(max(id), 1) FROM {table}))")
        t0 = time.perf_counter()
        for table in TABLES:
            db.execute(f"VACUUM ANALYZE {table}")
        stats["analyze_s"] = time.perf_counter() - t0
        stats["database_bytes"] = db.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return stats


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--clients", type=int, default=1_000_000, help="clients of the big organisation")
    parser.add_argument("--other", type=int, default=50_000, help="clients of the second organisation")
    parser.add_argument("--data-dir", help="data folder (default: a new temporary folder)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    env = fresh_environment(args.engine, args.data_dir)
    setup_django(env)
    stats = generate(args.clients, other=args.other, seed=args.seed)
    print(json.dumps(stats, default=str))
    print(f"FRONTOFFICE_DATA_DIR={env['FRONTOFFICE_DATA_DIR']}"
          + (f" FRONTOFFICE_DATABASE_URL={env['FRONTOFFICE_DATABASE_URL']}" if args.engine == "postgres" else ""))


if __name__ == "__main__":
    main()
