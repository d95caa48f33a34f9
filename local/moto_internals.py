"""Every use of moto's (and botocore's) internal API, in this one module.

moto has no supported hooks for what the embedded stack and the tests need (toolchain-notes §3), so
it is patched here, and only here. That is why requirements.txt pins moto exactly and why
`check_version()` refuses any other version at start-up: each patch below names the internal it
replaces, and a moto release may move or change it. `install()` applies every patch and `uninstall()`
undoes every one, as one unit (`with installed(): ...`). `set_time_scale()` fast-forwards the state
machine's waits while installed (tests).

Besides the patches: `seed_public_images()` writes images into moto's EC2 backend, `our_instances()`
reads its instances from memory, and `observe()` / `load_items()` let local/history.py keep what
DynamoDB, S3 and SSM hold across restarts (all internal too).
"""
import importlib.metadata
import json
import threading
import time
import types
from contextlib import contextmanager

PINNED_MOTO = "5.2.5"  # as requirements.txt pins it
ACCOUNT_ID = "123456789012"  # moto's default account: the emulated one


class UnsupportedMoto(RuntimeError):
    pass


def check_version() -> None:
    installed_version = importlib.metadata.version("moto")
    if installed_version != PINNED_MOTO:
        raise UnsupportedMoto(
            f"moto {installed_version} is installed, but the embedded stack patches moto {PINNED_MOTO}'s internals "
            f"(local/moto_internals.py): run `make setup` (or `pip install -r requirements.txt`) to get "
            f"moto=={PINNED_MOTO}")


class _Patch:
    """obj.name replaced by `new` while installed, the original put back by undo()."""

    def __init__(self, obj, name: str, new):
        self.obj, self.name, self.new, self.original = obj, name, new, getattr(obj, name)

    def apply(self) -> None:
        setattr(self.obj, self.name, self.new)

    def undo(self) -> None:
        setattr(self.obj, self.name, self.original)


class _ItemPatch(_Patch):
    """mapping[key] replaced while installed (a moto config switch)."""

    def __init__(self, mapping: dict, key: str, new):
        self.obj, self.name, self.new = mapping, key, new
        self.had, self.original = key in mapping, mapping.get(key)

    def apply(self) -> None:
        self.obj[self.name] = self.new

    def undo(self) -> None:
        if self.had:
            self.obj[self.name] = self.original
        else:
            self.obj.pop(self.name, None)


_installed: list = []
_dynamo_lock = threading.RLock()
_time = {"scale": 1.0}
_observers: dict = {}  # "dynamodb" / "s3" / "ssm" -> a callable told each change (observe())
DYNAMODB_WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")


def install() -> None:
    """Apply every patch (idempotent)."""
    check_version()
    if _installed:
        return
    for patch in _patches() + _time_patches():
        patch.apply()
        _installed.append(patch)


def uninstall() -> None:
    while _installed:
        _installed.pop().undo()
    _time["scale"] = 1.0
    _observers.clear()


@contextmanager
def installed():
    install()
    try:
        yield
    finally:
        uninstall()


def set_time_scale(scale: float) -> None:
    """Wait states and Retry intervals take `scale` times as long (1: real time)."""
    _time["scale"] = scale


