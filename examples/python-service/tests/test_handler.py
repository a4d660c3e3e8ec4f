import base64
import json
import os
import unittest
from unittest import mock

from fraud_score.handler import MAX_BODY_BYTES, lambda_handler


def http_event(method, path, body=None, base64_encoded=False):
    event = {
        "version": "2.0",
        "rawPath": path,
        "requestContext": {"http": {"method": method, "path": path}},
    }
    if body is not None:
        raw = body if isinstance(body, str) else json.dumps(body)
        if base64_encoded:
            raw = base64.b64encode(raw.encode("utf-8")).decode("ascii")
        event["body"] = raw
        event["isBase64Encoded"] = base64_encoded
    return event


PAYMENT = {
    "transactionId": "tx-42",
    "amount": 1200,
    "currency": "EUR",
    "cardCountry": "DE",
    "ipCountry": "DE",
    "cardAgeDays": 90,
}


class HealthRouteTest(unittest.TestCase):
    def test_reports_the_deployed_version_and_environment(self):
        with mock.patch.dict(os.environ, {"GIT_SHA": "9f3c2ab" * 5 + "12345", "SERVICE_ENV": "staging"}):
            response = lambda_handler(http_event("GET", "/health"))
        self.assertEqual(response["statusCode"], 200)
        body = json.loads(response["body"])
        self.assertEqual(body["status"], "ok")
        self.assertEqual(body["environment"], "staging")
        self.assertEqual(body["version"], "9f3c2ab" * 5 + "12345")

    def test_without_deployment_variables_says_local_and_unknown(self):
        with mock.patch.dict(os.environ, {}, clear=True):
            body = json.loads(lambda_handler(http_event("GET", "/health"))["body"])
        self.assertEqual((body["environment"], body["version"]), ("local", "unknown"))


class ScoreRouteTest(unittest.TestCase):
    def test_scores_a_valid_payment(self):
        response = lambda_handler(http_event("POST", "/score", PAYMENT))
        self.assertEqual(response["statusCode"], 200)
        self.assertEqual(response["headers"]["content-type"], "application/json")
        self.assertEqual(
            json.loads(response["body"]),
            {
                "transactionId": "tx-42",
                "score": 25,
                "decision": "approve",
                "signals": [{"code": "large_amount", "weight": 25}],
            },
        )

    def test_reads_base64_encoded_bodies(self):
        response = lambda_handler(http_event("POST", "/score", PAYMENT, base64_encoded=True))
        self.assertEqual(json.loads(response["body"])["score"], 25)

    def test_answers_400_with_every_problem_for_an_invalid_payment(self):
        response = lambda_handler(http_event("POST", "/score", {"transactionId": "tx 1", "amount": "x"}))
        self.assertEqual(response["statusCode"], 400)
        body = json.loads(response["body"])
        self.assertEqual(body["error"], "invalid score request")
        self.assertEqual(len(body["problems"]), 4)  # id, amount, currency, cardCountry

    def test_answers_400_for_malformed_json(self):
        response = lambda_handler(http_event("POST", "/score", "{not json"))
        self.assertEqual(response["statusCode"], 400)
        self.assertIn("not valid JSON", json.loads(response["body"])["problems"][0])

    def test_answers_400_for_an_oversized_body(self):
        response = lambda_handler(http_event("POST", "/score", "x" * (MAX_BODY_BYTES + 1)))
        self.assertEqual(response["statusCode"], 400)
        self.assertIn(str(MAX_BODY_BYTES), json.loads(response["body"])["problems"][0])

    def test_logs_the_decision_but_not_the_payment_details(self):
        with self.assertLogs("python-service", level="INFO") as logs:
            lambda_handler(http_event("POST", "/score", PAYMENT))
        line = logs.output[0]
        self.assertIn('"decision": "approve"', line)
        self.assertNotIn("1200", line)
        self.assertNotIn("cardCountry", line)


class RoutingTest(unittest.TestCase):
    def test_unknown_path_is_404(self):
        response = lambda_handler(http_event("GET", "/nope"))
        self.assertEqual(response["statusCode"], 404)
        self.assertIn("/nope", json.loads(response["body"])["error"])

    def test_wrong_method_is_405_and_lists_the_allowed_ones(self):
        response = lambda_handler(http_event("GET", "/score"))
        self.assertEqual(response["statusCode"], 405)
        self.assertEqual(json.loads(response["body"])["allowed"], ["POST"])


if __name__ == "__main__":
    unittest.main()
