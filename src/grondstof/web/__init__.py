"""One local process serving the dashboard, the JSON API and downloads (FastAPI)."""
