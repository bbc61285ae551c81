#!/usr/bin/python3
"""Talks to Loire's AMQP 1.0 front door with Qpid Proton (Debian's python3-qpid-proton), for AmqpInteropTests.Proton.cs.

  proton_interop.py send URL ADDRESS COUNT     sends COUNT messages; prints "sent N"
  proton_interop.py receive URL ADDRESS COUNT  receives COUNT messages, accepts each; prints one JSON line per message
  proton_interop.py missing URL ADDRESS        attaches a sender to ADDRESS; prints the error condition it was refused with
"""
import json
import sys

from proton import Message, symbol
from proton.utils import BlockingConnection, LinkDetached

TIMEOUT = 10


def send(connection, address, count):
    sender = connection.create_sender(address)
    for i in range(count):
        # Alternates the two body forms: a data section (bytes), and an amqp-value string.
        body = ("python-%d" % i).encode() if i % 2 == 0 else "python-%d" % i
        sender.send(Message(
            id="py-%d" % i, correlation_id="corr-%d" % i, subject="from.python", content_type="text/plain",
            reply_to="replies", group_id="group-%d" % i, ttl=60.0,
            properties={"index": i, "lang": "python", "ratio": 0.5, "ok": True},
            body=body))
    print("sent %d" % count)


def receive(connection, address, count):
    receiver = connection.create_receiver(address, credit=count)
    for _ in range(count):
        message = receiver.receive(timeout=TIMEOUT)
        annotations = message.annotations or {}
        body = message.body
        print(json.dumps({
            "id": message.id,
            "correlation_id": message.correlation_id,
            "subject": message.subject,
            "content_type": message.content_type,
            "reply_to": message.reply_to,
            "group_id": message.group_id,
            "body": body.decode() if isinstance(body, (bytes, memoryview)) else body,
            "properties": message.properties,
            "delivery_count": message.delivery_count,
            "sequence_number": annotations.get(symbol("x-opt-sequence-number")),
        }))
        receiver.accept()


def missing(connection, address):
    try:
        connection.create_sender(address)
        print("attached")
    except LinkDetached as e:
        condition = e.link.remote_condition
        print(condition.name if condition else "no condition")


def main():
    command, url, address = sys.argv[1:4]
    connection = BlockingConnection(url, timeout=TIMEOUT)
    try:
        if command == "send":
            send(connection, address, int(sys.argv[4]))
        elif command == "receive":
            receive(connection, address, int(sys.argv[4]))
        elif command == "missing":
            missing(connection, address)
        else:
            raise SystemExit("unknown command " + command)
    finally:
        connection.close()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
