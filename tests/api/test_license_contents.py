"""What a licence, an appendix and a refusal carry (001 App.4-8), through GraphQL."""

from dataclasses import replace

from rules.enums import Role
from tests.api.licensing_flow import filed, license_input, ok, pay, payload_of, step
from tests.factories import make_caller, make_data_center, make_miner

RECEIVED = "2025-03-19T10:00:00+05:00"
CONTENTS = """number activityName { ru kk text } note { ru kk } licensor { ru kk text }
  authorisedPerson { position name }
  appendices { subtypeName { ru kk text } licensor { ru } authorisedPerson { position name } dataCenterAddress
    electricityPurchase electricityPurchaseText { ru kk } }"""


async def _licence(caller, app_id: str) -> dict:
    result = await caller.gql(f"query($id: ID!) {{ application(id: $id) {{ license {{ {CONTENTS} }} }} }}",
                              {"id": app_id})
    return result["data"]["application"]["license"]


async def _issued(officer, miner, dcs) -> dict:
    app = await filed(officer, license_input(miner, dcs, received_at=RECEIVED))
    assert ok(await pay(officer, app["id"]))
    assert ok(await step(officer, "acceptApplication", app["id"]))
    assert ok(await step(officer, "approveApplication", app["id"], placeOfIssue="г. Астана"))
    return app


async def test_001_app4_app6_licence_and_appendix_contents(officer, monkeypatch):
    monkeypatch.setenv("LICENSOR_SIGNER_POSITION", "Вице-министр")
    monkeypatch.setenv("LICENSOR_SIGNER_NAME", "Иванов Иван Иванович")
    miner = await make_miner()
    app = await _issued(officer, miner, [await make_data_center(miner, address="Экибастуз, уч. 4")])
    # the head changes later: the licence keeps the signer of its issue day
    monkeypatch.setenv("LICENSOR_SIGNER_NAME", "Петров Пётр Петрович")
    lic = await _licence(officer, app["id"])
    assert lic["activityName"] == {"ru": "Деятельность по цифровому майнингу",
                                   "kk": "Цифрлық майнинг жөніндегі қызмет", "text": "Деятельность по цифровому майнингу"}
    assert lic["note"] == {"ru": "Неотчуждаемая, класс 1", "kk": "Иеліктен шығарылмайтын, 1-сынып"}
    assert lic["licensor"]["ru"].startswith("Министерство цифрового развития, инноваций и аэрокосмической")
    assert lic["licensor"]["kk"].startswith("Қазақстан Республикасының Цифрлық даму")
    assert lic["authorisedPerson"] == {"position": "Вице-министр", "name": "Иванов Иван Иванович"}
    (appendix,) = lic["appendices"]
    assert appendix["subtypeName"]["ru"].startswith("І подвид – осуществление деятельности по цифровому майнингу")
    assert appendix["subtypeName"]["kk"] is None  # 001 has no Kazakh edition in the seeds
    assert appendix["licensor"] == {"ru": lic["licensor"]["ru"]}
    assert appendix["authorisedPerson"] == lic["authorisedPerson"]
    assert (appendix["dataCenterAddress"], appendix["electricityPurchase"]) == ("Экибастуз, уч. 4", "SINGLE_BUYER")
    assert appendix["electricityPurchaseText"] == {
        "ru": "у единого закупщика на централизованных торгах электрической энергией", "kk": None}


async def test_001_app4_texts_in_kazakh_where_there_is_kazakh(client, officer):
    miner = await make_miner()
    app = await _issued(officer, miner, [await make_data_center(miner)])
    kazakh = replace(await make_caller(client, Role.OFFICER), language="kk")
    lic = await _licence(kazakh, app["id"])
    assert lic["activityName"]["text"] == "Цифрлық майнинг жөніндегі қызмет"
    assert lic["licensor"]["text"] == lic["licensor"]["kk"]
    assert lic["appendices"][0]["subtypeName"]["text"] == lic["appendices"][0]["subtypeName"]["ru"]  # no kk text


REFUSAL = "refusalNumber refusedOn stage"


async def _refusal(caller, app_id: str) -> dict:
    result = await caller.gql(f"query($id: ID!) {{ application(id: $id) {{ {REFUSAL} }} }}", {"id": app_id})
    return result["data"]["application"]


async def test_001_app8_refusals_get_a_document_number_and_date(client, officer):
    """Each refusal is a numbered, dated document; one sequence per kind (refusal of further
    review, motivated refusal) and year."""
    miner = await make_miner()
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    numbers = []
    for _ in range(2):  # incomplete packages, refused within the completeness term
        app = await filed(applicant, license_input(miner, [await make_data_center(miner)], documents=[]))
        assert ok(await step(officer, "refuseIncomplete", app["id"], text="Нет документов App.11"))
        numbers.append(await _refusal(officer, app["id"]))
    year = numbers[0]["refusedOn"][:4]
    assert [n["refusalNumber"] for n in numbers] == [f"ROR-{year}-000001", f"ROR-{year}-000002"]
    assert numbers[0]["refusedOn"] == numbers[1]["refusedOn"]

    app = await filed(officer, license_input(miner, [await make_data_center(miner)], received_at=RECEIVED))
    assert ok(await step(officer, "acceptApplication", app["id"]))
    assert await _refusal(officer, app["id"]) == {"refusalNumber": None, "refusedOn": None, "stage": "UNDER_REVIEW"}
    assert ok(await step(officer, "preliminaryRefuse", app["id"], grounds=["FALSE_DOCUMENTS"], text="Подложный договор"))
    assert (await _refusal(officer, app["id"]))["refusalNumber"] is None  # a preliminary decision is not the refusal
    assert ok(await step(officer, "scheduleHearing", app["id"], noticeSentOn="2025-04-01", hearingTime="10:30", hearingOn="2025-04-03",
                         place="Астана"))
    refused = await step(officer, "refuseApplication", app["id"], grounds=["FALSE_DOCUMENTS"], text="Подложный договор",
                         hearingOutcome="HELD")
    assert payload_of(refused, "refuseApplication")["errors"] == []
    motivated = await _refusal(officer, app["id"])
    assert motivated["refusalNumber"] == f"REF-{motivated['refusedOn'][:4]}-000001"
