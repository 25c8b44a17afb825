"""The applicant space's screens, one module each."""
