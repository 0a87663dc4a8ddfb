"""The back-end's vhost-user state machine, message by message (no sockets, fds are numbers).

Each refusal quotes the rule of QEMU's docs/interop/vhost-user.rst it enforces, and
checks that a refused message leaves the state exactly as it was."""

from __future__ import annotations

import copy

import pytest

from virtio_viz.live.backend import OFFERED
from virtio_viz.live.protocol import (
    BackendProtocol,
    EnableRing,
    MapTable,
    ProtocolViolation,
    StartRing,
    StopRing,
    offered_protocol_features,
)
from virtio_viz.model.vhost import user
from virtio_viz.model.vhost.structs import VringAddr
from virtio_viz.model.vhost.user import Message
from virtio_viz.model.vhost.user_payloads import RawPayload, UserMemoryRegion
from virtio_viz.model.vhost.user_requests import NEED_REPLY, REPLY, VERSION, Request

R = Request
REPLY_ACK = offered_protocol_features()
REGION = UserMemoryRegion(0x0, 0x1000_0000, 0x7F00_0000_0000, 0)
ADDR = VringAddr(0, 0, 0x7F00_0000_0000, 0x7F00_0000_2000, 0x7F00_0000_1000)


def owned(protocol_features: int = REPLY_ACK) -> BackendProtocol:
    state = BackendProtocol(OFFERED, offered_protocol_features())
    state.receive(user.u64_request(R.SET_PROTOCOL_FEATURES, protocol_features), ())
    state.receive(user.request(R.SET_OWNER), ())
    return state


def ready(index: int = 0) -> BackendProtocol:
    """Features, table, size and addresses set: the next SET_VRING_KICK starts the ring."""
    state = owned()
    state.receive(user.u64_request(R.SET_FEATURES, 1 << 32 | 1 << 30), ())
    state.receive(user.set_mem_table((REGION,)), (40,))
    state.receive(user.vring_state(R.SET_VRING_NUM, index, 256), ())
    state.receive(user.set_vring_addr(VringAddr(index, 0, *ADDR.values()[2:])), ())
    return state


def refused(state: BackendProtocol, message: Message, fds: tuple[int, ...], why: str) -> None:
    before = copy.deepcopy(state)
    with pytest.raises(ProtocolViolation, match=why):
        state.receive(message, fds)
    assert state == before  # an illegal step changes nothing


# -- what each message does ------------------------------------------------------------------
def test_get_features_and_get_protocol_features_are_answered_with_the_offer() -> None:
    state = BackendProtocol(OFFERED, REPLY_ACK)
    assert state.receive(user.request(R.GET_FEATURES), ()).reply == user.u64_reply(
        R.GET_FEATURES, OFFERED
    )
    answer = state.receive(user.request(R.GET_PROTOCOL_FEATURES), ()).reply
    assert answer == user.u64_reply(R.GET_PROTOCOL_FEATURES, REPLY_ACK)


def test_set_mem_table_maps_the_regions_and_is_acknowledged_when_asked() -> None:
    state = owned()
    outcome = state.receive(user.set_mem_table((REGION,)).with_need_reply(), (40,))
    assert outcome.effects == (MapTable(user.set_mem_table((REGION,)).payload, (40,)),)  # type: ignore[arg-type]
    assert outcome.reply == user.u64_reply(R.SET_MEM_TABLE, 0)
    again = state.receive(user.set_mem_table((REGION,)), (41,))
    assert again.release == (40,)  # the old table's fd is no longer needed


def test_no_acknowledgement_without_reply_ack() -> None:
    state = owned(protocol_features=0)
    outcome = state.receive(user.set_mem_table((REGION,)).with_need_reply(), (40,))
    assert outcome.reply is None  # vhost-user.rst: NEED_REPLY only counts with REPLY_ACK


def test_set_vring_kick_starts_the_ring_and_get_vring_base_stops_it() -> None:
    state = ready()
    started = state.receive(user.vring_fd(R.SET_VRING_KICK, 0), (50,))
    assert started.effects == (StartRing(0),) and state.vrings[0].started
    stopped = state.receive(user.vring_state(R.GET_VRING_BASE, 0, 0), ())
    assert stopped.effects == (StopRing(0),) and not state.vrings[0].started
    assert stopped.reply is None  # the caller answers with where the device stopped
    idle = state.receive(user.vring_state(R.GET_VRING_BASE, 0, 0), ())
    assert idle.reply == user.vring_base_reply(0, 0)  # a stopped ring reports its base


def test_call_and_error_eventfds_replace_the_previous_ones() -> None:
    state = owned()
    assert state.receive(user.vring_fd(R.SET_VRING_CALL, 1), (60,)).release == ()
    assert state.receive(user.vring_fd(R.SET_VRING_CALL, 1), (61,)).release == (60,)
    state.receive(user.vring_fd(R.SET_VRING_ERR, 1), (62,))
    assert state.receive(user.vring_fd(R.SET_VRING_CALL, 1, no_fd=True), ()).release == (61,)
    assert state.vrings[1].call is None and state.held_fds() == (62,)


def test_set_vring_enable_and_features_without_protocol_features_enable_rings() -> None:
    state = owned()
    assert state.receive(user.vring_state(R.SET_VRING_ENABLE, 1, 1), ()).effects == (
        EnableRing(1, True),
    )
    plain = owned(protocol_features=0)
    outcome = plain.receive(user.u64_request(R.SET_FEATURES, 1 << 32), ())
    # vhost-user.rst: without VHOST_USER_F_PROTOCOL_FEATURES a ring starts enabled
    assert outcome.effects == (EnableRing(0, True), EnableRing(1, True))


