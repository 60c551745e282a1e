"""The ``qa-service`` command line: one entry point (``main``), subcommands
named by verbs, each module a group of them."""
