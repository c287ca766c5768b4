"""Enumerations of the domain, shared by rules, models and the GraphQL schema (one definition each).

They live in rules/ because rules decide on them; models and schema import them from here."""

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


class Channel(str, Enum):
    PORTAL = "PORTAL"  # accepted at any time; registered on the next working day if after hours
    OFFICE = "OFFICE"  # paper application; an officer records the time it was received


class LicenseStatus(str, Enum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    REVOKED = "REVOKED"
    REPLACED = "REPLACED"  # re-issued: the new licence carries on, this one stays for history


class LicenseStatusAction(str, Enum):
    SUSPEND = "SUSPEND"
    RESUME = "RESUME"
    REVOKE = "REVOKE"


class ObligationKind(str, Enum):
    POOL_CHANGE = "POOL_CHANGE"  # 001 §16: notify within 2 WD of a change of pool information


class ComplaintSubject(str, Enum):
    """What a complaint is about (001 §19-20, 002 §17: "решения, действия (бездействия)")."""

    DECISION = "DECISION"  # a decision (an administrative act): a refusal, a licence, ...
    ACTION = "ACTION"  # an action of the provider or an official
    INACTION = "INACTION"  # a failure to act, e.g. an application past its term


class ComplaintStatus(str, Enum):
    REGISTERED = "REGISTERED"
    GRANTED_BY_PROVIDER = "GRANTED_BY_PROVIDER"  # granted in full within 3 WD: not forwarded
    FORWARDED = "FORWARDED"
    UPHELD = "UPHELD"
    PARTLY_UPHELD = "PARTLY_UPHELD"
    REJECTED = "REJECTED"
