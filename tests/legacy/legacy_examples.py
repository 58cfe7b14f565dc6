"""The two demo styles' ``[connector]`` tables, as the tests use them.

docs/examples/connector-<style>.toml must say the same (test_sqlbss_mapping.py
checks), so the documented mapping is the tested one.
"""

JIANGNAN = """
[connector]
type = "sqlbss"
url = "sqlite:///var/legacy-jiangnan.sqlite3"
timezone = "Asia/Shanghai"

[connector.customers]
table = "KH_KHXX"
key = "KHBH"
name = "KHMC"
id_number = "ZJHM"
phone = "LXDH"
email = "DZYJ"
address = "ZZ"
status = "ZT"
changed = "XGSJ"
changed_format = "text:%Y%m%d%H%M%S"

[connector.customers.status_map]
A = "active"
S = "suspended"
X = "closed"

[connector.numbers]
table = "YW_HMXX"
number = "HM"
customer_key = "KHBH"
kind = "LX"
status = "ZT"

[connector.numbers.kind_map]
GH = "phone"
YD = "phone"
KD = "broadband"
BH = "account"

[connector.numbers.status_map]
A = "active"
T = "suspended"
X = "closed"
"""

HAIBIN = """
[connector]
type = "sqlbss"
url = "sqlite:///var/legacy-haibin.sqlite3"
timezone = "Asia/Shanghai"

[connector.customers]
table = "CRM_CUST"
key = ["AREA_NO", "CUST_SEQ"]
key_separator = "-"
name = "CUST_NAME"
id_number = "CERT_NO"
phone = "CONTACT_TEL"
email = "EMAIL_ADDR"
address = "POST_ADDR"
status = "STATE"
changed = "UPD_TS"
changed_format = "epoch"

[connector.customers.status_map]
1 = "active"
2 = "suspended"
9 = "closed"

[connector.numbers]
table = "CRM_SUBS"
number = "ACC_NBR"
customer_key = ["AREA_NO", "CUST_SEQ"]
kind = "PROD_TYPE"
status = "SUBS_STATE"

[connector.numbers.kind_map]
10 = "phone"
11 = "phone"
20 = "broadband"
30 = "account"

[connector.numbers.status_map]
0 = "active"
1 = "suspended"
9 = "closed"
"""

EXAMPLES = {"jiangnan": JIANGNAN, "haibin": HAIBIN}
