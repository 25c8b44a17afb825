"""Page: see `credit_scoring.dashboard.views.what_if`."""

from credit_scoring.dashboard.views import what_if

what_if.render()
