"""The edges: SQL storage, SMTP mail, the SMS outbox, argon2 hashing."""
