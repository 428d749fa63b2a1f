"""The built-in checks. Each module is one check, registered in pyproject.toml under the
``auditor.checks`` entry-point group exactly as a third-party plugin would be."""
