"""Which address pupils get: every address of the laptop, the likeliest first."""

from __future__ import annotations

import pytest

from workshop.network import NetworkAddress, is_loopback, lan_addresses

VIRTUAL = [
    *["tun0", "wg0", "utun3", "docker0", "br-5f2c", "vboxnet0", "vEthernet (WSL)"],
    *["VMware Network Adapter VMnet8", "Ethernet 3 (VPN)", "Cisco AnyConnect Virtual Miniport Adapter"],
]
REAL = ["wlan0", "wlp2s0", "eth0", "enp0s31f6", "en0", "Wi-Fi", "Ethernet", "bridge100"]


@pytest.mark.parametrize("interface", VIRTUAL)
def test_vpn_and_virtual_adapters_are_recognised(interface):
    assert NetworkAddress("10.8.0.2", interface).virtual


@pytest.mark.parametrize("interface", REAL)
def test_real_adapters_and_hotspots_are_not(interface):
    assert not NetworkAddress("192.168.1.20", interface).virtual


def test_no_address_is_loopback_or_link_local():
    for address in lan_addresses():
        assert not address.ip.startswith(("127.", "169.254.")), address


@pytest.mark.parametrize(
    ("url", "loopback"),
    [("http://127.0.0.1:8000/", True), ("http://localhost/", True), ("http://127.0.0.2/", True),
     ("http://192.168.1.20:8000/", False), ("http://workshop.local:8000/", False)],
)  # fmt: skip
def test_loopback_addresses(url, loopback):
    assert is_loopback(url) is loopback
