"""Subcommands of the ia-territoriales CLI, one module each."""
