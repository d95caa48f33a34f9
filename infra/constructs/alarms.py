"""Alarms: a leak the sweeper caught, an orphan found, a failed workflow, each to one SNS topic."""
from aws_cdk import CfnOutput, Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra import settings
from infra.nag import acknowledge

# alarm id -> (metric name as functions/observability.py emits it, what it means); each >= 1 in one period
EMF_ALARMS = {
    "LeaksCaught": ("LeaksCaught", "the sweeper terminated an instance its run's workflow had not: a leak caught"),
    "Orphans": ("OrphansFound", "an instance of this deployment with no run record (repl orphan list)"),
    "WorkflowFailures": ("WorkflowFailures", "a run's workflow failed (Cleanup ended it `error`)"),
}


class Alarms(Construct):
    def __init__(self, scope: Construct, id: str, *, state_machine: sfn.StateMachine) -> None:
        super().__init__(scope, id)
        # SSL enforced (the topic policy denies aws:SecureTransport false). No KMS key: the notifications
        # carry an alarm's name and state, no data, and CloudWatch cannot publish under the AWS-managed
        # SNS key (cdk-nag's packs ask for neither here: the nag test would report it).
        self.topic = sns.Topic(self, "Topic", display_name="SkyREPL alarms", enforce_ssl=True)
        email = settings.alarm_email(self)
        if email:
            subscription = self.topic.add_subscription(subscriptions.EmailSubscription(email))
            acknowledge(subscription, "Serverless-SNSRedrivePolicy", "an e-mail of an alarm: SNS retries it, and "
                        "an undelivered one is still an alarm in ALARM state in CloudWatch; a queue nobody reads adds nothing")
        period = Duration.minutes(settings.SWEEP_EVERY_MINUTES)  # the sweeper emits once per sweep
        for alarm_id, (metric_name, meaning) in EMF_ALARMS.items():
            metric = cloudwatch.Metric(namespace=settings.POWERTOOLS_METRICS_NAMESPACE, metric_name=metric_name,
                                       dimensions_map={"service": settings.POWERTOOLS_SERVICE_NAME},
                                       statistic="Sum", period=period)
            self._alarm(alarm_id, metric, meaning)
        self._alarm("ExecutionsFailed", state_machine.metric_failed(statistic="Sum", period=period),
                    "a launch-run execution itself failed (even Cleanup did not finish): the sweeper ends its run")
        CfnOutput(self, "AlarmTopicArn", value=self.topic.topic_arn,
                  description="SNS topic of the alarms; subscribe with -c alarm_email=... or any SNS subscription")

    def _alarm(self, id: str, metric: cloudwatch.IMetric, meaning: str) -> None:
        alarm = cloudwatch.Alarm(self, id, metric=metric, threshold=1, evaluation_periods=1,
                                 comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                                 treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                                 alarm_description=f"SkyREPL: {meaning}")
        alarm.add_alarm_action(actions.SnsAction(self.topic))
