#!/usr/bin/env python3
"""Smoke test of a deployed python-service, run by the pipeline after each deploy.

Checks, against the environment's public URL:
  1. GET /health answers 200 with status "ok" and the version just deployed
     (retried for a while: API Gateway may take a moment to reach the new alias);
  2. POST /score scores an ordinary payment (200, decision "approve");
  3. POST /score refuses a malformed payment with 400.
Exit status 0 when all pass, 1 otherwise. Standard library only.

Usage: smoke_test.py --base-url https://…/ --expect-version <git sha>
"""

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
from typing import Any, List, Optional, Tuple

ORDINARY_PAYMENT = {
    "transactionId": "smoke-test",
    "amount": 25,
    "currency": "EUR",
    "cardCountry": "DE",
    "ipCountry": "DE",
    "cardAgeDays": 365,
    "attemptsLastHour": 0,
}
MALFORMED_PAYMENT = {"transactionId": "smoke-test", "amount": -1}


def _call(url: str, body: Optional[dict] = None, timeout: float = 10) -> Tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(
        url, data=data, method="POST" if body is not None else "GET"
    )
    request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        payload = error.read()
        try:
            return error.code, json.loads(payload or b"null")
        except ValueError:
            return error.code, payload.decode("utf-8", "replace")


def check_health(base_url: str, expected_version: str, attempts: int, delay: float) -> List[str]:
    problem = "no answer"
    for attempt in range(attempts):
        if attempt:
            time.sleep(delay)
        try:
            status, body = _call(base_url + "health")
        except (urllib.error.URLError, OSError) as error:
            problem = f"GET /health failed: {error}"
            continue
        if status != 200 or not isinstance(body, dict) or body.get("status") != "ok":
            problem = f"GET /health answered {status}: {body}"
            continue
        if body.get("version") != expected_version:
            problem = f"GET /health reports version {body.get('version')}, expected {expected_version}"
            continue
        return []
    return [problem]


def check_scoring(base_url: str) -> List[str]:
    problems = []
    status, body = _call(base_url + "score", ORDINARY_PAYMENT)
    if status != 200 or not isinstance(body, dict) or body.get("decision") != "approve":
        problems.append(f"POST /score of an ordinary payment answered {status}: {body}")
    status, body = _call(base_url + "score", MALFORMED_PAYMENT)
    if status != 400:
        problems.append(f"POST /score of a malformed payment answered {status}, expected 400")
    return problems


def run(base_url: str, expected_version: str, attempts: int = 10, delay: float = 6) -> List[str]:
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    problems = check_health(base_url, expected_version, attempts, delay)
    if not problems:
        problems = check_scoring(base_url)
    return problems


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--expect-version", required=True)
    parser.add_argument("--attempts", type=int, default=10)
    parser.add_argument("--delay", type=float, default=6)
    args = parser.parse_args(argv)
    problems = run(args.base_url, args.expect_version, args.attempts, args.delay)
    for problem in problems:
        print(f"::error::smoke test: {problem}")
    if not problems:
        print(f"smoke test passed: {args.base_url} runs {args.expect_version}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
