"""The demo offices' knowledge bases: real answers to what each kind of office is asked every day.

One list per vertical, in the office's language (the medical office and the school are Polish, the law firm
and the print shop English). ``asked`` is how clients actually put some of these questions — with typos,
without diacritics, chatty: the demo's week of inquiries asks them, and ``bench/bench_inquiries.py`` types
them into the suggestions to check that the right article comes first.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    category: str  # the key of the vertical's preset category (inquiries/presets.py)
    question: str
    answer: str
    keywords: str = ""
    public: bool = True  # shown on the public FAQ page
    canned: bool = False  # a ready e-mail reply
    review_due: bool = False  # past its review date: listed for its owner
    asked: tuple[str, ...] = ()


MEDICAL = (
    Entry("appointments", "Jak zapisać się na wizytę do lekarza rodzinnego?",
          "Na wizytę do lekarza rodzinnego zapisujemy telefonicznie (22 345 61 00, pon.–pt. 7:30–16:00), "
          "osobiście w rejestracji lub przez Internetowe Konto Pacjenta. Przy pierwszej wizycie prosimy o dowód "
          "osobisty i numer PESEL. W sprawach pilnych lekarz przyjmuje tego samego dnia.",
          "rejestracja, zapisy, umówić się, umówienie wizyty, termin, wizyta, lekarz rodzinny, POZ",
          asked=("Dzień dobry, chciałabym umówić się do lekarza rodzinnego, jak to zrobić?",
                 "jak sie zapisac do lekarza")),
    Entry("appointments", "Jak odwołać lub przełożyć wizytę?",
          "Wizytę można odwołać telefonicznie, e-mailem na rejestracja@przychodnia.example lub w rejestracji, "
          "najlepiej najpóźniej 24 godziny wcześniej. Nieodwołana wizyta blokuje termin innemu pacjentowi — "
          "prosimy o informację nawet w ostatniej chwili.",
          "odwołanie, przełożenie, zmiana terminu, rezygnacja",
          canned=True,
          asked=("Nie dam rady przyjść jutro na 10:30 do dr Kamińskiej, czy mogę przełożyć wizytę na inny dzień?",
                 "odwolac wizyte")),
    Entry("appointments", "Czy potrzebuję skierowania do specjalisty?",
          "W ramach NFZ skierowania wymagają m.in. kardiolog, neurolog, ortopeda i endokrynolog. Bez "
          "skierowania przyjmują: ginekolog, dermatolog, okulista, psychiatra i stomatolog. Wizyty prywatne "
          "nie wymagają skierowania.",
          "skierowanie, specjalista, NFZ, kardiolog, dermatolog",
          asked=("Czy do kardiologa muszę mieć skierowanie od lekarza rodzinnego?",)),
    Entry("appointments", "Jak długo czeka się na wizytę u specjalisty?",
          "Terminy sprawdzamy zawsze w grafiku. Orientacyjnie (NFZ): kardiolog 3–4 tygodnie, dermatolog 2 "
          "tygodnie, okulista 5 tygodni; wizyty prywatne zwykle w ciągu tygodnia. Nie podajemy terminu przez "
          "telefon bez sprawdzenia grafiku.",
          "termin, kolejka, czas oczekiwania, specjalista",
          public=False, review_due=True),
    Entry("appointments", "Czy można przyjść bez zapisu w nagłej sprawie?",
          "Tak. W sprawach pilnych (wysoka gorączka, silny ból, uraz) lekarz dyżurny przyjmuje tego samego "
          "dnia bez wcześniejszego zapisu, w kolejności zgłoszeń. W stanie zagrożenia życia prosimy dzwonić "
          "pod numer 112.",
          "nagła sprawa, pilne, bez zapisu, dyżur, gorączka"),
    Entry("appointments", "Jak zapisać dziecko na szczepienie?",
          "Szczepienia obowiązkowe wykonujemy we wtorki i czwartki w godzinach 9:00–13:00 w gabinecie "
          "szczepień. Prosimy o zapis telefoniczny i zabranie książeczki zdrowia dziecka. Przed szczepieniem "
          "dziecko bada lekarz — musi być zdrowe.",
          "szczepienie, szczepionka, dziecko, bilans, książeczka zdrowia",
          asked=("kiedy moge przyjsc z synem na szczepienie? ma 13 miesiecy",)),
    Entry("appointments", "Co zabrać na pierwszą wizytę?",
          "Dowód osobisty (lub inny dokument z numerem PESEL), skierowanie — jeśli wizyta go wymaga, wyniki "
          "poprzednich badań i listę przyjmowanych leków. Na wizytę z dzieckiem: książeczkę zdrowia.",
          "pierwsza wizyta, dokumenty, co zabrać, dowód"),
    Entry("appointments", "Jak zmienić lekarza rodzinnego na lekarza z naszej przychodni?",
          "Wystarczy wypełnić deklarację wyboru lekarza POZ w rejestracji lub przez Internetowe Konto "
          "Pacjenta. Bezpłatnie można zmienić lekarza do trzech razy w roku. Dokumentację z poprzedniej "
          "przychodni sprowadzimy na Pana/Pani wniosek.",
          "deklaracja, zmiana lekarza, zapis do przychodni, POZ"),
    Entry("appointments", "Czy lekarz przyjeżdża na wizyty domowe?",
          "Lekarz rodzinny odwiedza w domu pacjentów, którzy z powodu stanu zdrowia nie mogą przyjść (np. osoby "
          "obłożnie chore). Zgłoszenia przyjmujemy telefonicznie do 12:00; lekarz oddzwania i decyduje o "
          "wizycie.",
          "wizyta domowa, dom, obłożnie chory"),
    Entry("prescriptions", "Jak zamówić receptę na stałe leki?",
          "Receptę na leki przyjmowane na stałe można zamówić telefonicznie, przez formularz na stronie lub w "
          "rejestracji. Lekarz wystawia e-receptę w ciągu 2 dni roboczych; kod przychodzi SMS-em lub e-mailem "
          "z Internetowego Konta Pacjenta. W aptece wystarczy kod i PESEL.",
          "recepta, e-recepta, leki stałe, przedłużenie",
          canned=True,
          asked=("Potrzebuję receptę na moje leki na ciśnienie, skończyły mi się. Czy mogę zamówić bez wizyty?",
                 "recepta na leki stale")),
    Entry("prescriptions", "Nie dostałem SMS-a z kodem e-recepty — co zrobić?",
          "Kod e-recepty widać w Internetowym Koncie Pacjenta (pacjent.gov.pl). W aptece wystarczy podać PESEL "
          "i kod; rejestracja może też wydrukować informację o e-recepcie. Prosimy sprawdzić, czy numer "
          "telefonu w IKP jest aktualny.",
          "kod, SMS, e-recepta, IKP, nie przyszedł",
          asked=("Nie przyszedł mi SMS z kodem recepty, co mam zrobić?",)),
    Entry("prescriptions", "Jak długo ważna jest e-recepta?",
          "Standardowo 30 dni od daty wystawienia, na antybiotyki 7 dni. Na leki przyjmowane przewlekle lekarz "
          "może wystawić receptę na kurację do 365 dni — realizuje się ją w aptece częściami.",
          "ważność recepty, termin, antybiotyk"),
    Entry("prescriptions", "Czy lekarz wystawi receptę bez wizyty?",
          "Tylko na leki przyjmowane na stałe, zlecone wcześniej przez naszego lekarza, jeśli pacjent był na "
          "wizycie w ciągu ostatnich 12 miesięcy. Nowe leki i antybiotyki — wyłącznie po wizycie (także "
          "teleporadzie). Nie obiecujemy recepty: przekazujemy prośbę lekarzowi.",
          "recepta bez wizyty, teleporada",
          public=False),
    Entry("test-results", "Kiedy będą wyniki badań krwi?",
          "Morfologia, OB i biochemia są zwykle gotowe tego samego dnia po 14:00; badania hormonalne po 2–3 "
          "dniach roboczych; posiew po 5–7 dniach. Wyniki widać w portalu pacjenta, można je też odebrać w "
          "rejestracji z dowodem osobistym.",
          "wyniki, gotowe wyniki, badania krwi, morfologia, morfologii, laboratorium, kiedy",
          asked=("Dzień dobry, w poniedziałek miałam pobraną krew, kiedy będą wyniki?",
                 "czy sa juz moje wyniki morfologii")),
    Entry("test-results", "Jak odebrać wyniki badań przez internet?",
          "Na wydruku zlecenia dostaje Pan/Pani login i hasło do portalu wyników; wyniki pojawiają się tam same. "
          "Hasło można zresetować w rejestracji (z dowodem osobistym) — nie podajemy go przez telefon.",
          "wyniki online, portal, hasło, zgubione hasło, login, internet",
          canned=True,
          asked=("Zgubiłem hasło do wyników w internecie, jak mogę je zobaczyć?",)),
    Entry("test-results", "Czy wyniki badań może odebrać ktoś inny?",
          "Tak, na podstawie pisemnego upoważnienia pacjenta (druk w rejestracji i na stronie) i dowodu "
          "osobistego osoby odbierającej. Wyniki dziecka odbiera rodzic lub opiekun prawny.",
          "upoważnienie, odbiór wyników, inna osoba"),
    Entry("test-results", "Jak przygotować się do pobrania krwi?",
          "Na czczo: 8–12 godzin bez jedzenia, można pić wodę. Rano nie palić i nie ćwiczyć. Leki przyjmowane "
          "na stałe — po pobraniu, chyba że lekarz zalecił inaczej. Punkt pobrań jest czynny pon.–pt. "
          "7:00–10:30.",
          "na czczo, pobranie krwi, przygotowanie, punkt pobrań",
          asked=("czy na badanie krwi trzeba byc na czczo?",)),
    Entry("test-results", "Czy rejestracja omawia wyniki badań przez telefon?",
          "Nie. Rejestracja nie interpretuje wyników i nie odczytuje ich przez telefon. Potwierdzamy tylko, czy "
          "wyniki są gotowe, i proponujemy wizytę lub teleporadę u lekarza, który je zlecił. Przy wyniku "
          "krytycznym laboratorium samo dzwoni do pacjenta.",
          "wyniki przez telefon, interpretacja",
          public=False, review_due=True),
    Entry("test-results", "Ile kosztują badania laboratoryjne bez skierowania?",
          "Morfologia 18 zł, glukoza 10 zł, lipidogram 40 zł, TSH 30 zł, witamina D 75 zł. Pełny cennik jest "
          "w punkcie pobrań i na stronie. Ze skierowaniem od lekarza NFZ badania są bezpłatne.",
          "cennik, badania prywatnie, koszt, morfologia, TSH",
          asked=("Ile kosztuje badanie witaminy D i TSH prywatnie?",)),
    Entry("billing", "Ile kosztuje prywatna wizyta u specjalisty?",
          "Konsultacja specjalistyczna kosztuje 200 zł, wizyta kontrolna (do 30 dni) 150 zł, teleporada 120 zł. "
          "Płatność gotówką, kartą lub BLIK-iem w rejestracji przed wizytą.",
          "cena, cennik, prywatnie, konsultacja, koszt wizyty",
          asked=("ile kosztuje prywatna wizyta u dermatologa",)),
    Entry("billing", "Jak otrzymać fakturę za wizytę?",
          "Fakturę wystawiamy na prośbę zgłoszoną przy płatności lub do 3 miesięcy po niej. Prosimy podać NIP i "
          "dane firmy; faktura przychodzi e-mailem w ciągu 2 dni roboczych.",
          "faktura, NIP, rachunek, firma",
          canned=True,
          asked=("Proszę o fakturę na firmę za wizytę z 12 marca, NIP 5252248481.",)),
    Entry("billing", "Czy można zapłacić kartą?",
          "Tak: kartą, BLIK-iem i gotówką w rejestracji. Za badania laboratoryjne płaci się w punkcie pobrań.",
          "płatność, karta, BLIK, gotówka"),
    Entry("billing", "Jak poprawić błąd na fakturze?",
          "Błędnej faktury nie poprawiamy, tylko wystawiamy fakturę korygującą. Zbieramy: numer faktury, co jest "
          "błędne i poprawne dane, i przekazujemy do działu rozliczeń; korekta jest gotowa w ciągu 5 dni "
          "roboczych.",
          "korekta, faktura korygująca, błąd",
          public=False),
    Entry("records-request", "Jak uzyskać kopię dokumentacji medycznej?",
          "Wniosek o udostępnienie dokumentacji składa się w rejestracji, e-mailem lub listownie. Pierwsza "
          "kopia jest bezpłatna, kolejne zgodnie z cennikiem. Czas realizacji: do 7 dni. Odbiór osobiście z "
          "dowodem osobistym lub przez osobę upoważnioną.",
          "dokumentacja medyczna, kopia, wniosek, historia choroby",
          canned=True,
          asked=("Potrzebuję kopię całej dokumentacji medycznej do ZUS, jak ją dostać?",)),
    Entry("records-request", "Jak przenieść dokumentację do innej przychodni?",
          "Nowa przychodnia sama występuje o dokumentację, gdy złoży Pan/Pani u niej deklarację. Można też "
          "złożyć u nas wniosek o kopię i zanieść ją samodzielnie.",
          "przeniesienie, zmiana przychodni, dokumentacja"),
    Entry("records-request", "Kto może odebrać dokumentację po zmarłym członku rodziny?",
          "Osoba upoważniona przez pacjenta za życia albo osoba bliska (małżonek, krewny, przedstawiciel "
          "ustawowy) — chyba że pacjent za życia się sprzeciwił. Potrzebny jest wniosek pisemny, dowód "
          "tożsamości i akt zgonu. Wydanie zatwierdza kierownik rejestracji.",
          "zmarły, rodzina, osoba bliska, akt zgonu",
          public=False, review_due=True),
    Entry("general", "W jakich godzinach jest czynna przychodnia?",
          "Przychodnia jest czynna od poniedziałku do piątku w godzinach 8:00–16:00, rejestracja telefoniczna "
          "od 7:30. Wieczorami, w weekendy i święta działa nocna i świąteczna opieka zdrowotna — tel. "
          "800 190 590.",
          "godziny otwarcia, czynne, kiedy otwarte, weekend",
          asked=("Do której jesteście dzisiaj otwarci?", "godziny otwarcia w sobote")),
    Entry("general", "Jak uzyskać zaświadczenie lekarskie do szkoły lub na zajęcia sportowe?",
          "Zaświadczenie o braku przeciwwskazań do zajęć sportowych (do szkoły, na basen, na obóz) wystawia "
          "lekarz rodzinny na wizycie — prosimy zapisać dziecko i zabrać książeczkę zdrowia. Zaświadczenie "
          "kosztuje 50 zł.",
          "zaświadczenie, szkoła, basen, sport, WF, obóz",
          asked=("Dzień dobry, córka potrzebuje zaświadczenia od lekarza na basen do szkoły, co trzeba zrobić?",
                 "zaswiadczenie lekarskie do szkoly")),
    Entry("general", "Jak dostać zwolnienie lekarskie (L4)?",
          "Zwolnienie (e-ZLA) wystawia lekarz na wizycie lub teleporadzie; trafia ono samo do ZUS i do "
          "pracodawcy. Zwolnień wstecz na dłużej niż 3 dni ani bez badania nie wystawiamy.",
          "L4, zwolnienie, e-ZLA, ZUS, pracodawca",
          asked=("Potrzebuję L4 od dzisiaj, mam gorączkę, czy mogę dostać przez telefon?",)),
    Entry("general", "Gdzie można zaparkować przy przychodni?",
          "Bezpłatny parking dla pacjentów jest za budynkiem (wjazd od ul. Odyńca): 20 miejsc, w tym 2 dla osób "
          "z niepełnosprawnościami. Przystanek tramwajowy Puławska/Odyńca jest 100 m od wejścia.",
          "parking, dojazd, tramwaj"),
    Entry("general", "Czy przychodnia jest dostosowana dla osób z niepełnosprawnościami?",
          "Tak: wejście bez progów, winda, toaleta dla osób z niepełnosprawnościami i pętla indukcyjna w "
          "rejestracji. Pacjenci mogą przyjść z psem asystującym.",
          "niepełnosprawność, winda, wózek, dostępność"),
    Entry("general", "Czy w przychodni można zrobić test na grypę lub COVID-19?",
          "Tak. Test antygenowy wykonujemy na zlecenie lekarza (bezpłatnie) lub prywatnie za 60 zł w punkcie "
          "pobrań, pon.–pt. 7:00–10:30. Wynik jest po 15 minutach.",
          "test, grypa, COVID, antygen",
          review_due=True),
    Entry("general", "Potwierdzenie otrzymania wiadomości",
          "Dzień dobry,\n\ndziękujemy za wiadomość. Sprawą zajmie się właściwy dział; odpowiemy najpóźniej w "
          "ciągu jednego dnia roboczego. W sprawach pilnych prosimy o telefon: 22 345 61 00.\n\nPozdrawiamy,\n"
          "Rejestracja Przychodni Zdrowie",
          "potwierdzenie, odpowiedź e-mail",
          public=False, canned=True),
    Entry("general", "Jak złożyć skargę lub uwagę?",
          "Skargi i uwagi przyjmuje kierownik rejestracji: osobiście, e-mailem na uwagi@przychodnia.example lub "
          "listownie. Odpowiadamy w ciągu 14 dni. Można też zwrócić się do Rzecznika Praw Pacjenta "
          "(800 190 590).",
          "skarga, reklamacja, uwagi, rzecznik"),
)

LEGAL = (
    Entry("new-matter", "How do I book a first consultation?",
          "Call us on +48 22 654 31 00 or write to office@kowalski-law.example with a short description of the "
          "matter and the names of the other parties (we run a conflict check before we meet). A first "
          "consultation lasts up to an hour; we offer a slot within five working days, in person or by video.",
          "appointment, consultation, meeting, book, new client",
          asked=("Hello, I would like to meet a lawyer about a dispute with my landlord. How can I book?",
                 "book consultation")),
    Entry("new-matter", "How much does a first consultation cost?",
          "A first consultation costs 500 PLN net (615 PLN with VAT) for up to one hour. If you then instruct us "
          "in the matter, the fee is credited against the first invoice.",
          "price, fee, cost, charge, how much, consultation, first meeting",
          asked=("what do you charge for the first meeting?",)),
    Entry("new-matter", "What should I bring to the first meeting?",
          "Your ID, all the documents of the matter (contracts, letters, court papers, e-mails — printed or on a "
          "USB stick), a timeline of events and the names of the other parties. For a company: the KRS extract "
          "and a power of attorney if you are not on the board.",
          "documents, bring, first meeting, ID"),
    Entry("new-matter", "Why do you need the other party's name before we meet?",
          "We must check that we do not act, and have not acted, for the other side (a conflict of interest). "
          "We cannot meet or advise until the check is clear; it usually takes one working day.",
          "conflict check, conflict of interest, other party"),
    Entry("new-matter", "Do you take criminal cases?",
          "No: the firm handles civil, commercial, employment and family matters. Refer criminal defence "
          "enquiries to the Warsaw Bar Association's list of advocates — do not recommend a named lawyer.",
          "criminal, defence, police, referral",
          public=False, review_due=True),
    Entry("new-matter", "Can you represent me in court next week?",
          "Never promise it on the phone. Take the court, the case number, the hearing date and what the client "
          "has received; mark the inquiry urgent and forward it to Litigation. A partner decides the same day.",
          "urgent, hearing, court, representation",
          public=False),
    Entry("new-matter", "Do you give free legal advice?",
          "We do not give free advice, but free legal aid is available at the city's free legal aid points "
          "(nieodpłatna pomoc prawna): book through the city's helpline, 22 443 00 00.",
          "free advice, legal aid, pro bono"),
    Entry("new-matter", "Do you handle divorce cases?",
          "Yes: divorce and separation, custody and contact, maintenance and the division of property. The first "
          "consultation explains the procedure, the timing (usually 6–18 months) and the costs; the court fee "
          "for a divorce petition is 600 PLN.",
          "divorce, separation, custody, family law",
          asked=("My husband and I are separating. Can you help with the divorce and how long does it take?",)),
    Entry("new-matter", "Can you help with an employment dispute?",
          "Yes, for employees and employers: dismissals, unpaid wages, bullying, non-compete clauses. Bring your "
          "contract, the termination letter and your payslips. Deadlines are short: an appeal against a "
          "dismissal must be filed within 21 days.",
          "employment, dismissal, fired, wages, labour court",
          asked=("I was fired last Friday without a reason, can I appeal?",)),
    Entry("new-matter", "Do you register companies?",
          "Yes: limited companies (sp. z o.o.) online through S24 in about a week, or by notarial deed for "
          "tailored articles; we also file KRS changes and the register of beneficial owners (CRBR).",
          "company registration, KRS, sp. z o.o., CRBR"),
    Entry("existing-case", "How can I find out the status of my case?",
          "Your lawyer reports on every step. For an update, write to your lawyer or to "
          "office@kowalski-law.example quoting the case reference (e.g. KP/2025/123); we reply within one "
          "working day.",
          "status, update, progress, case",
          canned=True,
          asked=("Any news on my case KP/2025/081? I have not heard anything for a month.",
                 "status of my case")),
    Entry("existing-case", "When is my next hearing?",
          "Check the matter's calendar and give the date, time, court and room — only to the client or a person "
          "on the matter's contact list, never to anyone else.",
          "hearing date, court, calendar",
          public=False),
    Entry("existing-case", "How do I send documents to my lawyer?",
          "By e-mail to your lawyer (PDF preferred), through the secure upload link in your engagement letter, "
          "or in person at reception, where we give you a receipt. Originals are scanned and returned unless the "
          "court needs them.",
          "send documents, contract, paper copy, post, upload, originals",
          asked=("How can I get the signed contract to my lawyer? I only have a paper copy.",)),
    Entry("existing-case", "Can I speak to my lawyer today?",
          "Lawyers are often in court. Reception takes a message with your number and the best time to call; "
          "your lawyer or their assistant calls back the same day, or the next morning if you call after 3 pm.",
          "call back, speak to lawyer, message"),
    Entry("existing-case", "I received a letter from the court — what should I do?",
          "Do not ignore it: court deadlines often run from the day of delivery (7 or 14 days). Scan or "
          "photograph the whole letter, including the envelope with the delivery date, and send it to your "
          "lawyer today.",
          "court letter, summons, deadline, delivery",
          asked=("I got a letter from the district court today, what do I do now?",)),
    Entry("billing", "How are your fees calculated?",
          "Either an hourly rate (partners 900 PLN, associates 550 PLN, net), a fixed fee agreed for a defined "
          "task, or a monthly retainer for companies. The engagement letter sets the basis and an estimate "
          "before we start.",
          "fees, hourly rate, retainer, estimate"),
    Entry("billing", "How can I pay an invoice?",
          "By bank transfer to the account on the invoice, quoting the invoice number, or by card at reception. "
          "Invoices are due within 14 days.",
          "pay, invoice, bank transfer, card",
          canned=True,
          asked=("What's your bank account number? I want to pay invoice FV/2025/11/042.",)),
    Entry("billing", "Can I get a copy of an invoice?",
          "Yes: write to billing@kowalski-law.example with the invoice number or the month; we resend the PDF "
          "the same day.",
          "invoice copy, duplicate, resend",
          canned=True),
    Entry("billing", "Can I pay in instalments?",
          "Possible for private clients with a partner's approval. Take the invoice number and the proposal "
          "(how many instalments) and forward it to Accounts; do not agree anything on the phone.",
          "instalments, payment plan",
          public=False),
    Entry("billing", "Why is VAT added to the fee?",
          "Legal services bear 23 % VAT in Poland. Business clients can deduct it; fees quoted to private "
          "clients are given with VAT.",
          "VAT, tax, gross, net"),
    Entry("documents", "Can you certify a copy of a document?",
          "A lawyer of the firm can certify copies of documents for proceedings we conduct for you. Certified "
          "copies for other uses (a bank, an office) need a notary.",
          "certified copy, notary, certify"),
    Entry("documents", "How do I give a power of attorney?",
          "We prepare it for you to sign at our office or at a distance (a qualified electronic signature or the "
          "ePUAP trusted profile). A power of attorney for court proceedings bears a 17 PLN stamp duty.",
          "power of attorney, signature, stamp duty",
          asked=("do I have to come in to sign the power of attorney?",)),
    Entry("documents", "Where can I collect my original documents?",
          "At reception, Monday to Friday 9:00–17:00, with your ID and the receipt we gave you; someone else may "
          "collect them with your written authorisation.",
          "collect originals, pick up documents"),
    Entry("documents", "Do you translate documents?",
          "We work with sworn translators (English, German, Ukrainian, French). A sworn translation takes 3–5 "
          "working days; we send the quote before ordering it.",
          "translation, sworn translator",
          review_due=True),
    Entry("documents", "How long do you keep case files?",
          "Ten years after the matter closes (longer where the law requires), then they are destroyed securely. "
          "Clients may ask for their documents back at any time before.",
          "retention, archive, files",
          public=False),
    Entry("general", "What are your office hours?",
          "Monday to Friday, 9:00–17:00. Outside these hours, leave a message on +48 22 654 31 00 or write to "
          "office@kowalski-law.example; urgent court matters are handled by the lawyer on duty.",
          "opening hours, office hours, open",
          asked=("Are you open on Saturday morning?",)),
    Entry("general", "Where is your office and where can I park?",
          "Al. Jerozolimskie 65, 4th floor (lift from the main hall). Paid street parking; the nearest car park "
          "is at Złote Tarasy, five minutes' walk. Warszawa Centralna station is across the road.",
          "address, parking, directions"),
    Entry("general", "Do your lawyers speak English or Ukrainian?",
          "Yes: all our lawyers advise in English; two speak Ukrainian and one German. Say which language you "
          "prefer when you book.",
          "language, English, Ukrainian, German"),
    Entry("general", "Can I have a consultation by video?",
          "Yes: Teams, Zoom or Google Meet; we send the link with the booking confirmation. Please have your ID "
          "ready — we confirm who you are at the start.",
          "video call, online, remote, Zoom, Teams",
          asked=("I live in Gdańsk, can we do the consultation online?",)),
    Entry("general", "How do I make a complaint?",
          "Write to the managing partner at partner@kowalski-law.example. We acknowledge within 2 working days "
          "and answer within 14. You may also contact the Warsaw Bar Association.",
          "complaint, dissatisfied"),
    Entry("general", "Acknowledgement of your e-mail",
          "Dear Sir or Madam,\n\nthank you for your message. It has been passed to the lawyer responsible, who "
          "will reply within one working day. If your matter concerns a court deadline, please call us on "
          "+48 22 654 31 00.\n\nKind regards,\nKowalski & Partners",
          "acknowledgement, reply",
          public=False, canned=True),
    Entry("general", "We need more information before we can help",
          "Thank you for your enquiry. To check for conflicts and pass it to the right lawyer, please send us "
          "your full name, the names of the other parties and a short description of the matter (2–3 "
          "sentences). We will then propose a consultation date.",
          "more information, conflict check",
          public=False, canned=True),
)

EDUCATION = (
    Entry("admissions", "Jak zapisać dziecko do pierwszej klasy?",
          "Dzieci z obwodu szkoły przyjmujemy na podstawie zgłoszenia złożonego w sekretariacie lub w systemie "
          "rekrutacji elektronicznej w marcu. Potrzebny jest PESEL dziecka i dane rodziców. Dzieci spoza obwodu "
          "przyjmujemy w rekrutacji, jeśli są wolne miejsca.",
          "zapisy, pierwsza klasa, rekrutacja, zgłoszenie, obwód",
          asked=("Dzień dobry, jak zapisać córkę do pierwszej klasy od września?", "zapisy do 1 klasy")),
    Entry("admissions", "Jak sprawdzić, czy mieszkamy w obwodzie szkoły?",
          "Wykaz ulic obwodu jest na stronie szkoły i w sekretariacie. Można też zadzwonić i podać adres — "
          "sprawdzimy od razu.",
          "obwód, rejon, adres, ulice",
          asked=("czy ulica Piotrkowska 210 należy do waszego rejonu?",)),
    Entry("admissions", "Czy można przenieść dziecko do naszej szkoły w trakcie roku?",
          "Tak, jeśli w klasie jest wolne miejsce. Potrzebny jest wniosek rodzica; arkusz ocen z poprzedniej "
          "szkoły szkoły przesyłają między sobą. Dyrektor decyduje w ciągu 7 dni.",
          "przeniesienie, zmiana szkoły, w trakcie roku",
          asked=("Przeprowadzamy się do Łodzi w lutym, czy syn może przejść do was w trakcie roku?",)),
    Entry("admissions", "Jakie dokumenty są potrzebne przy zapisie?",
          "Zgłoszenie lub wniosek (druk w sekretariacie), PESEL dziecka, dane kontaktowe rodziców, a w "
          "rekrutacji — oświadczenia potwierdzające kryteria (np. rodzeństwo w szkole, praca rodziców w "
          "pobliżu).",
          "dokumenty, wniosek, zgłoszenie, kryteria"),
    Entry("admissions", "Kiedy są wyniki rekrutacji?",
          "Listy zakwalifikowanych wywieszamy w szkole i publikujemy w systemie rekrutacji w kwietniu (daty w "
          "harmonogramie miasta). Potwierdzenie woli przyjęcia trzeba złożyć w ciągu 7 dni.",
          "wyniki rekrutacji, lista przyjętych",
          review_due=True),
    Entry("admissions", "Czy szkoła ma oddziały integracyjne?",
          "Tak, w każdym roczniku jest jeden oddział integracyjny. Potrzebne jest orzeczenie o potrzebie "
          "kształcenia specjalnego z poradni psychologiczno-pedagogicznej.",
          "integracja, orzeczenie, kształcenie specjalne"),
    Entry("timetable", "Gdzie znajdę plan lekcji?",
          "Plan lekcji jest w dzienniku elektronicznym i na tablicy przy wejściu. Zmiany i zastępstwa pojawiają "
          "się w dzienniku do 7:30 danego dnia.",
          "plan lekcji, zastępstwa, dziennik",
          asked=("gdzie jest plan lekcji dla 4b?",)),
    Entry("timetable", "O której zaczynają się i kończą lekcje?",
          "Lekcje zaczynają się o 8:00, ostatnia kończy się najpóźniej o 15:30. Przerwy trwają 10 minut, "
          "obiadowa 20 minut po czwartej lekcji.",
          "godziny lekcji, dzwonki, przerwy"),
    Entry("timetable", "W jakich godzinach działa świetlica?",
          "Świetlica jest czynna od 6:30 do 17:30 dla dzieci rodziców pracujących. Zapisy na początku roku w "
          "sekretariacie (karta zgłoszenia).",
          "świetlica, opieka, godziny świetlicy, do której, otwarta",
          asked=("Do której godziny jest otwarta świetlica? Pracuję do 17.",)),
    Entry("timetable", "Kiedy są ferie i dni wolne?",
          "Kalendarz roku szkolnego — ferie, przerwy świąteczne i dni dyrektorskie — jest na stronie szkoły. "
          "W dni dyrektorskie świetlica pracuje dla dzieci zgłoszonych wcześniej.",
          "ferie, dni wolne, kalendarz, dzień dyrektorski",
          review_due=True),
    Entry("timetable", "Kiedy są zebrania z rodzicami i konsultacje?",
          "Zebrania są we wrześniu, listopadzie, styczniu, kwietniu i czerwcu (terminy w dzienniku). Konsultacje "
          "nauczycieli — w każdy pierwszy wtorek miesiąca, 17:00–18:00.",
          "zebranie, wywiadówka, konsultacje"),
    Entry("fees", "Ile kosztują obiady w stołówce?",
          "Obiad kosztuje 9 zł; opłatę za miesiąc wpłaca się przelewem do 10. dnia miesiąca. Nieobecność "
          "zgłoszona dzień wcześniej do 9:00 jest odliczana w kolejnym miesiącu.",
          "obiady, stołówka, opłata za obiady, ile płacimy, do kiedy, cena",
          asked=("Ile płacimy za obiady w tym miesiącu i do kiedy?",)),
    Entry("fees", "Na jakie konto wpłacać za obiady?",
          "Numer konta stołówki: 12 1240 1234 0000 0000 1200 0012; w tytule: imię i nazwisko dziecka, klasa, "
          "miesiąc. Wpłat gotówką nie przyjmujemy.",
          "konto, przelew, numer konta, obiady",
          canned=True,
          asked=("podajcie prosze numer konta do wplat za obiady",)),
    Entry("fees", "Czy za świetlicę się płaci?",
          "Nie, świetlica szkolna jest bezpłatna. Płatne są tylko obiady i dobrowolna składka na radę rodziców.",
          "świetlica, opłata, bezpłatna"),
    Entry("fees", "Jak wygląda zwrot za niewykorzystane obiady?",
          "Odliczenie przysługuje za dni zgłoszone do 9:00 dzień wcześniej (przez dziennik lub telefonicznie do "
          "intendentki, wew. 14). Sprawę przekazujemy intendentce; za dni niezgłoszone zwrotu nie obiecujemy.",
          "zwrot, odliczenie, nieobecność, obiady",
          public=False),
    Entry("fees", "Czy można dostać dofinansowanie do obiadów?",
          "Tak: o bezpłatne obiady można wnioskować w Miejskim Ośrodku Pomocy Społecznej (kryterium dochodowe), "
          "a w nagłej sytuacji — u dyrektora szkoły.",
          "dofinansowanie, MOPS, bezpłatne obiady"),
    Entry("certificates", "Jak uzyskać zaświadczenie o uczęszczaniu dziecka do szkoły?",
          "Zaświadczenie wydaje sekretariat od ręki lub następnego dnia: wystarczy przyjść, zadzwonić lub "
          "napisać e-mail, podając imię i nazwisko dziecka, klasę i cel (np. ZUS, MOPS, 800+). Zaświadczenie "
          "jest bezpłatne.",
          "zaświadczenie, uczeń, uczęszczanie, ZUS",
          canned=True,
          asked=("Potrzebuję zaświadczenie, że syn chodzi do szkoły, do ZUS-u. Jak je dostać?",
                 "zaswiadczenie o uczeszczaniu do szkoly")),
    Entry("certificates", "Jak otrzymać duplikat świadectwa?",
          "Duplikat wydajemy na pisemny wniosek, po opłacie 26 zł przelewem na konto szkoły. Czekamy do 7 dni. "
          "Odbiór osobiście z dowodem osobistym lub przez osobę upoważnioną.",
          "duplikat, świadectwo, zgubione świadectwo, zgubiłam",
          asked=("Zgubiłam świadectwo ukończenia szkoły z 2015 roku, czy można dostać duplikat?",)),
    Entry("certificates", "Jak zamówić nową legitymację szkolną?",
          "Na wniosek rodzica z aktualnym zdjęciem (do legitymacji elektronicznej — w pliku). Duplikat "
          "legitymacji kosztuje 9 zł i jest gotowy w ciągu 5 dni roboczych.",
          "legitymacja, zgubiona legitymacja, zgubił, duplikat, zdjęcie",
          asked=("Syn zgubił legitymację, co teraz?",)),
    Entry("certificates", "Czy szkoła wystawia zaświadczenie do ulgi na bilet?",
          "Ulgę daje sama legitymacja — zaświadczeń do biletów nie wydajemy. Wyjątek: zaświadczenie dla "
          "przewoźnika dowożącego ucznia z niepełnosprawnością; wtedy sprawę przekazujemy wicedyrektorowi.",
          "bilet, ulga, przewoźnik",
          public=False),
    Entry("general", "Jak usprawiedliwić nieobecność dziecka?",
          "Przez dziennik elektroniczny (moduł Usprawiedliwienia) albo pisemnie u wychowawcy, w ciągu 7 dni od "
          "powrotu dziecka do szkoły.",
          "usprawiedliwienie, nieobecność, choroba",
          asked=("jak usprawiedliwic nieobecnosc corki z zeszlego tygodnia",)),
    Entry("general", "Jak odebrać dziecko wcześniej ze szkoły?",
          "Dziecko może wyjść wcześniej tylko z rodzicem lub osobą upoważnioną na piśmie. Prosimy o wpis w "
          "dzienniku albo kartkę do wychowawcy, a przy odbiorze — o zgłoszenie się w sekretariacie.",
          "wcześniejsze wyjście, odbiór dziecka, upoważnienie"),
    Entry("general", "W jakich godzinach pracuje sekretariat?",
          "Sekretariat jest czynny w dni nauki od 7:30 do 15:30, w ferie i wakacje od 9:00 do 13:00. Telefon: "
          "42 630 11 00, e-mail: sekretariat@sp12.example.",
          "sekretariat, godziny, kontakt",
          asked=("W jakich godzinach mogę przyjść do sekretariatu w wakacje?",)),
    Entry("general", "Jak skontaktować się z wychowawcą?",
          "Najlepiej wiadomością w dzienniku elektronicznym — nauczyciel odpowiada w dni nauki. Prywatnych "
          "numerów telefonów nauczycieli sekretariat nie podaje.",
          "wychowawca, nauczyciel, kontakt, wiadomość"),
    Entry("general", "Jak zalogować się do dziennika elektronicznego?",
          "Login i hasło rodzica wydaje sekretariat we wrześniu (z dowodem osobistym). Zapomniane hasło można "
          "zresetować na stronie logowania; zablokowane konto odblokowuje sekretariat.",
          "dziennik, login, hasło, konto",
          canned=True,
          asked=("Nie mogę się zalogować do dziennika, konto zablokowane. Pomocy!",)),
    Entry("general", "Czy szkoła organizuje zajęcia dodatkowe?",
          "Tak: koło robotyki, chór, SKS, kółko plastyczne i zajęcia wyrównawcze. Lista z godzinami jest na "
          "stronie; zapisy u prowadzących we wrześniu.",
          "zajęcia dodatkowe, koło, SKS, robotyka"),
    Entry("general", "Czy w szkole jest pielęgniarka?",
          "Gabinet profilaktyki jest czynny w poniedziałki, środy i piątki 8:00–13:00. Pielęgniarka nie podaje "
          "leków bez pisemnej zgody rodzica i zaświadczenia lekarskiego.",
          "pielęgniarka, gabinet, leki",
          review_due=True),
    Entry("general", "Co zrobić, gdy dziecko zgubiło rzeczy w szkole?",
          "Rzeczy znalezione są w szatni przy portierni; nieodebrane po miesiącu przekazujemy do PCK.",
          "zguba, rzeczy znalezione, szatnia"),
    Entry("general", "Jak zgłosić zmianę adresu lub numeru telefonu?",
          "Pisemnie w sekretariacie albo wiadomością w dzienniku do sekretariatu — zaktualizujemy dane.",
          "zmiana adresu, telefon, dane"),
    Entry("general", "Potwierdzenie otrzymania wiadomości",
          "Dzień dobry,\n\ndziękujemy za wiadomość. Sekretariat odpowie w ciągu jednego dnia roboczego. Sprawy "
          "pilne prosimy zgłaszać telefonicznie: 42 630 11 00.\n\nZ poważaniem,\nSekretariat SP 12",
          "potwierdzenie, odpowiedź",
          public=False, canned=True),
    Entry("general", "Czy można zwolnić dziecko z WF?",
          "Na podstawie zaświadczenia lekarskiego (z okresem zwolnienia) i wniosku rodzica do dyrektora. Decyzję "
          "wydajemy w ciągu 7 dni; do tego czasu dziecko jest na lekcji, ale nie ćwiczy.",
          "zwolnienie z WF, wychowanie fizyczne"),
)

SMALL_BUSINESS = (
    Entry("orders", "How do I place a print order?",
          "Send your artwork to orders@harbourprint.example (PDF, 3 mm bleed, fonts embedded) with the quantity, "
          "paper and finish, or order at the counter. We send a proof and a quote; printing starts when you "
          "approve the proof.",
          "order, how to order, flyers, leaflets, artwork, print, proof",
          asked=("Hi, I need 500 flyers for our cafe opening, how do I order?",)),
    Entry("orders", "How long does printing take?",
          "Standard turnaround is 3 working days from proof approval for business cards, flyers and posters; "
          "5–7 days for booklets and large format. Same-day express (order before 11:00) costs 50 % extra.",
          "turnaround, how long, express, same day",
          asked=("how long do business cards take to print?",)),
    Entry("orders", "Can I collect my order or have it delivered?",
          "Collect from 12 Quay Street (Monday to Friday 8:30–17:30, Saturday 9:00–13:00), or have it delivered "
          "in the UK by courier: next day, £7.50, free over £150.",
          "collect, delivery, courier, shipping"),
    Entry("orders", "How do I track my order?",
          "We e-mail you at each step: proof ready, in print, ready to collect or dispatched (with the courier's "
          "tracking link). Or call us with your order number (HP-…).",
          "track, order status, where is my order",
          canned=True,
          asked=("Where is my order HP-20931? It was meant to be ready yesterday.",)),
    Entry("orders", "Can I change my order after approving the proof?",
          "Until printing starts (usually within 2 hours of approval) yes, free of charge. After that a reprint "
          "is charged at cost.",
          "change order, amend, proof approved"),
    Entry("orders", "What file formats do you accept?",
          "Print-ready PDF (PDF/X-1a preferred), also AI, EPS and high-resolution JPG or PNG (300 dpi at print "
          "size). Word and PowerPoint files are fine for simple jobs; our designer can convert them for £25.",
          "file format, send artwork, PDF, Word, PowerPoint, resolution",
          asked=("can I send my poster as a Word document?",)),
    Entry("orders", "Do you print on the same day?",
          "Only with the express service and an order before 11:00. Check the press schedule with production "
          "before promising it, and never promise it after 14:00.",
          "same day, express, urgent",
          public=False, review_due=True),
    Entry("prices", "How much do business cards cost?",
          "250 standard cards (400 gsm, matt or gloss, double-sided) cost £29; 500 cost £39; premium finishes "
          "(soft-touch, spot UV) from £55. Prices include VAT.",
          "business cards, price, cost",
          asked=("How much for 500 business cards, double sided?",)),
    Entry("prices", "How much does a poster print cost?",
          "A3 £6, A2 £12, A1 £18, A0 £28 each, on 200 gsm satin; discounts from 10 copies. Mounted on foam "
          "board: £15 extra (A1).",
          "poster, price, A1, A0, large format",
          asked=("what's the price of an A1 poster?",)),
    Entry("prices", "Do you offer discounts for charities or bulk orders?",
          "10 % for registered charities and schools; bulk prices from 1,000 flyers. Ask for a quote with the "
          "quantity.",
          "discount, charity, bulk, school"),
    Entry("prices", "How much does design work cost?",
          "Design is £45 an hour, with fixed quotes for logos (from £250) and leaflets (from £90). Two rounds of "
          "changes are included.",
          "design, logo, price, designer"),
    Entry("prices", "Is VAT included in your prices?",
          "Prices for the public include VAT at 20 %; trade price lists are shown without VAT.",
          "VAT, tax, trade prices"),
    Entry("complaints", "My print has a defect — what should I do?",
          "Sorry about that. Send us a photo of the problem with your order number within 14 days; if it is our "
          "mistake we reprint free of charge or refund, usually within 2 working days.",
          "defect, faulty, misprint, cut crooked, unusable, wrong, reprint, complaint",
          canned=True,
          asked=("The flyers we collected today are cut crooked, half of them are unusable!",)),
    Entry("complaints", "Why do the colours look different from my screen?",
          "Screens show RGB light; print uses CMYK inks, so bright blues and greens print duller. Order a printed "
          "proof (£5) for colour-critical jobs; we match Pantone colours on request.",
          "colour, darker, lighter, screen, CMYK, RGB, Pantone, different",
          asked=("the blue on my cards is much darker than on my screen, why?",)),
    Entry("complaints", "My delivery has not arrived",
          "Check the tracking link in the dispatch e-mail. If it says delivered and you do not have it, or it is "
          "more than 2 days late, contact us: we chase the courier and reprint if it is lost.",
          "delivery, not arrived, lost, courier",
          asked=("My parcel hasn't arrived and tracking says delivered.",)),
    Entry("complaints", "How do I handle a complaint at the counter?",
          "Listen, apologise, take the order number, photos and what the customer wants (a reprint or a "
          "refund). Record it as a complaint inquiry; do not promise a refund above £100 — the operations "
          "manager decides.",
          "complaint, counter, refund, procedure",
          public=False),
    Entry("billing", "How can I pay?",
          "By card, cash or bank transfer (pro-forma) for orders; trade accounts pay on invoice within 30 days. "
          "We do not accept cheques.",
          "payment, card, cash, bank transfer"),
    Entry("billing", "How do I get a VAT invoice?",
          "Every order comes with a VAT invoice by e-mail; for a copy, write to accounts@harbourprint.example "
          "with the order number.",
          "VAT invoice, receipt, copy",
          canned=True,
          asked=("Could you send me a VAT invoice for order HP-20877 please?",)),
    Entry("billing", "How do I open a trade account?",
          "Businesses with regular orders can apply for a trade account (30 days' credit, trade prices): fill in "
          "the form at the counter or online; approval takes 2–3 working days after a credit check.",
          "trade account, credit, business"),
    Entry("billing", "Why was I charged a different amount from the quote?",
          "Compare the quote with the invoice: the usual reasons are a changed quantity, extra proofs, express "
          "service or delivery. If we made a mistake, issue a credit note — never edit a sent invoice.",
          "quote, invoice, difference, credit note",
          public=False),
    Entry("billing", "Can I get a refund?",
          "Custom print cannot be returned unless it is faulty (see defects). Refunds go back to the card you "
          "paid with, within 5 working days.",
          "refund, return, money back"),
    Entry("general", "What are your opening hours?",
          "Monday to Friday 8:30–17:30, Saturday 9:00–13:00; closed on Sundays and bank holidays.",
          "opening hours, open, Saturday",
          asked=("are you open on saturday?",)),
    Entry("general", "Where are you and can I park?",
          "12 Quay Street, Bristol BS1 4DJ, by the harbour. Short-stay parking at Prince Street car park (3 "
          "minutes' walk); loading bay outside for collections (10 minutes).",
          "address, parking, directions"),
    Entry("general", "Can you print photos?",
          "Yes: photo prints from 6×4\" (30p each) to canvas (A2 £45), on photo lustre paper, usually ready in "
          "an hour.",
          "photos, canvas, photo prints"),
    Entry("general", "Do you do binding and laminating?",
          "Comb and wire binding from £3 a document; laminating A4 £1, A3 £2 — while you wait.",
          "binding, laminating, thesis",
          review_due=True),
    Entry("general", "Do you scan documents?",
          "Yes: A4 scanning to PDF 20p a page, large format (plans) £3 a sheet; same day.",
          "scanning, scan, PDF"),
    Entry("general", "Do you print on recycled paper?",
          "Yes: FSC-certified recycled stock for cards, flyers and letterheads, at no extra cost — tell us when "
          "ordering.",
          "recycled, FSC, eco paper"),
    Entry("general", "Can customers bring their own paper?",
          "Only for digital printing, and only after production has tested it (coated papers can jam). There is "
          "no guarantee on the result; the customer signs the waiver.",
          "own paper, customer paper",
          public=False),
    Entry("general", "Do you print banners and signs?",
          "PVC banners (from £35 for 2×1 m, with eyelets), roller banners (£69 with stand) and foam-board signs; "
          "3 working days.",
          "banner, roller banner, signs",
          asked=("Do you do roller banners for trade shows?",)),
    Entry("general", "Thank you for your enquiry",
          "Hello,\n\nthank you for getting in touch with Harbour Print & Design. We have your message and will "
          "reply within one working day. For urgent orders please call 0117 496 0100.\n\nBest wishes,\n"
          "The Harbour Print team",
          "acknowledgement, reply",
          public=False, canned=True),
    Entry("general", "Your artwork needs changes",
          "Thank you for your artwork. Before we can print it, please check that the file has 3 mm bleed on "
          "each side and that images are at least 300 dpi at print size. Send a corrected PDF, or reply and our "
          "designer will fix it for £25.",
          "artwork, bleed, resolution, changes",
          public=False, canned=True),
)

ARTICLES: dict[str, tuple[Entry, ...]] = {
    "medical": MEDICAL,
    "legal": LEGAL,
    "education": EDUCATION,
    "small_business": SMALL_BUSINESS,
    "general": SMALL_BUSINESS,
}


def articles_for(vertical: str) -> tuple[Entry, ...]:
    return ARTICLES.get(vertical, SMALL_BUSINESS)
