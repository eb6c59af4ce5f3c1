#!/usr/bin/env python3
"""Writes debezium-avro.json: Debezium change events of a Postgres `public.customers` table on
the topic `crm.public.customers` (the example mapping's Debezium topic), Avro-encoded by
fastavro (an encoder independent of ours) and framed as Confluent's serializer frames them
(magic byte 0, the schema id as 4 big-endian bytes, the Avro binary).

WorkerAvroTests serve the two schemas from the registry stand-in and run the worker over these
bytes; the bench decodes `bench` beside the same events' JSON. Nothing runs Python at test time.
Each value also carries `json`: what Kafka Connect's JsonConverter (schemas off) would have
written for the same row, so the bench's JSON row decodes the same events.

Run from the repository root (fastavro 1.13.1 made the committed file):
  python3 -m pip install fastavro==1.13.1
  python3 Tests/SyncWorkerTests/Fixtures/make_debezium_avro_fixtures.py
The output is deterministic: a re-run changes nothing unless the events do.
"""
import datetime as dt
import io
import json
import os
import struct

import fastavro

KEY_ID, VALUE_ID, UNKNOWN_ID = 101, 102, 999


def connect(type_, name, **extra):
    return {"type": type_, "connect.version": 1, "connect.name": name, **extra}


value = {"type": "record", "name": "Value", "namespace": "crm.public.customers", "fields": [
    {"name": "id", "type": "int"},
    {"name": "first_name", "type": "string"},
    {"name": "last_name", "type": ["null", "string"], "default": None},
    {"name": "phone", "type": ["null", "string"], "default": None},
    {"name": "email", "type": ["null", "string"], "default": None},
    {"name": "lang", "type": ["null", "string"], "default": None},
    {"name": "plan", "type": ["null", connect("string", "io.debezium.data.Enum",
                                                **{"connect.parameters": {"allowed": "basic,gold"}})],
     "default": None},
    {"name": "signup_date", "type": ["null", connect("int", "io.debezium.time.Date")], "default": None},
], "connect.name": "crm.public.customers.Value"}
source = {"type": "record", "name": "Source", "namespace": "io.debezium.connector.postgresql", "fields": [
    {"name": "version", "type": "string"}, {"name": "connector", "type": "string"},
    {"name": "name", "type": "string"}, {"name": "ts_ms", "type": "long"},
    {"name": "snapshot", "type": ["null", "string"], "default": None},
    {"name": "db", "type": "string"}, {"name": "schema", "type": "string"}, {"name": "table", "type": "string"},
    {"name": "txId", "type": ["null", "long"], "default": None},
    {"name": "lsn", "type": ["null", "long"], "default": None},
], "connect.name": "io.debezium.connector.postgresql.Source"}
envelope = {"type": "record", "name": "Envelope", "namespace": "crm.public.customers", "fields": [
    {"name": "before", "type": ["null", value], "default": None},
    {"name": "after", "type": ["null", "Value"], "default": None},
    {"name": "source", "type": source},
    {"name": "op", "type": "string"},
    {"name": "ts_ms", "type": ["null", "long"], "default": None},
], "connect.version": 1, "connect.name": "crm.public.customers.Envelope"}
key = {"type": "record", "name": "Key", "namespace": "crm.public.customers",
       "fields": [{"name": "id", "type": "int"}], "connect.name": "crm.public.customers.Key"}

PARSED_VALUE, PARSED_KEY = fastavro.parse_schema(envelope), fastavro.parse_schema(key)
EPOCH = dt.date(1970, 1, 1)


def framed(schema_id, parsed, record):
    out = io.BytesIO()
    fastavro.schemaless_writer(out, parsed, record)
    return bytes([0]) + struct.pack(">I", schema_id) + out.getvalue()


def row(id_, first, last, phone, email, lang, plan, signup):
    return {"id": id_, "first_name": first, "last_name": last, "phone": phone, "email": email, "lang": lang,
            "plan": plan, "signup_date": (signup - EPOCH).days}


def as_json(r):
    """The row as JsonConverter writes it, with the date as the Avro decoder gives it (text)."""
    if r is None:
        return None
    out = dict(r)
    out["signup_date"] = (EPOCH + dt.timedelta(days=r["signup_date"])).isoformat()
    return out


def event(op, lsn, before=None, after=None):
    src = {"version": "2.7.0.Final", "connector": "postgresql", "name": "crm", "ts_ms": 1715000000000 + lsn,
           "snapshot": "true" if op == "r" else "false", "db": "shop", "schema": "public", "table": "customers",
           "txId": 700 + lsn // 10, "lsn": lsn}
    return {"before": before, "after": after, "source": src, "op": op, "ts_ms": 1715000000500 + lsn}


def record(name, id_, envelope_value, value_id=VALUE_ID):
    value_json = None
    if envelope_value is not None:
        value_json = dict(envelope_value, before=as_json(envelope_value["before"]),
                          after=as_json(envelope_value["after"]))
    return {
        "name": name,
        "key": framed(KEY_ID, PARSED_KEY, {"id": id_}).hex(),
        "value": None if envelope_value is None else framed(value_id, PARSED_VALUE, envelope_value).hex(),
        "json": None if value_json is None else json.dumps(value_json, ensure_ascii=False),
    }


ana = row(1, "Ana", "Silva", "+5582999990001", "ana@example.com", "por", "gold", dt.date(2024, 1, 31))
bruno = row(2, "Bruno", "Souza", "82999990002", "bruno@example.com", None, "basic", dt.date(2024, 2, 1))
carla = row(3, "Carla", "Lima", None, "carla@example.com", "eng", None, dt.date(2024, 2, 2))
diego = row(4, "Diego", None, "+5582999990004", None, None, "gold", dt.date(2023, 12, 1))
ana_after = dict(ana, last_name="Costa", plan="basic")
elisa = row(5, "Elisa", "Pereira", "+5582999990005", None, None, None, dt.date(2024, 3, 3))

records = [
    record("snapshot read of 4", 4, event("r", 900, after=diego)),
    record("create 1", 1, event("c", 1000, after=ana)),
    record("create 2", 2, event("c", 1010, after=bruno)),
    record("create 3", 3, event("c", 1020, after=carla)),
    record("update 1", 1, event("u", 1100, before=ana, after=ana_after)),
    record("delete 2", 2, event("d", 1200, before=bruno)),
    record("tombstone 2", 2, None),
    # Framed with an id the registry never issued: dead-lettered as unknown_schema.
    record("create 5 under an unknown schema id", 5, event("c", 1300, after=elisa), value_id=UNKNOWN_ID),
]

bench = []
for n in range(64):
    r = row(100 + n, "Ana", "Silva" if n % 2 else None, "+55829999%05d" % n, "ana%d@example.com" % n,
            "por", "gold" if n % 3 else "basic", dt.date(2024, 1, 1) + dt.timedelta(days=n))
    bench.append(record(f"bench update {n}", 100 + n, event("u", 5000 + n, before=r, after=dict(r, plan="gold"))))

out = {
    "topic": "crm.public.customers",
    "key_schema_id": KEY_ID, "value_schema_id": VALUE_ID, "unknown_schema_id": UNKNOWN_ID,
    "key_schema": json.dumps(key), "value_schema": json.dumps(envelope),
    "records": records, "bench": bench,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "debezium-avro.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(f"wrote {len(records)} records and {len(bench)} bench events to {path}")
