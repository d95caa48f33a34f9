"""The deploy-time startup() custom resource answers CloudFormation on its presigned URL, always SUCCESS."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from functions.aws import clients
from functions.startup import handler as startup
from local.context import LambdaContext
from tests.functions.conftest import REGION, inject


@pytest.fixture
def cloudformation():
    """A real local server standing in for CloudFormation's presigned response URL."""
    answers = []

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self):
            answers.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/response", answers
    server.shutdown()
    server.server_close()


def event(url: str, kind: str) -> dict:
    return {"RequestType": kind, "ResponseURL": url, "StackId": "stack", "RequestId": "req", "LogicalResourceId": "S"}


def test_create_runs_startup_for_the_region_and_reports_success(aws, cloudformation):
    url, answers = cloudformation
    startup.handler(event(url, "Create"), LambdaContext("Startup"))
    assert answers[0]["Status"] == "SUCCESS" and answers[0]["Data"]["key_name"] == f"skyrepl-{REGION}"
    groups = clients.ec2(REGION).describe_security_groups(GroupNames=["skyrepl-default"])["SecurityGroups"]
    assert groups[0]["GroupId"] == answers[0]["Data"]["security_group_id"]


def test_a_failing_startup_is_reported_to_cloudformation_with_its_reason(aws, cloudformation):
    url, answers = cloudformation
    inject(clients.sts(REGION), "GetCallerIdentity", "AccessDenied")
    startup.handler(event(url, "Create"), LambdaContext("Startup"))
    assert answers[0]["Status"] == "FAILED"  # the deployment says why, rather than succeed with a broken startup
    assert answers[0]["Reason"].startswith("startup() in us-east-1 failed: AWS refused sts:GetCallerIdentity")


def test_startup_tags_what_it_creates_so_its_role_holds_create_tags():
    from functions.aws.permissions import EC2_ACTIONS
    assert "ec2:CreateTags" in EC2_ACTIONS["Startup"]


def test_delete_keeps_the_group_and_key_pair(aws, cloudformation):
    url, answers = cloudformation
    startup.handler(event(url, "Delete"), LambdaContext("Startup"))
    assert answers[0]["Status"] == "SUCCESS" and answers[0]["Data"] == {}
    assert clients.ec2(REGION).describe_key_pairs()["KeyPairs"] == []
