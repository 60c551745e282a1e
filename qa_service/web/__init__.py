"""The web front door (FastAPI): the reader pages and JSON API (reader.py),
the editors' JSON API and pages (editor_api.py, editor_pages.py), request and
response schemas (schemas.py), who is calling (auth.py, csrf.py), safe HTML
(render.py), the article pages every reader shares, cached per published
state (page_cache.py), request ids, logs and metrics (telemetry.py), and the
app that ties them to Services (app.py). Routes only translate between HTTP
and the domain."""
