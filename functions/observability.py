"""The one Powertools Logger every Lambda shares."""
from aws_lambda_powertools import Logger

logger = Logger(service="skyrepl")
