"""One module per CLI subcommand; heavy imports stay inside the command functions."""
