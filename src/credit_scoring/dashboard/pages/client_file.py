"""Page: see `credit_scoring.dashboard.views.client_file`."""

from credit_scoring.dashboard.views import client_file

client_file.render()
