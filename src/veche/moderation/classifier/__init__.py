"""The abuse classifier: a model scored in its own process, asked by the posting checks."""
