"""The built-in remediation actions (registered in the auditor.actions entry-point group)."""
