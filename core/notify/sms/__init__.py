"""SMS providers behind the channel interface: demo (the message table), SMPP to the operator's SMSC, Alibaba Cloud SMS."""
