"""vhost-user messages as QEMU and a back-end exchange them while a vhost-user-net device
comes up: exact bytes both ways, who sends fds, who answers, and garbage refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtio_viz.model.errors import ConfigError
from virtio_viz.model.vhost import user
from virtio_viz.model.vhost.structs import VringAddr, VringState
from virtio_viz.model.vhost.user import Message, UserMemoryRegion
from virtio_viz.model.vhost.user_payloads import NoPayload, RawPayload, U64Payload
from virtio_viz.model.vhost.user_requests import (
    NEED_REPLY,
    REPLY,
    VERSION,
    BackendRequest,
    ProtocolFeature,
    Request,
    protocol_feature_names,
)

R = Request
FEATURES = 0x1_4000_0000 | 1 << 5  # VERSION_1, PROTOCOL_FEATURES, VIRTIO_NET_F_MAC
PROTOCOL = ProtocolFeature.MQ.mask | ProtocolFeature.REPLY_ACK.mask | ProtocolFeature.CONFIG.mask


def wire(text: str) -> bytes:
    """Hex with spaces between fields: header words first, then the payload."""
    return bytes.fromhex(text)


def roundtrip(message: Message, expected: str) -> None:
    assert message.encode() == wire(expected)
    assert user.decode(wire(expected)) == message


def test_feature_negotiation_messages() -> None:
    roundtrip(user.request(R.GET_FEATURES), "01000000 01000000 00000000")
    roundtrip(
        user.u64_reply(R.GET_FEATURES, FEATURES),
        "01000000 05000000 08000000 2000004001000000",  # flags = version 1 | REPLY
    )
    roundtrip(
        user.u64_request(R.SET_FEATURES, FEATURES), "02000000 01000000 08000000 2000004001000000"
    )
    roundtrip(user.request(R.SET_OWNER), "03000000 01000000 00000000")
    roundtrip(user.request(R.GET_PROTOCOL_FEATURES), "0f000000 01000000 00000000")
    roundtrip(
        user.u64_reply(R.GET_PROTOCOL_FEATURES, PROTOCOL),
        "0f000000 05000000 08000000 0902000000000000",
    )
    roundtrip(
        user.u64_request(R.SET_PROTOCOL_FEATURES, PROTOCOL),
        "10000000 01000000 08000000 0902000000000000",
    )


def test_set_mem_table_carries_regions_and_one_fd_per_region() -> None:
    regions = (
        UserMemoryRegion(0x0, 0xA_0000, 0x7F00_0000_0000, 0x0),
        UserMemoryRegion(0x10_0000, 0x3FF0_0000, 0x7F00_0010_0000, 0x10_0000),
    )
    message = user.set_mem_table(regions)
    roundtrip(
        message,
        "05000000 01000000 48000000"  # 8 + 2 x 32 = 72 payload bytes
        " 02000000 00000000"  # nregions, padding
        " 0000000000000000 00000a0000000000 00000000007f0000 0000000000000000"
        " 0000100000000000 0000f03f00000000 00001000007f0000 0000100000000000",
    )
    assert message.fds() == 2
    assert not message.expects_reply(PROTOCOL)
    assert message.with_need_reply().expects_reply(PROTOCOL)
    assert "shares 2 memory region(s)" in message.describe()


def test_ring_setup_messages() -> None:
    roundtrip(
        user.vring_state(R.SET_VRING_NUM, 1, 256), "08000000 01000000 08000000 01000000 00010000"
    )
    addr = VringAddr(1, 0, 0x7F00_0000_4000, 0x7F00_0000_6000, 0x7F00_0000_5000)
    roundtrip(
        user.set_vring_addr(addr),
        "09000000 01000000 28000000 01000000 00000000"
        " 00400000007f0000 00600000007f0000 00500000007f0000 0000000000000000",
    )
    roundtrip(
        user.vring_state(R.SET_VRING_BASE, 1, 0), "0a000000 01000000 08000000 01000000 00000000"
    )
    kick = user.vring_fd(R.SET_VRING_KICK, 1)
    roundtrip(kick, "0c000000 01000000 08000000 0100000000000000")
    call = user.vring_fd(R.SET_VRING_CALL, 1, no_fd=True)
    roundtrip(call, "0d000000 01000000 08000000 0101000000000000")  # bit 8: no fd
    assert (kick.fds(), call.fds()) == (1, 0)
    enable = user.vring_state(R.SET_VRING_ENABLE, 1, 1)
    roundtrip(enable, "12000000 01000000 08000000 01000000 01000000")
    assert enable.describe() == (
        "VHOST_USER_SET_VRING_ENABLE (front-end -> back-end): vring 1 is enabled"
    )


def test_get_vring_base_stops_the_ring_and_is_answered() -> None:
    ask = user.vring_state(R.GET_VRING_BASE, 1, 0)
    roundtrip(ask, "0b000000 01000000 08000000 01000000 00000000")
    assert ask.expects_reply(0)  # answered even without REPLY_ACK
    answer = user.vring_base_reply(1, 0x1234)
    roundtrip(answer, "0b000000 05000000 08000000 01000000 34120000")
    assert answer.describe() == (
        "VHOST_USER_GET_VRING_BASE (back-end -> front-end reply): "
        "vring 1 stopped at available index 4660"
    )
    packed = user.packed_vring_base(5, True, 3, False)
    assert packed == 0x0003_8005
    assert user.split_packed_vring_base(packed) == (5, True, 3, False)


def test_need_reply_is_answered_with_a_u64_ack_once_reply_ack_is_negotiated() -> None:
    enable = user.vring_state(R.SET_VRING_ENABLE, 0, 1).with_need_reply()
    roundtrip(enable, "12000000 09000000 08000000 00000000 01000000")  # version | NEED_REPLY
    assert not enable.expects_reply(0)
    assert enable.expects_reply(ProtocolFeature.REPLY_ACK.mask)
    ack = user.u64_reply(R.SET_VRING_ENABLE, 0)
    roundtrip(ack, "12000000 05000000 08000000 0000000000000000")
    assert ack.describe().endswith("reply): success")
    assert user.u64_reply(R.SET_MEM_TABLE, 1).describe().endswith("failure (status 1)")
    assert not ack.expects_reply(ProtocolFeature.REPLY_ACK.mask)  # replies are never answered


def test_which_messages_carry_fds_and_which_are_answered() -> None:
    log_base = user.request(R.SET_LOG_BASE, RawPayload(bytes(16)))
    assert log_base.fds(0) == 0
    assert log_base.fds(ProtocolFeature.LOG_SHMFD.mask) == 1
    assert not log_base.expects_reply(0)
    assert log_base.expects_reply(ProtocolFeature.LOG_SHMFD.mask)
    assert user.request(R.SET_BACKEND_REQ_FD).fds() == 1
    assert user.request(R.SET_LOG_FD).fds() == 1
    assert user.request(R.GET_FEATURES).fds() == 0
    for answered in (R.GET_FEATURES, R.GET_PROTOCOL_FEATURES, R.GET_QUEUE_NUM):
        assert user.request(answered).expects_reply(0)
    assert not user.u64_request(R.SET_FEATURES, 0).expects_reply(0)


def test_descriptions_name_the_message_and_its_values() -> None:
    assert user.u64_reply(R.GET_FEATURES, FEATURES).describe() == (
        "VHOST_USER_GET_FEATURES (back-end -> front-end reply): the back-end supports "
        "feature bits 0x140000020 (protocol features in use)"
    )
    assert user.u64_request(R.SET_PROTOCOL_FEATURES, PROTOCOL).describe() == (
        "VHOST_USER_SET_PROTOCOL_FEATURES (front-end -> back-end): the front-end turns on "
        "protocol extensions 0x209 (MQ|REPLY_ACK|CONFIG)"
    )
    addr = VringAddr(0, 0, 0x1000, 0x3000, 0x2000)
    assert "available ring 0x2000, used ring 0x3000" in user.set_vring_addr(addr).describe()
    kick = user.vring_fd(R.SET_VRING_KICK, 0, no_fd=True).describe()
    assert kick.endswith("no kick eventfd for vring 0: the back-end polls the ring instead")
    assert protocol_feature_names(1 << 40 | 1) == "MQ|bit 40"


def test_ids_and_bits_follow_vhost_user_rst() -> None:
    """FACTS.md §10: the ids and bit numbers of docs/interop/vhost-user.rst."""
    names = [
        "GET_FEATURES",
        "SET_FEATURES",
        "SET_OWNER",
        "RESET_OWNER",
        "SET_MEM_TABLE",
        "SET_LOG_BASE",
        "SET_LOG_FD",
        "SET_VRING_NUM",
        "SET_VRING_ADDR",
        "SET_VRING_BASE",
        "GET_VRING_BASE",
        "SET_VRING_KICK",
        "SET_VRING_CALL",
        "SET_VRING_ERR",
        "GET_PROTOCOL_FEATURES",
        "SET_PROTOCOL_FEATURES",
        "GET_QUEUE_NUM",
        "SET_VRING_ENABLE",
        "SEND_RARP",
        "NET_SET_MTU",
        "SET_BACKEND_REQ_FD",
        "IOTLB_MSG",
        "SET_VRING_ENDIAN",
        "GET_CONFIG",
        "SET_CONFIG",
        "CREATE_CRYPTO_SESSION",
        "CLOSE_CRYPTO_SESSION",
        "POSTCOPY_ADVISE",
        "POSTCOPY_LISTEN",
        "POSTCOPY_END",
        "GET_INFLIGHT_FD",
        "SET_INFLIGHT_FD",
        "GPU_SET_SOCKET",
        "RESET_DEVICE",
        "VRING_KICK",
        "GET_MAX_MEM_SLOTS",
        "ADD_MEM_REG",
        "REM_MEM_REG",
        "SET_STATUS",
        "GET_STATUS",
        "GET_SHARED_OBJECT",
        "SET_DEVICE_STATE_FD",
        "CHECK_DEVICE_STATE",
    ]
    assert {r.name: r.value for r in Request} == {name: i + 1 for i, name in enumerate(names)}
    assert [r.value for r in Request] == list(range(1, 44))
    assert [b.value for b in BackendRequest] == list(range(1, 9))
    assert [p.value for p in ProtocolFeature] == list(range(20))
    assert ProtocolFeature.CONFIGURE_MEM_SLOTS.mask == 1 << 15
    assert ProtocolFeature.DEVICE_STATE.value == 19
    assert R.SET_VRING_KICK.full_name == "VHOST_USER_SET_VRING_KICK"


@pytest.mark.parametrize(
    ("data", "complaint"),
    [
        ("0100000001000000", "needs a 12-byte header, got 8 bytes"),
        ("01000000 01000000 08000000", "announces 8 payload bytes but 0 follow"),
        ("00000000 01000000 00000000", "0 is not a vhost-user request id"),
        ("2c000000 01000000 00000000", "44 is not a vhost-user request id"),
        ("01000000 00000000 00000000", "flags 0x0 do not carry version 1"),
        ("01000000 11000000 00000000", "flags 0x11 set undefined bits"),
        ("01000000 01000000 04000000 00000000", "GET_FEATURES: carries no payload, but 4 bytes"),
        ("02000000 01000000 04000000 00000000", "SET_FEATURES: carries a u64 (8 bytes), got 4"),
        ("08000000 01000000 04000000 00000000", "vhost_vring_state must be 8 bytes, got 4"),
        ("09000000 01000000 08000000 0000000000000000", "vhost_vring_addr must be 40 bytes"),
        ("0c000000 01000000 08000000 0102000000000000", "u64 0x201 sets bits above bit 8"),
        ("05000000 01000000 08000000 09000000 00000000", "nregions = 9, more than the 8"),
        ("05000000 01000000 08000000 01000000 00000000", "nregions = 1 needs 40 bytes, got 8"),
        ("05000000 01000000 08000000 00000000 07000000", "padding word after nregions is 0x7"),
        ("12000000 01000000 08000000 00000000 02000000", "num must be 0 or 1, got 2"),
        ("0b000000 05000000 04000000 00000000", "vhost_vring_state must be 8 bytes, got 4"),
        ("01000000 05000000 00000000", "carries a u64 (8 bytes), got 0 bytes"),
    ],
)
def test_malformed_messages_are_refused_with_the_reason(data: str, complaint: str) -> None:
    with pytest.raises(ConfigError, match=complaint.replace("(", r"\(").replace(")", r"\)")):
        user.decode(wire(data))


def test_impossible_messages_cannot_be_built() -> None:
    with pytest.raises(ConfigError, match="carries U64Payload, not NoPayload"):
        Message(R.SET_FEATURES, NoPayload())
    with pytest.raises(ConfigError, match="reply carries VringState, not U64Payload"):
        Message(R.GET_VRING_BASE, U64Payload(0), VERSION | REPLY)
    with pytest.raises(ConfigError, match="at most 8 regions"):
        user.set_mem_table(tuple(UserMemoryRegion(i << 20, 1 << 20, i << 20) for i in range(9)))
    with pytest.raises(ConfigError, match="does not fit in bits 0-7"):
        user.vring_fd(R.SET_VRING_CALL, 256)
    with pytest.raises(ConfigError, match="does not fit in 15 bits"):
        user.packed_vring_base(1 << 15, False, 0, False)
    with pytest.raises(ConfigError, match="does not fit in 64 bits"):
        user.u64_request(R.SET_FEATURES, 1 << 64)


def test_unmodelled_requests_keep_their_bytes() -> None:
    config = wire("18000000 01000000 0c000000 00000000 04000000 00000000")  # GET_CONFIG
    message = user.decode(config)
    assert message.payload == RawPayload(wire("00000000 04000000 00000000"))
    assert message.encode() == config
    assert message.expects_reply(0)


@settings(max_examples=150, deadline=None)
@given(
    index=st.integers(0, 0xFF),
    num=st.integers(0, 0xFFFF_FFFF),
    value=st.integers(0, (1 << 64) - 1),
    no_fd=st.booleans(),
    need_reply=st.booleans(),
)
def test_every_built_message_decodes_to_itself(
    index: int, num: int, value: int, no_fd: bool, need_reply: bool
) -> None:
    messages = [
        user.vring_state(R.SET_VRING_NUM, index, num),
        user.vring_state(R.SET_VRING_BASE, index, num),
        user.vring_fd(R.SET_VRING_ERR, index, no_fd=no_fd),
        user.u64_request(R.SET_FEATURES, value),
        user.u64_reply(R.GET_PROTOCOL_FEATURES, value),
        user.vring_base_reply(index, num),
        user.set_vring_addr(VringAddr(index, 0, value, value ^ 1, value >> 1, value >> 2)),
    ]
    for message in messages:
        sent = message.with_need_reply() if need_reply and not message.is_reply else message
        data = sent.encode()
        assert len(data) == 12 + int.from_bytes(data[8:12], "little")
        assert user.decode(data) == sent
        assert data[4] & NEED_REPLY == (NEED_REPLY if sent.needs_reply else 0)
    assert VringState(index, num).encode() == messages[0].encode()[12:]
