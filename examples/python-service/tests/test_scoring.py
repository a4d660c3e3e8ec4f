import unittest

from fraud_score.request import parse_score_request
from fraud_score.scoring import decision_for, score_payment


def scored(**overrides):
    body = {
        "transactionId": "tx-1",
        "amount": 20,
        "currency": "EUR",
        "cardCountry": "DE",
        "ipCountry": "DE",
        "cardAgeDays": 365,
        "attemptsLastHour": 0,
    }
    body.update(overrides)
    return score_payment(parse_score_request(body))


class ScorePaymentTest(unittest.TestCase):
    def test_an_ordinary_payment_scores_zero_and_is_approved(self):
        result = scored()
        self.assertEqual(result.score, 0)
        self.assertEqual(result.decision, "approve")
        self.assertEqual(result.signals, [])

    def test_each_signal_adds_its_weight(self):
        cases = [
            ({"amount": 1000}, "large_amount", 25),
            ({"amount": 5000}, "very_large_amount", 40),
            ({"ipCountry": "BR"}, "country_mismatch", 30),
            ({"cardAgeDays": 6}, "new_card", 20),
            ({"attemptsLastHour": 4}, "high_velocity", 25),
        ]
        for overrides, code, weight in cases:
            with self.subTest(code=code):
                result = scored(**overrides)
                self.assertEqual([(s.code, s.weight) for s in result.signals], [(code, weight)])
                self.assertEqual(result.score, weight)

    def test_values_just_below_a_threshold_raise_no_signal(self):
        self.assertEqual(scored(amount="999.99").signals, [])
        self.assertEqual(scored(cardAgeDays=7).signals, [])
        self.assertEqual(scored(attemptsLastHour=3).signals, [])

    def test_unknown_ip_country_is_not_a_mismatch(self):
        self.assertEqual(scored(ipCountry=None).score, 0)

    def test_signals_combine_into_a_review_or_a_decline(self):
        self.assertEqual(scored(ipCountry="BR", cardAgeDays=1).decision, "review")
        result = scored(amount=9000, ipCountry="BR", cardAgeDays=1, attemptsLastHour=9)
        self.assertEqual(result.score, 100)  # 115 capped
        self.assertEqual(result.decision, "decline")

    def test_decision_boundaries(self):
        self.assertEqual(decision_for(39), "approve")
        self.assertEqual(decision_for(40), "review")
        self.assertEqual(decision_for(69), "review")
        self.assertEqual(decision_for(70), "decline")


if __name__ == "__main__":
    unittest.main()
