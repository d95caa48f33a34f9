"""Tailscale: each instance joins the tailnet with an ephemeral auth key, as repl-<run-id> (a pool's idle
instance as repl-<instance key>, the name it keeps when a run claims it).

Names only here (no boto3), so infra/ can import them.
"""
# The operator stores these (`repl setup` through PUT /v1/admin/tailscale, or `aws ssm put-parameter`:
# README "With Tailscale"); embedded mode's stack writes them into the emulated SSM.
PARAMETER_PREFIX = "/skyrepl/tailscale/"
API_KEY_PARAMETER = PARAMETER_PREFIX + "api-key"  # SecureString: a Tailscale API access token
TAILNET_PARAMETER = PARAMETER_PREFIX + "tailnet"  # String: the tailnet's name, or "-" for the token's own
# Functions that read them: Provision mints an auth key; Finalize, Cleanup and the Sweeper (a teardown its
# workflow left undone) remove the device; the PoolKeeper does both for a pool's idle instances.
TASKS = ("Provision", "Finalize", "Cleanup")
READERS = TASKS + ("Sweeper", "PoolKeeper")
# The Api function writes, reads back (never answering the key) and removes them: PUT|GET|DELETE /v1/admin/tailscale.
WRITER, WRITER_ACTIONS = "Api", ("ssm:PutParameter", "ssm:GetParameter", "ssm:DeleteParameter")
