"""Warm pools: instances booted ahead, their agents registered and idle, claimed by matching runs."""
