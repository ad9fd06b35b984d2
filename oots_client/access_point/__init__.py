"""The access point (eDelivery AS4) side of OOTS exchanges.

- :mod:`~oots_client.access_point.protocol` — :class:`AccessPoint`, what the portal needs of any access point;
- :mod:`~oots_client.access_point.domibus` — :class:`DomibusWsPlugin`, the Domibus 5 WS-plugin adapter;
- :mod:`~oots_client.access_point.ebms` — the OOTS profile of the ebMS header (service, actions, roles,
  four-corner properties) and :func:`oots_message` to assemble a message;
- :mod:`~oots_client.access_point.soap` — WS-plugin SOAP envelopes: build strictly, read liberally, validate
  against the plugin's schemas (shipped in ``xsd/``);
- ``python -m oots_client.access_point inspect FILE`` — a JSON summary of any WS-plugin SOAP message.
"""

from oots_client.access_point.domibus import DomibusConfig, DomibusWsPlugin
from oots_client.access_point.ebms import Corners, oots_message, regrep_payload
from oots_client.access_point.errors import (
    AccessPointRejected,
    AccessPointUnavailable,
    AlreadySubmitted,
    MalformedSoapError,
)
from oots_client.access_point.model import (
    AsMessage,
    MessageError,
    MessageStatus,
    PartInfo,
    PartyId,
    Payload,
    Property,
    UserMessage,
)
from oots_client.access_point.protocol import AccessPoint

__all__ = [
    "AccessPoint",
    "AccessPointRejected",
    "AccessPointUnavailable",
    "AlreadySubmitted",
    "AsMessage",
    "Corners",
    "DomibusConfig",
    "DomibusWsPlugin",
    "MalformedSoapError",
    "MessageError",
    "MessageStatus",
    "PartInfo",
    "PartyId",
    "Payload",
    "Property",
    "UserMessage",
    "oots_message",
    "regrep_payload",
]
