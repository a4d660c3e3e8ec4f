import io
import json
import os
import unittest
from unittest import mock

from fraud_score import handler, pre_traffic_hook

NEW_VERSION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:python-service-dev:7"
SHA = "77d01e4" + "0" * 33


class FakeLambda:
    """Invokes the real handler in-process, as Lambda would invoke the new version."""

    def __init__(self, deployed_sha, broken=False):
        self.deployed_sha = deployed_sha
        self.broken = broken
        self.invoked = []

    def invoke(self, FunctionName, InvocationType, Payload):
        self.invoked.append(FunctionName)
        if self.broken:
            return {"FunctionError": "Unhandled", "Payload": io.BytesIO(b"{}")}
        with mock.patch.dict(os.environ, {"GIT_SHA": self.deployed_sha}):
            answer = handler.lambda_handler(json.loads(Payload))
        return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(answer).encode())}


class FakeCodeDeploy:
    def __init__(self):
        self.reports = []

    def put_lifecycle_event_hook_execution_status(self, **report):
        self.reports.append(report)


class PreTrafficHookTest(unittest.TestCase):
    def run_hook(self, fake_lambda):
        codedeploy = FakeCodeDeploy()
        clients = {"lambda": fake_lambda, "codedeploy": codedeploy}
        event = {"DeploymentId": "d-ABC123", "LifecycleEventHookExecutionId": "hook-1"}
        env = {"TARGET_FUNCTION_VERSION": NEW_VERSION_ARN, "GIT_SHA": SHA}
        with mock.patch.dict(os.environ, env):
            result = pre_traffic_hook.lambda_handler(event, None, client_factory=clients.__getitem__)
        return result, codedeploy.reports

    def test_lets_a_healthy_new_version_take_traffic(self):
        fake_lambda = FakeLambda(deployed_sha=SHA)
        result, reports = self.run_hook(fake_lambda)
        self.assertEqual(result, {"status": "Succeeded"})
        self.assertEqual(
            reports,
            [{"deploymentId": "d-ABC123", "lifecycleEventHookExecutionId": "hook-1", "status": "Succeeded"}],
        )
        self.assertEqual(fake_lambda.invoked, [NEW_VERSION_ARN, NEW_VERSION_ARN])

    def test_fails_the_deployment_when_the_new_version_reports_another_commit(self):
        result, reports = self.run_hook(FakeLambda(deployed_sha="1a2b3c4" + "0" * 33))
        self.assertEqual(result, {"status": "Failed"})
        self.assertEqual(reports[0]["status"], "Failed")

    def test_fails_the_deployment_when_the_new_version_crashes(self):
        problems = pre_traffic_hook.check_version(FakeLambda(SHA, broken=True), NEW_VERSION_ARN, SHA)
        self.assertEqual(problems, ["/health answered 500", "/score answered 500 for a valid payment"])


if __name__ == "__main__":
    unittest.main()
