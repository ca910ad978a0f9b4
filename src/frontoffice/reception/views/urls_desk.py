"""The desk's routes (namespace "reception", mounted at /reception/)."""

from django.urls import path

from frontoffice.reception.views import desk, host, onsite, visits

urlpatterns = [
    # the desk screen, walk-ins and invitations (views/desk.py)
    path("", desk.desk, name="desk"),
    path("live/", desk.desk_live, name="desk_live"),
    path("today/", desk.today, name="today"),
    path("walk-in/", desk.walk_in, name="walk_in"),
    path("invite/", desk.invite, name="invite"),
    # one visit (views/visits.py)
    path("visits/<int:pk>/", visits.visit_detail, name="visit"),
    path("visits/<int:pk>/check-in/", visits.check_in, name="visit_check_in"),
    path("visits/<int:pk>/check-out/", visits.check_out, name="visit_check_out"),
    path("visits/<int:pk>/greet/", visits.greet, name="visit_greet"),
    path("visits/<int:pk>/host-met/", visits.host_met, name="visit_host_met"),
    path("visits/<int:pk>/cancel/", visits.cancel, name="visit_cancel"),
    path("visits/<int:pk>/no-show/", visits.no_show, name="visit_no_show"),
    path("visits/<int:pk>/make-client/", visits.make_client, name="visit_make_client"),
    path("visits/<int:pk>/admit/", visits.admit, name="visit_admit"),
    path("visits/<int:pk>/turn-away/", visits.turn_away, name="visit_turn_away"),
    path("visits/<int:pk>/badge.pdf", visits.badge, name="badge"),
    # who is on site, roll call and evacuation (views/onsite.py)
    path("on-site/", onsite.on_site, name="on_site"),
    path("on-site/roll-call.pdf", onsite.roll_call_pdf, name="roll_call_pdf"),
    path("evacuations/", onsite.evacuation_start, name="evacuation_start"),
    path("evacuations/<int:pk>/", onsite.evacuation, name="evacuation"),
    path("evacuations/<int:pk>/safe/", onsite.evacuation_mark, name="evacuation_mark"),
    path("evacuations/<int:pk>/end/", onsite.evacuation_end, name="evacuation_end"),
    # the host's link from the arrival e-mail (views/host.py; public)
    path("host/<str:token>/", host.host_met_link, name="host_met_link"),
]
