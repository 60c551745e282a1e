"""Editor commands: accounts and API tokens, regeneration with a progress bar,
the review queue, and version listing / publishing for scripts.

    qa-service users add NAME --role editor --password-stdin
    qa-service tokens create NAME              # prints the token alone on stdout
    qa-service regenerate --article ID (--question QID | --all) [--takeaways]
    qa-service review [--article ID] [--json]
    qa-service versions --article ID --question QID [--json]
    qa-service publish --article ID --question QID VERSION
    qa-service hide --article ID --question QID     # readers no longer see it (versions kept)
    qa-service show --article ID --question QID     # show it (a generated one leaves the review queue)
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from qa_service.cli.common import UserError, actor, open_services, print_json, progress
from qa_service.settings import Settings

if TYPE_CHECKING:
    from qa_service.editor.editorial import Editorial


def _ts(value: float) -> str:
    return datetime.fromtimestamp(value, tz=timezone.utc).strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------------- users
def cmd_users_add(args: argparse.Namespace, settings: Settings) -> int:
    from qa_service.store.accounts import AccountError

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass(f"password for {args.name}: ")
        if getpass.getpass("again: ") != password:
            raise UserError("the passwords differ")
    else:
        raise UserError("pass --password-stdin and write the password to stdin (passwords never go on the command line)")
    try:
        user = open_services(settings, need_data=False).accounts.create_user(args.name, password, role=args.role)
    except AccountError as exc:
        raise UserError(str(exc)) from None
    if args.json:
        print_json({"id": user.id, "name": user.name, "role": user.role})
    else:
        print(f"created {user.role} {user.name}")
    return 0


def cmd_users_list(args: argparse.Namespace, settings: Settings) -> int:
    users = open_services(settings).accounts.users()
    if args.json:
        print_json([{"id": u.id, "name": u.name, "role": u.role} for u in users])
    else:
        for u in users:
            print(f"{u.name}\t{u.role}")
    return 0


def cmd_users_role(args: argparse.Namespace, settings: Settings) -> int:
    from qa_service.store.accounts import AccountError

    try:
        user = open_services(settings).accounts.set_role(args.name, args.role)
    except AccountError as exc:
        raise UserError(str(exc)) from None
    print(f"{user.name} is now {user.role}")
    return 0


def cmd_tokens_create(args: argparse.Namespace, settings: Settings) -> int:
    from qa_service.store.accounts import AccountError

    try:
        token = open_services(settings).accounts.create_api_token(args.name)
    except AccountError as exc:
        raise UserError(str(exc)) from None
    print(token)  # alone on stdout, so scripts can capture it
    return 0


# ----------------------------------------------------------------- regenerate
def cmd_regenerate(args: argparse.Namespace, settings: Settings) -> int:
    from qa_service.editor.editorial import EditorialError, summarize_version

    if not (args.question or args.all or args.takeaways or args.questions):
        raise UserError("say what to regenerate: --question QID, --all, --takeaways or --questions")
    services = open_services(settings)
    ed = services.editorial
    who = actor(args)
    result: dict[str, object] = {}
    try:
        ed.article(args.article)
        if args.question:
            ed.question(args.article, args.question)
        if args.takeaways:
            tv = ed.regenerate_takeaways(args.article, who)
            result["takeaways"] = {"id": tv.id, "status": tv.status, "grounding_score": tv.grounding_score}
        if args.question:
            with progress("regenerate", total=1, unit="answer", quiet=args.json) as bar:
                v = ed.regenerate_answer(args.article, args.question, who, generator=args.generator)
                bar.update(1)
            result["versions"] = [summarize_version(v)]
        elif args.all:
            total = len(ed.questions_to_regenerate(args.article))
            with progress("regenerate", total=total, unit="answer", quiet=args.json) as bar:
                def step(done: int, _total: int) -> None:
                    bar.update(done - bar.n)

                summary = ed.regenerate_article(args.article, who, progress=step, generator=args.generator)
            result["versions"] = [summarize_version(v) for v in
                                  (services.answers.get_version(vid) for vid in summary["versions"]) if v]  # type: ignore[union-attr]
        # after the answers: new suggestions come with an answer of their own
        if args.questions:
            result["questions"] = ed.regenerate_questions(args.article, who)
    except EditorialError as exc:
        raise UserError(str(exc)) from None
    if args.json:
        print_json(result)
        return 0
    for v in result.get("versions", []):  # type: ignore[union-attr]
        print(f"{v['question_id']}  {v['id']}  {v['status']:<9}  {v['generator']}  "
              f"grounding {_score(v['grounding_score'])}")
    if "takeaways" in result:
        t = result["takeaways"]
        print(f"takeaways  {t['id']}  {t['status']}  grounding {_score(t['grounding_score'])}")  # type: ignore[index]
    if "questions" in result:
        q = result["questions"]
        print(f"questions: restored {len(q['restored'])}, suggested {len(q['added'])}, "  # type: ignore[index]
              f"rejected {len(q['rejected'])} ({q['suggester']})")  # type: ignore[index]
    drafts = sum(v["status"] == "draft" for v in result.get("versions", []))  # type: ignore[union-attr]
    if drafts:
        print(f"{drafts} draft(s) wait for review: qa-service review --article {args.article}", file=sys.stderr)
    return 0


def _score(value: object) -> str:
    return "n/a" if value is None else f"{float(value):.2f}"  # type: ignore[arg-type]


# --------------------------------------------------------------------- review
def cmd_review(args: argparse.Namespace, settings: Settings) -> int:
    from qa_service.editor.errors import EditorialError

    ed = open_services(settings).editorial
    try:
        if args.article:
            ed.article(args.article)
        items = ed.review_queue(args.article)
    except EditorialError as exc:
        raise UserError(str(exc)) from None
    if args.json:
        print_json([{"article_id": it.article_id, "question_id": it.question_id, "question": it.question,
                      "reasons": it.reasons, "grounding_score": it.grounding_score,
                      "suggested_by": it.suggestion.source if it.suggestion else None,
                      "kind": it.suggestion.kind if it.suggestion else None,
                      "published_version": it.published.id if it.published else None,
                      "drafts": [d.id for d in it.drafts], "feedback": it.feedback} for it in items])
        return 0
    if not items:
        print("nothing to review")
    for it in items:
        print(f"{it.article_id}/{it.question_id}  [{', '.join(it.reasons)}]  grounding {_score(it.grounding_score)}"
              f"  drafts {len(it.drafts)}\n    {it.question}")
    return 0


def cmd_versions(args: argparse.Namespace, settings: Settings) -> int:
    from qa_service.editor.editorial import EditorialError, summarize_version

    ed = open_services(settings).editorial
    try:
        ed.article(args.article)
        if args.question:
            ed.question(args.article, args.question)
    except EditorialError as exc:
        raise UserError(str(exc)) from None
    if not args.question:
        return _list_questions(ed, args)
    versions = ed.answers.versions(args.question)
    if args.json:
        print_json([summarize_version(v) for v in versions])
        return 0
    for v in versions:
        print(f"{v.id}  {v.status:<9}  {_ts(v.created_at)}  {v.author:<12}  {v.generator:<10}  "
              f"grounding {_score(v.grounding_score)}{'  STALE' if v.stale else ''}")
    return 0


def _list_questions(ed: Editorial, args: argparse.Namespace) -> int:
    rows = []
    for q in ed.answers.questions(args.article, include_hidden=True):
        versions = ed.answers.versions(q.id)
        published = next((v for v in versions if v.status == "published"), None)
        review = ed.question_review(q.id)
        rows.append({"id": q.id, "question": q.text, "origin": q.origin, "pinned": q.pinned, "hidden": q.hidden,
                     "review": review.state if review else None, "kind": review.kind if review else "",
                     "published_version": published.id if published else None, "versions": len(versions),
                     "drafts": sum(v.status == "draft" for v in versions)})
    if args.json:
        print_json(rows)
        return 0
    for r in rows:
        flags = "".join(f" [{f}]" for f in ("pinned", "hidden") if r[f]) + (" [to review]" if r["review"] == "pending" else "")
        print(f"{r['id']}  versions {r['versions']} (drafts {r['drafts']}){flags}\n    {r['question']}")
    return 0


def cmd_publish(args: argparse.Namespace, settings: Settings) -> int:
    from qa_service.editor.errors import EditorialError

    ed = open_services(settings).editorial
    try:
        v = ed.publish(args.article, args.question, args.version, actor(args))
    except EditorialError as exc:
        raise UserError(str(exc)) from None
    print(f"published {v.id}")
    return 0


def cmd_hide_show(args: argparse.Namespace, settings: Settings) -> int:
    from qa_service.editor.errors import EditorialError

    ed = open_services(settings).editorial
    try:
        ed.article(args.article)
        fn = ed.remove_question if args.command == "hide" else ed.restore_question
        q = fn(args.article, args.question, actor(args))
    except EditorialError as exc:
        raise UserError(str(exc)) from None
    if args.json:
        print_json({"id": q.id, "question": q.text, "hidden": q.hidden, "origin": q.origin})
    else:
        print(f"{'hidden' if q.hidden else 'shown'}: {q.text}")
    return 0


# ------------------------------------------------------------------- register
def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("users", help="create and list accounts (editors are made here; readers sign up)",
                       description="Manage accounts. Passwords are read from stdin, never from the command line.")
    usub = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    a = usub.add_parser("add", help="create a user", description="Create a user. Example: "
                        "printf '%%s\\n' \"$PW\" | qa-service users add ana --role editor --password-stdin")
    a.add_argument("name", help="2-32 letters, digits, '.', '_' or '-'")
    a.add_argument("--role", choices=["editor", "reader"], default="reader", help="default: reader")
    a.add_argument("--password-stdin", action="store_true", help="read the password (one line) from stdin")
    a.add_argument("--json", action="store_true", help="print the new user as JSON")
    a.set_defaults(func=cmd_users_add)
    a = usub.add_parser("list", help="list users and their roles")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_users_list)
    a = usub.add_parser("set-role", help="make a user an editor or a reader")
    a.add_argument("name")
    a.add_argument("role", choices=["editor", "reader"])
    a.set_defaults(func=cmd_users_role)

    p = sub.add_parser("tokens", help="API tokens for scripts (Authorization: Bearer TOKEN)")
    tsub = p.add_subparsers(dest="tokens_command", metavar="ACTION", required=True)
    a = tsub.add_parser("create", help="create a token for a user and print it alone on stdout",
                        description="Only the token's hash is stored: copy it now, it cannot be shown again.")
    a.add_argument("name", help="the user the token acts as")
    a.set_defaults(func=cmd_tokens_create)

    p = sub.add_parser("regenerate", help="regenerate stored answers as new versions (drafts unless auto-publish)",
                       description="Generate new versions of stored answers. They are drafts for an editor to "
                                   "publish (QA_AUTO_PUBLISH=true publishes them); no version is ever deleted.")
    p.add_argument("--article", required=True, help="article id")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--question", metavar="QID", help="one question (ids: qa-service versions --article ID)")
    what.add_argument("--all", action="store_true", help="every suggested question of the article")
    p.add_argument("--takeaways", action="store_true", help="also regenerate the key takeaways")
    p.add_argument("--questions", action="store_true",
                   help="restore missing curated questions and suggest new ones (the LLM when configured, else "
                        "written offline from the article), each kept only with a cited answer; new ones wait in "
                        "the review queue, hidden until an editor shows them (shown at once on an article that "
                        "shows no question, or with QA_AUTO_PUBLISH)")
    p.add_argument("--generator", choices=["extractive", "openai"], help="default: openai when configured")
    p.add_argument("--as", dest="as_user", metavar="NAME", help="author recorded on the versions (default cli:$USER)")
    p.add_argument("--json", action="store_true", help="print the new versions as JSON")
    p.set_defaults(func=cmd_regenerate)

    for name, doing in (("hide", "hide a suggested question from readers (its versions are kept)"),
                        ("show", "show a hidden suggested question to readers")):
        h = sub.add_parser(name, help=doing, description=f"{doing[0].upper()}{doing[1:]}. A generated question "
                           "leaves the review queue either way. Question ids: qa-service versions --article ID")
        h.add_argument("--article", required=True, help="article id")
        h.add_argument("--question", required=True, metavar="QID", help="question id")
        h.add_argument("--as", dest="as_user", metavar="NAME", help="actor recorded in the audit log")
        h.add_argument("--json", action="store_true", help="print the question as JSON")
        h.set_defaults(func=cmd_hide_show)

    p = sub.add_parser("review", help="list what needs an editor: stale answers, drafts, low grounding, unhelpful, "
                                      "generated suggestions not yet reviewed")
    p.add_argument("--article", help="only this article")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("versions", help="list an article's stored questions, or every version of one answer")
    p.add_argument("--article", required=True)
    p.add_argument("--question", metavar="QID", help="without it: the article's questions and their ids")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_versions)

    p = sub.add_parser("publish", help="publish a version (publishing an archived one is a rollback)")
    p.add_argument("--article", required=True)
    p.add_argument("--question", required=True, metavar="QID")
    p.add_argument("version", help="version id (see: qa-service versions)")
    p.add_argument("--as", dest="as_user", metavar="NAME", help="actor recorded in the audit log")
    p.set_defaults(func=cmd_publish)
