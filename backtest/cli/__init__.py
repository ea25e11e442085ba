"""The `hedgeclone` command line (typer + rich)."""
