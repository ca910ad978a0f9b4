"""The switchboard's routes (namespace "calls", mounted at /calls/): the live screen, the screen pop, the
actions on a call and the manual log (views/switchboard.py)."""

from django.urls import path

from frontoffice.calls.views import switchboard

urlpatterns = [
    path("", switchboard.switchboard, name="switchboard"),
    path("live/", switchboard.switchboard_live, name="switchboard_live"),
    path("log-a-call/", switchboard.manual_call, name="manual_call"),
    path("<int:pk>/pop/", switchboard.call_pop, name="call_pop"),
    path("<int:pk>/answer/", switchboard.call_answer, name="call_answer"),
    path("<int:pk>/transfer/", switchboard.call_transfer, name="call_transfer"),
    path("<int:pk>/message/", switchboard.call_message, name="call_message"),
    path("<int:pk>/handled/", switchboard.call_handled, name="call_handled"),
    path("<int:pk>/new-client/", switchboard.call_quick_add, name="call_quick_add"),
    path("<int:pk>/link-client/", switchboard.call_link, name="call_link"),
]
