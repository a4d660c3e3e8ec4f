"""Runs scripts/smoke_test.py against the real handler served on a local port."""

import importlib.util
import json
import os
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from unittest import mock

from fraud_score.handler import lambda_handler

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "smoke_test.py"
spec = importlib.util.spec_from_file_location("smoke_test", SCRIPT)
smoke_test = importlib.util.module_from_spec(spec)
spec.loader.exec_module(smoke_test)

SHA = "9f3c2ab" + "1" * 33


class ApiGatewayStandIn(BaseHTTPRequestHandler):
    """Turns HTTP requests into HTTP API 2.0 events, like API Gateway does."""

    def _serve(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else None
        event = {"rawPath": self.path, "requestContext": {"http": {"method": self.command, "path": self.path}}}
        if body is not None:
            event["body"] = body
        answer = lambda_handler(event)
        payload = answer["body"].encode("utf-8")
        self.send_response(answer["statusCode"])
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = _serve
    do_POST = _serve

    def log_message(self, *args):
        pass


class SmokeTestScriptTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), ApiGatewayStandIn)
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()
        cls.base_url = f"http://127.0.0.1:{cls.server.server_address[1]}/"

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def test_passes_when_the_deployed_version_answers(self):
        with mock.patch.dict(os.environ, {"GIT_SHA": SHA}):
            self.assertEqual(smoke_test.run(self.base_url, SHA, attempts=1, delay=0), [])

    def test_fails_when_another_version_answers(self):
        with mock.patch.dict(os.environ, {"GIT_SHA": "0" * 40}):
            problems = smoke_test.run(self.base_url, SHA, attempts=2, delay=0)
        self.assertEqual(problems, [f"GET /health reports version {'0' * 40}, expected {SHA}"])

    def test_fails_when_nothing_answers(self):
        unused = ThreadingHTTPServer(("127.0.0.1", 0), ApiGatewayStandIn)
        port = unused.server_address[1]
        unused.server_close()
        problems = smoke_test.run(f"http://127.0.0.1:{port}", SHA, attempts=1, delay=0)
        self.assertEqual(len(problems), 1)
        self.assertIn("GET /health failed", problems[0])

    def test_command_line_exit_status(self):
        with mock.patch.dict(os.environ, {"GIT_SHA": SHA}):
            self.assertEqual(smoke_test.main(["--base-url", self.base_url, "--expect-version", SHA]), 0)
            self.assertEqual(
                smoke_test.main(["--base-url", self.base_url, "--expect-version", "f" * 40, "--attempts", "1"]),
                1,
            )


if __name__ == "__main__":
    unittest.main()
