"""Page: see `credit_scoring.dashboard.views.decision`."""

from credit_scoring.dashboard.views import decision

decision.render()
