"""Network services shared by every check of one audit: DNS, HTTP, SMTP, connections."""
