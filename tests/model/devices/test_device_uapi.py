"""Device structs and constants agree with <linux/virtio_net.h> and <linux/virtio_blk.h>."""

from __future__ import annotations

import struct
from pathlib import Path

from tests.support.split_rig import make_rig
from tests.support.uapi import uapi_values
from virtio_viz.model.devices import blk, net


def test_net_header_and_config_layout(tmp_path: Path) -> None:
    linux = uapi_values(
        {
            "hdr_size": "sizeof(struct virtio_net_hdr_v1)",
            "num_buffers": "offsetof(struct virtio_net_hdr_v1, num_buffers)",
            "csum_offset": "offsetof(struct virtio_net_hdr_v1, csum_offset)",
            "status": "offsetof(struct virtio_net_config, status)",
            "max_virtqueue_pairs": "offsetof(struct virtio_net_config, max_virtqueue_pairs)",
            "mtu": "offsetof(struct virtio_net_config, mtu)",
            "NEEDS_CSUM": "VIRTIO_NET_HDR_F_NEEDS_CSUM",
            "DATA_VALID": "VIRTIO_NET_HDR_F_DATA_VALID",
            "LINK_UP": "VIRTIO_NET_S_LINK_UP",
            "OK": "VIRTIO_NET_OK",
            "ERR": "VIRTIO_NET_ERR",
            "CTRL_RX": "VIRTIO_NET_CTRL_RX",
            "CTRL_RX_PROMISC": "VIRTIO_NET_CTRL_RX_PROMISC",
            "CTRL_MAC": "VIRTIO_NET_CTRL_MAC",
            "CTRL_MAC_ADDR_SET": "VIRTIO_NET_CTRL_MAC_ADDR_SET",
            "CTRL_MQ": "VIRTIO_NET_CTRL_MQ",
            "CTRL_ANNOUNCE": "VIRTIO_NET_CTRL_ANNOUNCE",
        },
        tmp_path,
    )
    assert linux == {
        "hdr_size": net.NET_HDR_SIZE,
        "num_buffers": 10,
        "csum_offset": 8,
        "status": 6,
        "max_virtqueue_pairs": 8,
        "mtu": 10,
        "NEEDS_CSUM": net.VIRTIO_NET_HDR_F_NEEDS_CSUM,
        "DATA_VALID": net.VIRTIO_NET_HDR_F_DATA_VALID,
        "LINK_UP": net.VIRTIO_NET_S_LINK_UP,
        "OK": net.VIRTIO_NET_OK,
        "ERR": net.VIRTIO_NET_ERR,
        "CTRL_RX": net.CTRL_RX,
        "CTRL_RX_PROMISC": net.CTRL_RX_PROMISC,
        "CTRL_MAC": net.CTRL_MAC,
        "CTRL_MAC_ADDR_SET": net.CTRL_MAC_ADDR_SET,
        "CTRL_MQ": net.CTRL_MQ,
        "CTRL_ANNOUNCE": net.CTRL_ANNOUNCE,
    }
    header = net.NetHeader(num_buffers=0xBEEF).pack()
    assert struct.unpack_from("<H", header, linux["num_buffers"])[0] == 0xBEEF


def test_blk_request_header_types_and_config_layout(tmp_path: Path) -> None:
    linux = uapi_values(
        {
            "outhdr": "sizeof(struct virtio_blk_outhdr)",
            "sector": "offsetof(struct virtio_blk_outhdr, sector)",
            "IN": "VIRTIO_BLK_T_IN",
            "OUT": "VIRTIO_BLK_T_OUT",
            "FLUSH": "VIRTIO_BLK_T_FLUSH",
            "GET_ID": "VIRTIO_BLK_T_GET_ID",
            "DISCARD": "VIRTIO_BLK_T_DISCARD",
            "WRITE_ZEROES": "VIRTIO_BLK_T_WRITE_ZEROES",
            "S_OK": "VIRTIO_BLK_S_OK",
            "S_IOERR": "VIRTIO_BLK_S_IOERR",
            "S_UNSUPP": "VIRTIO_BLK_S_UNSUPP",
            "ID_BYTES": "VIRTIO_BLK_ID_BYTES",
            "blk_size": "offsetof(struct virtio_blk_config, blk_size)",
            "wce": "offsetof(struct virtio_blk_config, wce)",
            "num_queues": "offsetof(struct virtio_blk_config, num_queues)",
            "seg_max": "offsetof(struct virtio_blk_config, seg_max)",
        },
        tmp_path,
    )
    assert linux == {
        "outhdr": blk.REQ_HEADER_SIZE,
        "sector": 8,
        "IN": blk.VIRTIO_BLK_T_IN,
        "OUT": blk.VIRTIO_BLK_T_OUT,
        "FLUSH": blk.VIRTIO_BLK_T_FLUSH,
        "GET_ID": blk.VIRTIO_BLK_T_GET_ID,
        "DISCARD": blk.VIRTIO_BLK_T_DISCARD,
        "WRITE_ZEROES": blk.VIRTIO_BLK_T_WRITE_ZEROES,
        "S_OK": blk.VIRTIO_BLK_S_OK,
        "S_IOERR": blk.VIRTIO_BLK_S_IOERR,
        "S_UNSUPP": blk.VIRTIO_BLK_S_UNSUPP,
        "ID_BYTES": blk.ID_BYTES,
        "blk_size": 20,
        "wce": 32,
        "num_queues": 34,
        "seg_max": 12,
    }
    rig = make_rig()
    config = blk.BlkDevice(rig.memory, rig.log).config_space()
    assert config[linux["blk_size"]] | config[linux["blk_size"] + 1] << 8 == 512
    assert config[linux["wce"]] == 1
    assert config[linux["num_queues"]] == 1
