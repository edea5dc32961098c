# librdkafka's transactional producer (Debian's python3-confluent-kafka, run as /usr/bin/python3)
# against the Kafka gateway, for test/e2e/kafka-gateway-transactions.test.ts. One scenario per run,
# printing one JSON object per line for the test to check:
#   ctp BROKER IN OUT GROUP TXN_ID   consume IN in GROUP, write each record to OUT and commit the
#                                    offsets in one transaction, then a second transaction aborted
#   fence BROKER OUT TXN_ID          a second producer with the same transactional.id fences the first
#   read BROKER TOPIC ISOLATION      every record of TOPIC (all partitions) under that isolation.level
import json
import sys

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition


def out(**kv):
    print(json.dumps(kv), flush=True)


def producer(broker, txn_id):
    return Producer(
        {
            "bootstrap.servers": broker,
            "transactional.id": txn_id,
            "transaction.timeout.ms": 30000,
            "partitioner": "murmur2_random",
        }
    )


def delivered(err, _msg):
    if err is not None:
        out(event="delivery-error", error=err.name())


def ctp(broker, topic_in, topic_out, group, txn_id):
    consumer = Consumer(
        {
            "bootstrap.servers": broker,
            "group.id": group,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "isolation.level": "read_committed",
        }
    )
    consumer.subscribe([topic_in])
    p = producer(broker, txn_id)
    p.init_transactions(20)
    msgs = []
    deadline = 60
    while len(msgs) < 5 and deadline > 0:
        m = consumer.poll(0.5)
        deadline -= 0.5
        if m is None or m.error():
            continue
        msgs.append(m)
    out(event="consumed", count=len(msgs))
    p.begin_transaction()
    for m in msgs:
        p.produce(topic_out, key=m.key(), value=b"rd-" + m.value(), on_delivery=delivered)
    positions = consumer.position(consumer.assignment())
    p.send_offsets_to_transaction(positions, consumer.consumer_group_metadata(), 20)
    p.commit_transaction(20)
    out(event="committed", offsets=[[tp.topic, tp.partition, tp.offset] for tp in positions if tp.offset >= 0])
    p.begin_transaction()
    for i in range(3):
        p.produce(topic_out, key=b"x", value=b"rd-aborted-%d" % i, on_delivery=delivered)
    p.flush(20)
    p.abort_transaction(20)
    out(event="aborted")
    consumer.close()


def fence(broker, topic_out, txn_id):
    first = producer(broker, txn_id)
    first.init_transactions(20)
    second = producer(broker, txn_id)
    second.init_transactions(20)
    out(event="second-initialised")
    try:
        first.begin_transaction()
        first.produce(topic_out, value=b"zombie")
        first.commit_transaction(20)
        out(event="zombie-committed")
    except KafkaException as e:
        err = e.args[0]
        out(event="fenced", error=err.name(), code=err.code(), fatal=err.fatal(), message=err.str())
    second.begin_transaction()
    second.produce(topic_out, value=b"successor")
    second.commit_transaction(20)
    out(event="successor-committed")


def read(broker, topic, isolation):
    c = Consumer(
        {
            "bootstrap.servers": broker,
            "group.id": "reader-" + isolation,
            "enable.auto.commit": False,
            "isolation.level": isolation,
            "enable.partition.eof": True,
        }
    )
    meta = c.list_topics(topic, 10).topics[topic]
    parts = [TopicPartition(topic, p, 0) for p in meta.partitions]
    c.assign(parts)
    values, eof = [], set()
    deadline = 30
    while len(eof) < len(parts) and deadline > 0:
        m = c.poll(0.5)
        deadline -= 0.5
        if m is None:
            continue
        if m.error():
            if m.error().code() == -191:  # _PARTITION_EOF
                eof.add(m.partition())
            continue
        values.append(m.value().decode())
    out(event="read", values=values, complete=len(eof) == len(parts))
    c.close()


if __name__ == "__main__":
    scenario, args = sys.argv[1], sys.argv[2:]
    {"ctp": ctp, "fence": fence, "read": read}[scenario](*args)
