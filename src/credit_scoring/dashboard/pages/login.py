"""Page: see `credit_scoring.dashboard.views.login`."""

from credit_scoring.dashboard.views import login

login.render()
