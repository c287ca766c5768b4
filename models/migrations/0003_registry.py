from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from enum import Enum
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields


# Enums as they were when this migration was written: a migration never imports live code.
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

class ExclusionReason(str, Enum):
    DISPOSAL = 'DISPOSAL'
    END_OF_SERVICE_LIFE = 'END_OF_SERVICE_LIFE'
    SALE = 'SALE'
    LOSS = 'LOSS'

class UnitCondition(str, Enum):
    WORKING = 'WORKING'
    FAULTY = 'FAULTY'

class UnitEventAction(str, Enum):
    INCLUDED = 'INCLUDED'
    CHANGED = 'CHANGED'
    EXCLUDED = 'EXCLUDED'

class UnitStatus(str, Enum):
    IN_REGISTRY = 'IN_REGISTRY'
    EXCLUDED = 'EXCLUDED'

class Migration(migrations.Migration):
    dependencies = [('models', '0002_licensing')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AsicUnit',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('record_number', fields.BigIntField(unique=True)),
                ('record_date', fields.DateField()),
                ('miner', fields.ForeignKeyField('models.Miner', source_field='miner_id', db_constraint=True, to_field='id', related_name='asic_units', on_delete=OnDelete.RESTRICT)),
                ('miner_name', fields.CharField(max_length=500)),
                ('miner_bin_iin', fields.CharField(max_length=12)),
                ('miner_legal_address', fields.CharField(max_length=1000)),
                ('miner_phone', fields.CharField(max_length=32)),
                ('miner_email', fields.CharField(max_length=254)),
                ('data_center', fields.ForeignKeyField('models.DataCenter', source_field='data_center_id', db_constraint=True, to_field='id', related_name='asic_units', on_delete=OnDelete.RESTRICT)),
                ('data_center_location', fields.CharField(max_length=1000)),
                ('region', fields.CharEnumField(db_index=True, description='ASTANA: ASTANA\nALMATY_CITY: ALMATY_CITY\nSHYMKENT: SHYMKENT\nABAI: ABAI\nAKMOLA: AKMOLA\nAKTOBE: AKTOBE\nALMATY: ALMATY\nATYRAU: ATYRAU\nEAST_KAZAKHSTAN: EAST_KAZAKHSTAN\nZHAMBYL: ZHAMBYL\nZHETYSU: ZHETYSU\nWEST_KAZAKHSTAN: WEST_KAZAKHSTAN\nKARAGANDA: KARAGANDA\nKOSTANAY: KOSTANAY\nKYZYLORDA: KYZYLORDA\nMANGYSTAU: MANGYSTAU\nPAVLODAR: PAVLODAR\nNORTH_KAZAKHSTAN: NORTH_KAZAKHSTAN\nTURKISTAN: TURKISTAN\nULYTAU: ULYTAU', enum_type=Region, max_length=32)),
                ('model', fields.CharField(db_index=True, max_length=255)),
                ('serial', fields.CharField(max_length=255)),
                ('serial_key', fields.CharField(db_index=True, max_length=255)),
                ('tnved_code', fields.CharField(max_length=10)),
                ('hashrate_ths', fields.DecimalField(max_digits=12, decimal_places=3)),
                ('power_kw', fields.DecimalField(max_digits=10, decimal_places=3)),
                ('customs_declaration', fields.CharField(default='', max_length=255)),
                ('customs_quantity', fields.IntField(default=0)),
                ('ownership_document', fields.CharField(default='', max_length=500)),
                ('condition', fields.CharEnumField(description='WORKING: WORKING\nFAULTY: FAULTY', enum_type=UnitCondition, max_length=8)),
                ('status', fields.CharEnumField(default=UnitStatus.IN_REGISTRY, db_index=True, description='IN_REGISTRY: IN_REGISTRY\nEXCLUDED: EXCLUDED', enum_type=UnitStatus, max_length=16)),
                ('excluded_on', fields.DateField(null=True)),
                ('exclusion_reason', fields.CharEnumField(null=True, description='DISPOSAL: DISPOSAL\nEND_OF_SERVICE_LIFE: END_OF_SERVICE_LIFE\nSALE: SALE\nLOSS: LOSS', enum_type=ExclusionReason, max_length=32)),
                ('inclusion_application', fields.ForeignKeyField('models.Application', source_field='inclusion_application_id', db_constraint=True, to_field='id', related_name='included_units', on_delete=OnDelete.RESTRICT)),
                ('exclusion_application', fields.ForeignKeyField('models.Application', source_field='exclusion_application_id', null=True, db_constraint=True, to_field='id', related_name='excluded_units', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'asic_unit', 'app': 'models', 'pk_attr': 'id', 'table_description': "One registry record (App.1): one physical machine, with the miner's data as at the record."},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='AsicUnitEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('unit', fields.ForeignKeyField('models.AsicUnit', source_field='unit_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.RESTRICT)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor_id', fields.IntField(null=True)),
                ('actor_label', fields.CharField(max_length=300)),
                ('action', fields.CharEnumField(description='INCLUDED: INCLUDED\nCHANGED: CHANGED\nEXCLUDED: EXCLUDED', enum_type=UnitEventAction, max_length=16)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', null=True, db_constraint=True, to_field='id', related_name='unit_events', on_delete=OnDelete.RESTRICT)),
                ('changes', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('reason', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'asic_unit_event', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The history of a record: who did what, when and why (002 §4(2): actualisation).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RegistryApplication',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.OneToOneField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='registry_details', on_delete=OnDelete.CASCADE)),
                ('data_center', fields.ForeignKeyField('models.DataCenter', source_field='data_center_id', null=True, db_constraint=True, to_field='id', related_name='registry_applications', on_delete=OnDelete.RESTRICT)),
                ('declared_quantity', fields.IntField(null=True)),
                ('tnved_code', fields.CharField(default='', max_length=10)),
                ('ownership_document', fields.CharField(default='', max_length=500)),
                ('personal_data_consent', fields.BooleanField(default=False)),
                ('contact_phone', fields.CharField(default='', max_length=32)),
                ('contact_email', fields.CharField(default='', max_length=254)),
                ('unit_list_file', fields.CharField(default='', max_length=255)),
                ('unit_list_format', fields.CharField(default='', max_length=8)),
                ('line_count', fields.IntField(default=0)),
                ('total_hashrate_ths', fields.DecimalField(default=0, max_digits=16, decimal_places=3)),
                ('total_power_kw', fields.DecimalField(default=0, max_digits=14, decimal_places=3)),
                ('warnings', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('exclusion_reason', fields.CharEnumField(null=True, description='DISPOSAL: DISPOSAL\nEND_OF_SERVICE_LIFE: END_OF_SERVICE_LIFE\nSALE: SALE\nLOSS: LOSS', enum_type=ExclusionReason, max_length=32)),
                ('reason_document', fields.CharField(default='', max_length=500)),
                ('change_date', fields.DateField(null=True)),
                ('change_notice_due', fields.DateField(null=True)),
                ('change_late', fields.BooleanField(default=False)),
                ('change_reason', fields.TextField(default='', unique=False)),
                ('changes', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'registry_application', 'app': 'models', 'pk_attr': 'id', 'table_description': 'What an inclusion (App.2), exclusion (App.4) or change (App.9) application carries.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RegistryApplicationLine',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='registry_lines', on_delete=OnDelete.CASCADE)),
                ('line', fields.IntField()),
                ('model', fields.CharField(max_length=255)),
                ('serial', fields.CharField(max_length=255)),
                ('serial_key', fields.CharField(db_index=True, max_length=255)),
                ('tnved_code', fields.CharField(max_length=10)),
                ('hashrate_ths', fields.DecimalField(max_digits=12, decimal_places=3)),
                ('power_kw', fields.DecimalField(max_digits=10, decimal_places=3)),
                ('customs_declaration', fields.CharField(default='', max_length=255)),
                ('condition', fields.CharEnumField(description='WORKING: WORKING\nFAULTY: FAULTY', enum_type=UnitCondition, max_length=8)),
            ],
            options={'table': 'registry_application_line', 'app': 'models', 'unique_together': (('application', 'serial_key'),), 'pk_attr': 'id', 'table_description': 'An App.3 line of an inclusion application, as validated at submission.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RegistryApplicationTarget',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='registry_targets', on_delete=OnDelete.CASCADE)),
                ('unit', fields.ForeignKeyField('models.AsicUnit', source_field='unit_id', db_constraint=True, to_field='id', related_name='application_targets', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'registry_application_target', 'app': 'models', 'unique_together': (('application', 'unit'),), 'pk_attr': 'id', 'table_description': 'A registry record an exclusion or change application is about.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RegistryCounter',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('value', fields.BigIntField(default=0)),
            ],
            options={'table': 'registry_counter', 'app': 'models', 'pk_attr': 'name', 'table_description': 'Gap-free sequences: the row is locked (SELECT ... FOR UPDATE) in the approving'},
            bases=['Model'],
        ),
    ]


# --- written by hand: what Tortoise's autodetector cannot express ---------------------------
# One serial IN_REGISTRY once (002: a unit is one machine): a partial unique index, the same
# SQL on PostgreSQL and SQLite (both have partial indexes). Prefix search on serial numbers:
# PostgreSQL needs text_pattern_ops for LIKE 'abc%' under a non-C collation; SQLite's plain
# index (created above by db_index) is all it can use. Foreign-key columns get the indexes
# the registry's filters and keyset pages need (neither database adds them by itself).
_COMMON_INDEXES = (
    "CREATE UNIQUE INDEX asic_unit_serial_in_registry_uq ON asic_unit (serial_key)"
    " WHERE status = 'IN_REGISTRY'",
    "CREATE INDEX asic_unit_miner_id_idx ON asic_unit (miner_id, id)",
    "CREATE INDEX asic_unit_data_center_id_idx ON asic_unit (data_center_id, id)",
    "CREATE INDEX asic_unit_inclusion_app_idx ON asic_unit (inclusion_application_id)",
    "CREATE INDEX asic_unit_exclusion_app_idx ON asic_unit (exclusion_application_id)",
    "CREATE INDEX asic_unit_event_unit_idx ON asic_unit_event (unit_id, id)",
    "CREATE INDEX registry_application_target_unit_idx ON registry_application_target (unit_id)",
)
_POSTGRES_INDEXES = (
    "CREATE INDEX asic_unit_serial_key_prefix_idx ON asic_unit (serial_key text_pattern_ops)",
)
_DROP = (
    "asic_unit_serial_in_registry_uq", "asic_unit_miner_id_idx", "asic_unit_data_center_id_idx",
    "asic_unit_inclusion_app_idx", "asic_unit_exclusion_app_idx", "asic_unit_event_unit_idx",
    "registry_application_target_unit_idx",
)


async def _create_registry_indexes(apps, schema_editor):
    postgres = schema_editor.client.capabilities.dialect == "postgres"
    for sql in _COMMON_INDEXES + (_POSTGRES_INDEXES if postgres else ()):
        await schema_editor.client.execute_script(sql)


async def _drop_registry_indexes(apps, schema_editor):
    postgres = schema_editor.client.capabilities.dialect == "postgres"
    names = _DROP + (("asic_unit_serial_key_prefix_idx",) if postgres else ())
    for name in names:
        await schema_editor.client.execute_script(f"DROP INDEX IF EXISTS {name}")


Migration.operations.append(ops.RunPython(_create_registry_indexes, _drop_registry_indexes))
