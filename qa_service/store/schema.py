"""The whole schema: every store's versioned migrations, by component, for
``qa-service db upgrade``. (Each store also applies its own when it is built,
so any command brings the database up to date as it starts.)"""

from __future__ import annotations

from qa_service.store import accounts, answers, corpus, jobs, limits, reviews
from qa_service.store.db import Database

COMPONENTS = {
    "corpus": corpus.MIGRATIONS,
    "answers": answers.MIGRATIONS,
    "accounts": accounts.MIGRATIONS,
    "jobs": jobs.MIGRATIONS,
    "limits": limits.MIGRATIONS,
    "question_reviews": reviews.MIGRATIONS,
}


def upgrade(db: Database) -> dict[str, int]:
    """Apply every migration ``db`` has not seen; the version of each component after."""
    for component, steps in COMPONENTS.items():
        db.migrate(component, steps)
    return db.schema_versions()
