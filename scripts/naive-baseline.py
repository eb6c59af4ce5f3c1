#!/usr/bin/env python3
"""The naive baseline of the benchmark: contact sync written the way it usually is.

A confluent-kafka consumer that, for each event in turn, calls the platform's API with
`requests` and commits that event's offset synchronously before taking the next one. It is
correct for canonical customer/lead events (docs: events.md) but does one thing at a time.

contact-sync-bench runs it against the same mock cluster and sandbox as the worker (see
scripts/bench, which installs confluent-kafka and requests into .venv-bench). It stops after
--count events and prints one JSON line: {"events": N, "seconds": S}, the time counted from
the first event received to the last commit.
"""
import argparse
import json
import sys
import time

import requests
from confluent_kafka import Consumer, KafkaException


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True, help="Kafka bootstrap servers")
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--url", required=True, help="platform base URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--token", required=True, help="API token")
    parser.add_argument("--count", type=int, required=True, help="stop after this many events")
    return parser.parse_args()


def apply_event(session, api, event):
    """One event, one or two API calls: upsert by the ext: URN, or delete by it."""
    data = event["data"]
    urn = "ext:" + str(data["id"])
    if event["type"].endswith(".deleted"):
        response = session.delete(api, params={"urn": urn})
        if response.status_code not in (204, 404):
            response.raise_for_status()
        return
    body = {key: data[key] for key in ("name", "language") if key in data}
    response = session.post(api, params={"urn": urn}, json=body)
    if response.status_code == 404:
        # Older platforms do not create on ?urn=: create with the URN in the body instead.
        response = session.post(api, json=dict(body, urns=[urn]))
    response.raise_for_status()


def main():
    args = parse_args()
    api = args.url.rstrip("/") + "/api/v2/contacts.json"
    session = requests.Session()
    session.headers["Authorization"] = "Token " + args.token
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
    })
    consumer.subscribe([args.topic])
    done = 0
    started = None
    try:
        while done < args.count:
            message = consumer.poll(1.0)
            if message is None:
                continue
            if message.error():
                raise KafkaException(message.error())
            if started is None:
                started = time.monotonic()
            apply_event(session, api, json.loads(message.value()))
            consumer.commit(message=message, asynchronous=False)
            done += 1
    finally:
        consumer.close()
    print(json.dumps({"events": done, "seconds": time.monotonic() - started}))


if __name__ == "__main__":
    sys.exit(main())
