"""Demo clients: a few hundred believable people and organisations for each demo office.

Polish and English names with their diacritics, valid PESEL and NIP numbers (check digits computed
with python-stdnum), valid phone numbers, e-mails, tags, consents, a few deliberate duplicates for the
duplicates page and, in the legal office, opposing parties for the conflict check. Stored through the
import's bulk path (``importing.writing.clients_store``): well under a second for 300 clients.
``fake_people`` is also the data generator of ``bench/bench_client_import.py``.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from stdnum.pl import nip as stdnum_nip
from stdnum.pl import pesel as stdnum_pesel

from frontoffice.clients import services
from frontoffice.clients.importing.writing import clients_store
from frontoffice.clients.models import Client, Consent
from frontoffice.clients.validation import ClientInput, clean_client
from frontoffice.core import capabilities as caps
from frontoffice.core.demo import DEMO_LOADERS
from frontoffice.core.text import fold

SEED = 20250612
DEMO_CLIENTS = 300

FIRST_F = ("Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Krystyna", "Elżbieta",
           "Zofia", "Joanna", "Magdalena", "Aleksandra", "Żaneta", "Jadwiga", "Łucja", "Urszula", "Halina", "Iwona",
           "Bożena", "Dorota", "Grażyna", "Teresa", "Wiesława", "Jolanta", "Ilona", "Justyna")
FIRST_M = ("Jan", "Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Michał", "Marcin", "Łukasz", "Grzegorz",
           "Józef", "Mariusz", "Stanisław", "Jerzy", "Wojciech", "Zbigniew", "Dariusz", "Jacek", "Mikołaj",
           "Bartłomiej", "Maciej", "Wiesław", "Przemysław", "Szymon", "Kazimierz", "Ryszard")
# (masculine, feminine) surnames: Polish surnames in -ski/-cki change with the person.
LAST_PL = (("Kowalski", "Kowalska"), ("Wiśniewski", "Wiśniewska"), ("Wójcik", "Wójcik"), ("Kowalczyk", "Kowalczyk"),
           ("Kamiński", "Kamińska"), ("Lewandowski", "Lewandowska"), ("Zieliński", "Zielińska"),
           ("Szymański", "Szymańska"), ("Woźniak", "Woźniak"), ("Dąbrowski", "Dąbrowska"), ("Kozłowski", "Kozłowska"),
           ("Jankowski", "Jankowska"), ("Mazur", "Mazur"), ("Kwiatkowski", "Kwiatkowska"), ("Krawczyk", "Krawczyk"),
           ("Piotrowski", "Piotrowska"), ("Grabowski", "Grabowska"), ("Nowakowski", "Nowakowska"),
           ("Pawłowski", "Pawłowska"), ("Michalski", "Michalska"), ("Król", "Król"), ("Wieczorek", "Wieczorek"),
           ("Jabłoński", "Jabłońska"), ("Wróbel", "Wróbel"), ("Nowak", "Nowak"), ("Żółw", "Żółw"),
           ("Gołębiewski", "Gołębiewska"), ("Ślusarczyk", "Ślusarczyk"), ("Łuczak", "Łuczak"), ("Źrałek", "Źrałek"),
           ("Chmielewski", "Chmielewska"), ("Bąk", "Bąk"), ("Sęk", "Sęk"), ("Żak", "Żak"))
FIRST_EN = ("Oliver", "George", "Harry", "Jack", "Charlie", "Thomas", "James", "William", "Olivia", "Amelia",
            "Isla", "Ava", "Emily", "Sophie", "Grace", "Chloe", "Siobhán", "Zoë", "Seán", "Renée", "Noël", "Chloé")
LAST_EN = ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
           "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "O'Brien", "Ó Súilleabháin",
           "Müller", "Brontë")
COMPANIES_PL = ("Piekarnia Złoty Kłos sp. z o.o.", "Zakład Usług Remontowych Łukasz Bąk", "Apteka pod Żółwiem",
                "Biuro Rachunkowe Księgowość Plus", "Przedsiębiorstwo Handlowe Gęś", "Kancelaria Notarialna Śliwa",
                "Warsztat Samochodowy Źródło", "Hurtownia Spożywcza Łódź-Bałuty", "Fundacja Uśmiech Dziecka",
                "Spółdzielnia Mieszkaniowa Żoliborz")
COMPANIES_EN = ("Harbour Cafe Ltd", "Quayside Builders", "Bristol Books & Co", "Clifton Dental Practice",
                "Avon Valley Farms", "Redcliffe Print Partners", "Temple Meads Logistics", "Café Crème Ltd")
CITIES_PL = (("Warszawa", "00-"), ("Kraków", "30-"), ("Łódź", "90-"), ("Wrocław", "50-"), ("Poznań", "60-"),
             ("Gdańsk", "80-"), ("Szczecin", "70-"), ("Białystok", "15-"), ("Zielona Góra", "65-"),
             ("Świnoujście", "72-"))
STREETS_PL = ("ul. Marszałkowska", "ul. Piękna", "ul. Żeromskiego", "ul. Kościuszki", "ul. Mickiewicza",
              "al. Jerozolimskie", "ul. Świętokrzyska", "ul. Łąkowa", "ul. Źródlana", "ul. Słoneczna", "ul. Ogrodowa")
CITIES_EN = (("Bristol", "BS1 4DJ"), ("Bath", "BA1 1LN"), ("Bristol", "BS8 1TH"), ("Weston-super-Mare", "BS23 1AA"))
STREETS_EN = ("Quay Street", "Park Street", "Whiteladies Road", "Gloucester Road", "North Street", "Corn Street")
TAGS = {
    "medical": ("NFZ", "prywatny", "stały pacjent", "alergia", "cukrzyca", "rehabilitacja"),
    "legal": ("pro bono", "corporate", "family law", "property", "urgent", "retainer"),
    "education": ("klasa 1a", "klasa 2b", "klasa 3c", "świetlica", "obiady", "SPE"),
    "small_business": ("trade", "retail", "monthly invoice", "VIP", "design", "large format"),
    "general": ("VIP", "new", "newsletter"),
}
OPPOSING = ("Adam Nowicki", "Beata Wrona-Kowalska", "Global Trade Sp. z o.o.", "Henryk Żbikowski", "Northwind Ltd",
            "Zakłady Mięsne Łuków S.A.", "Jonathan Pryce", "Sarah O'Connell", "Grzegorz Łęcki")


def pesel_for(born: date, female: bool, rng: random.Random) -> str:
    """A valid PESEL for someone born on ``born`` (the month carries the century)."""
    month = born.month + {1800: 80, 1900: 0, 2000: 20, 2100: 40}[born.year // 100 * 100]
    serial = f"{rng.randrange(1000):03d}{rng.randrange(0, 10, 2) + (0 if female else 1)}"
    first10 = f"{born.year % 100:02d}{month:02d}{born.day:02d}{serial}"
    return first10 + stdnum_pesel.calc_check_digit(first10)


def nip_number(rng: random.Random) -> str:
    """A valid NIP: nine digits whose weighted sum leaves a check digit below 10."""
    while True:
        first9 = f"{rng.randrange(1, 10)}{rng.randrange(10 ** 8):08d}"
        check = stdnum_nip.checksum(first9 + "0") % 11
        if check < 10:
            return first9 + str(check)


def phone_number(rng: random.Random, country: str) -> str:
    if country == "GB":
        return f"07{rng.choice(('400', '447', '800', '900', '500', '535'))} {rng.randrange(10 ** 6):06d}"
    return f"{rng.choice(('50', '51', '53', '57', '60', '66', '69', '72', '73', '78', '79', '88'))}" \
           f"{rng.randrange(10):d} {rng.randrange(1000):03d} {rng.randrange(1000):03d}"


def _email(first: str, last: str, n: int, rng: random.Random) -> str:
    local = f"{fold(first).replace(' ', '')}.{fold(last).replace(' ', '').replace(chr(39), '')}"
    return f"{local}{n if n % 3 else ''}@{rng.choice(('example.com', 'example.pl', 'poczta.example', 'mail.example'))}"


def fake_people(count: int, *, seed: int = SEED, vertical: str = "medical", polish: bool = True,
                start: int = 0) -> list[ClientInput]:
    """``count`` clients as a desk would type them: mostly people, some organisations."""
    rng = random.Random(seed + start)
    rows, companies = [], set()
    for n in range(start, start + count):
        rows.append(_organisation(rng, n, polish, companies) if rng.random() < 0.04
                    else _person(rng, n, vertical, polish))
    return rows


def _person(rng: random.Random, n: int, vertical: str, polish: bool) -> ClientInput:
    female = rng.random() < 0.52
    local = polish and rng.random() < 0.85 or not polish and rng.random() < 0.25
    if local:
        first = rng.choice(FIRST_F if female else FIRST_M)
        last = rng.choice(LAST_PL)[1 if female else 0]
    else:
        first, last = rng.choice(FIRST_EN), rng.choice(LAST_EN)
    if vertical == "education":
        born = date(2010, 9, 1) + timedelta(days=rng.randrange(8 * 365))
    else:
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(65 * 365))
    data = ClientInput(first_name=first, last_name=last, phones=[phone_number(rng, "PL" if polish else "GB")],
                       emails=[_email(first, last, n, rng)] if rng.random() < 0.7 else [])
    if rng.random() < 0.8:
        data.date_of_birth = born
    if polish and data.date_of_birth and rng.random() < 0.6 and vertical != "small_business":
        data.identifiers["pesel"] = pesel_for(born, female, rng)
    city, postal = rng.choice(CITIES_PL if polish else CITIES_EN)
    if rng.random() < 0.6:
        if polish:
            data.street = f"{rng.choice(STREETS_PL)} {rng.randrange(1, 120)}"
            data.postal_code = f"{postal}{rng.randrange(1000):03d}"
        else:
            data.street, data.postal_code = f"{rng.randrange(1, 200)} {rng.choice(STREETS_EN)}", postal
        data.city = city
    if rng.random() < 0.35:
        data.tags = rng.sample(TAGS.get(vertical, TAGS["general"]), k=rng.randrange(1, 3))
    _vertical_number(data, vertical, n)
    if rng.random() < 0.15:
        data.phones.append(phone_number(rng, "PL" if polish else "GB"))
    return data


def _organisation(rng: random.Random, n: int, polish: bool, used: set[str]) -> ClientInput:
    name = rng.choice(COMPANIES_PL if polish else COMPANIES_EN)
    city, _postal = rng.choice(CITIES_PL if polish else CITIES_EN)
    if name in used:  # a second branch of the same business
        name = f"{name} ({city})" if f"{name} ({city})" not in used else f"{name} ({city} {n})"
    used.add(name)
    data = ClientInput(kind="organization", organization_name=name,
                       phones=[phone_number(rng, "PL" if polish else "GB")],
                       emails=[f"biuro{n}@{fold(name).split()[0]}.example"], city=city)
    if polish:
        data.identifiers["nip"] = nip_number(rng)
    return data


def _vertical_number(data: ClientInput, vertical: str, n: int) -> None:
    key = {"medical": "patient_no", "legal": "matter_no", "education": "student_no",
           "small_business": "customer_no"}.get(vertical)
    if key:
        data.identifiers[key] = {"patient_no": f"P-{10000 + n}", "matter_no": f"M/{2024 + n % 2}/{100 + n}",
                                 "student_no": f"U{2000 + n}", "customer_no": f"C{5000 + n}"}[key]


def _duplicates(people: list[ClientInput]) -> list[ClientInput]:
    """Second entries of the same people, typed slightly differently: the duplicates page has work."""
    twins = []
    with_email = [p for p in people[5:] if p.emails and p.kind == "person"]
    for original, change in zip([people[5], with_email[3], people[7], people[8]], ("phone", "email", "name", "phone")):
        twin = ClientInput(**{**original.__dict__, "identifiers": {}, "tags": [], "notes": ""})
        if change == "phone":
            twin.emails, twin.phones = [], [p.replace(" ", "-") for p in original.phones]
        elif change == "email":
            twin.phones, twin.emails = [], [e.upper() for e in original.emails]
        else:
            twin.phones, twin.emails = [], []
            twin.date_of_birth = original.date_of_birth or date(1980, 5, 17)
            original.date_of_birth = twin.date_of_birth
        twins.append(twin)
    return twins


def load(organization, members: dict) -> None:
    """The demo loader (``core.demo.DEMO_LOADERS``): clients for ``organization``, entered by its staff."""
    if Client.objects.filter(organization=organization).exists():
        return
    actor = members.get(caps.RECEPTIONIST) or members[caps.OWNER]
    polish = organization.country == "PL"
    people = fake_people(DEMO_CLIENTS, vertical=organization.vertical, polish=polish,
                         seed=SEED + len(organization.slug))
    people += _duplicates(people)
    fields = list(organization.client_fields.filter(active=True))
    cleans = []
    for data in people:
        data.identifiers = {k: v for k, v in data.identifiers.items()
                            if k in {i.key for i in _identifiers(organization)}}
        cleans.append(clean_client(organization, data, fields))
    ids = clients_store(actor=actor, cleans=cleans, source="demo")
    clients = list(Client.objects.filter(pk__in=ids[:60]).order_by("pk"))
    rng = random.Random(SEED)
    Consent.objects.bulk_create([
        Consent(organization=organization, client=client, kind=Consent.DATA_PROCESSING, granted=True,
                given_on=date.today() - timedelta(days=rng.randrange(30, 900)),
                source=rng.choice(("paper form", "kiosk", "e-mail")), recorded_by=actor)
        for client in clients])
    for client in clients[:8]:
        services.consent_record(actor=actor, client=client, kind=Consent.MARKETING, granted=rng.random() < 0.7,
                                given_on=date.today() - timedelta(days=rng.randrange(1, 300)), source="kiosk")
    if organization.vertical == "legal":
        for client, name in zip(clients[10:], OPPOSING):
            services.related_party_add(actor=actor, client=client, name=name)


def _identifiers(organization):
    from frontoffice.clients import presets

    return presets.identifiers_for(organization.vertical)


if load not in DEMO_LOADERS:
    DEMO_LOADERS.append(load)