def _patches() -> list:
    import botocore.session
    import moto.backends
    from moto.awslambda_simple.models import LambdaSimpleBackend
    from moto.core.config import default_user_config
    from moto.dynamodb.responses import DynamoHandler, DynamoResult
    from moto.ec2.models.amis import AmiBackend
    from moto.ec2.models.instances import InstanceBackend
    from moto.ec2.models.spot_requests import SpotInstanceRequest, SpotRequestBackend
    from moto.ec2.utils import filter_dict_attribute_mapping
    from moto.s3.models import S3Backend
    from moto.ssm.models import SimpleSystemManagerBackend
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback import (
        StateTaskServiceCallback)

    return [
        # moto executes state machines only when told to, and runs Lambda tasks without Docker only
        # with its "simple" backend (which echoes payloads unless patched, below).
        _ItemPatch(default_user_config, "stepfunctions", {"execute_state_machine": True}),
        _ItemPatch(default_user_config, "lambda", {"use_docker": False}),
        # ...so its invoke runs our handler in-process (local/dispatch.py): there is no supported hook.
        _Patch(LambdaSimpleBackend, "invoke", _invoke_in_process),
        # moto hands out its live DynamoDB item dicts: an UpdateItem on one thread (a state-machine task)
        # changing an item a GetItem on another is serializing failed with "dictionary changed size
        # during iteration". Real DynamoDB has no such race: run its requests one at a time. A DynamoDB
        # request calls nothing outside DynamoDB, so the lock cannot deadlock.
        _Patch(DynamoHandler, "call_action", _serialized(DynamoHandler.call_action)),
        # moto writes DynamoDB answers through its generic, model-driven serializer: 16 ms for a query of 20
        # runs, 0.86 of every 1.15 s of a profile, which capped the embedded gateway at about 40 requests/s.
        # The answer is already DynamoDB's JSON; bytes and times (which need the model) keep the slow path.
        _Patch(DynamoResult, "execute_result", _plain_json(DynamoResult.execute_result)),
        # EC2 tags an image's EBS snapshots from a `snapshot` TagSpecification; moto 5.2.5 raises
        # NotImplementedError on it (functions/aws/snapshots.py tags them at creation).
        _Patch(AmiBackend, "create_image", _create_image_tagging_snapshots(AmiBackend.create_image)),
        # EC2 answers a repeated ClientToken with the instance it launched the first time; moto launches
        # again. Provision's retries rely on EC2's behaviour: never two instances for one run.
        _Patch(InstanceBackend, "run_instances", _honouring_client_token(InstanceBackend.run_instances)),
        # A persistent spot request, as EC2 runs one (the warm pool's, functions/lifecycle/pool_keeper.py): its
        # instances answer DescribeInstances' spot-instance-request-id filter (moto raises
        # NotImplementedError), and terminating its instance without cancelling the request first makes
        # it launch a replacement, untagged (moto launches once only). That is the leak the keeper avoids.
        _Patch(SpotInstanceRequest, "launch_instance", _knowing_its_request(SpotInstanceRequest.launch_instance)),
        _ItemPatch(filter_dict_attribute_mapping, "spot-instance-request-id", "spot_instance_request_id"),
        _Patch(InstanceBackend, "terminate_instances", _relaunching_persistent(InstanceBackend.terminate_instances)),
        # ...and cancelling a request cancelled before succeeds, as on EC2 (moto raises KeyError: a 500)
        _Patch(SpotRequestBackend, "cancel_spot_instance_requests",
               _cancelling_again(SpotRequestBackend.cancel_spot_instance_requests)),
        # A task waiting for its token with a heartbeat: moto waits for the next heartbeat before it looks
        # at the outcome, so a SendTaskSuccess made before the wait began (DispatchRun sends it from within
        # its own invocation when the exit report came first) was lost and the task timed out at its
        # heartbeat, leaving the instance up until then. Step Functions takes a token as soon as it exists.
        _Patch(StateTaskServiceCallback, "_wait_for_task_token_heartbeat", _outcome_first),
        # moto gives every mock_aws() (and we every client-factory reset) a new botocore session, and each
        # new session a new Loader that parsed EC2's multi-megabyte model again: half the CPU of the
        # tests went to json.decode. The models are read-only data: one Loader per data path.
        _Patch(botocore.session, "create_loader", _shared_loader(botocore.session.create_loader)),
        # moto's server finds a request's service by listing its own package directory (an isdir per
        # entry) on every request: 6 % of the daemon's CPU in a profile of warm runs. The list never changes.
        _Patch(moto.backends, "list_of_moto_modules", _listed_once(moto.backends.list_of_moto_modules)),
        # local/history.py journals every object and parameter written or deleted (observe()).
        _Patch(S3Backend, "put_object", _observed_put_object(S3Backend.put_object)),
        _Patch(S3Backend, "delete_object", _observed_delete_object(S3Backend.delete_object)),
        _Patch(SimpleSystemManagerBackend, "put_parameter", _observed_put_parameter(SimpleSystemManagerBackend.put_parameter)),
        _Patch(SimpleSystemManagerBackend, "delete_parameter",
               _observed_delete_parameter(SimpleSystemManagerBackend.delete_parameter)),
    ]


