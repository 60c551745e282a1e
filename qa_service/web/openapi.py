"""The published contract (/openapi.json, shown at /docs) says what the
service really does, for every route at once:

- every error has the ErrorOut shape, a 422 too (FastAPI's default schema
  says ``detail`` is an array; ours is a sentence plus ``errors``);
- a route with a body may answer 400 (not JSON), 413 (over QA_MAX_BODY_BYTES)
  and 403 (a change sent from another site); those are documented on each;
- routes that need a login or an editor say so as security requirements
  (a bearer API token, or the session cookie).

Limits of single fields (lengths, patterns, the name rule) live on the
models in web/schemas.py.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from qa_service.web.auth import SESSION_COOKIE
from qa_service.web.schemas import ErrorOut, error_responses

_ERROR_REF = "#/components/schemas/ErrorOut"
_UNSAFE = ("post", "put", "patch", "delete")


def _error(code: int) -> dict[str, Any]:
    spec = error_responses(code)[code]
    out: dict[str, Any] = {"description": spec["description"],
                           "content": {"application/json": {"schema": {"$ref": _ERROR_REF}}}}
    if "headers" in spec:
        out["headers"] = spec["headers"]
    return out


def contract(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(title=app.title, version=app.version, openapi_version=app.openapi_version,
                         summary=app.summary, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.setdefault("ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
                       | {"title": "ErrorOut"})
    for name, sub in ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}").get("$defs", {}).items():
        schemas.setdefault(name, sub)
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    components["securitySchemes"] = {
        "bearerAuth": {"type": "http", "scheme": "bearer", "description": "An API token from `qa-service tokens create`."},
        "cookieAuth": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE,
                       "description": "The session cookie set by /api/login or /api/signup (changes from a "
                                      "browser must come from this site; editor changes also need X-CSRF-Token)."},
    }
    for path, item in schema.get("paths", {}).items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = op.setdefault("responses", {})
            for code, response in list(responses.items()):
                if code == "422" or (code.startswith(("4", "5")) and not response.get("content")):
                    # FastAPI's own 422 (HTTPValidationError) and bare descriptions get the real shape
                    if code != "422" or "EditRefusedOut" not in str(response):
                        responses[code] = _error(int(code)) | {"description": response.get("description")
                                                                or _error(int(code))["description"]}
            if "requestBody" in op:
                for code in (400, 413, 422):
                    responses.setdefault(str(code), _error(code))
            if method in _UNSAFE:
                responses.setdefault("403", _error(403))
            if path.startswith("/api/editor"):
                op.setdefault("security", [{"bearerAuth": []}, {"cookieAuth": []}])
    return schema


def install(app: FastAPI) -> None:
    """Serve ``contract(app)`` as the app's OpenAPI document (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = contract(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
