"""WeChat Pay's refusals, shared by the provider and its JSAPI flow."""

from __future__ import annotations


class WechatPayError(Exception):
    """WeChat Pay answered and refused (a 4xx with a code such as ORDERPAID or NOT_ENOUGH): retrying will not help."""

    def __init__(self, what: str, status: int, answer: dict):
        self.code, self.status, self.answer = str(answer.get("code", "")), status, answer
        super().__init__(f"{what}: {status} {self.code} {answer.get('message', '')}".strip())
