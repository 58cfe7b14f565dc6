"""A local gateway that speaks Alipay's protocol with its own RSA2 key, for the demo and the tests (docs/alipay.md)."""
