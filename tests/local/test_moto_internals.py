"""Every patch of moto's internals is in local/moto_internals.py, applied and undone as one unit, and
refused on any moto version but the pinned one."""
import importlib.metadata

import pytest
from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.dynamodb.responses import DynamoHandler
from moto.ec2.models.amis import AmiBackend
from moto.ec2.models.instances import InstanceBackend
from moto.s3.models import S3Backend
from moto.ssm.models import SimpleSystemManagerBackend

from local import moto_internals

PATCHED = [(LambdaSimpleBackend, "invoke"), (DynamoHandler, "call_action"), (AmiBackend, "create_image"),
           (InstanceBackend, "run_instances"), (S3Backend, "put_object"), (S3Backend, "delete_object"),
           (SimpleSystemManagerBackend, "put_parameter"), (SimpleSystemManagerBackend, "delete_parameter")]


def test_the_pin_is_the_one_requirements_txt_installs():
    assert f"moto[server]=={moto_internals.PINNED_MOTO}" in open("requirements.txt").read()
    moto_internals.check_version()  # the installed one


def test_another_moto_version_is_refused_with_what_to_do(monkeypatch):
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "5.3.0")
    with pytest.raises(moto_internals.UnsupportedMoto, match=r"moto 5.3.0 is installed.*make setup.*moto==5.2.5"):
        moto_internals.install()


def test_uninstall_puts_every_original_back_and_install_patches_them_again():
    patched = {(owner, name): getattr(owner, name) for owner, name in PATCHED}
    moto_internals.uninstall()
    try:
        originals = {(owner, name): getattr(owner, name) for owner, name in PATCHED}
        assert all(originals[key] is not patched[key] for key in patched)
        assert all(getattr(o, n).__module__.startswith("moto.") for o, n in PATCHED)
    finally:
        moto_internals.install()  # tests/conftest.py's session-wide unit
    assert {(o, n): getattr(o, n) for o, n in PATCHED} != originals


def test_time_scale_is_reset_by_uninstall():
    moto_internals.set_time_scale(0.01)
    moto_internals.uninstall()
    moto_internals.install()
    assert moto_internals._time["scale"] == 1.0
