"""Parties: miners, their data centers, and mining pools."""

from __future__ import annotations

from tortoise import fields

from models.timestamps import SearchableName
from rules.enums import ElectricityPurchase, MinerKind, PowerSource, Region


class Miner(SearchableName):
    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(MinerKind, max_length=2)
    bin_iin = fields.CharField(max_length=12, unique=True)
    name = fields.CharField(max_length=500)
    legal_address = fields.CharField(max_length=1000)
    phone = fields.CharField(max_length=32)
    email = fields.CharField(max_length=254)

    data_centers: fields.ReverseRelation[DataCenter]

    class Meta:
        table = "miner"


class DataCenter(SearchableName):
    id = fields.IntField(primary_key=True)
    miner: fields.ForeignKeyRelation[Miner] = fields.ForeignKeyField(
        "models.Miner", related_name="data_centers", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=500)
    address = fields.CharField(max_length=1000)
    region = fields.CharEnumField(Region, max_length=32, db_index=True)
    outside_residential_zone = fields.BooleanField()
    power_source = fields.CharEnumField(PowerSource, max_length=16)
    substation_kv = fields.DecimalField(max_digits=8, decimal_places=2, null=True)
    permitted_capacity_mw = fields.DecimalField(max_digits=10, decimal_places=3, null=True)
    connected_on = fields.DateField(null=True)
    electricity_purchase = fields.CharEnumField(ElectricityPurchase, max_length=32, null=True)

    class Meta:
        table = "data_center"


class Pool(SearchableName):
    id = fields.IntField(primary_key=True)
    bin = fields.CharField(max_length=12, unique=True)
    name = fields.CharField(max_length=500)
    legal_address = fields.CharField(max_length=1000, default="")
    # [{"role": "MAIN"|"BACKUP", "settlement": str, "address": str}]: the servers' physical
    # places matter for accreditation (004 §4 items 1 and 3).
    server_locations = fields.JSONField(default=list)

    class Meta:
        table = "pool"
