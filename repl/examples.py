"""The examples at the end of each `repl NOUN --help`: one block per noun, commands that work as shown."""

RUN = """\
examples:
  repl run --provider aws --spec "ubuntu:noble:amd64" --command "echo hello world" --max-duration 300000
  repl run --spec t4g.nano --spot --region eu-west-1 -c "python train.py" --detach
  repl run -p gpu -c "python train.py"          defaults from [profile.gpu] in repl.toml
  repl run -p gpu --on-demand -c "nvidia-smi"    a flag wins over the profile (here: its spot = true)
  repl run -c "make test" --dry-run              what would be sent, and where each value came from
  repl run -c "make" --artifacts "out/*.csv"     upload the files it made (see repl artifact --help)
  repl run list --status running
  repl run logs r8k2m9xq1d --follow
  repl run cancel r8k2m9xq1d

exit codes: the command's own exit code; 124 max-duration reached; 130 cancelled (or Ctrl-C, which
detaches and leaves the run going); 125 infrastructure error or spot interruption; 2 usage error.
"""
RUN_LIST = """\
examples:
  repl run list                                 the newest 50
  repl run list --status failed --status timed_out --limit 10
  repl run list --cursor CURSOR                 the next page (repl prints this command when there is one)
  repl run list --json | jq -r '.runs[].id'
"""
ARTIFACT = """\
examples:
  repl run -c "python train.py" --artifacts "out/*.csv" --artifacts model.pt
  repl artifact list r8k2m9xq1d
  repl artifact download r8k2m9xq1d             into this directory: out/a.csv, model.pt
  repl artifact download r8k2m9xq1d --to res    res/out/a.csv, res/model.pt
  repl artifact download r8k2m9xq1d --force     overwrite local files that differ
  repl artifact list r8k2m9xq1d --json | jq -r '.artifacts[].path'
"""
INSTANCE = """\
examples:
  repl instance list                            live instances, with spot prices
  repl instance list --all --json               terminated ones too, as JSON
  repl instance terminate r8k2m9xq1d            end the instance a --keep-alive run kept, now
"""
LOCAL = """\
examples:
  repl local up                                 start the embedded stack (no AWS account needed)
  repl local status --json
  eval "$(repl local env)"; aws ec2 describe-instances
  repl local down                               stop it, and every agent it started
"""
CACHE = """\
examples:
  repl cache clear                              the next launch in each region looks up the newest AMI
"""
COST = """\
examples:
  repl cost                                     the last 30 days, by instance type
  repl cost --since 2026-11-01 --by day
  repl cost --by region --json
"""
ORPHAN = """\
examples:
  repl orphan scan                              run the sweeper now
  repl orphan list --json
"""
SNAPSHOT = """\
examples:
  repl snapshot create r8k2m9xq1d --name my-env --wait
  repl run --snapshot ami-0abc1234 -c "python train.py"
  repl snapshot list
  repl snapshot delete ami-0abc1234             deregisters the image and deletes its EBS snapshots
"""
POOL = """\
examples:
  repl pool create cpu --spec t3.micro --size 2 --wait    two instances booted, their agents idle
  repl run --spec t3.micro -c "make test"       takes one of them: the command starts at once
  repl run --spec t3.micro --no-pool -c "..."   a fresh instance all the same
  repl pool create gpu --spec g5.xlarge --size 1 --spot --idle-timeout 1h
  repl pool list                                sizes, idle instances and what they cost per hour
  repl pool resize cpu --size 0                 keeps none (the pool stays, empty)
  repl pool delete cpu                          terminates its idle instances, cancels its spot requests
"""
SSH = """\
examples:
  repl ssh r8k2m9xq1d                           a login shell on the run's instance, with a key made for the run
  repl ssh repl-r8k2m9xq1d -- uptime            one command (the host name ssh-config writes works too)
  repl ssh i-0abc1234 -- tail -f /var/log/syslog
  repl ssh --region-key r8k2m9xq1d              administrators: with the region's key pair instead
"""
SSH_CONFIG = """\
examples:
  repl ssh-config                               then: ssh repl-<run id>
  repl ssh-config --json
  repl ssh-config --region-key                  administrators: every entry with its region's key pair
"""
SETUP = """\
examples:
  repl setup --api-url https://abc123.execute-api.us-east-1.amazonaws.com
  repl setup --stack SkyRepl --region eu-west-1  take the URL from the deployed stack's ApiUrl output
  repl setup                                    check the saved URL again and refresh SSH keys and config
"""
DASHBOARD = """\
examples:
  repl dashboard                                opens http://127.0.0.1:<free port>/<token>/ in your browser
  repl dashboard --port 8765 --no-open          a fixed port; open the printed URL yourself
"""
COMPLETION = """\
examples:
  eval "$(repl completion bash)"                in ~/.bashrc
  eval "$(repl completion zsh)"                 in ~/.zshrc
  repl completion bash > /etc/bash_completion.d/repl
"""
TOP = """\
getting started:
  repl local up                      start the embedded stack (no AWS account needed)
  repl run --spec "ubuntu:noble:amd64" --command "echo hello world"
  repl run list
  repl NOUN --help                   examples for each command
"""
