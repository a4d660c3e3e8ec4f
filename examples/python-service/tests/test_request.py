import unittest
from decimal import Decimal

from fraud_score.request import InvalidRequest, parse_score_request


def payment(**overrides):
    body = {
        "transactionId": "tx-1",
        "amount": 42.5,
        "currency": "EUR",
        "cardCountry": "DE",
        "ipCountry": "FR",
        "cardAgeDays": 30,
        "attemptsLastHour": 1,
    }
    body.update(overrides)
    return body


class ParseScoreRequestTest(unittest.TestCase):
    def test_accepts_a_complete_payment(self):
        request = parse_score_request(payment())
        self.assertEqual(request.transaction_id, "tx-1")
        self.assertEqual(request.amount, Decimal("42.5"))
        self.assertEqual(request.ip_country, "FR")
        self.assertEqual(request.attempts_last_hour, 1)

    def test_optional_fields_default_to_no_signal(self):
        body = payment()
        for optional in ("ipCountry", "cardAgeDays", "attemptsLastHour"):
            del body[optional]
        request = parse_score_request(body)
        self.assertIsNone(request.ip_country)
        self.assertEqual(request.card_age_days, 0)
        self.assertEqual(request.attempts_last_hour, 0)

    def test_amount_given_as_a_string_keeps_its_exact_value(self):
        self.assertEqual(parse_score_request(payment(amount="0.10")).amount, Decimal("0.10"))

    def test_rejects_a_body_that_is_not_an_object(self):
        with self.assertRaises(InvalidRequest) as raised:
            parse_score_request([1, 2])
        self.assertIn("body must be a JSON object, got list", raised.exception.problems)

    def test_reports_every_problem_naming_the_field_and_value(self):
        with self.assertRaises(InvalidRequest) as raised:
            parse_score_request(payment(amount=-3, currency="euro", cardCountry=None))
        problems = raised.exception.problems
        self.assertEqual(len(problems), 3)
        self.assertIn("amount", problems[0])
        self.assertIn("-3", problems[0])
        self.assertIn("'euro'", problems[1])
        self.assertIn("cardCountry", problems[2])

    def test_rejects_amounts_out_of_range_or_not_numbers(self):
        for amount in (0, "1000000.01", "NaN", "Infinity", True, None, "ten"):
            with self.subTest(amount=amount):
                with self.assertRaises(InvalidRequest):
                    parse_score_request(payment(amount=amount))

    def test_counts_must_be_non_negative_integers(self):
        for field, value in (("cardAgeDays", -1), ("attemptsLastHour", 2.5), ("attemptsLastHour", True)):
            with self.subTest(field=field, value=value):
                with self.assertRaises(InvalidRequest) as raised:
                    parse_score_request(payment(**{field: value}))
                self.assertIn(field, raised.exception.problems[0])

    def test_rejects_unknown_fields(self):
        with self.assertRaises(InvalidRequest) as raised:
            parse_score_request(payment(cardNumber="4111111111111111"))
        self.assertEqual(raised.exception.problems, ["unknown fields: cardNumber"])


if __name__ == "__main__":
    unittest.main()
