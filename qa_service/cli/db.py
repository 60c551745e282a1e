"""``qa-service db``: the database's schema. ``upgrade`` applies the
migrations a database has not seen yet (``serve``, ``worker`` and every other
command also do this when they start) and prints where each component stands."""

from __future__ import annotations

import argparse

from qa_service.cli.common import open_services, print_json
from qa_service.settings import Settings


def cmd_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from qa_service.store.schema import upgrade

    services = open_services(settings, need_data=False)
    try:
        versions = upgrade(services.db)
        where = services.db.description
    finally:
        services.close()
    if args.json:
        print_json({"database": where, "versions": versions})
    else:
        print(f"{where}: " + ", ".join(f"{name} {version}" for name, version in sorted(versions.items())))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("db", help="the database schema: upgrade it (migrations)",
                       description="PostgreSQL when QA_DATABASE_URL is set, else SQLite in the data dir.")
    db_sub = p.add_subparsers(dest="db_command", metavar="SUBCOMMAND", required=True)
    up = db_sub.add_parser("upgrade", help="apply every migration this database has not seen; print the versions")
    up.add_argument("--json", action="store_true")
    up.set_defaults(func=cmd_upgrade)
