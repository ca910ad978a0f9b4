"""The e-mails reception sends, each in plain text and HTML: the visitor's invitation (with the visit
code as text and as a QR code shown inline), the host's "your visitor is here" and the parcel notice.

Building is separate from sending (``tasks.py``), so a message can be looked at in tests and previews.
"""

from __future__ import annotations

import io
from email.mime.image import MIMEImage

import segno
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from frontoffice.reception import presets
from frontoffice.reception.models import Delivery, Visit

QR_CID = "visit-code"


def qr_png(text: str, *, scale: int = 8) -> bytes:
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def absolute(path: str) -> str:
    """A link for an e-mail, on the address people use (FRONTOFFICE_PUBLIC_URL), as core's invitations."""
    return settings.PUBLIC_URL + path


def host_link(visit: Visit) -> str:
    from frontoffice.reception.services import host_link_token

    token = host_link_token(visit)
    try:
        path = reverse("reception:host_met_link", kwargs={"token": token})
    except NoReverseMatch:  # the desk's routes are fixed by the contract: /reception/host/<token>/
        path = f"/reception/host/{token}/"
    return absolute(path)


def _when(moment, tz) -> str:
    local = moment.astimezone(tz)
    return f"{formats.date_format(local, 'DATE_FORMAT')} {formats.time_format(local, 'TIME_FORMAT')}"


def _message(subject: str, template: str, context: dict, to: str) -> EmailMultiAlternatives:
    text = render_to_string(f"reception/email/{template}.txt", context)
    html = render_to_string(f"reception/email/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, None, [to])
    message.attach_alternative(html, "text/html")
    return message


def host_name(visit: Visit) -> str:
    if visit.host_member_id:
        return visit.host_member.user.full_name
    return visit.host_department.name if visit.host_department_id else ""


def invitation(visit: Visit) -> EmailMultiAlternatives:
    """The visitor's invitation, in the organisation's language."""
    organization, site = visit.organization, visit.site
    kind = presets.visit_type(organization.vertical, visit.visit_type)
    with translation.override(organization.language):
        context = {
            "visit": visit, "organization": organization, "site": site, "host": host_name(visit),
            "when": _when(visit.expected_at, site.tz) if visit.expected_at else "",
            "what_to_bring": str(kind.what_to_bring) if kind else "", "code": visit.code, "qr_cid": QR_CID,
            "address": ", ".join(line.strip() for line in site.address.splitlines() if line.strip()),
        }
        subject = _("Your visit to %(org)s") % {"org": organization.name}
        message = _message(subject, "invitation", context, visit.visitor_email)
    # text and HTML alternatives plus the image they show, as one multipart/related body
    message.mixed_subtype = "related"
    image = MIMEImage(qr_png(visit.code), "png")
    image.add_header("Content-ID", f"<{QR_CID}>")
    image.add_header("Content-Disposition", "inline", filename=f"{visit.code}.png")
    message.attach(image)
    return message


def host_recipient(visit: Visit) -> tuple[str, str]:
    """(e-mail, language) of whoever is told about the visitor: the host, else the department."""
    organization = visit.organization
    if visit.host_member_id and visit.host_member.active and visit.host_member.user.is_active:
        user = visit.host_member.user
        return user.email, user.language or organization.language
    if visit.host_department_id and visit.host_department.email:
        return visit.host_department.email, organization.language
    return "", organization.language


def host_alert(visit: Visit) -> EmailMultiAlternatives | None:
    """"Your visitor is here", with the "I'm on my way" link; None when nobody has an address."""
    to, language = host_recipient(visit)
    if not to:
        return None
    with translation.override(language):
        context = {"visit": visit, "site": visit.site, "organization": visit.organization,
                   "host": host_name(visit), "link": host_link(visit),
                   "since": formats.time_format(visit.arrived_at.astimezone(visit.site.tz), "TIME_FORMAT")}
        subject = _("%(name)s is waiting at %(site)s") % {"name": visit.visitor_name, "site": visit.site.name}
        return _message(subject, "host_alert", context, to)


def delivery_notice(delivery: Delivery) -> EmailMultiAlternatives | None:
    user = delivery.recipient.user
    if not (delivery.recipient.active and user.is_active and user.email):
        return None
    with translation.override(user.language or delivery.organization.language):
        context = {"delivery": delivery, "site": delivery.site, "organization": delivery.organization,
                   "recipient": user.full_name,
                   "when": _when(delivery.received_at, delivery.site.tz)}
        subject = _("A package is waiting for you at %(site)s") % {"site": delivery.site.name}
        return _message(subject, "delivery", context, user.email)
