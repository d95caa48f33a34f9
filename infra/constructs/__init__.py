"""One construct per concern: storage, api, workflow, sweeper, pools."""
