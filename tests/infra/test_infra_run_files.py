"""The run-files bucket: private, TLS only, encrypted, expiring, its every access logged; each
function reaches exactly its prefix with exactly its actions (workdirs in: Api, AgentApi and
DispatchRun; artifacts and bulk output out: AgentApi and Api)."""
import json

from infra_helpers import as_list, refs_in

# function -> {(prefix or "bucket"): actions}
RUN_FILES_ACCESS = {
    "Api": {"workdirs/": ["s3:PutObject", "s3:GetObject"], "artifacts/": ["s3:GetObject"], "logs/": ["s3:GetObject"],
            "bucket": ["s3:ListBucket"]},
    # the agent's registration presigns its working directory's GET; its uploads: artifacts, output chunks
    "AgentApi": {"artifacts/": ["s3:PutObject"], "logs/": ["s3:PutObject"], "workdirs/": ["s3:GetObject"]},
    "DispatchRun": {"workdirs/": ["s3:GetObject"]},
}


def _buckets(synth) -> tuple[str, str]:
    """(the run-files bucket, its access-log bucket), by their logical ids."""
    run_files = synth.env("Api")["RUN_FILES_BUCKET"]["Ref"]
    (access_logs,) = set(synth.of_type("AWS::S3::Bucket")) - {run_files}
    return run_files, access_logs


def _policy_of(synth, bucket_id: str) -> list[dict]:
    (policy,) = [p for p in synth.of_type("AWS::S3::BucketPolicy").values()
                 if p["Properties"]["Bucket"] == {"Ref": bucket_id}]
    return policy["Properties"]["PolicyDocument"]["Statement"]


def _private_tls_only_and_encrypted(synth, bucket_id: str) -> None:
    props = synth.resources[bucket_id]["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                                       "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"}
    denies = [s for s in _policy_of(synth, bucket_id) if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denies), bucket_id


def test_the_bucket_is_private_tls_only_encrypted_and_expiring(synth):
    bucket_id, _ = _buckets(synth)
    _private_tls_only_and_encrypted(synth, bucket_id)
    props = synth.resources[bucket_id]["Properties"]
    rules = {(r["Prefix"], r["ExpirationInDays"], r["Status"]) for r in props["LifecycleConfiguration"]["Rules"]}
    assert rules == {("workdirs/", 7, "Enabled"), ("artifacts/", 30, "Enabled"), ("logs/", 30, "Enabled")}
    assert "VersioningConfiguration" not in props  # write-once objects that expire: nothing for versions to keep


def test_every_access_to_the_bucket_is_logged_to_a_private_bucket_of_its_own(synth):
    bucket_id, logs_id = _buckets(synth)
    assert synth.resources[bucket_id]["Properties"]["LoggingConfiguration"] == {
        "DestinationBucketName": {"Ref": logs_id}, "LogFilePrefix": "run-files/"}
    _private_tls_only_and_encrypted(synth, logs_id)
    props = synth.resources[logs_id]["Properties"]
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}  # no ACLs
    assert props["LifecycleConfiguration"] == {"Rules": [{"ExpirationInDays": 30, "Status": "Enabled"}]}
    assert "LoggingConfiguration" not in props
    # S3's log delivery may write there, for this bucket only, and nobody else may
    (allow,) = [s for s in _policy_of(synth, logs_id) if s["Effect"] == "Allow"]
    assert (allow["Principal"], allow["Action"]) == ({"Service": "logging.s3.amazonaws.com"}, "s3:PutObject")
    assert allow["Condition"]["ArnLike"] == {"aws:SourceArn": {"Fn::GetAtt": [bucket_id, "Arn"]}}
    assert synth.resources[logs_id]["DeletionPolicy"] == "Retain"


def test_each_function_reaches_exactly_its_prefixes_with_exactly_its_actions(synth):
    bucket_id, logs_id = _buckets(synth)
    for key in synth.functions:
        assert not [s for s in synth.statements(synth.role(key)) if logs_id in refs_in(s["Resource"])], key
        found = [s for s in synth.statements(synth.role(key)) if bucket_id in refs_in(s["Resource"])]
        assert ("RUN_FILES_BUCKET" in synth.env(key)) == (key in RUN_FILES_ACCESS), key
        granted = {_scope(s): as_list(s["Action"]) for s in found}
        assert len(granted) == len(found), (key, found)  # one statement per prefix
        assert granted == RUN_FILES_ACCESS.get(key, {}), key


def _scope(statement: dict) -> str:
    """The prefix an object statement is for, or "bucket" for ListBucket, which must carry its prefix."""
    resource = json.dumps(statement["Resource"])
    if resource.endswith('/*"]]}'):
        return resource.rsplit("/", 2)[-2] + "/"
    assert statement["Condition"] == {"StringLike": {"s3:prefix": "artifacts/*"}}, statement
    return "bucket"
