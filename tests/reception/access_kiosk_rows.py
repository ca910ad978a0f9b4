"""Access rows: see tests/access_table.py.

The kiosk is PUBLIC: no staff session is needed (or used). Without a paired kiosk's cookie every
screen but the pairing page sends the browser to the pairing page; tests/reception/test_kiosk.py
walks the screens with a paired kiosk.
"""

from tests.access_table import API, PAGE, PUBLIC, Route  # noqa: F401

TO_PAIRING = (302,)
A_VISIT_CODE = {"code": "7K3M9QX2TZ"}


def a_code(world, member) -> list[str]:
    return [A_VISIT_CODE["code"]]  # never looked up: the request is refused before


ROUTES = [
    Route("GET", "kiosk:pair", None, kind=PUBLIC),
    Route("POST", "kiosk:pair", None, kind=PUBLIC, data=lambda w, m: {"token": "fok_not-a-kiosk"}, ok=(400,)),
    Route("GET", "kiosk:welcome", None, kind=PUBLIC, ok=TO_PAIRING),
    Route("POST", "kiosk:language", None, kind=PUBLIC, data=lambda w, m: {"language": "pl"}, ok=TO_PAIRING),
    Route("GET", "kiosk:code", None, kind=PUBLIC, ok=TO_PAIRING),
    Route("GET", "kiosk:find", None, kind=PUBLIC, query=lambda w, m: {"q": "Anna"}, ok=TO_PAIRING),
    Route("GET", "kiosk:confirm", None, kind=PUBLIC, args=a_code, tenant_ids=False, ok=TO_PAIRING),
    Route("GET", "kiosk:documents", None, kind=PUBLIC, args=a_code, tenant_ids=False, ok=TO_PAIRING),
    Route("POST", "kiosk:check_in", None, kind=PUBLIC, data=lambda w, m: A_VISIT_CODE, ok=TO_PAIRING),
    Route("GET", "kiosk:walk_in", None, kind=PUBLIC, ok=TO_PAIRING),
    Route("POST", "kiosk:walk_in", None, kind=PUBLIC, data=lambda w, m: {"visitor_name": "Anna"},
          ok=TO_PAIRING),
    Route("GET", "kiosk:check_out", None, kind=PUBLIC, ok=TO_PAIRING),
    Route("POST", "kiosk:check_out", None, kind=PUBLIC, data=lambda w, m: A_VISIT_CODE, ok=TO_PAIRING),
    Route("GET", "kiosk:done", None, kind=PUBLIC, query=lambda w, m: {"r": "in"}, ok=TO_PAIRING),
]
