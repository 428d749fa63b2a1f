"""The guided terminal app (Textual). Nothing outside this package imports Textual."""