def _time_patches() -> list:
    """Wait states and Retry intervals, set_time_scale() times as long (task timeouts and heartbeats stay
    real: they are the behaviour under test, given in seconds by the execution input)."""
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction

    def scaled_wait(self, env, wait_seconds):
        if wait_seconds > 0:
            env.program_state_event.wait(wait_seconds * _time["scale"])

    scaled_time = types.SimpleNamespace(sleep=lambda seconds: time.sleep(seconds * _time["scale"]), time=time.time)
    return [_Patch(WaitFunction, "_wait_interval", scaled_wait), _Patch(retrier_decl, "time", scaled_time)]


def _invoke_in_process(self, function_name, qualifier, body, headers, response_headers):
    """A handler's exception becomes a function error named after its class, as on AWS, so the state
    machine's Retry/Catch see the same error names."""
    from local import dispatch

    if (headers.get("X-Amz-Invocation-Type") or headers.get("x-amz-invocation-type")) == "Event":  # queued: not waited for
        threading.Thread(target=dispatch.call, args=(function_name.rsplit(":", 1)[-1], json.loads(body or "{}")),
                         name="lambda-event", daemon=True).start()
        return b""
    result, error = dispatch.call(function_name.rsplit(":", 1)[-1], json.loads(body or "{}"))
    if error:
        response_headers["x-amz-function-error"] = "Unhandled"
        return json.dumps({"errorType": error[0], "errorMessage": error[1]}).encode()
    return json.dumps(result).encode()


def _outcome_first(_state, env, callback_endpoint, heartbeat_endpoint):
    """The outcome, once there is one (looked at before every wait); a HeartbeatTimedOut when no heartbeat
    (nor outcome: its notify sets the same event) came for the task's heartbeat seconds."""
    from moto.stepfunctions.parser.asl.eval.callback.callback import HeartbeatTimedOut

    event, seconds = heartbeat_endpoint._next_heartbeat_event, heartbeat_endpoint._heartbeat_seconds
    last_beat = time.monotonic()
    while env.is_running():
        outcome = callback_endpoint.get_outcome()
        if outcome is not None:
            return outcome
        if event.wait(timeout=max(0.0, last_beat + seconds - time.monotonic())):
            event.clear()  # a notify between the wait and here is not lost: its outcome is looked at next
            last_beat = time.monotonic()
        elif env.is_running():
            return HeartbeatTimedOut()
    return None


def _serialized(call_action):
    def call(self):
        with _dynamo_lock:
            status, headers, body = call_action(self)
            if status == 200 and _observers.get("dynamodb"):  # inside the lock: the journal's order is DynamoDB's
                _observe_dynamodb_write(self)
        _meter_dynamodb(self, body)
        return status, headers, body
    return call


def observe(dynamodb=None, s3=None, ssm=None) -> None:
    """Tell each callable every change, once it is made (None: stop telling):
    dynamodb(region, table, key, item or None), s3(bucket, key, bytes or None, modified or None),
    ssm(region, name, {"value", "type"} or None). Items and keys are DynamoDB JSON."""
    _observers.update(dynamodb=dynamodb, s3=s3, ssm=ssm)


def _observe_dynamodb_write(handler) -> None:
    action = (handler.headers.get("X-Amz-Target") or ".?").split(".")[-1]
    if action not in DYNAMODB_WRITES:
        return
    request = handler.body if isinstance(handler.body, dict) else json.loads(handler.body or "{}")
    backend = handler.dynamodb_backend
    for table_name, key in _written_keys(backend, action, request):
        item = backend.get_item(table_name, key)
        _observers["dynamodb"](handler.region, table_name, key, item.to_json()["Attributes"] if item else None)


