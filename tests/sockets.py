"""The listening sockets of a process tree, read from /proc (Linux): what the app opens to the network."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from core.runtime.procs import process_tree

_LISTEN = "0A"  # TCP state LISTEN in /proc/net/tcp*


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        pass
    return inodes


def _address(hex_address: str) -> str:
    host, port = hex_address.split(":")
    raw = bytes.fromhex(host)
    # /proc prints each 32-bit word of the address in host (little-endian) order.
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return f"{ipaddress.ip_address(words)}:{int(port, 16)}"


def listening(pid: int) -> list[tuple[int, str]]:
    """(pid, "address:port") of every TCP socket that ``pid``'s process tree listens on."""
    owners = {inode: owner for owner in process_tree(pid) for inode in _socket_inodes(owner)}
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == _LISTEN and fields[9] in owners:
                found.append((owners[fields[9]], _address(fields[1])))
    return found


def beyond_loopback(sockets: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The sockets among ``sockets`` that listen on an address other than loopback."""
    return [(pid, where) for pid, where in sockets
            if not ipaddress.ip_address(where.rsplit(":", 1)[0]).is_loopback]
