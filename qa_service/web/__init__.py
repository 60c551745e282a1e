"""The web app: reader page, JSON API and editor pages (FastAPI)."""