def _written_keys(backend, action: str, request: dict) -> list:
    """(table, key) of each item the request wrote: its Key, or the key attributes of its Item."""
    def key_of(table_name: str, write: dict) -> dict:
        if "Key" in write:
            return write["Key"]
        table = backend.get_table(table_name)
        names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
        return {name: write["Item"][name] for name in names}

    if action == "BatchWriteItem":
        return [(table, key_of(table, next(iter(write.values()))))
                for table, writes in request.get("RequestItems", {}).items() for write in writes]
    if action == "TransactWriteItems":
        return [(body["TableName"], key_of(body["TableName"], body)) for write in request.get("TransactItems", [])
                for kind, body in write.items() if kind != "ConditionCheck"]
    return [(request["TableName"], key_of(request["TableName"], request))]


def load_items(region: str, table_name: str, items: list) -> None:
    """Put DynamoDB-JSON items straight into the emulated table (no request, nothing observed)."""
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[ACCOUNT_ID][region]
    with _dynamo_lock:
        for item in items:
            backend.put_item(table_name, item)


def load_object(bucket: str, key: str, data: bytes, modified: float) -> None:
    """An S3 object put straight into the emulated bucket, with the time it was first written."""
    from datetime import datetime, timezone
    from moto.s3.models import s3_backends

    stored = s3_backends[ACCOUNT_ID]["aws"].put_object(bucket, key, data)
    stored.last_modified = datetime.fromtimestamp(modified, timezone.utc).replace(tzinfo=None)  # moto's are naive UTC


def _observed_put_object(put_object):
    def put(self, bucket_name, key_name, value, *args, **kwargs):
        key = put_object(self, bucket_name, key_name, value, *args, **kwargs)
        if _observers.get("s3"):
            _observers["s3"](bucket_name, key_name, key.value, key.last_modified.timestamp())
        return key
    return put


def _observed_delete_object(delete_object):
    def delete(self, bucket_name, key_name, *args, **kwargs):
        result = delete_object(self, bucket_name, key_name, *args, **kwargs)
        if _observers.get("s3"):
            _observers["s3"](bucket_name, key_name, None, None)
        return result
    return delete


def _observed_put_parameter(put_parameter):
    def put(self, name, description, value, parameter_type, *args, **kwargs):
        parameter = put_parameter(self, name, description, value, parameter_type, *args, **kwargs)
        if _observers.get("ssm"):
            _observers["ssm"](self.region_name, name, {"value": value, "type": parameter_type})
        return parameter
    return put


def _observed_delete_parameter(delete_parameter):
    def delete(self, name):
        delete_parameter(self, name)
        if _observers.get("ssm"):
            _observers["ssm"](self.region_name, name, None)
    return delete


def _meter_dynamodb(handler, answer) -> None:
    """Each DynamoDB operation with the bytes of its request and answer (bench/cost.py prices them)."""
    from local.meter import meter

    action = (handler.headers.get("X-Amz-Target") or ".?").split(".")[-1]
    meter.add("dynamodb", action, bytes_in=len(handler.body if isinstance(handler.body, (bytes, str)) else
                                                   json.dumps(handler.body, default=str)),
              bytes_out=len(answer or ""))


def _plain_json(execute_result):
    def execute(self, context):
        try:
            body = json.dumps(self.result)
        except TypeError:  # binary attributes or timestamps: the serializer knows their encodings
            return execute_result(self, context)
        return 200, {"Content-Type": "application/x-amz-json-1.0"}, body
    return execute


def _create_image_tagging_snapshots(create_image):
    def create(self, instance_id: str, name: str, description: str, tag_specifications: list):
        snapshot_tags = {tag["Key"]: tag["Value"] for spec in tag_specifications
                         if spec["ResourceType"] == "snapshot" for tag in spec["Tags"]}
        others = [spec for spec in tag_specifications if spec["ResourceType"] != "snapshot"]
        image = create_image(self, instance_id, name, description, others)
        if snapshot_tags:
            self.create_tags([image.ebs_snapshot.id], snapshot_tags)
        return image
    return create


