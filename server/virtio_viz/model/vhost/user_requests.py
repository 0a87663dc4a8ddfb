"""vhost-user message ids, header flags, protocol features, and who answers what.

Source: QEMU docs/interop/vhost-user.rst (FACTS.md §10). A front-end (QEMU) sends
requests on a Unix socket; some always get a reply, some only when the front-end set
NEED_REPLY after both sides agreed on the REPLY_ACK protocol feature. Some requests
carry file descriptors as SCM_RIGHTS ancillary data beside their payload.
"""

from __future__ import annotations

from enum import IntEnum

# -- the header's flags word ----------------------------------------------------------------
VERSION = 0x1  # bits 0-1: protocol version, always 1
VERSION_MASK = 0x3
REPLY = 0x4  # bit 2: set on every message the back-end sends back
NEED_REPLY = 0x8  # bit 3: the front-end wants an acknowledgement (needs REPLY_ACK)
KNOWN_FLAGS = VERSION_MASK | REPLY | NEED_REPLY

# -- payload conventions --------------------------------------------------------------------
VHOST_USER_F_PROTOCOL_FEATURES = 30  # virtio feature bit that gates the protocol features
MAX_MEM_REGIONS = 8  # regions in one SET_MEM_TABLE (without CONFIGURE_MEM_SLOTS)
VRING_INDEX_MASK = 0xFF  # SET_VRING_KICK/CALL/ERR u64: bits 0-7 = vring index
VRING_NOFD = 0x100  # ... bit 8 = no fd attached: poll instead


class Request(IntEnum):
    """Front-end -> back-end request ids (vhost-user.rst "Front-end message types")."""

    GET_FEATURES = 1
    SET_FEATURES = 2
    SET_OWNER = 3
    RESET_OWNER = 4
    SET_MEM_TABLE = 5
    SET_LOG_BASE = 6
    SET_LOG_FD = 7
    SET_VRING_NUM = 8
    SET_VRING_ADDR = 9
    SET_VRING_BASE = 10
    GET_VRING_BASE = 11
    SET_VRING_KICK = 12
    SET_VRING_CALL = 13
    SET_VRING_ERR = 14
    GET_PROTOCOL_FEATURES = 15
    SET_PROTOCOL_FEATURES = 16
    GET_QUEUE_NUM = 17
    SET_VRING_ENABLE = 18
    SEND_RARP = 19
    NET_SET_MTU = 20
    SET_BACKEND_REQ_FD = 21  # formerly SET_SLAVE_REQ_FD
    IOTLB_MSG = 22
    SET_VRING_ENDIAN = 23
    GET_CONFIG = 24
    SET_CONFIG = 25
    CREATE_CRYPTO_SESSION = 26
    CLOSE_CRYPTO_SESSION = 27
    POSTCOPY_ADVISE = 28
    POSTCOPY_LISTEN = 29
    POSTCOPY_END = 30
    GET_INFLIGHT_FD = 31
    SET_INFLIGHT_FD = 32
    GPU_SET_SOCKET = 33
    RESET_DEVICE = 34
    VRING_KICK = 35
    GET_MAX_MEM_SLOTS = 36
    ADD_MEM_REG = 37
    REM_MEM_REG = 38
    SET_STATUS = 39
    GET_STATUS = 40
    GET_SHARED_OBJECT = 41
    SET_DEVICE_STATE_FD = 42
    CHECK_DEVICE_STATE = 43

    @property
    def full_name(self) -> str:
        return f"VHOST_USER_{self.name}"


class BackendRequest(IntEnum):
    """Back-end -> front-end request ids, on the channel SET_BACKEND_REQ_FD hands over."""

    IOTLB_MSG = 1
    CONFIG_CHANGE_MSG = 2
    VRING_HOST_NOTIFIER_MSG = 3
    VRING_CALL = 4
    VRING_ERR = 5
    SHARED_OBJECT_ADD = 6
    SHARED_OBJECT_REMOVE = 7
    SHARED_OBJECT_LOOKUP = 8

    @property
    def full_name(self) -> str:
        return f"VHOST_USER_BACKEND_{self.name}"


