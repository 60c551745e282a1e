"""App data in SQLite: connections, write transactions and migrations (db),
the corpus (documents and chunks), stored answers with every version, the
typed-answer cache and takeaways, accounts (users, sessions, tokens, votes,
feedback, comments, audit log) and background jobs."""
