from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from enum import Enum
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


# Enums as they were when this migration was written: a migration never imports live code.
class ElectricityPurchase(str, Enum):
    SINGLE_BUYER = 'SINGLE_BUYER'
    OFF_GRID_GENERATOR = 'OFF_GRID_GENERATOR'

class MinerKind(str, Enum):
    IE = 'IE'
    LE = 'LE'

class PowerSource(str, Enum):
    GRID = 'GRID'
    OFF_GRID = 'OFF_GRID'

class Region(str, Enum):
    ASTANA = 'ASTANA'
    ALMATY_CITY = 'ALMATY_CITY'
    SHYMKENT = 'SHYMKENT'
    ABAI = 'ABAI'
    AKMOLA = 'AKMOLA'
    AKTOBE = 'AKTOBE'
    ALMATY = 'ALMATY'
    ATYRAU = 'ATYRAU'
    EAST_KAZAKHSTAN = 'EAST_KAZAKHSTAN'
    ZHAMBYL = 'ZHAMBYL'
    ZHETYSU = 'ZHETYSU'
    WEST_KAZAKHSTAN = 'WEST_KAZAKHSTAN'
    KARAGANDA = 'KARAGANDA'
    KOSTANAY = 'KOSTANAY'
    KYZYLORDA = 'KYZYLORDA'
    MANGYSTAU = 'MANGYSTAU'
    PAVLODAR = 'PAVLODAR'
    NORTH_KAZAKHSTAN = 'NORTH_KAZAKHSTAN'
    TURKISTAN = 'TURKISTAN'
    ULYTAU = 'ULYTAU'

class Role(str, Enum):
    OFFICER = 'OFFICER'
    APPLICANT = 'APPLICANT'
    INSPECTOR = 'INSPECTOR'
    PARTNER = 'PARTNER'
    ADMIN = 'ADMIN'

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor_id', fields.IntField(null=True)),
                ('actor_label', fields.CharField(max_length=300)),
                ('action', fields.CharField(max_length=100)),
                ('entity_type', fields.CharField(max_length=100)),
                ('entity_id', fields.CharField(max_length=64)),
                ('before', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('after', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('prev_hash', fields.CharField(max_length=64)),
                ('hash', fields.CharField(unique=True, max_length=64)),
            ],
            options={'table': 'audit_event', 'app': 'models', 'indexes': [Index(fields=['entity_type', 'entity_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CalendarOverrideRow',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField(unique=True)),
                ('working', fields.BooleanField()),
                ('decree', fields.CharField(max_length=500)),
            ],
            options={'table': 'calendar_override', 'app': 'models', 'pk_attr': 'id'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='Miner',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('search_name', fields.CharField(default='', db_index=True, max_length=500)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='IE: IE\nLE: LE', enum_type=MinerKind, max_length=2)),
                ('bin_iin', fields.CharField(unique=True, max_length=12)),
                ('name', fields.CharField(max_length=500)),
                ('legal_address', fields.CharField(max_length=1000)),
                ('phone', fields.CharField(max_length=32)),
                ('email', fields.CharField(max_length=254)),
            ],
            options={'table': 'miner', 'app': 'models', 'pk_attr': 'id'},
            bases=['SearchableName'],
        ),
        ops.CreateModel(
            name='DataCenter',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('search_name', fields.CharField(default='', db_index=True, max_length=500)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('miner', fields.ForeignKeyField('models.Miner', source_field='miner_id', db_constraint=True, to_field='id', related_name='data_centers', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=500)),
                ('address', fields.CharField(max_length=1000)),
                ('region', fields.CharEnumField(db_index=True, description='ASTANA: ASTANA\nALMATY_CITY: ALMATY_CITY\nSHYMKENT: SHYMKENT\nABAI: ABAI\nAKMOLA: AKMOLA\nAKTOBE: AKTOBE\nALMATY: ALMATY\nATYRAU: ATYRAU\nEAST_KAZAKHSTAN: EAST_KAZAKHSTAN\nZHAMBYL: ZHAMBYL\nZHETYSU: ZHETYSU\nWEST_KAZAKHSTAN: WEST_KAZAKHSTAN\nKARAGANDA: KARAGANDA\nKOSTANAY: KOSTANAY\nKYZYLORDA: KYZYLORDA\nMANGYSTAU: MANGYSTAU\nPAVLODAR: PAVLODAR\nNORTH_KAZAKHSTAN: NORTH_KAZAKHSTAN\nTURKISTAN: TURKISTAN\nULYTAU: ULYTAU', enum_type=Region, max_length=32)),
                ('outside_residential_zone', fields.BooleanField()),
                ('power_source', fields.CharEnumField(description='GRID: GRID\nOFF_GRID: OFF_GRID', enum_type=PowerSource, max_length=16)),
                ('substation_kv', fields.DecimalField(null=True, max_digits=8, decimal_places=2)),
                ('permitted_capacity_mw', fields.DecimalField(null=True, max_digits=10, decimal_places=3)),
                ('connected_on', fields.DateField(null=True)),
                ('electricity_purchase', fields.CharEnumField(null=True, description='SINGLE_BUYER: SINGLE_BUYER\nOFF_GRID_GENERATOR: OFF_GRID_GENERATOR', enum_type=ElectricityPurchase, max_length=32)),
            ],
            options={'table': 'data_center', 'app': 'models', 'pk_attr': 'id'},
            bases=['SearchableName'],
        ),
        ops.CreateModel(
            name='OutboxEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('topic', fields.CharField(db_index=True, max_length=100)),
                ('payload', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('dedup_key', fields.CharField(null=True, unique=True, max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('dispatched_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('last_error', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'outbox_event', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Pool',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('search_name', fields.CharField(default='', db_index=True, max_length=500)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('bin', fields.CharField(unique=True, max_length=12)),
                ('name', fields.CharField(max_length=500)),
                ('legal_address', fields.CharField(default='', max_length=1000)),
                ('server_locations', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'pool', 'app': 'models', 'pk_attr': 'id'},
            bases=['SearchableName'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('login', fields.CharField(unique=True, max_length=128)),
                ('full_name', fields.CharField(max_length=300)),
                ('role', fields.CharEnumField(description='OFFICER: OFFICER\nAPPLICANT: APPLICANT\nINSPECTOR: INSPECTOR\nPARTNER: PARTNER\nADMIN: ADMIN', enum_type=Role, max_length=16)),
                ('miner', fields.ForeignKeyField('models.Miner', source_field='miner_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('pool', fields.ForeignKeyField('models.Pool', source_field='pool_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('active', fields.BooleanField(default=True)),
            ],
            options={'table': 'app_user', 'app': 'models', 'pk_attr': 'id'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='ApiToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('label', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_token', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
