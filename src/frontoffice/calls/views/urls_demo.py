"""The demo's routes (namespace "calls"): the switchboard's "Simulate an incoming call" (views/demo.py)."""

from django.urls import path

from frontoffice.calls.views import demo

urlpatterns = [
    path("demo/simulate-call/", demo.simulate_call, name="demo_simulate_call"),
]
