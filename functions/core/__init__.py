"""Pure domain: specs, naming, states, validation and typed errors. No boto3, no Powertools, no os.environ."""
