from tortoise import migrations
from tortoise.migrations import operations as ops
from enum import Enum
from tortoise import fields
from tortoise.indexes import Index


# Enums as they were when this migration was written: a migration never imports live code.
class DocumentKind(str, Enum):
    LICENCE = 'LICENCE'
    APPENDIX = 'APPENDIX'
    REFUSAL = 'REFUSAL'
    HEARING_NOTICE = 'HEARING_NOTICE'
    INCLUSION_NOTICE = 'INCLUSION_NOTICE'
    EXCLUSION_NOTICE = 'EXCLUSION_NOTICE'
    POOL_CERTIFICATE = 'POOL_CERTIFICATE'


class Language(str, Enum):
    KK = 'kk'
    RU = 'ru'


class DocumentStatus(str, Enum):
    ISSUED = 'ISSUED'
    REVOKED = 'REVOKED'
    SUPERSEDED = 'SUPERSEDED'


class DocumentState(str, Enum):
    PENDING = 'PENDING'
    READY = 'READY'
    FAILED = 'FAILED'


def _desc(enum: type[Enum]) -> str:
    return '\n'.join(f'{m.name}: {m.value}' for m in enum)


class Migration(migrations.Migration):
    dependencies = [('models', '0013_inspections')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Document',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('unique_key', fields.CharField(unique=True, max_length=200)),
                ('kind', fields.CharEnumField(description=_desc(DocumentKind), enum_type=DocumentKind, max_length=32)),
                ('language', fields.CharEnumField(description=_desc(Language), enum_type=Language, max_length=2)),
                ('version', fields.IntField(default=1)),
                ('entity_type', fields.CharField(max_length=40)),
                ('entity_id', fields.IntField()),
                ('owner_miner_id', fields.IntField(null=True, db_index=True)),
                ('owner_pool_id', fields.IntField(null=True, db_index=True)),
                ('number', fields.CharField(max_length=64)),
                ('issued_on', fields.DateField()),
                ('holder', fields.CharField(max_length=500)),
                ('verification_code', fields.CharField(unique=True, max_length=16)),
                ('status', fields.CharEnumField(default=DocumentStatus.ISSUED, description=_desc(DocumentStatus), enum_type=DocumentStatus, max_length=16)),
                ('state', fields.CharEnumField(default=DocumentState.PENDING, db_index=True, description=_desc(DocumentState), enum_type=DocumentState, max_length=16)),
                ('reason', fields.TextField(default='', unique=False)),
                ('attempts', fields.IntField(default=0)),
                ('sha256', fields.CharField(null=True, db_index=True, max_length=64)),
                ('storage_key', fields.CharField(null=True, max_length=200)),
                ('signer', fields.CharField(default='', max_length=500)),
            ],
            options={'table': 'document', 'app': 'models', 'pk_attr': 'id', 'indexes': [Index(fields=['entity_type', 'entity_id'])]},
            bases=['TimestampedModel'],
        ),
    ]
