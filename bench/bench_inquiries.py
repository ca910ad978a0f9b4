"""Inquiries at office scale: article suggestions while a question is typed, over 20,000 knowledge-base
articles, and a department's inquiry list with 100,000 inquiries — beside naive and floor baselines.

1. **Suggestions** — ``inquiries.search.suggest(org, text, limit=5)``, what the desk's answer screen and the
   calls screen pop ask while the question is typed, over ``--articles`` articles of one organisation (half
   Polish, half English): the demo offices' real knowledge bases (``inquiries/demo/articles.py``) among
   generated articles that share their words ("How much does an X-ray cost for pensioners?", "Jak uzyskać
   zaświadczenie o zatrudnieniu do banku?"). The questions typed are how clients put them (the demo's
   ``asked`` texts: chatty, with typos, often without Polish diacritics), one request per key from the
   fourth character; and, for the articles page's search box, the first words of articles typed letter by
   letter (``search.search``). Measured per call (``perf_counter``, and CPU time: this thread's plus the
   PostgreSQL backend's), beside the raw SQL of the same statements replayed through a bare cursor, and
   beside a **naive** ``icontains`` (an OR over every word of three or more letters, in the question, the
   answer and the keywords, first 5 by question — what a hand-written search does), on a sample of the same
   queries. Whether the right article comes first for the whole question is counted for both.
   Target (issue): p95 < 30 ms on both databases.
2. **The department's list** — ``GET /inquiries/?department=<id>&status=open`` (the desk's department
   filter: every open inquiry of the department, overdue first) and ``GET /inquiries/`` (the desk: my open
   inquiries and my departments' queue), rendered in process by Django's test client for a receptionist of
   a department with ``--inquiries`` inquiries (most of them closed history, a few thousand open, a third of
   those overdue), beside ``GET /healthz`` through the same signed-in client. Queries per render are
   counted. The department's list is timed once more after ``gc.freeze()``, which separates the page's own
   cost from the pauses of the garbage collector's full collections. Target (issue): < 100 ms.

    python bench/run.py inquiries --record --wait-for-load 1.2
    python bench/run.py inquiries --record --wait-for-load 1.2 \
        --database-url postgres://postgres@127.0.0.1:5432/bench_inquiries
    python bench/run.py inquiries -- --articles 2000 --inquiries 5000 --clients 2000 --rounds 1   # smoke test
    python bench/bench_inquiries.py --engine sqlite --keep        # alone, in a fresh temporary database

Under run.py (FRONTOFFICE_DATA_DIR set) the database of the environment is used — it must be empty; it is
migrated, filled and left to the runner. Alone it uses ``gen_clients``'s fresh database (PostgreSQL
``bench_search`` unless ``--engine sqlite``), removed afterwards unless --keep. Result lines (Markdown) go to
stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import shutil
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
import gen_clients  # noqa: E402
from bench_client_search import CpuClock, capture, percentile, replay  # noqa: E402
from harness import log, machine_load  # noqa: E402

SUGGEST_P95_MS = 30.0
LIST_MS = 100.0
ORG_SLUG = "bench-search"  # the organisation gen_clients fills with clients
DESK_EMAIL = "desk@inquiries.bench.example"
PASSWORD = "bench-inquiries-password-1"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite",
                        help="alone: which engine (default sqlite); under run.py the environment decides")
    parser.add_argument("--articles", type=int, default=20_000, help="knowledge-base articles (default 20,000)")
    parser.add_argument("--inquiries", type=int, default=100_000,
                        help="inquiries of the measured department (default 100,000)")
    parser.add_argument("--elsewhere", type=int, default=20_000,
                        help="inquiries of the organisation's other departments (default 20,000)")
    parser.add_argument("--open", type=int, default=3_000, help="of the department's, still open (default 3,000)")
    parser.add_argument("--clients", type=int, default=20_000, help="clients who ask (default 20,000)")
    parser.add_argument("--other", type=int, default=2_000, help="clients of a second organisation (default 2,000)")
    parser.add_argument("--rounds", type=int, default=2, help="measured rounds over the typing mix (default 2)")
    parser.add_argument("--naive", type=int, default=200, help="typed states timed with the naive search "
                                                               "(default 200)")
    parser.add_argument("--renders", type=int, default=200, help="renders of each list page (default 200)")
    parser.add_argument("--only", choices=("suggest", "list"), help="measure one part only")
    parser.add_argument("--keep", action="store_true", help="alone: keep the database")
    parser.add_argument("--seed", type=int, default=11)
    return parser.parse_args(argv)


# --- the office -------------------------------------------------------------------------------------

def prepare(args) -> tuple[dict, str, bool]:
    """(environment, engine, whether this script made the database and removes it)."""
    if os.environ.get("FRONTOFFICE_DATA_DIR"):  # run.py chose the database
        url = os.environ.get("FRONTOFFICE_DATABASE_URL", "")
        env = dict(os.environ)
        engine = "postgres" if url.startswith(("postgres", "pgsql")) else "sqlite"
        gen_clients.migrate(env | _settings())
        return env | _settings(), engine, False
    data_dir = str(Path(os.environ.get("TMPDIR", "/tmp")) / "frontoffice-inquiries-bench")
    shutil.rmtree(data_dir, ignore_errors=True)
    env = gen_clients.fresh_environment(args.engine, data_dir)
    return env | _settings(), args.engine, True


def _settings() -> dict:
    return {"FRONTOFFICE_DEBUG": "false", "FRONTOFFICE_EMAIL_URL": "dummy://", "FRONTOFFICE_PERIODIC": "off",
            "FRONTOFFICE_DEMO": "false"}


def make_office():
    """The medical office gen_clients fills (set up through the services): its preset departments and
    inquiry categories, and a receptionist in the department whose list is measured."""
    from frontoffice.core import capabilities as caps
    from frontoffice.core import services
    from frontoffice.core.models import Organization, User
    from frontoffice.inquiries.presets import categories_ensure

    organization, owner = services.organization_create(
        name="Przychodnia Benchmarkowa", vertical="medical", owner_email="owner@inquiries.bench.example",
        owner_name="Anna Nowak", owner_password=PASSWORD, language="pl", site_name="Siedziba")
    Organization.objects.filter(pk=organization.pk).update(slug=ORG_SLUG)
    organization.refresh_from_db()
    owner.organization = organization
    site = organization.sites.get()
    desk = services.member_invite(actor=owner, email=DESK_EMAIL, full_name="Zofia Wójcik",
                                  roles=[caps.RECEPTIONIST], sites=[site], notify=False)
    user = User.objects.get(pk=desk.user_id)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    categories_ensure(organization)
    department = organization.departments.filter(active=True).order_by("pk").first()  # the registration
    colleagues = [services.member_invite(actor=owner, email=f"colleague{n}@inquiries.bench.example",
                                         full_name=f"Colleague {n}", roles=[caps.RECEPTIONIST], sites=[site],
                                         notify=False) for n in range(4)]
    services.department_update(actor=owner, department=department,
                               members=list(department.members.all()) + [desk, *colleagues])
    return organization, owner


# --- the knowledge base -----------------------------------------------------------------------------

EN_SERVICES = """blood test|ultrasound scan|chest X-ray|eye test|dental check-up|flu vaccination|physiotherapy
session|ECG|allergy test|hearing test|skin check|prenatal visit|sports medical|travel vaccination|cholesterol
test|smear test|vitamin D test|home visit|telephone consultation|first consultation|contract review|will
drafting|company registration|notarial deed|power of attorney|divorce consultation|debt collection|tenancy
agreement|employment contract review|trademark filing|enrolment interview|parents' evening|school trip|swimming
lessons|robotics club|after-school club|school lunch|school photo|exam resit|language course|business card
printing|poster printing|banner printing|photo printing|thesis binding|laminating|logo design|leaflet
design|sticker printing|calendar printing|document scanning|invitation printing|menu printing|label
printing|roller banner|canvas print|envelope printing|letterhead printing|booklet printing|t-shirt printing""".replace(
    "\n", " ").split("|")
EN_MODIFIERS = ("", " for children", " on Saturdays", " for pensioners", " online", " by phone",
                " in the afternoon", " for a company", " with private insurance", " for students", " at short notice",
                " in English", " for a group", " during the holidays", " for new clients", " for existing clients",
                " after 5 pm", " at the second site", " with a voucher", " for foreigners", " in an emergency",
                " without an appointment", " every month", " for the first time", " again")
EN_DOCUMENTS = ("certificate of employment", "medical certificate", "copy of the invoice", "duplicate receipt",
                "certificate of attendance", "vaccination certificate", "sick note", "copy of the contract",
                "school report", "reference letter")
EN_PURPOSES = ("the bank", "my employer", "the council", "the school", "the swimming pool", "a summer camp",
               "the embassy", "the insurer", "the university", "a sports club")
PL_SERVICES = """badanie krwi|USG brzucha|prześwietlenie płuc|badanie wzroku|przegląd stomatologiczny|szczepienie
przeciw grypie|zabieg fizjoterapii|EKG|badanie alergiczne|badanie słuchu|badanie znamion|badanie okresowe
kierowcy|szczepienie przed podróżą|oznaczenie cholesterolu|badanie cytologiczne|oznaczenie witaminy D|leczenie
kanałowe|czyszczenie zębów|wybielanie zębów|pierwsze spotkanie z prawnikiem|sporządzenie testamentu|zgłoszenie
spółki do KRS|poświadczenie podpisu|tłumaczenie przysięgłe|sporządzenie pełnomocnictwa|windykacja
należności|przygotowanie umowy najmu|rejestracja znaku towarowego|spotkanie z wychowawcą|wyjście do
teatru|nauka pływania|koło robotyki|zapisanie na obiady|zdjęcie do legitymacji|egzamin poprawkowy|kurs
językowy|drukowanie wizytówek|drukowanie plakatów|drukowanie banerów|wywołanie zdjęć|bindowanie pracy
dyplomowej|laminowanie dokumentów|projektowanie logo|projektowanie ulotek|skanowanie dokumentów|drukowanie
zaproszeń|drukowanie kalendarzy|drukowanie naklejek|drukowanie menu|drukowanie etykiet""".replace(
    "\n", " ").split("|")
PL_MODIFIERS = ("", " dla dzieci", " w soboty", " dla emerytów", " przez internet", " przez telefon",
                " po południu", " dla firmy", " z prywatnym ubezpieczeniem", " dla studentów", " w trybie pilnym",
                " po angielsku", " dla grupy", " w wakacje", " dla nowych klientów", " dla stałych klientów",
                " po 17:00", " w drugiej placówce", " z voucherem", " dla cudzoziemców", " w nagłym wypadku",
                " bez zapisu", " co miesiąc", " po raz pierwszy", " ponownie")
PL_DOCUMENTS = ("zaświadczenie o zatrudnieniu", "zaświadczenie lekarskie", "kopię faktury", "duplikat paragonu",
                "zaświadczenie o uczęszczaniu", "zaświadczenie o szczepieniu", "zwolnienie lekarskie",
                "kopię umowy", "świadectwo", "opinię")
PL_PURPOSES = ("do banku", "do pracodawcy", "do urzędu", "do szkoły", "na basen", "na obóz", "do ambasady",
               "do ubezpieczyciela", "na uczelnię", "do klubu sportowego")

EN_TEMPLATES = (
    ("How much does {s} cost{m}?", "{S}{m} costs {price} £. Pay at the desk by card or cash."),
    ("What should I bring to {s}{m}?", "For {s}{m} bring your ID and any earlier results or documents."),
    ("How do I book {s}{m}?", "Book {s}{m} at the desk, by phone or online; we confirm by e-mail."),
    ("Can I cancel {s}{m}?", "{S}{m} can be cancelled free of charge up to {hours} hours before."),
    ("How long does {s} take{m}?", "{S}{m} takes about {minutes} minutes; please come 10 minutes early."),
    ("Is {s} available{m}?", "Yes, {s}{m} is available on weekdays; ask the desk for the next free date."),
    ("Where do I go for {s}{m}?", "{S}{m} is on the {floor} floor; follow the signs from the reception."),
    ("Do I need a referral for {s}{m}?", "{S}{m} needs no referral when paid privately."),
)
PL_TEMPLATES = (
    ("Ile kosztuje {s}{m}?", "{S}{m} kosztuje {price} zł. Płatność w rejestracji kartą lub gotówką."),
    ("Co zabrać na {s}{m}?", "Na {s}{m} prosimy zabrać dowód osobisty i wcześniejsze wyniki lub dokumenty."),
    ("Jak się zapisać na {s}{m}?", "Na {s}{m} zapisujemy w rejestracji, telefonicznie lub przez internet."),
    ("Czy można odwołać {s}{m}?", "{S}{m} można bezpłatnie odwołać do {hours} godzin wcześniej."),
    ("Ile trwa {s}{m}?", "{S}{m} trwa około {minutes} minut; prosimy przyjść 10 minut wcześniej."),
    ("Czy {s} jest dostępne{m}?", "Tak, {s}{m} jest dostępne w dni robocze; wolny termin poda rejestracja."),
    ("Gdzie odbywa się {s}{m}?", "{S}{m} odbywa się na {floor} piętrze; prosimy kierować się strzałkami."),
    ("Czy na {s} potrzebne jest skierowanie{m}?", "{S}{m} nie wymaga skierowania przy płatności prywatnej."),
)


def _filler(language: str, count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """``count`` generated (question, answer, keywords) in ``language``: services × circumstances, and
    documents for purposes; every question different."""
    if language == "pl":
        services, modifiers, templates = PL_SERVICES, PL_MODIFIERS, PL_TEMPLATES
        documents, purposes = PL_DOCUMENTS, PL_PURPOSES
        ask_document, answer_document = ("Jak uzyskać {d} {p}{m}?",
                                         "{D} {p}{m} wydaje sekretariat w ciągu {days} dni roboczych.")
    else:
        services, modifiers, templates = EN_SERVICES, EN_MODIFIERS, EN_TEMPLATES
        documents, purposes = EN_DOCUMENTS, EN_PURPOSES
        ask_document, answer_document = ("How do I get a {d} for {p}{m}?",
                                         "A {d} for {p}{m} is issued by the office within {days} working days.")
    combos = [(t, s.strip(), m) for t in range(len(templates)) for s in services for m in modifiers]
    combos += [(-1, f"{d}\t{p}", m) for d in documents for p in purposes for m in modifiers]
    rng.shuffle(combos)
    rows = []
    for template, subject, modifier in combos[:count]:
        values = {"m": modifier, "price": rng.randrange(20, 900), "hours": rng.choice((12, 24, 48)),
                  "minutes": rng.choice((10, 15, 20, 30, 45, 60)), "floor": rng.choice(("1", "2", "3")),
                  "days": rng.randrange(1, 8)}
        if template < 0:
            document, purpose = subject.split("\t")
            values |= {"d": document, "D": document[:1].upper() + document[1:], "p": purpose}
            question, answer, keywords = ask_document, answer_document, f"{document}, {purpose}"
        else:
            values |= {"s": subject, "S": subject[:1].upper() + subject[1:]}
            question, answer = templates[template]
            keywords = subject
        rows.append((question.format(**values), answer.format(**values), keywords))
    return rows


@dataclass
class Corpus:
    targets: dict = field(default_factory=dict)  # question -> the demo Entry (its asked texts are the probes)
    count: int = 0


def load_articles(organization, owner, total: int, rng: random.Random) -> Corpus:
    """The demo offices' real articles plus generated ones up to ``total``, written in bulk and indexed by
    ``search.rebuild`` (the rows ``article_save`` would store)."""
    from frontoffice.inquiries import search
    from frontoffice.inquiries.demo.articles import ARTICLES
    from frontoffice.inquiries.models import Article, Category

    categories = {c.key: c for c in Category.objects.filter(organization=organization)}
    general = categories.get("general")
    corpus = Corpus()
    rows = []
    for vertical in ("medical", "legal", "education", "small_business"):
        language = "pl" if vertical in ("medical", "education") else "en"
        for entry in ARTICLES[vertical]:
            if entry.question in corpus.targets:
                continue
            corpus.targets[entry.question] = entry
            rows.append(Article(organization=organization, question=entry.question, answer=entry.answer,
                                keywords=entry.keywords, language=language, owner=owner,
                                category=categories.get(entry.category, general), is_canned_reply=entry.canned,
                                audience=Article.Audience.PUBLIC if entry.public else Article.Audience.INTERNAL))
    left = max(0, total - len(rows))
    for language, count in (("pl", left // 2), ("en", left - left // 2)):
        for question, answer, keywords in _filler(language, count, rng):
            rows.append(Article(organization=organization, question=question, answer=answer, keywords=keywords,
                                language=language, owner=owner, category=rng.choice(list(categories.values())),
                                audience=rng.choice((Article.Audience.PUBLIC, Article.Audience.INTERNAL))))
    rng.shuffle(rows)  # the targets' ids spread among the others'
    Article.objects.bulk_create(rows, batch_size=2000)
    started = time.perf_counter()
    corpus.count = search.rebuild(organization)
    log(f"{corpus.count:,} articles indexed in {time.perf_counter() - started:.0f} s")
    _analyze()
    return corpus


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- the typing mix ---------------------------------------------------------------------------------

@dataclass
class Query:
    cls: str
    text: str
    kind: str = "suggest"  # suggest | search
    target: str = ""  # the article's question, for the whole question typed
    ours: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)
    statements: list = field(default_factory=list)
    naive: float | None = None
    rank: int | None = None  # of the target in ours (1 = first); None = not in the first five
    naive_rank: int | None = None


def typed(text: str, start: int = 4) -> list[str]:
    """Every state of the box while ``text`` is typed, one request per key, from the ``start``-th character."""
    return [text[:i] for i in range(start, len(text) + 1) if text[:i].strip()]


def build_mix(corpus: Corpus, rng: random.Random) -> list[Query]:
    mix: list[Query] = []
    for question, entry in corpus.targets.items():
        for asked in entry.asked:
            states = typed(asked)
            for text in states[:-1]:
                mix.append(Query("question, while typed", text))
            mix.append(Query("question, whole", asked, target=question))
    words = [q for q in corpus.targets if len(q.split()) >= 3]
    for question in rng.sample(words, min(40, len(words))):
        start = " ".join(question.split()[:3])
        for text in typed(start, 2):
            mix.append(Query("search box, letter by letter", text, kind="search"))
    for text in ("qwerty", "xyzzy plugh", "zzz"):
        mix.append(Query("nothing found", text))
    return mix


def naive_suggest(organization, text: str) -> list:
    from django.db.models import Q

    from frontoffice.inquiries.models import Article

    words = [w for w in dict.fromkeys(re.findall(r"\w+", text.lower())) if len(w) >= 3][:12]
    if not words:
        return []
    match = Q()
    for word in words:
        match |= Q(question__icontains=word) | Q(answer__icontains=word) | Q(keywords__icontains=word)
    return list(Article.objects.filter(organization=organization, active=True).filter(match)
                .order_by("question")[:5])


def _call(organization, query: Query):
    from frontoffice.inquiries import search

    if query.kind == "search":
        return search.search(organization, query.text, limit=20)
    return search.suggest(organization, query.text, limit=5)


def _rank(found, question: str) -> int | None:
    for n, article in enumerate(found, 1):
        if article.question == question:
            return n
    return None


def measure_suggest(organization, mix: list[Query], rounds: int, naive_sample: int) -> None:
    from django.db import connection

    clock = CpuClock(connection)
    log(f"warming up: {len(mix)} queries")
    for query in mix:
        found = _call(organization, query)
        if query.target:
            query.rank = _rank(found, query.target)
        query.statements = capture(connection, lambda q=query: _call(organization, q))
    for round_ in range(rounds):
        log(f"round {round_ + 1}/{rounds}: ours and raw SQL, interleaved ({machine_load()})")
        order = list(mix)
        random.Random(round_).shuffle(order)
        for query in order:
            cpu0 = clock()
            t0 = time.perf_counter()
            _call(organization, query)
            t1 = time.perf_counter()
            cpu1 = clock()
            query.ours.append((t1 - t0) * 1000)
            query.cpu.append((cpu1 - cpu0) / 1e6)
            query.raw.append(replay(connection, query.statements))
    wholes = [q for q in mix if q.target]
    typing = [q for q in mix if q.kind == "suggest" and not q.target]
    step = max(1, len(typing) // max(1, naive_sample - len(wholes)))
    sample = wholes + typing[step // 2::step][:max(0, naive_sample - len(wholes))]
    log(f"naive icontains over {len(sample)} queries ({machine_load()})")
    for query in sample:
        t0 = time.perf_counter()
        found = naive_suggest(organization, query.text)
        query.naive = (time.perf_counter() - t0) * 1000
        if query.target:
            query.naive_rank = _rank(found, query.target)


# --- the department's list --------------------------------------------------------------------------

def make_inquiries(organization, args, rng: random.Random) -> dict:
    """``--inquiries`` inquiries of the measured department over the last year (``--open`` still open, a
    third of them overdue; the rest answered or closed) and ``--elsewhere`` in the other departments,
    written in bulk."""
    from django.utils import timezone

    from frontoffice.clients.models import Client
    from frontoffice.inquiries.models import Category, Inquiry
    from frontoffice.inquiries.queries.lists import overdue_q

    now = timezone.now()
    site = organization.sites.get()
    department = organization.departments.filter(active=True).order_by("pk").first()
    members = list(department.members.filter(active=True).order_by("pk"))
    desk = next(m for m in members if m.user.email == DESK_EMAIL)
    categories = list(Category.objects.filter(organization=organization))
    mine = [c for c in categories if c.department_id == department.pk] or categories
    others = [c for c in categories if c.department_id != department.pk] or categories
    subjects = _subjects()
    open_statuses = (Inquiry.Status.OPEN, Inquiry.Status.OPEN, Inquiry.Status.FORWARDED, Inquiry.Status.WAITING)
    client_ids = list(Client.objects.filter(organization=organization).values_list("pk", flat=True))

    def rows(count, *, dept, cats, open_count, assignees):
        made = []
        for n in range(count):
            category = rng.choice(cats)
            subject = rng.choice(subjects)
            if n < open_count:  # open, forwarded or waiting; every third one overdue
                status = open_statuses[n % len(open_statuses)]
                opened = now - timedelta(minutes=rng.randrange(10, 60 * 24 * 10))
                if n % 3 == 0:
                    due = opened + (now - opened) * rng.uniform(0.1, 0.9)
                else:
                    due = now + timedelta(minutes=rng.randrange(5, 60 * 10))
                answered = status == Inquiry.Status.WAITING  # the desk answered, then asked for more
                first_due = min(due, opened + timedelta(hours=1)) if answered else due
                resolution_due = due if answered else due + timedelta(days=2)
            else:  # the history: answered or closed
                status = Inquiry.Status.CLOSED if n % 10 else Inquiry.Status.ANSWERED
                opened = now - timedelta(minutes=rng.randrange(60 * 24 * 10, 60 * 24 * 365))
                first_due, resolution_due = opened + timedelta(hours=4), opened + timedelta(days=2)
                answered = True
            made.append(Inquiry(
                organization=organization, site=site, channel=rng.choice(Inquiry.Channel.values),
                client_id=rng.choice(client_ids), subject=subject[:200], question=subject, category=category,
                department_id=dept.pk if dept else category.department_id, status=status,
                assigned_to=rng.choice(assignees) if rng.random() < 0.7 else None, opened_at=opened,
                first_answer_due=first_due, resolution_due=resolution_due,
                first_answered_at=opened + timedelta(minutes=50) if answered else None,
                answered_at=opened + timedelta(minutes=50) if answered else None,
                closed_at=opened + timedelta(days=1) if status == Inquiry.Status.CLOSED else None))
        return made

    started = time.perf_counter()
    assignees = [desk] * 3 + members  # the measured receptionist has a good share of the open ones
    total = 0
    for made in (rows(args.inquiries, dept=department, cats=mine, open_count=args.open, assignees=assignees),
                 rows(args.elsewhere, dept=None, cats=others, open_count=args.elsewhere // 30, assignees=members)):
        Inquiry.objects.bulk_create(made, batch_size=5000)
        total += len(made)
    _analyze()
    log(f"{total:,} inquiries written in {time.perf_counter() - started:.0f} s")
    department_open = Inquiry.objects.filter(organization=organization, department=department,
                                             status__in=Inquiry.OPEN_STATUSES)
    return {"department": department, "desk": desk, "total": total,
            "in_department": Inquiry.objects.filter(organization=organization, department=department).count(),
            "open": department_open.count(), "overdue": department_open.filter(overdue_q(now)).count(),
            "mine": department_open.filter(assigned_to=desk).count()}


def _subjects() -> list[str]:
    from frontoffice.inquiries.demo.articles import ARTICLES

    return [asked for entries in ARTICLES.values() for entry in entries for asked in entry.asked]


def measure_lists(scene: dict, renders: int) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    desk = scene["desk"]
    client = Client(HTTP_HOST=next((h for h in settings.ALLOWED_HOSTS if "*" not in h), "localhost"))
    client.force_login(desk.user)
    session = client.session
    session["frontoffice_org"] = desk.organization_id
    session.save()
    pages = {"department": f"{reverse('inquiries:desk')}?department={scene['department'].pk}&status=open",
             "desk": reverse("inquiries:desk")}
    queries = {}
    for name, url in pages.items():
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{url}: HTTP {response.status_code}")
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries[name] = len(captured)
    first = client.get(pages["department"]).content.decode()
    scene["overdue_first"] = _overdue_first(first)
    timings: dict[str, list[float]] = {"floor": [], **{name: [] for name in pages}, "frozen": []}
    cpu: dict[str, list[float]] = {name: [] for name in timings}
    clock = CpuClock(connection)

    def timed(name: str, path: str) -> None:
        cpu0 = clock()
        started = time.perf_counter()
        client.get(path)
        timings[name].append((time.perf_counter() - started) * 1000)
        cpu[name].append((clock() - cpu0) / 1e6)

    gc.collect()
    log(f"rendering the lists {renders} times ({machine_load()})")
    for _ in range(renders):
        for name, path in (("floor", "/healthz"), *pages.items()):
            timed(name, path)
    # The same department list once the objects alive now are moved out of the collector's sight
    # (``gc.freeze``, as a worker could do after start-up): what is left is the page's own cost, without
    # the pauses of full collections over every long-lived object of the process.
    gc.collect()
    gc.freeze()
    try:
        for _ in range(max(1, renders // 2)):
            timed("frozen", pages["department"])
    finally:
        gc.unfreeze()
    return {"timings": timings, "cpu": cpu, "queries": queries, "urls": pages}


def _overdue_first(page: str) -> bool:
    """The list's first row is marked overdue (``desk_rows.html``: ``class="inq-row … overdue …"``)."""
    row = re.search(r'<tr id="inquiry-\d+" class="([^"]*)"', page)
    return bool(row) and "overdue" in row.group(1).split()


