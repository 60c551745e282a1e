"""What sits under an article besides typed answers: its key takeaways, its
suggested follow-up questions, and pre-generation, which stores both (with an
answer to every question) so a page view never waits on a generator."""
