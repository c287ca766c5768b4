"""Python enums exposed to GraphQL (one definition, shared with the models)."""

from __future__ import annotations

import strawberry

from rules.calendar import DayKind
from rules.enums import ElectricityPurchase, MinerKind, PowerSource, Region, Role, ServerRole

MinerKindEnum = strawberry.enum(MinerKind, name="MinerKind")
RegionEnum = strawberry.enum(Region, name="Region")
PowerSourceEnum = strawberry.enum(PowerSource, name="PowerSource")
ElectricityPurchaseEnum = strawberry.enum(ElectricityPurchase, name="ElectricityPurchase")
ServerRoleEnum = strawberry.enum(ServerRole, name="ServerRole")
RoleEnum = strawberry.enum(Role, name="Role")
DayKindEnum = strawberry.enum(DayKind, name="DayKind")
