"""The workdir bucket: private, TLS only, encrypted, expiring; reached by the Api and DispatchRun only."""
import json

from infra_helpers import as_list, refs_in

WORKDIR_ACCESS = {"Api": ["s3:PutObject", "s3:GetObject"], "DispatchRun": ["s3:GetObject"]}


def test_the_bucket_is_private_tls_only_encrypted_and_expiring(synth):
    (bucket_id, bucket), = synth.of_type("AWS::S3::Bucket").items()
    props = bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                                       "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"}
    [rule] = props["LifecycleConfiguration"]["Rules"]
    assert (rule["Prefix"], rule["ExpirationInDays"], rule["Status"]) == ("workdirs/", 7, "Enabled")
    [policy] = synth.of_type("AWS::S3::BucketPolicy").values()
    denies = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denies)


def test_only_the_api_and_dispatch_run_reach_the_archives_with_exactly_their_actions(synth):
    (bucket_id, _), = synth.of_type("AWS::S3::Bucket").items()
    for key in synth.functions:
        found = [s for s in synth.statements(synth.role(key)) if bucket_id in refs_in(s["Resource"])]
        assert ("WORKDIR_BUCKET" in synth.env(key)) == (key in WORKDIR_ACCESS), key
        if key not in WORKDIR_ACCESS:
            assert not found, key
            continue
        (statement,) = found
        assert as_list(statement["Action"]) == WORKDIR_ACCESS[key], key
        assert json.dumps(statement["Resource"]).endswith('"/workdirs/*"]]}'), statement["Resource"]
