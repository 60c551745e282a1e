"""FastAPI dependencies shared by the web routers. The app builds Services and
TypedAnswers once (qa_service.web.app.create_app) and keeps them on app.state;
routes receive them through these Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from qa_service.store.accounts import User
from qa_service.services import Services
from qa_service.answering.typed import TypedAnswers
from qa_service.web.auth import current_user, require_user


def get_services(request: Request) -> Services:
    return request.app.state.services


def get_typed_answers(request: Request) -> TypedAnswers:
    return request.app.state.typed_answers


def client_key(request: Request, user: User | None) -> str:
    """Who a rate limit applies to: the account when logged in, else the address."""
    if user is not None:
        return f"user:{user.id}"
    return f"ip:{request.client.host if request.client else 'unknown'}"


ServicesDep = Annotated[Services, Depends(get_services)]
TypedAnswersDep = Annotated[TypedAnswers, Depends(get_typed_answers)]
UserDep = Annotated[User | None, Depends(current_user)]
LoggedInDep = Annotated[User, Depends(require_user)]
