"""AMI snapshots of our instances: create, follow, and delete together with their EBS snapshots."""
from functions.aws import clients
from functions.aws.errors import aws_call, tolerating

# A deregistered or unknown image: DescribeImages and DeregisterImage answer one of these (or nothing).
IMAGE_GONE = ("InvalidAMIID.NotFound", "InvalidAMIID.Unavailable")


def create_image(region: str, instance_id: str, name: str, tags: dict) -> str:
    tag_list = [{"Key": key, "Value": str(value)} for key, value in tags.items()]
    with aws_call("ec2:CreateImage", region):
        return clients.ec2(region).create_image(
            InstanceId=instance_id, Name=name,
            NoReboot=True,  # the run's command keeps going; the image is crash-consistent
            # tagged at creation, EBS snapshots too: nothing of ours is ever untagged, even for a moment
            TagSpecifications=[{"ResourceType": kind, "Tags": tag_list} for kind in ("image", "snapshot")],
        )["ImageId"]


def image_state(region: str, image_id: str) -> dict | None:
    """{"state", "snapshot_ids", "architecture"} as EC2 reports them, or None once the image is gone."""
    image = _describe(region, image_id)
    if image is None:
        return None
    return {"state": image["State"], "snapshot_ids": _ebs_snapshot_ids(image),
            "architecture": image.get("Architecture")}


def delete_image(region: str, image_id: str, known_snapshot_ids: tuple = ()) -> list[str]:
    """Deregister the image, then delete each of its EBS snapshots; the ids deleted, sorted.

    Idempotent: an image already gone is fine, and `known_snapshot_ids` (recorded earlier) are
    still deleted, so a retry after a failed DeleteSnapshot leaves nothing behind.
    """
    image = _describe(region, image_id)
    snapshot_ids = sorted(set(known_snapshot_ids) | set(_ebs_snapshot_ids(image) if image else ()))
    if image is not None:
        with aws_call("ec2:DeregisterImage", region), tolerating(*IMAGE_GONE):
            clients.ec2(region).deregister_image(ImageId=image_id)
    for snapshot_id in snapshot_ids:  # only once the image is deregistered: EC2 refuses a snapshot in use
        with aws_call("ec2:DeleteSnapshot", region), tolerating("InvalidSnapshot.NotFound"):
            clients.ec2(region).delete_snapshot(SnapshotId=snapshot_id)
    return snapshot_ids


def _describe(region: str, image_id: str) -> dict | None:
    images = []
    with aws_call("ec2:DescribeImages", region), tolerating(*IMAGE_GONE):
        images = clients.ec2(region).describe_images(ImageIds=[image_id])["Images"]
    found = [i for i in images if i["ImageId"] == image_id and i.get("State") != "deregistered"]
    return found[0] if found else None


def _ebs_snapshot_ids(image: dict) -> list[str]:
    return [m["Ebs"]["SnapshotId"] for m in image.get("BlockDeviceMappings", [])
            if m.get("Ebs", {}).get("SnapshotId")]
