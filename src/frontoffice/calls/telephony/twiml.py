"""The Twilio adapter's output: a routing decision's actions as TwiML, built with ``twilio``'s VoiceResponse.

Every URL the TwiML gives the provider comes back to a follow-up webhook (``/telephony/twilio/<name>``)
and carries the call's step (``?s=<n>``); the provider signs the whole URL, so the step cannot be forged,
and a follow-up for an earlier step is a replay. URLs are absolute (``settings.PUBLIC_URL``): TwiML sent
through the REST API to redirect a live call has no page to be relative to.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from twilio.twiml.voice_response import VoiceResponse

from frontoffice.calls import routing

# (language, voice) the provider speaks an organisation's language with. Polly voices exist at Twilio and
# SignalWire alike; the providers' basic voices have no Polish.
VOICES = {"en": ("en-US", "Polly.Joanna"), "pl": ("pl-PL", "Polly.Ewa")}


@cache
def _path(name: str) -> str:
    return reverse(f"telephony:{name}")


def url(name: str, step: int, **params) -> str:
    """The absolute URL of a follow-up webhook for ``step`` (extra ``params`` ride in the signed query)."""
    query = urlencode({"s": step, **{k: v for k, v in params.items() if v is not None}})
    return f"{settings.PUBLIC_URL}{_path(name)}?{query}"


def voice(language: str) -> tuple[str, str]:
    return VOICES.get((language or "en")[:2].lower(), VOICES["en"])


def render(actions: Iterable[routing.Action], *, step: int, **params) -> str:
    """The TwiML document for ``actions``; its callbacks carry ``step`` (and ``params``, e.g. a transfer's
    target)."""

    def link(name: str, **extra) -> str:
        return url(name, step, **params, **extra)

    response = VoiceResponse()
    for action in actions:
        _RENDERERS[type(action)](response, action, link)
    return str(response)


def empty() -> str:
    return str(VoiceResponse())


def hang_up() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response)


def _say(parent, action: routing.Say, link) -> None:
    language, name = voice(action.language)
    parent.say(action.text, voice=name, language=language)


def _play(parent, action: routing.Play, link) -> None:
    parent.play(action.url)


def _pause(parent, action: routing.Pause, link) -> None:
    parent.pause(length=action.seconds)


def _gather(response, action: routing.Gather, link) -> None:
    gather = response.gather(input="dtmf", num_digits=1, timeout=action.timeout, action=link("menu"), method="POST",
                             finish_on_key="")  # "#" may be a menu key: nothing ends the input early
    for prompt in action.prompt:
        _RENDERERS[type(prompt)](gather, prompt, link)
    # No key pressed: the provider falls through to the next verb; come back to the menu without digits.
    response.redirect(link("menu"), method="POST")


def _dial(response, action: routing.Dial, link) -> None:
    dial = response.dial(action=link("dial"), method="POST", timeout=action.timeout)
    for target in action.targets:
        # The answered leg reports itself, so the switchboard sees "connected" (and who) as it happens,
        # not when the Dial ends after the conversation.
        noun = dial.sip if target.address.startswith("sip:") else dial.number
        noun(target.address, status_callback=link("status", leg="answered", m=target.member_id),
             status_callback_event="answered", status_callback_method="POST")


def _record(response, action: routing.Record, link) -> None:
    response.record(action=link("recording"), method="POST", max_length=action.max_seconds, play_beep=True)
    # Nothing recorded (silence): the provider falls through to the next verb; say so without a recording.
    response.redirect(link("recording"), method="POST")


def _redirect(response, action: routing.Redirect, link) -> None:
    response.redirect(link("queue"), method="POST")


def _hangup(response, action: routing.Hangup, link) -> None:
    response.hangup()


_RENDERERS = {
    routing.Say: _say,
    routing.Play: _play,
    routing.Pause: _pause,
    routing.Gather: _gather,
    routing.Dial: _dial,
    routing.Record: _record,
    routing.Redirect: _redirect,
    routing.Hangup: _hangup,
}
