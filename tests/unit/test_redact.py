from brokers.redact import MASK, Redactor


def test_every_form_of_a_secret_is_masked():
    redact = Redactor(["s3cr3t/with+chars", None, "ab"])
    text = "header s3cr3t/with+chars, query s3cr3t%2Fwith%2Bchars, form s3cr3t%2Fwith%2Bchars"
    assert "s3cr3t" not in redact(text)
    assert redact(text).count(MASK) == 3
    assert redact("ab is too short to be a secret") == "ab is too short to be a secret"
