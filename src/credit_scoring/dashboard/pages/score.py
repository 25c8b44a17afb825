"""Page: see `credit_scoring.dashboard.views.score`."""

from credit_scoring.dashboard.views import score

score.render()