def _honouring_client_token(run_instances):
    def run(self, image_id, count, user_data, security_group_names, **kwargs):
        token = kwargs.get("client_token")
        for reservation in list(self.reservations.values()) if token else []:
            if any(i.client_token == token for i in reservation.instances):
                return reservation
        return run_instances(self, image_id, count, user_data, security_group_names, **kwargs)
    return run


def _knowing_its_request(launch_instance):
    def launch(self):
        instance = launch_instance(self)
        instance.spot_instance_request_id = self.id
        return instance
    return launch


def _cancelling_again(cancel):
    def cancel_known(self, request_ids):
        return cancel(self, [r for r in request_ids if r in self.spot_instance_requests])
    return cancel_known


def _relaunching_persistent(terminate_instances):
    def terminate(self, instance_ids):
        terminated = terminate_instances(self, instance_ids)
        requests = getattr(self, "spot_instance_requests", {})  # the same backend: EC2's mixins
        for instance, _ in terminated:
            request = requests.get(getattr(instance, "spot_instance_request_id", None))
            if request is not None and request.type == "persistent" and request.instance is instance:
                request.instance = request.launch_instance()
        return terminated
    return terminate


_LOADERS: dict = {}  # data path -> Loader: kept across installs, so the models are parsed once per process


def _listed_once(list_of_moto_modules):
    modules = tuple(list_of_moto_modules())
    return lambda: iter(modules)


def _shared_loader(create_loader):
    def shared(search_path_string=None):
        if search_path_string not in _LOADERS:
            _LOADERS[search_path_string] = create_loader(search_path_string)
        return _LOADERS[search_path_string]
    return shared


def seed_public_images(region: str, images: list[dict], owner_id: str) -> None:
    """Public images owned by `owner_id` (Canonical's account), visible to the emulated account: moto
    keeps per-account backends, so an image registered by another account is never seen (notes §4).
    Each image: {"image_id", "name", "description", "architecture", "created"}; ones there are kept."""
    from moto.ec2.models import ec2_backends
    from moto.ec2.models.amis import Ami

    backend = ec2_backends[ACCOUNT_ID][region]
    for image in images:
        if image["image_id"] not in backend.amis:
            backend.amis[image["image_id"]] = Ami(
                backend, ami_id=image["image_id"], name=image["name"], description=image["description"],
                owner_id=owner_id, public=True, architecture=image["architecture"], virtualization_type="hvm",
                hypervisor="xen", root_device_type="ebs", root_device_name="/dev/sda1",
                creation_date=image["created"], region_name=f"{region}a")


def register_private_image(region: str, image_id: str, name: str, architecture: str) -> None:
    """An image of the emulated account under a known id (an AMI snapshot the daemon had before it
    stopped: moto's EC2 is not kept, the record is)."""
    from moto.ec2.models import ec2_backends
    from moto.ec2.models.amis import Ami

    backend = ec2_backends[ACCOUNT_ID][region]
    if image_id not in backend.amis:
        backend.amis[image_id] = Ami(
            backend, ami_id=image_id, name=name, owner_id=ACCOUNT_ID, public=False, architecture=architecture,
            virtualization_type="hvm", hypervisor="xen", root_device_type="ebs", root_device_name="/dev/sda1",
            region_name=f"{region}a")


def our_instances(control_id_tag: str, control_id: str) -> list[tuple[str, str, str]]:
    """(region, instance id, state) of every emulated instance tagged with this control id, read from
    moto's memory: DescribeInstances over HTTP five times a second kept half a core busy."""
    from moto.ec2.models import ec2_backends

    found, backends = [], ec2_backends[ACCOUNT_ID]
    for region in list(backends.keys()):
        try:
            instances = list(backends[region].all_instances())
        except RuntimeError:  # the server thread changed the reservations mid-read: the next look sees it
            continue
        found += [(region, i.id, i._state.name) for i in instances
                  if any(t["key"] == control_id_tag and t["value"] == control_id for t in i.get_tags())]
    return found
