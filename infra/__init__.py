"""The CDK app's infrastructure. Imports only names (schema, ASL, permissions) from functions/."""