def test_reset_owner_stops_everything_and_gives_back_every_fd() -> None:
    state = ready()
    state.receive(user.vring_fd(R.SET_VRING_KICK, 0), (50,))
    outcome = state.receive(user.request(R.RESET_OWNER), ())
    assert outcome.effects == (StopRing(0),)
    assert sorted(outcome.release) == [40, 50]
    assert not state.owned and state.held_fds() == ()


# -- refusals: bad sizes, missing fds, wrong order, values out of range ------------------------
def test_bad_sizes_are_refused_by_the_decoder() -> None:
    header = user.HEADER.pack(R.SET_FEATURES, VERSION, 4)
    with pytest.raises(Exception, match="carries a u64"):
        user.decode(header + bytes(4))
    with pytest.raises(Exception, match="announces 8 payload bytes but 2 follow"):
        user.decode(user.HEADER.pack(R.SET_FEATURES, VERSION, 8) + bytes(2))


@pytest.mark.parametrize(
    ("message", "fds", "why"),
    [
        (user.vring_fd(R.SET_VRING_KICK, 0), (), "must carry 1 fd"),
        (user.vring_fd(R.SET_VRING_CALL, 0, no_fd=True), (70,), "must carry 0 fd"),
        (user.set_mem_table((REGION, REGION)), (40,), "must carry 2 fd"),
        (user.request(R.GET_FEATURES), (70,), "must carry 0 fd"),
    ],
    ids=["kick-without-fd", "nofd-with-fd", "table-short-of-fds", "fd-where-none-belongs"],
)
def test_descriptors_must_match_the_request(
    message: Message, fds: tuple[int, ...], why: str
) -> None:
    refused(owned(), message, fds, why)


def test_rings_before_set_owner_are_refused() -> None:
    state = BackendProtocol(OFFERED, REPLY_ACK)
    refused(state, user.vring_state(R.SET_VRING_NUM, 0, 256), (), "before VHOST_USER_SET_OWNER")
    refused(state, user.set_mem_table((REGION,)), (40,), "before VHOST_USER_SET_OWNER")


def test_ring_addresses_before_the_memory_table_are_refused() -> None:
    refused(owned(), user.set_vring_addr(ADDR), (), "before SET_MEM_TABLE")


def test_a_kick_before_the_ring_is_described_is_refused() -> None:
    state = owned()
    state.receive(user.set_mem_table((REGION,)), (40,))
    refused(state, user.vring_fd(R.SET_VRING_KICK, 0), (50,),
            "lacks SET_FEATURES, SET_VRING_NUM, SET_VRING_ADDR")  # fmt: skip


def test_a_running_ring_cannot_be_redescribed() -> None:
    state = ready()
    state.receive(user.vring_fd(R.SET_VRING_KICK, 0), (50,))
    redescribe = (
        user.vring_state(R.SET_VRING_NUM, 0, 128),
        user.vring_state(R.SET_VRING_BASE, 0, 3),
        user.set_vring_addr(ADDR),
    )
    for message in redescribe:
        refused(state, message, (), "while it runs")


@pytest.mark.parametrize(
    ("message", "why"),
    [
        (user.u64_request(R.SET_FEATURES, 1 << 40), "did not offer"),
        (user.u64_request(R.SET_PROTOCOL_FEATURES, 1 << 16), "STATUS, which the back-end"),
        (user.vring_state(R.SET_VRING_NUM, 2, 256), "vrings 0..1"),
        (user.vring_state(R.SET_VRING_NUM, 0, 0), "a ring holds 1 to 32768"),
        (user.vring_state(R.SET_VRING_NUM, 0, 65536), "a ring holds 1 to 32768"),
        (user.request(R.GET_QUEUE_NUM), "not supported"),
        (Message(R.SET_LOG_BASE, RawPayload(bytes(16))), "not supported"),
        (user.u64_reply(R.SET_FEATURES, 0), "REPLY flag"),
        (user.set_mem_table(()), "holds no region"),
    ],
    ids=["feature", "protocol-feature", "vring-index", "num-0", "num-too-big", "unsupported",
         "log-base", "a-reply", "empty-table"],
)  # fmt: skip
def test_values_the_back_end_cannot_take_are_refused(message: Message, why: str) -> None:
    refused(owned(), message, (), why)


def test_a_split_ring_that_is_not_a_power_of_two_is_refused_at_its_start() -> None:
    state = ready()
    state.receive(user.vring_state(R.SET_VRING_NUM, 0, 100), ())
    refused(state, user.vring_fd(R.SET_VRING_KICK, 0), (50,), "power of 2")


def test_dirty_logging_and_polled_rings_are_refused() -> None:
    state = ready()
    logging = VringAddr(0, 1, *ADDR.values()[2:])  # bit 0: VHOST_VRING_F_LOG
    refused(state, user.set_vring_addr(logging), (), "dirty logging")
    refused(state, user.vring_fd(R.SET_VRING_KICK, 0, no_fd=True), (), "does not poll rings")


def test_need_reply_flag_is_the_only_extra_flag_a_request_may_carry() -> None:
    message = Message(R.SET_OWNER, user.request(R.SET_OWNER).payload, VERSION | NEED_REPLY)
    assert owned().receive(message, ()).reply == user.u64_reply(R.SET_OWNER, 0)
    with pytest.raises(Exception, match="undefined bits"):
        user.decode(user.HEADER.pack(R.SET_OWNER, VERSION | REPLY << 4, 0))