class ProtocolFeature(IntEnum):
    """Bit numbers of the protocol feature word (GET/SET_PROTOCOL_FEATURES)."""

    MQ = 0
    LOG_SHMFD = 1
    RARP = 2
    REPLY_ACK = 3
    MTU = 4
    BACKEND_REQ = 5  # formerly SLAVE_REQ
    CROSS_ENDIAN = 6
    CRYPTO_SESSION = 7
    PAGEFAULT = 8
    CONFIG = 9
    BACKEND_SEND_FD = 10  # formerly SLAVE_SEND_FD
    HOST_NOTIFIER = 11
    INFLIGHT_SHMFD = 12
    RESET_DEVICE = 13
    INBAND_NOTIFICATIONS = 14
    CONFIGURE_MEM_SLOTS = 15
    STATUS = 16
    XEN_MMAP = 17
    SHARED_OBJECT = 18
    DEVICE_STATE = 19

    @property
    def mask(self) -> int:
        return 1 << self.value


def protocol_feature_names(value: int) -> str:
    """'MQ|REPLY_ACK' for 0b1001; unknown bits as 'bit N'; '0' for none."""
    names = [
        ProtocolFeature(n).name if n in ProtocolFeature._value2member_map_ else f"bit {n}"
        for n in range(64)
        if value >> n & 1
    ]
    return "|".join(names) if names else "0"


# -- replies ----------------------------------------------------------------------------------
# vhost-user.rst lists GET_FEATURES, GET_PROTOCOL_FEATURES and GET_VRING_BASE as always
# answered; the others here define a reply payload in their own entries.
ALWAYS_REPLIED = frozenset({
    Request.GET_FEATURES, Request.GET_PROTOCOL_FEATURES, Request.GET_VRING_BASE,
    Request.GET_QUEUE_NUM, Request.IOTLB_MSG, Request.GET_CONFIG,
    Request.CREATE_CRYPTO_SESSION, Request.POSTCOPY_ADVISE, Request.POSTCOPY_END,
    Request.GET_MAX_MEM_SLOTS, Request.GET_STATUS, Request.GET_SHARED_OBJECT,
    Request.SET_DEVICE_STATE_FD, Request.CHECK_DEVICE_STATE,
})  # fmt: skip
# answered only once this protocol feature is negotiated
REPLIED_WITH = {
    Request.SET_LOG_BASE: ProtocolFeature.LOG_SHMFD,
    Request.GET_INFLIGHT_FD: ProtocolFeature.INFLIGHT_SHMFD,
}


def expects_reply(request: Request, flags: int, protocol_features: int) -> bool:
    """Whether the back-end answers this request (vhost-user.rst "Communication", REPLY_ACK)."""
    if flags & REPLY:
        return False  # a reply is never answered
    if request in ALWAYS_REPLIED:
        return True
    gate = REPLIED_WITH.get(request)
    if gate is not None and protocol_features & gate.mask:
        return True
    return bool(flags & NEED_REPLY and protocol_features & ProtocolFeature.REPLY_ACK.mask)


# -- file descriptors -------------------------------------------------------------------------
# one fd each (SET_MEM_TABLE: one per region; SET_VRING_*: none when VRING_NOFD is set)
CARRIES_FDS = frozenset({
    Request.SET_MEM_TABLE, Request.ADD_MEM_REG, Request.SET_LOG_FD, Request.SET_VRING_KICK,
    Request.SET_VRING_CALL, Request.SET_VRING_ERR, Request.SET_BACKEND_REQ_FD,
    Request.SET_DEVICE_STATE_FD, Request.GPU_SET_SOCKET,
})  # fmt: skip
FDS_WITH = {
    Request.SET_LOG_BASE: ProtocolFeature.LOG_SHMFD,
    Request.SET_INFLIGHT_FD: ProtocolFeature.INFLIGHT_SHMFD,
}
