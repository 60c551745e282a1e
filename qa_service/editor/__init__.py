"""What editors do to stored answers: regenerate, edit by hand (every
sentence's citation verified again), publish, discard, roll back, curate the
suggested questions, review what needs attention, and run long regenerations
as background jobs. The domain only: web/ and cli/ translate to it."""
