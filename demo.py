"""A realistic demo set so a newcomer can explore in GraphiQL at once (idempotent)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from models.access import User
from models.parties import DataCenter, Miner
from resolvers import applications, auth, licensing, parties, pools
from rules.access import SYSTEM
from rules.bin_iin import make_bin_iin
from rules.calendar import ALMATY
from rules.enums import ElectricityPurchase, MinerKind, Role, ServerRole
from rules.pools import CheckResult, PoolDocumentKind, SettlementKind
from rules.qualification import Confirmations, DocumentKind
from rules.workflow import LicenseSubtype

# (kind, first 11 digits, name, legal address)
_MINERS = [
    (MinerKind.LE, "21054000123", "ТОО «Экибастуз Дата Майнинг»", "Павлодарская обл., г. Экибастуз, ул. Энергетиков 12"),
    (MinerKind.LE, "19114000456", "ТОО «Qazaq Hash Power»", "г. Астана, пр. Мангилик Ел 55/20"),
    (MinerKind.LE, "22034000789", "АО «Шыгыс Энерго Компьют»", "ВКО, г. Усть-Каменогорск, ул. Бажова 3"),
    (MinerKind.IE, "85011530001", "ИП Сейткали Нурлан", "Карагандинская обл., г. Темиртау, ул. Мира 8"),
    (MinerKind.IE, "90070240002", "ИП Ахметова Дана", "Жамбылская обл., г. Тараз, ул. Толе би 40"),
]

# (miner index, name, address, region, kV, MW, connected on, source, purchase)
_DATA_CENTERS = [
    (0, "ЦОД Экибастуз-1", "г. Экибастуз, промзона, уч. 4", "PAVLODAR", "110", "60", date(2022, 9, 1), "GRID", "SINGLE_BUYER"),
    (0, "ЦОД Экибастуз-2", "г. Экибастуз, промзона, уч. 9", "PAVLODAR", "35", "12", date(2023, 6, 15), "GRID", "SINGLE_BUYER"),
    (1, "Hash Park Astana", "г. Астана, ИП «Астана — новый город», уч. 17", "ASTANA", "220", "100", date(2023, 11, 20), "GRID", "SINGLE_BUYER"),
    (2, "ЦОД Бухтарма", "ВКО, Зыряновский р-н, у ГЭС", "EAST_KAZAKHSTAN", None, None, None, "OFF_GRID", "OFF_GRID_GENERATOR"),
    (3, "Мини-ЦОД Темиртау", "г. Темиртау, ул. Металлургов 2", "KARAGANDA", "10", "0.8", date(2022, 3, 1), "GRID", "SINGLE_BUYER"),
]

_POOLS = [
    ("20104000321", "ТОО «KZ Mining Pool»", "г. Алматы, пр. Аль-Фараби 77",
     [("MAIN", "Алматы", "ул. Толе би 1"), ("BACKUP", "Астана", "пр. Кабанбай батыра 2")]),
    ("21124000654", "ТОО «Steppe Pool»", "г. Астана, ул. Сыганак 10",
     [("MAIN", "Астана", "ул. Сыганак 10"), ("BACKUP", "Караганда", "пр. Бухар жырау 5")]),
]


_SUBTYPE_I_DOCUMENTS = (
    licensing.DocumentItem(DocumentKind.DC_OWNERSHIP, "Свидетельство о праве собственности на здание ЦОД"),
    licensing.DocumentItem(DocumentKind.DC_OUTSIDE_RESIDENTIAL, "Письмо акимата о расположении вне жилой зоны"),
    licensing.DocumentItem(DocumentKind.POOL_EVIDENCE, "Договор с ТОО «KZ Mining Pool»", valid_until=date(2027, 12, 31)),
    licensing.DocumentItem(DocumentKind.ASKUE_TELECOM, "Акт ввода АСКУЭ и ПА"),
    licensing.DocumentItem(DocumentKind.GRID_TECH_CONDITIONS, "ТУ АО «KEGOC» 110 кВ / 60 МВт", valid_until=date(2028, 1, 1)),
)
_ALL_CONFIRMED = Confirmations(official_contacts=True, no_court_ban=True, documents_true=True, personal_data_consent=True)


async def _demo_licensing(miners: list[Miner]) -> list[str]:
    """One issued subtype-I licence and one application waiting for review."""
    ekibastuz = miners[0]
    dcs = await DataCenter.filter(miner_id=ekibastuz.id).order_by("id")
    issued = await licensing.apply_for_license(
        SYSTEM,
        licensing.ApplyForLicense(
            subtype=LicenseSubtype.I, miner_id=ekibastuz.id, data_center_ids=tuple(dc.id for dc in dcs),
            electricity_purchase=ElectricityPurchase.SINGLE_BUYER, confirmations=_ALL_CONFIRMED,
            documents=_SUBTYPE_I_DOCUMENTS,  # an imported historical record: its receipt time as given
            received_at=datetime(2025, 3, 19, 10, 0, tzinfo=ALMATY),
        ),
    )
    await licensing.record_payment(SYSTEM, licensing.RecordPayment(issued.id, "KASPI-2025-000101", date(2025, 3, 20), Decimal("7864000")))
    await applications.accept_complete(SYSTEM, applications.AcceptApplication(issued.id))
    _, license = await applications.approve(SYSTEM, applications.ApproveApplication(issued.id, "г. Астана"))
    qazaq = miners[1]
    qdc = await DataCenter.filter(miner_id=qazaq.id).first()
    pending = await licensing.apply_for_license(
        SYSTEM,
        licensing.ApplyForLicense(
            subtype=LicenseSubtype.I, miner_id=qazaq.id, data_center_ids=(qdc.id,),
            electricity_purchase=ElectricityPurchase.SINGLE_BUYER, confirmations=_ALL_CONFIRMED,
            documents=_SUBTYPE_I_DOCUMENTS[:3],
        ),
    )
    return [f"licence {license.number} issued; application {pending.incoming_number} awaits review"]


def _pool_filing(pool_id: int, backup_city: str, backup_kind: SettlementKind) -> pools.ApplyForPoolAccreditation:
    return pools.ApplyForPoolAccreditation(
        pool_id=pool_id,
        complexes=(
            pools.ComplexItem(ServerRole.MAIN, True, "Алматы", SettlementKind.REPUBLICAN_CITY, "пр. Аль-Фараби 77",
                              ("Казахтелеком", "Beeline")),
            pools.ComplexItem(ServerRole.BACKUP, True, backup_city, backup_kind, "ул. Сыганак 10",
                              ("Транстелеком", "Kcell")),
        ),
        infosec_act_number="ИБ-2025-17", infosec_act_date=date(2025, 2, 10), infosec_result=CheckResult.POSITIVE,
        support_24_7=True, support_contacts="+7 727 300 00 00, support@kzpool.kz", ui_languages=("kk", "ru", "en"),
        state_service_letter_number="КИБ-5", state_service_letter_date=date(2025, 2, 20),
        state_service_result=CheckResult.POSITIVE, documents_true=True, personal_data_consent=True,
        documents=tuple(applications.DocumentItem(kind, title) for kind, title in (
            (PoolDocumentKind.BACKUP_COMPLEX_LETTER, "Письмо о резервном комплексе"),
            (PoolDocumentKind.SERVER_ROOM_LEASE, "Договор аренды серверного помещения № 12"),
            (PoolDocumentKind.SUPPORT_24_7_LETTER, "Письмо о круглосуточной поддержке"),
            (PoolDocumentKind.UI_LANGUAGES_LETTER, "Письмо об интерфейсе на трёх языках"),
            (PoolDocumentKind.STATE_SERVICE_INTEGRATION_LETTER, "Положительное письмо об интеграции"),
        )),
    )


async def _demo_pools(pool_rows: list) -> list[str]:
    """Pool 1 accredited (its certificate in the register), pool 2's application under review,
    its backup complex in the main one's city (condition 3 not met: a finding to hear)."""
    first = await pools.apply_for_accreditation(SYSTEM, _pool_filing(pool_rows[0].id, "Астана", SettlementKind.CAPITAL))
    await applications.accept_complete(SYSTEM, applications.AcceptApplication(first.id))
    _, certificate = await applications.approve(SYSTEM, applications.ApproveApplication(first.id))
    pending = await pools.apply_for_accreditation(SYSTEM, _pool_filing(pool_rows[1].id, "Алматы", SettlementKind.REPUBLICAN_CITY))
    await applications.accept_complete(SYSTEM, applications.AcceptApplication(pending.id))
    return [f"pool certificate {certificate.number} issued; application {pending.incoming_number} under review"]