# --- the report -------------------------------------------------------------------------------------

def out(line: str = "") -> None:
    print(line, flush=True)  # stdout is the result; keep it in order with the progress on stderr


def summarize(mix: list[Query]) -> dict:
    classes: dict[str, list[Query]] = {}
    for query in mix:
        classes.setdefault(query.cls, []).append(query)
    classes["**all queries**"] = mix
    table = {}
    for cls, rows in classes.items():
        ours = [t for q in rows for t in q.ours]
        table[cls] = {"queries": len(rows), "p50": percentile(ours, 50), "p95": percentile(ours, 95),
                      "p99": percentile(ours, 99), "max": max(ours),
                      "cpu_p50": percentile([t for q in rows for t in q.cpu], 50),
                      "cpu_p95": percentile([t for q in rows for t in q.cpu], 95),
                      "raw_p50": percentile([t for q in rows for t in q.raw], 50),
                      "raw_p95": percentile([t for q in rows for t in q.raw], 95)}
    return table


def report_suggest(engine: str, corpus: Corpus, mix: list[Query], rounds: int, loads: list[str]) -> None:
    title = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[engine]
    table = summarize(mix)
    out(f"**Suggestions** ({title}): {corpus.count:,} active articles in one organisation (half Polish, half "
        f"English; {len(corpus.targets)} of them the demo offices' real articles, the rest generated from the "
        f"same vocabulary), indexed by `search.rebuild`. {len(mix):,} requests: the clients' questions typed key "
        f"by key from the fourth character (`search.suggest(org, text, limit=5)`; the desk's page asks only after "
        f"a 250 ms pause in typing, so it sends fewer), the articles page's search box "
        f"letter by letter (`search.search`, 20 per page) and a few that find nothing; warmed up once, then "
        f"{rounds} round(s) in shuffled order, each call followed by the raw replay of its own SQL. CPU = this "
        f"thread's" + (" + the PostgreSQL backend's" if engine == "postgres" else "") + " CPU time. Load: "
        f"{'; '.join(loads)}.")
    out()
    out("| requests | n | p50 ms | p95 ms | p99 ms | max ms | CPU p50 | CPU p95 | raw SQL p50 | raw SQL p95 |")
    out("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for cls, row in table.items():
        out(f"| {cls} | {row['queries']:,} | {row['p50']:.2f} | {row['p95']:.2f} | {row['p99']:.2f} | "
            f"{row['max']:.1f} | {row['cpu_p50']:.2f} | {row['cpu_p95']:.2f} | {row['raw_p50']:.2f} | "
            f"{row['raw_p95']:.2f} |")
    total = table["**all queries**"]
    sample = [q for q in mix if q.naive is not None]
    naive = [q.naive for q in sample]
    ours = [statistics.median(q.ours) for q in sample]
    wholes = [q for q in mix if q.target]
    first = sum(q.rank == 1 for q in wholes)
    five = sum(q.rank is not None for q in wholes)
    naive_first = sum(q.naive_rank == 1 for q in wholes)
    naive_five = sum(q.naive_rank is not None for q in wholes)
    ok = total["p95"] < SUGGEST_P95_MS
    out()
    out(f"- Target (issue): suggestions p95 < {SUGGEST_P95_MS:g} ms — **p95 {total['p95']:.2f} ms: "
        f"{'PASS' if ok else 'FAIL'}** (CPU p95 {total['cpu_p95']:.2f} ms).")
    out(f"- Baseline, naive `icontains` (OR of every word of 3+ letters over question, answer and keywords, first "
        f"5 by question) on {len(sample)} of the same requests (every whole question, and typed states sampled "
        f"evenly): p50 {percentile(naive, 50):,.1f} ÷ {percentile(ours, 50):.2f} ms = "
        f"**{percentile(naive, 50) / percentile(ours, 50):,.1f}×**, p95 {percentile(naive, 95):,.1f} ÷ "
        f"{percentile(ours, 95):.2f} ms = **{percentile(naive, 95) / percentile(ours, 95):,.1f}×**.")
    out(f"- Ours ÷ the raw SQL of our own statements: p50 {total['p50']:.2f} ÷ {total['raw_p50']:.2f} ms = "
        f"**{total['p50'] / total['raw_p50']:.2f}×**, p95 {total['p95']:.2f} ÷ {total['raw_p95']:.2f} ms = "
        f"**{total['p95'] / total['raw_p95']:.2f}×**.")
    out(f"- The right article for the whole question ({len(wholes)} clients' questions, each aimed at one real "
        f"article among {corpus.count:,}): first **{first}/{len(wholes)}**, in the five suggested {five}/"
        f"{len(wholes)}; the naive search: first {naive_first}/{len(wholes)}, in its five {naive_five}/"
        f"{len(wholes)}.")
    missed = [q for q in wholes if q.rank != 1][:6]
    if missed:
        out("- Not first: " + "; ".join(f"`{q.text[:60]}` ({'#' + str(q.rank) if q.rank else 'not in 5'})"
                                          for q in missed) + ".")
    slowest = sorted(mix, key=lambda q: -statistics.median(q.ours))[:5]
    out("- Slowest (median of the rounds): " + ", ".join(
        f"`{q.text[:40]}` {statistics.median(q.ours):.1f} ms" for q in slowest) + ".")


def report_lists(engine: str, scene: dict, result: dict, renders: int, load: str) -> None:
    title = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[engine]
    timings, queries, urls = result["timings"], result["queries"], result["urls"]
    floor = timings["floor"]
    out()
    out(f"**The department's list** ({title}): {scene['total']:,} inquiries in all, {scene['in_department']:,} "
        f"of them in the measured department ({scene['open']:,} open, {scene['overdue']:,} of those overdue, "
        f"{scene['mine']:,} assigned to the receptionist who looks). {renders} renders of each page in process "
        f"(Django's test client, signed in as that receptionist), interleaved with the floor. Load: {load}.")
    out()
    cpu = result["cpu"]
    out("| request | queries | p50 ms | p95 ms | p99 ms | max ms | CPU p50 | CPU p95 |")
    out("|---|---:|---:|---:|---:|---:|---:|---:|")
    out(f"| `GET /healthz` signed in (**baseline**: the floor) | — | {statistics.median(floor):.2f} | "
        f"{percentile(floor, 95):.2f} | {percentile(floor, 99):.2f} | {max(floor):.2f} | "
        f"{percentile(cpu['floor'], 50):.2f} | {percentile(cpu['floor'], 95):.2f} |")
    labels = {"department": "the department's open inquiries, overdue first", "desk": "the desk: mine + my "
                                                                                        "departments' queue"}
    ok = True
    for name, url in urls.items():
        values = timings[name]
        ok = ok and percentile(values, 95) < LIST_MS
        out(f"| `GET {url}` ({labels[name]}) | {queries[name]} | {statistics.median(values):.2f} | "
            f"{percentile(values, 95):.2f} | {percentile(values, 99):.2f} | {max(values):.2f} | "
            f"{percentile(cpu[name], 50):.2f} | {percentile(cpu[name], 95):.2f} |")
    frozen = timings["frozen"]
    out(f"| … the department's list again after `gc.freeze()` ({len(frozen)} renders) | {queries['department']} | "
        f"{statistics.median(frozen):.2f} | {percentile(frozen, 95):.2f} | {percentile(frozen, 99):.2f} | "
        f"{max(frozen):.2f} | {percentile(cpu['frozen'], 50):.2f} | {percentile(cpu['frozen'], 95):.2f} |")
    out()
    out("(`gc.freeze()` moves every object alive at that moment out of the garbage collector's generations, as "
        "a server worker could do once started: a full collection then no longer walks them. The difference "
        "between the two rows of the department's list is the cost of those collections; what is left is the "
        "page's own.)")
    out()
    worst = max(percentile(timings[name], 95) for name in urls)
    worst_cpu = max(percentile(cpu[name], 95) for name in urls)
    out(f"- Target (issue): the list renders < {LIST_MS:g} ms — slowest page p95 **{worst:.1f} ms: "
        f"{'PASS' if ok else 'FAIL'}** (CPU p95 {worst_cpu:.1f} ms); the department's list shows an overdue "
        f"inquiry first: "
        f"{'yes' if scene.get('overdue_first') else 'NO'}.")


# --- main -------------------------------------------------------------------------------------------

def suggestions(engine: str, organization, owner, args, rng: random.Random) -> None:
    """Part 1, in a function of its own: its thousands of measured queries are gone before part 2."""
    log(f"{engine}: writing {args.articles:,} articles")
    corpus = load_articles(organization, owner, args.articles, rng)
    mix = build_mix(corpus, rng)
    loads = [f"{machine_load()} at the start"]
    measure_suggest(organization, mix, args.rounds, args.naive)
    loads.append(f"{machine_load()} at the end")
    report_suggest(engine, corpus, mix, args.rounds, loads)


def main(argv=None) -> int:
    args = parse_args(argv)
    env, engine, owned = prepare(args)
    gen_clients.setup_django(env)
    from django.db import connection

    from frontoffice.clients.models import Client

    rng = random.Random(args.seed)
    data_dir = Path(env["FRONTOFFICE_DATA_DIR"])
    try:
        if Client.objects.exists():
            sys.exit("the database already holds clients: give a fresh one")
        log("setting up the office through the services")
        organization, owner = make_office()
        log(f"{engine}: generating {args.clients:,} + {args.other:,} clients")
        gen_clients.generate(args.clients, other=args.other)
        if args.only in (None, "suggest"):
            suggestions(engine, organization, owner, args, rng)
        if args.only in (None, "list"):
            log(f"{engine}: writing {args.inquiries + args.elsewhere:,} inquiries")
            scene = make_inquiries(organization, args, rng)
            result = measure_lists(scene, args.renders)
            report_lists(engine, scene, result, args.renders, machine_load())
    finally:
        connection.close()
        if owned and not args.keep:
            if engine == "postgres":
                gen_clients.drop_postgres()
            shutil.rmtree(data_dir, ignore_errors=True)
        elif owned:
            log(f"kept: FRONTOFFICE_DATA_DIR={data_dir}")
    return 0  # a missed target is a finding to record (FAIL in the report), not a failed run


if __name__ == "__main__":
    sys.exit(main())
