"""CodeDeploy PreTraffic hook.

CodeDeploy calls this before it shifts any traffic to the newly published
version. The hook invokes that version directly (not through the alias, which
still points at the old one) and reports Succeeded or Failed; Failed stops the
deployment and CodeDeploy rolls the alias back, so a broken build never takes
even the first 10% of traffic.
"""

import json
import logging
import os
from typing import Any, Callable, Dict, List, Optional

logger = logging.getLogger("python-service.pre-traffic")
logger.setLevel(logging.INFO)

HEALTH_EVENT = {
    "rawPath": "/health",
    "requestContext": {"http": {"method": "GET", "path": "/health"}},
}
SAMPLE_PAYMENT_EVENT = {
    "rawPath": "/score",
    "requestContext": {"http": {"method": "POST", "path": "/score"}},
    "body": json.dumps(
        {
            "transactionId": "pre-traffic-check",
            "amount": 12.5,
            "currency": "EUR",
            "cardCountry": "DE",
            "ipCountry": "DE",
            "cardAgeDays": 400,
            "attemptsLastHour": 0,
        }
    ),
}


def _invoke(lambda_client: Any, function_arn: str, event: Dict[str, Any]) -> Dict[str, Any]:
    answer = lambda_client.invoke(
        FunctionName=function_arn,
        InvocationType="RequestResponse",
        Payload=json.dumps(event).encode("utf-8"),
    )
    if answer.get("FunctionError"):
        return {"statusCode": 500, "body": json.dumps({"error": answer["FunctionError"]})}
    return json.loads(answer["Payload"].read())


def check_version(lambda_client: Any, function_arn: str, expected_version: str) -> List[str]:
    """The problems found with the new version; empty means it may take traffic."""
    problems = []
    health = _invoke(lambda_client, function_arn, HEALTH_EVENT)
    if health.get("statusCode") != 200:
        problems.append(f"/health answered {health.get('statusCode')}")
    else:
        version = json.loads(health["body"]).get("version")
        if version != expected_version:
            problems.append(f"/health reports version {version}, expected {expected_version}")
    scored = _invoke(lambda_client, function_arn, SAMPLE_PAYMENT_EVENT)
    if scored.get("statusCode") != 200:
        problems.append(f"/score answered {scored.get('statusCode')} for a valid payment")
    return problems


def _boto3_client(name: str) -> Any:
    import boto3  # provided by the Lambda runtime; not needed by the unit tests

    return boto3.client(name)


def lambda_handler(
    event: Dict[str, Any],
    context: Any = None,
    client_factory: Optional[Callable[[str], Any]] = None,
) -> Dict[str, str]:
    make_client = client_factory or _boto3_client
    target = os.environ["TARGET_FUNCTION_VERSION"]
    problems = check_version(make_client("lambda"), target, os.environ["GIT_SHA"])
    status = "Failed" if problems else "Succeeded"
    logger.info(json.dumps({"event": "pre-traffic", "target": target, "status": status, "problems": problems}))
    make_client("codedeploy").put_lifecycle_event_hook_execution_status(
        deploymentId=event["DeploymentId"],
        lifecycleEventHookExecutionId=event["LifecycleEventHookExecutionId"],
        status=status,
    )
    return {"status": status}