def _valid(first11: str) -> str:
    """Demo numbers are built to pass the checksum; bump the last digit until one does."""
    for bump in range(100):
        candidate = f"{int(first11) + bump:011d}"
        try:
            return make_bin_iin(candidate)
        except ValueError:
            continue
    raise ValueError(first11)


async def load_demo() -> list[str]:
    if await Miner.exists(name=_MINERS[0][2]):
        return ["demo data already loaded"]
    miners = []
    for kind, digits, name, address in _MINERS:
        miners.append(
            await parties.create_miner(
                SYSTEM,
                parties.CreateMiner(
                    kind=kind,
                    bin_iin=_valid(digits),
                    name=name,
                    legal_address=address,
                    phone="+7 701 555 01 0" + str(len(miners)),
                    email=f"info{len(miners)}@demo-miner.kz",
                ),
            )
        )
    for idx, name, address, region, kv, mw, connected, source, purchase in _DATA_CENTERS:
        await parties.create_data_center(
            SYSTEM,
            parties.CreateDataCenter(
                miner_id=miners[idx].id,
                name=name,
                address=address,
                region=region,
                outside_residential_zone=True,
                power_source=source,
                substation_kv=kv,
                permitted_capacity_kw=None if mw is None else Decimal(mw) * 1000,
                connected_on=connected,
                electricity_purchase=purchase,
            ),
        )
    pools = []
    for digits, name, address, servers in _POOLS:
        pools.append(
            await parties.create_pool(
                SYSTEM,
                parties.CreatePool(
                    bin=_valid(digits),
                    name=name,
                    legal_address=address,
                    server_locations=tuple(
                        parties.ServerLocation(role=r, settlement=s, address=a) for r, s, a in servers
                    ),
                ),
            )
        )
    lines = [f"{len(miners)} miners, {len(_DATA_CENTERS)} data centers, {len(pools)} pools"]
    lines += await _demo_licensing(miners)
    lines += await _demo_pools(pools)
    demo_users = [
        ("officer", "Officer Demo", Role.OFFICER, None, None),
        ("inspector", "Inspector Demo", Role.INSPECTOR, None, None),
        ("partner-kegoc", "Grid operator (partner)", Role.PARTNER, None, None),
        ("applicant-ekibastuz", "Applicant of miner 1", Role.APPLICANT, miners[0].id, None),
        ("applicant-pool", "Applicant of pool 1", Role.APPLICANT, None, pools[0].id),
    ]
    for login, full_name, role, miner_id, pool_id in demo_users:
        if await User.exists(login=login):
            continue
        user = await auth.create_user(
            SYSTEM, auth.CreateUser(login=login, full_name=full_name, role=role, miner_id=miner_id, pool_id=pool_id)
        )
        token = (await auth.issue_token(SYSTEM, auth.IssueToken(user.id, "demo"))).secret
        lines.append(f"{role.value:<10} {login:<22} token: {token}")
    return lines
