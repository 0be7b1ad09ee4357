"""The local GitHub sandbox: a stateful GitHub REST emulator for one repository.

It serves GitHub's REST API under ``http://127.0.0.1:PORT/api/v3`` (so PyGithub
works against it unchanged), emits the webhook events GitHub would and can
run a command for each of them the way a workflow run would, with a settable
clock and fault injection. The warroom core never imports this package.
"""

from warroom.sandbox.observe import Delivery, DeliveryListener, Exchange, ExchangeListener
from warroom.sandbox.sandbox import Sandbox

__all__ = ["Delivery", "DeliveryListener", "Exchange", "ExchangeListener", "Sandbox"]
