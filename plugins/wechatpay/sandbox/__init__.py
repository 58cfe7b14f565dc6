"""A local stand-in for WeChat Pay API v3 (`hall sandbox wechatpay`)."""
