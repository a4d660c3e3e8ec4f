"""Validation of a score request: every problem is reported, by field name."""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, List, Optional

MAX_AMOUNT = Decimal("1000000")
TRANSACTION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class ScoreRequest:
    transaction_id: str
    amount: Decimal
    currency: str
    card_country: str
    ip_country: Optional[str]
    card_age_days: int
    attempts_last_hour: int


class InvalidRequest(ValueError):
    """The request body breaks one or more rules; `problems` lists them all."""

    def __init__(self, problems: List[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _non_negative_int(body: dict, field: str, problems: List[str]) -> int:
    value = body.get(field, 0)
    # bool is an int subclass in Python; `true` is not a count.
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.append(f"{field} must be a non-negative integer, got {value!r}")
        return 0
    return value


def _amount(body: dict, problems: List[str]) -> Decimal:
    raw = body.get("amount")
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        problems.append(f"amount must be a number, got {raw!r}")
        return Decimal(0)
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        problems.append(f"amount must be a number, got {raw!r}")
        return Decimal(0)
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
        problems.append(f"amount must be greater than 0 and at most {MAX_AMOUNT}, got {raw!r}")
    return amount


def _matching(body: dict, field: str, pattern: "re.Pattern[str]", hint: str, problems: List[str]) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not pattern.match(value):
        problems.append(f"{field} must be {hint}, got {value!r}")
        return ""
    return value


def parse_score_request(body: Any) -> ScoreRequest:
    if not isinstance(body, dict):
        raise InvalidRequest([f"body must be a JSON object, got {type(body).__name__}"])
    problems: List[str] = []
    transaction_id = _matching(
        body, "transactionId", TRANSACTION_ID, "1-64 letters, digits, '-' or '_'", problems
    )
    amount = _amount(body, problems)
    currency = _matching(body, "currency", CURRENCY, "an ISO 4217 code such as EUR", problems)
    card_country = _matching(
        body, "cardCountry", COUNTRY, "an ISO 3166 alpha-2 code such as DE", problems
    )
    ip_country = None
    if body.get("ipCountry") is not None:
        ip_country = _matching(
            body, "ipCountry", COUNTRY, "an ISO 3166 alpha-2 code such as DE", problems
        )
    card_age_days = _non_negative_int(body, "cardAgeDays", problems)
    attempts_last_hour = _non_negative_int(body, "attemptsLastHour", problems)
    unknown = sorted(set(body) - KNOWN_FIELDS)
    if unknown:
        problems.append(f"unknown fields: {', '.join(unknown)}")
    if problems:
        raise InvalidRequest(problems)
    return ScoreRequest(
        transaction_id=transaction_id,
        amount=amount,
        currency=currency,
        card_country=card_country,
        ip_country=ip_country,
        card_age_days=card_age_days,
        attempts_last_hour=attempts_last_hour,
    )


KNOWN_FIELDS = {
    "transactionId",
    "amount",
    "currency",
    "cardCountry",
    "ipCountry",
    "cardAgeDays",
    "attemptsLastHour",
}
