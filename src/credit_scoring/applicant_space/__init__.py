"""The applicant's own space: a small public-facing Streamlit app on the ``/applicant`` routes."""
