"""The scoring rules: plain functions of a validated request, no I/O."""

from dataclasses import dataclass
from decimal import Decimal
from typing import List

from .request import ScoreRequest

# Thresholds are in the payment's own currency units; a real service would
# convert to a reference currency first. They are deliberately simple so a
# reviewer can predict a score by hand.
LARGE_AMOUNT = Decimal("1000")
VERY_LARGE_AMOUNT = Decimal("5000")
NEW_CARD_DAYS = 7
VELOCITY_LIMIT = 3

REVIEW_FROM = 40
DECLINE_FROM = 70


@dataclass(frozen=True)
class Signal:
    """One reason that raised the score, with its weight."""

    code: str
    weight: int


@dataclass(frozen=True)
class Score:
    transaction_id: str
    score: int
    decision: str
    signals: List[Signal]

    def to_json(self) -> dict:
        return {
            "transactionId": self.transaction_id,
            "score": self.score,
            "decision": self.decision,
            "signals": [{"code": s.code, "weight": s.weight} for s in self.signals],
        }


def signals_for(request: ScoreRequest) -> List[Signal]:
    signals = []
    if request.amount >= VERY_LARGE_AMOUNT:
        signals.append(Signal("very_large_amount", 40))
    elif request.amount >= LARGE_AMOUNT:
        signals.append(Signal("large_amount", 25))
    if request.ip_country is not None and request.ip_country != request.card_country:
        signals.append(Signal("country_mismatch", 30))
    if request.card_age_days < NEW_CARD_DAYS:
        signals.append(Signal("new_card", 20))
    if request.attempts_last_hour > VELOCITY_LIMIT:
        signals.append(Signal("high_velocity", 25))
    return signals


def decision_for(score: int) -> str:
    if score >= DECLINE_FROM:
        return "decline"
    if score >= REVIEW_FROM:
        return "review"
    return "approve"


def score_payment(request: ScoreRequest) -> Score:
    signals = signals_for(request)
    score = min(100, sum(s.weight for s in signals))
    return Score(request.transaction_id, score, decision_for(score), signals)
