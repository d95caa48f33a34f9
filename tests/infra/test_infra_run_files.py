"""The run-files bucket: private, TLS only, encrypted, expiring; each function reaches exactly its
prefix with exactly its actions (workdirs in: Api, AgentApi and DispatchRun; artifacts and bulk output
out: AgentApi and Api)."""
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


def test_the_bucket_is_private_tls_only_encrypted_and_expiring(synth):
    (bucket_id, bucket), = synth.of_type("AWS::S3::Bucket").items()
    props = bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                                       "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"}
    rules = {(r["Prefix"], r["ExpirationInDays"], r["Status"]) for r in props["LifecycleConfiguration"]["Rules"]}
    assert rules == {("workdirs/", 7, "Enabled"), ("artifacts/", 30, "Enabled"), ("logs/", 30, "Enabled")}
    [policy] = synth.of_type("AWS::S3::BucketPolicy").values()
    denies = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denies)


def test_each_function_reaches_exactly_its_prefixes_with_exactly_its_actions(synth):
    (bucket_id, _), = synth.of_type("AWS::S3::Bucket").items()
    for key in synth.functions:
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
