"""Lambda entry point behind an API Gateway HTTP API (payload format 2.0).

Routes:
  GET  /health  liveness and the deployed version, read by the smoke test
  POST /score   score a card payment: {"transactionId", "amount", "currency",
                "cardCountry", "ipCountry"?, "cardAgeDays"?, "attemptsLastHour"?}
"""

import base64
import json
import logging
import os
from typing import Any, Dict

from .request import InvalidRequest, parse_score_request
from .scoring import score_payment

SERVICE = "python-service"
MAX_BODY_BYTES = 16 * 1024

logger = logging.getLogger(SERVICE)
logger.setLevel(logging.INFO)


def _response(status: int, body: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(body),
    }


def _error(status: int, message: str, **details: Any) -> Dict[str, Any]:
    return _response(status, {"error": message, **details})


def health() -> Dict[str, Any]:
    # The version lets the pipeline's smoke test prove that the commit it
    # deployed is the one answering, not a stale alias.
    return _response(
        200,
        {
            "status": "ok",
            "service": SERVICE,
            "environment": os.environ.get("SERVICE_ENV", "local"),
            "version": os.environ.get("GIT_SHA", "unknown"),
        },
    )


def _read_json_body(event: Dict[str, Any]) -> Any:
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode("utf-8")
    if len(raw.encode("utf-8")) > MAX_BODY_BYTES:
        raise InvalidRequest([f"body must be at most {MAX_BODY_BYTES} bytes"])
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise InvalidRequest([f"body is not valid JSON: {error.msg} at position {error.pos}"])


def score(event: Dict[str, Any]) -> Dict[str, Any]:
    try:
        request = parse_score_request(_read_json_body(event))
    except InvalidRequest as invalid:
        return _error(400, "invalid score request", problems=invalid.problems)
    result = score_payment(request)
    # Log the outcome, never the payment details.
    logger.info(
        json.dumps(
            {
                "event": "scored",
                "transactionId": result.transaction_id,
                "score": result.score,
                "decision": result.decision,
            }
        )
    )
    return _response(200, result.to_json())


ROUTES = {
    "/health": {"GET": lambda event: health()},
    "/score": {"POST": score},
}


def lambda_handler(event: Dict[str, Any], context: Any = None) -> Dict[str, Any]:
    http = event.get("requestContext", {}).get("http", {})
    method = http.get("method", "GET")
    path = event.get("rawPath") or http.get("path") or "/"
    methods = ROUTES.get(path)
    if methods is None:
        return _error(404, f"no route for {path}")
    route = methods.get(method)
    if route is None:
        return _error(405, f"{method} is not allowed on {path}", allowed=sorted(methods))
    return route(event)
