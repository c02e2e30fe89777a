"""Use cases: each takes its collaborators (store, clock, mailer, SMS gateway, captcha) in."""
