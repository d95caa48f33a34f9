"""SkyReplStack: builds one construct per concern and passes resources between them. Nothing else."""
from aws_cdk import Stack, Tags
from constructs import Construct

from functions.aws.permissions import ARTIFACT_PREFIX, LOG_PREFIX, WORKDIR_PREFIX
from infra import settings
from infra.parameters import grant_parameter
from functions.settings import WEBHOOK_SECRET_PARAMETER, WEBHOOK_URL_ENV
from infra.constructs.alarms import Alarms
from infra.constructs.api import Api
from infra.constructs.pools import Pools
from infra.constructs.run_files import RunFiles
from infra.constructs.startup import Startup
from infra.constructs.storage import Storage
from infra.constructs.sweeper import Sweeper
from infra.constructs.workflow import Workflow


class SkyReplStack(Stack):
    def __init__(self, scope: Construct, id: str = settings.STACK_NAME, *, control_id: str | None = None,
                 **kwargs) -> None:
        super().__init__(scope, id, **kwargs)
        context_value = control_id or self.node.try_get_context(settings.CONTROL_ID_CONTEXT)
        self.control_id = settings.resolve_control_id(context_value, self.stack_name)
        # make_function reads it from here (must be set before any child exists)
        self.node.set_context(settings.CONTROL_ID_CONTEXT, self.control_id)
        Tags.of(self).add("skyrepl:control-id", self.control_id)

        storage = Storage(self, "Storage")
        run_files = RunFiles(self, "RunFiles")
        api = Api(self, "Api", storage=storage)
        # The API answers where to upload (presigned PUT) and checks an archive exists (HEAD needs
        # s3:GetObject); DispatchRun presigns the agent's GET.
        run_files.use(api.user_fn, WORKDIR_PREFIX, "s3:PutObject", "s3:GetObject")
        # Artifacts: the agent API presigns the agent's PUTs; the API lists a run's and presigns GETs.
        run_files.use(api.agent_fn, ARTIFACT_PREFIX, "s3:PutObject")
        run_files.use(api.user_fn, ARTIFACT_PREFIX, "s3:GetObject")
        # Bulk output: the agent API presigns the agent's PUT of each chunk, the API followers' GETs.
        run_files.use(api.agent_fn, LOG_PREFIX, "s3:PutObject")
        run_files.use(api.user_fn, LOG_PREFIX, "s3:GetObject")
        # The agent's registration hands it its command, with a presigned GET of the working directory.
        run_files.use(api.agent_fn, WORKDIR_PREFIX, "s3:GetObject")
        run_files.list_under(api.user_fn, ARTIFACT_PREFIX)
        # Provision's API_URL is built from the RestApi id only, so this order has no dependency cycle.
        workflow = Workflow(self, "Workflow", storage=storage, api_url=api.base_url)
        run_files.use(workflow.functions["DispatchRun"], WORKDIR_PREFIX, "s3:GetObject")
        api.use_workflow(workflow.state_machine)
        sweeper = Sweeper(self, "Sweeper", storage=storage, state_machine=workflow.state_machine)
        api.use_sweeper(sweeper.fn)
        # Warm pools: the API (create, resize, delete) and Provision (a claim) ask the keeper for a keep.
        pools = Pools(self, "Pools", storage=storage, api_url=api.base_url)
        pools.invoked_by(api.user_fn)
        pools.invoked_by(workflow.functions["Provision"])
        Alarms(self, "Alarms", state_machine=workflow.state_machine)
        webhook_url = settings.webhook_url(self)
        # A run ends in one of these (functions/aws/run_end.py); the first to sign makes the secret.
        for fn in (api.agent_fn, workflow.functions["Finalize"], workflow.functions["Cleanup"], sweeper.fn):
            if webhook_url:
                fn.add_environment(WEBHOOK_URL_ENV, webhook_url)
                grant_parameter(fn, WEBHOOK_SECRET_PARAMETER, actions=("ssm:GetParameter", "ssm:PutParameter"))
        Startup(self, "Startup", storage=storage)  # the seed's startup() for this region, at deploy
