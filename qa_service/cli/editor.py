"""Editor commands: accounts and API tokens, regeneration with a progress bar,
the review queue, and version listing / publishing for scripts.

    qa-service users add NAME --role editor --password-stdin
    qa-service users passwd NAME --password-stdin [--revoke-tokens]
    qa-service users revoke-sessions NAME [--tokens]
    qa-service tokens create NAME [--days N]   # prints the token alone on stdout, its expiry on stderr
    qa-service tokens list [--user NAME] [--json]
    qa-service tokens revoke TOKEN_ID [TOKEN_ID ...]
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
    from qa_service.store.accounts import ApiToken


def _ts(value: float) -> str:
    return datetime.fromtimestamp(value, tz=timezone.utc).strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------------- users
def _read_password(args: argparse.Namespace) -> str:
    """The password, from one line of stdin (--password-stdin) or typed twice
    at a terminal; never from the command line, never echoed."""
    if args.password_stdin:
        line = sys.stdin.readline()
        if not line:
            raise UserError("no password on stdin: write it as one line, e.g. printf '%s\\n' \"$PW\" | ...")
        return line.rstrip("\r\n")
    if sys.stdin.isatty():
        password = getpass.getpass(f"password for {args.name}: ")
        if getpass.getpass("again: ") != password:
            raise UserError("the passwords differ")
        return password
    raise UserError("pass --password-stdin and write the password to stdin (passwords never go on the command line)")


def cmd_users_add(args: argparse.Namespace, settings: Settings) -> int:
    from qa_service.store.accounts import AccountError

    password = _read_password(args)
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


def cmd_users_passwd(args: argparse.Namespace, settings: Settings) -> int:
    from qa_service.store.accounts import AccountError

    accounts = open_services(settings).accounts
    if accounts.get_user(args.name) is None:  # before asking for a password
        raise UserError(f"No user named {args.name!r}.")
    password = _read_password(args)
    try:
        change = accounts.set_password(args.name, password, revoke_tokens=args.revoke_tokens)
    except AccountError as exc:
        raise UserError(str(exc)) from None
    accounts.audit(actor(args), "set-password", change.user.name,
                   f"sessions revoked: {change.sessions_revoked}, tokens revoked: {change.tokens_revoked}")
    if args.json:
        print_json({"name": change.user.name, "sessions_revoked": change.sessions_revoked,
                    "tokens_revoked": change.tokens_revoked})
    else:
        kept = "" if args.revoke_tokens else " (API tokens kept: --revoke-tokens ends them too)"
        print(f"password of {change.user.name} changed; {change.sessions_revoked} session(s) ended, "
              f"{change.tokens_revoked} API token(s) revoked{kept}")
    return 0


def cmd_users_revoke_sessions(args: argparse.Namespace, settings: Settings) -> int:
    from qa_service.store.accounts import AccountError

    accounts = open_services(settings).accounts
    user = accounts.get_user(args.name)
    if user is None:
        raise UserError(f"No user named {args.name!r}.")
    name = user.name
    try:
        sessions = accounts.revoke_sessions(name)
        tokens = accounts.revoke_api_tokens(name) if args.tokens else 0
    except AccountError as exc:  # deleted meanwhile
        raise UserError(str(exc)) from None
    accounts.audit(actor(args), "revoke-sessions", name, f"sessions: {sessions}, tokens: {tokens}")
    if args.json:
        print_json({"name": name, "sessions_revoked": sessions, "tokens_revoked": tokens})
    else:
        print(f"{name}: {sessions} session(s) ended" + (f", {tokens} API token(s) revoked" if args.tokens else ""))
    return 0


# --------------------------------------------------------------------- tokens
def _token_json(t: ApiToken) -> dict[str, object]:
    return {"id": t.id, "user": t.user_name, "created_at": t.created_at, "last_used_at": t.last_used_at,
            "expires_at": t.expires_at, "expired": t.expired()}


def cmd_tokens_create(args: argparse.Namespace, settings: Settings) -> int:
    from qa_service.store.accounts import AccountError

    accounts = open_services(settings).accounts
    try:
        token, info = accounts.issue_api_token(args.name, ttl=None if args.days is None else args.days * 86400)
    except AccountError as exc:
        raise UserError(str(exc)) from None
    accounts.audit(actor(args), "create-token", info.user_name, f"token {info.id}")
    if args.json:
        print_json({**_token_json(info), "token": token})
        return 0
    print(token)  # alone on stdout, so scripts can capture it
    expires = f"expires {_ts(info.expires_at)} UTC" if info.expires_at else "never expires"
    print(f"token {info.id} for {info.user_name}: {expires}; only its hash is stored, copy it now",
          file=sys.stderr)
    return 0


def cmd_tokens_list(args: argparse.Namespace, settings: Settings) -> int:
    from qa_service.store.accounts import AccountError

    try:
        tokens = open_services(settings).accounts.api_tokens(args.user)
    except AccountError as exc:
        raise UserError(str(exc)) from None
    if args.json:
        print_json([_token_json(t) for t in tokens])
        return 0
    if not tokens:
        print("no API tokens" + (f" for {args.user}" if args.user else ""), file=sys.stderr)
        return 0
    rows = [("ID", "USER", "CREATED", "LAST USED", "EXPIRES", "STATUS")]
    rows += [(t.id, t.user_name, _ts(t.created_at), _ts(t.last_used_at) if t.last_used_at else "never",
              _ts(t.expires_at) if t.expires_at else "never", "expired" if t.expired() else "active")
             for t in tokens]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
    return 0


def cmd_tokens_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from qa_service.store.accounts import AccountError

    accounts = open_services(settings).accounts
    revoked: list[ApiToken] = []
    for token_id in args.token_id:
        try:
            revoked.append(accounts.revoke_api_token(token_id))
        except AccountError as exc:
            raise UserError(f"{str(exc).rstrip('.')} (see `qa-service tokens list`)"
                            + (f"; revoked before it: {', '.join(t.id for t in revoked)}" if revoked else "")) from None
        accounts.audit(actor(args), "revoke-token", revoked[-1].user_name, f"token {token_id}")
    if args.json:
        print_json([_token_json(t) for t in revoked])
    else:
        for t in revoked:
            print(f"revoked token {t.id} of {t.user_name}")
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
              f"grounding {_score(v['grounding_score'])}  quality {_score(v['quality_score'])}")
        if str(v["note"]).startswith("regenerated: identical"):
            print(f"    {v['note']}", file=sys.stderr)
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
                      "quality_score": it.quality_score, "gaps": it.gaps,
                      "suggested_by": it.suggestion.source if it.suggestion else None,
                      "kind": it.suggestion.kind if it.suggestion else None,
                      "published_version": it.published.id if it.published else None,
                      "drafts": [d.id for d in it.drafts], "feedback": it.feedback} for it in items])
        return 0
    if not items:
        print("nothing to review")
    for it in items:
        print(f"{it.article_id}/{it.question_id}  [{', '.join(it.reasons)}]  grounding {_score(it.grounding_score)}"
              f"  quality {_score(it.quality_score)}  drafts {len(it.drafts)}\n    {it.question}")
        for gap in it.gaps:
            print(f"    gap: {gap}")
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
    p = sub.add_parser("users", help="create, list and secure accounts (editors are made here; readers sign up)",
                       description="Manage accounts. Passwords are read from stdin (or typed at a terminal), "
                                   "never from the command line, and never echoed.")
    usub = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    a = usub.add_parser("add", help="create a user", description="Create a user. Example: "
                        "printf '%s\\n' \"$PW\" | qa-service users add ana --role editor --password-stdin")
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
    a = usub.add_parser(
        "passwd", help="set a user's password; ends all their sessions",
        description="Set a user's password (at least 8 characters, at most 200). Every session of the user "
                    "ends at once, in every worker: whoever knew the old password must log in again. API "
                    "tokens are kept (they are made with `tokens create`, never with the password) unless "
                    "--revoke-tokens. Example: printf '%s\\n' \"$PW\" | qa-service users passwd ana --password-stdin")
    a.add_argument("name", help="the user")
    a.add_argument("--password-stdin", action="store_true", help="read the new password (one line) from stdin")
    a.add_argument("--revoke-tokens", action="store_true", help="revoke the user's API tokens too")
    a.add_argument("--json", action="store_true", help="print what was changed as JSON")
    a.set_defaults(func=cmd_users_passwd)
    a = usub.add_parser(
        "revoke-sessions", help="log a user out everywhere",
        description="End every login session of a user: their next request with an old cookie, in any worker, "
                    "is anonymous (401 from the API, the login page for editor pages). --tokens revokes their "
                    "API tokens too.")
    a.add_argument("name", help="the user")
    a.add_argument("--tokens", action="store_true", help="revoke the user's API tokens too")
    a.add_argument("--json", action="store_true", help="print the counts as JSON")
    a.set_defaults(func=cmd_users_revoke_sessions)

    p = sub.add_parser("tokens", help="API tokens for scripts (Authorization: Bearer TOKEN)",
                       description="API tokens for scripts. Only a token's hash is stored; its id names it in "
                                   "`list` and `revoke`. Tokens expire after QA_TOKEN_TTL_DAYS (default 90; 0 = "
                                   "never); expired and revoked tokens get 401.")
    tsub = p.add_subparsers(dest="tokens_command", metavar="ACTION", required=True)
    a = tsub.add_parser("create", help="create a token for a user and print it alone on stdout",
                        description="Create a token. The token alone goes to stdout (copy it now: only its hash "
                                    "is stored); its id and expiry go to stderr. Example: "
                                    "TOKEN=$(qa-service tokens create ana --days 30)")
    a.add_argument("name", help="the user the token acts as")
    a.add_argument("--days", type=float, default=None, metavar="N",
                   help="days until it expires (default: QA_TOKEN_TTL_DAYS; 0 = never)")
    a.add_argument("--json", action="store_true", help="print the token with its id and expiry as JSON")
    a.set_defaults(func=cmd_tokens_create)
    a = tsub.add_parser("list", help="list tokens: id, user, created, last used, expires (never the secret)",
                        description="List API tokens, expired ones included. Times are UTC; `last used` is "
                                    "written at most once a minute.")
    a.add_argument("--user", metavar="NAME", help="only this user's tokens")
    a.add_argument("--json", action="store_true", help="JSON (times as seconds since the epoch)")
    a.set_defaults(func=cmd_tokens_list)
    a = tsub.add_parser("revoke", help="revoke tokens by id; they get 401 at once, in every worker",
                        description="Revoke API tokens by the id `tokens list` shows. The next request with a "
                                    "revoked token gets 401, whichever worker serves it.")
    a.add_argument("token_id", nargs="+", metavar="TOKEN_ID", help="a token id from `tokens list`")
    a.add_argument("--json", action="store_true", help="print the revoked tokens as JSON")
    a.set_defaults(func=cmd_tokens_revoke)

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
