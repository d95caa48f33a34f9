"""Embedded mode: the same control plane on one machine, moto standing in for AWS."""
