"""`repl dashboard`: a web UI served on loopback by the CLI itself, which calls the control plane for it."""
