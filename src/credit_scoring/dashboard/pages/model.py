"""Page: see `credit_scoring.dashboard.views.model`."""

from credit_scoring.dashboard.views import model

model.render()
