"""Which address pupils' devices can reach this computer at, on the classroom network.

A laptop often has several: the Wi-Fi, a cable, a mobile hotspot, a VPN, virtual machines'
adapters. Pupils can only reach the ones on their network, so every address is listed, the
likeliest first, and the presenter can pick another (`workshop serve --lan --address IP`).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import psutil
from flask import current_app, request

# Adapters that pupils' phones cannot reach: VPN tunnels, containers, virtual machines. They are
# listed last, not hidden: the names are a guess, and the presenter still sees every address.
VIRTUAL_NAMES = (
    "docker", "br-", "veth", "virbr", "vboxnet", "vmnet", "tun", "tap", "wg", "utun", "ppp",
    "zt", "tailscale", "lxc", "lxd", "cni", "podman", "ipsec",
    "vethernet", "virtualbox", "vmware", "hyper-v", "wsl", "vpn", "zerotier", "anyconnect",
)  # fmt: skip


@dataclass(frozen=True)
class NetworkAddress:
    ip: str
    interface: str

    @property
    def virtual(self) -> bool:
        name = self.interface.lower()
        words = name.replace("(", " ").split()
        return any(word.startswith(part) for word in words for part in VIRTUAL_NAMES)


@dataclass(frozen=True)
class PupilsReach:
    """How pupils' devices get to the workshop: `join_url` is empty when they cannot."""

    join_url: str
    on_lan: bool  # the server listens on the network (serve --lan)


def lan_addresses() -> list[NetworkAddress]:
    """This computer's IPv4 addresses on the networks it is connected to, likeliest first."""
    stats = psutil.net_if_stats()
    found = []
    for interface, addresses in psutil.net_if_addrs().items():
        if interface in stats and not stats[interface].isup:
            continue
        for address in addresses:
            if address.family == socket.AF_INET and _reachable(address.address):
                found.append(NetworkAddress(address.address, interface))
    route = default_route_address()
    return sorted(
        found,
        key=lambda a: (a.virtual, a.ip != route, not ipaddress.ip_address(a.ip).is_private, a.interface),
    )


def _reachable(ip: str) -> bool:
    """Not this computer talking to itself, and not an address no phone is given (169.254.x.x)."""
    address = ipaddress.ip_address(ip)
    return not (address.is_loopback or address.is_link_local or address.is_unspecified)


def default_route_address() -> str | None:
    """The address of the interface the system would send other traffic through, if any.

    Connecting a UDP socket sends no packet: it only asks the system which interface it
    would use, so this works on a classroom network with no internet.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed, never contacted
            return probe.getsockname()[0]
        except OSError:
            return None


def listen_on_lan(app, port: int) -> None:
    """Remember that this app is served to the network on `port`: the presenter's pages then
    find the pupils' address when they are shown, so a Wi-Fi joined later still counts."""
    app.extensions["workshop.lan_port"] = port


def pupils_base_url() -> str:
    """The address pupils' devices open ("http://ip:port/"), or "" when they cannot reach this server."""
    chosen = current_app.config["LAN_URL"]
    if chosen:
        return chosen.rstrip("/") + "/"
    port = current_app.extensions.get("workshop.lan_port")
    if port is not None:
        addresses = lan_addresses()
        return f"http://{addresses[0].ip}:{port}/" if addresses else ""
    # Served some other way (another WSGI server, a proxy): the address this request came to
    # works for pupils too, unless it is this computer talking to itself.
    return "" if is_loopback(request.host_url) else request.host_url


def pupils_reach() -> PupilsReach:
    """Where pupils join, for the presenter's pages: the address, and whether one can exist."""
    base = pupils_base_url()
    on_lan = bool(current_app.config["LAN_URL"]) or "workshop.lan_port" in current_app.extensions
    return PupilsReach(f"{base}join" if base else "", on_lan)


def is_loopback(url: str) -> bool:
    """Whether the URL names this computer talking to itself, which no phone can open."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name: another device may well resolve it
        return False
