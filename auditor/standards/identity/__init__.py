"""The person's identifiers: UK addresses, postcodes, phones, emails, and matching them in text."""
