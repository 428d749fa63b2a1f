"""Accounts: TOTP and otpauth URIs, Pwned Passwords, the services table, enrolment, grading."""
