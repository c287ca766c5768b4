"""Enumerations shared by the models and the GraphQL schema (one definition each)."""

from __future__ import annotations

from enum import Enum


class MinerKind(str, Enum):
    IE = "IE"  # individual entrepreneur (sole proprietor): identified by IIN
    LE = "LE"  # legal entity: identified by BIN


class Region(str, Enum):
    """Regions (oblys) and cities of republican significance, as of the 2022 reform."""

    ASTANA = "ASTANA"
    ALMATY_CITY = "ALMATY_CITY"
    SHYMKENT = "SHYMKENT"
    ABAI = "ABAI"
    AKMOLA = "AKMOLA"
    AKTOBE = "AKTOBE"
    ALMATY = "ALMATY"
    ATYRAU = "ATYRAU"
    EAST_KAZAKHSTAN = "EAST_KAZAKHSTAN"
    ZHAMBYL = "ZHAMBYL"
    ZHETYSU = "ZHETYSU"
    WEST_KAZAKHSTAN = "WEST_KAZAKHSTAN"
    KARAGANDA = "KARAGANDA"
    KOSTANAY = "KOSTANAY"
    KYZYLORDA = "KYZYLORDA"
    MANGYSTAU = "MANGYSTAU"
    PAVLODAR = "PAVLODAR"
    NORTH_KAZAKHSTAN = "NORTH_KAZAKHSTAN"
    TURKISTAN = "TURKISTAN"
    ULYTAU = "ULYTAU"


class PowerSource(str, Enum):
    GRID = "GRID"  # connected to the unified power system
    OFF_GRID = "OFF_GRID"  # generators not connected to the unified power system


class ElectricityPurchase(str, Enum):
    """How a subtype-I miner buys electricity (001 App.1)."""

    SINGLE_BUYER = "SINGLE_BUYER"  # from the single buyer on centralised trading
    OFF_GRID_GENERATOR = "OFF_GRID_GENERATOR"  # from generators outside the unified power system


class ServerRole(str, Enum):
    MAIN = "MAIN"
    BACKUP = "BACKUP"


class Role(str, Enum):
    OFFICER = "OFFICER"
    APPLICANT = "APPLICANT"
    INSPECTOR = "INSPECTOR"
    PARTNER = "PARTNER"
    ADMIN = "ADMIN"
