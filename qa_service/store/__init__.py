"""App data in one database, SQLite (embedded) or PostgreSQL: connections,
transactions and migrations for both (db), the corpus (documents and chunks)
with its BM25 index (corpus, lexical), stored answers with every version, the
typed-answer cache and takeaways, accounts (users, sessions, tokens, votes,
feedback, comments, audit log), the job queue (jobs), and the rate limits and
single flight every worker shares (limits; on Redis: redis_state)."""
