"""Relationship-manager dashboard (Streamlit): calls the scoring API and nothing else."""
