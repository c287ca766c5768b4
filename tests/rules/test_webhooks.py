"""Standard Webhooks signing, the retry schedule and the SSRF rules (rules/webhooks.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from rules.webhooks import (
    DEFAULT_SCHEDULE,
    address_allowed,
    new_secret,
    next_attempt,
    sign,
    url_problem,
    verify,
)


def test_signature_matches_the_standard_webhooks_published_example():
    # The example of the Standard Webhooks reference libraries (tests of `Webhook.sign`).
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == \
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_verify_accepts_one_good_signature_among_several_and_refuses_stale_or_tampered():
    secret = new_secret()
    header = "v1,bm9wZQ== " + sign(secret, "evt_1", 1000, b"{}")
    assert verify(secret, "evt_1", 1000, b"{}", header, now=1100)
    assert not verify(secret, "evt_1", 1000, b"{ }", header, now=1100)  # body changed
    assert not verify(secret, "evt_1", 1000, b"{}", header, now=1000 + 301)  # too old
    assert not verify(new_secret(), "evt_1", 1000, b"{}", header, now=1000)  # another secret


def test_retry_schedule_is_the_specs_then_dead():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert DEFAULT_SCHEDULE == (5, 300, 1800, 7200, 18000, 36000, 36000)
    for attempts, delay in enumerate(DEFAULT_SCHEDULE, start=1):
        at = next_attempt(attempts, now)
        assert at is not None and timedelta(seconds=delay) <= at - now <= timedelta(seconds=delay * 1.1)
    assert next_attempt(len(DEFAULT_SCHEDULE) + 1, now) is None


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.1", "192.168.1.5", "172.16.0.1", "169.254.169.254",
                                     "::1", "fe80::1", "0.0.0.0", "::ffff:127.0.0.1", "100.64.0.1", "224.0.0.1"])
def test_private_loopback_and_link_local_addresses_are_refused(address):
    assert not address_allowed(address)


def test_public_addresses_are_allowed():
    assert address_allowed("93.184.216.34") and address_allowed("2606:4700:4700::1111")


@pytest.mark.parametrize(("url", "production", "problem"), [
    ("https://127.0.0.1/hook", True, "a private, loopback or link-local address"),
    ("https://10.0.0.1/hook", True, "a private, loopback or link-local address"),
    ("https://[::1]/hook", False, "a private, loopback or link-local address"),
    ("http://partner.kz/hook", True, "https only"),
    ("https://localhost/hook", True, "a local host name"),
    ("ftp://partner.kz/x", False, "not an http(s) URL"),
    ("https://user:pw@partner.kz/", False, "credentials in the URL"),
    ("https://partner.kz/hook", True, None),
    ("http://partner.kz/hook", False, None),
])
def test_endpoint_urls(url, production, problem):
    assert url_problem(url, production=production) == problem
