"""FastAPI dependencies shared by the web routers. The app builds Services once
(qa_service.web.app.create_app) and keeps it on app.state; routes receive it,
and the pieces they use, through these Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from qa_service.answering.typed import TypedAnswers
from qa_service.editor.editorial import Editorial
from qa_service.services import Services
from qa_service.store.accounts import User
from qa_service.web.auth import current_user, require_editor, require_user


def get_services(request: Request) -> Services:
    return request.app.state.services


def get_typed_answers(request: Request) -> TypedAnswers:
    return request.app.state.services.typed_answers


def get_editorial(request: Request) -> Editorial:
    """The app's one Editorial (and so one job worker)."""
    return request.app.state.services.editorial


def client_key(request: Request, user: User | None) -> str:
    """Who a rate limit applies to: the account when logged in, else the address."""
    if user is not None:
        return f"user:{user.id}"
    return f"ip:{request.client.host if request.client else 'unknown'}"


ServicesDep = Annotated[Services, Depends(get_services)]
TypedAnswersDep = Annotated[TypedAnswers, Depends(get_typed_answers)]
UserDep = Annotated[User | None, Depends(current_user)]
LoggedInDep = Annotated[User, Depends(require_user)]
EditorDep = Annotated[User, Depends(require_editor)]
EditorialDep = Annotated[Editorial, Depends(get_editorial)]
