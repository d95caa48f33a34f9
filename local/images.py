"""CreateImage with a `snapshot` TagSpecification, as EC2 takes it: moto 5.2.5 raises NotImplementedError.

The provider tags an image's EBS snapshots at creation (functions/aws/snapshots.py). This teaches
moto's in-process backend to do the same: the snapshot tags go on the image's EBS snapshot (moto
makes one per image). Works under `moto.mock_aws()` and the embedded ThreadedMotoServer alike.
"""
from moto.ec2.models.amis import AmiBackend

_ORIGINAL = AmiBackend.create_image


def _create_image(self, instance_id: str, name: str, description: str, tag_specifications: list):
    snapshot_tags = {tag["Key"]: tag["Value"] for spec in tag_specifications if spec["ResourceType"] == "snapshot"
                     for tag in spec["Tags"]}
    others = [spec for spec in tag_specifications if spec["ResourceType"] != "snapshot"]
    image = _ORIGINAL(self, instance_id, name, description, others)
    if snapshot_tags:
        self.create_tags([image.ebs_snapshot.id], snapshot_tags)
    return image


def install() -> None:
    """Idempotent."""
    AmiBackend.create_image = _create_image


def uninstall() -> None:
    AmiBackend.create_image = _ORIGINAL
