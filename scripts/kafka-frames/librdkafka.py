"""What librdkafka does through the recording proxy: python3-confluent-kafka's admin, producer and
consumer, plus the admin calls that binding does not expose (DeleteRecords, DeleteGroups, OffsetDelete,
ListConsumerGroups, DescribeConsumerGroups, ListConsumerGroupOffsets, AlterConsumerGroupOffsets),
called through ctypes on the same librdkafka.

Usage: librdkafka.py BROKER TOPIC GROUP ADMIN_GROUP. Before each step it prints "STEP <label>" and
waits for a line on stdin, so the capture can label the frames each step causes; "DONE" at the end.
"""

import ctypes
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import (
    AdminClient,
    ConfigResource,
    NewPartitions,
    NewTopic,
)

broker, topic, group, admin_group = sys.argv[1:5]


def step(label, fn):
    print(f"STEP {label}", flush=True)
    sys.stdin.readline()
    try:
        fn()
    except Exception as e:  # capped versions make some calls fail; the frames still count
        print(f"ERR {label}: {e}", file=sys.stderr, flush=True)


def wait(futures):
    for f in (futures.values() if isinstance(futures, dict) else futures):
        f.result(timeout=15)


common = {"bootstrap.servers": broker, "client.id": "librdkafka-frames"}
admin = AdminClient(common)

step("admin.create_topics", lambda: wait(admin.create_topics([NewTopic(topic, 2, 1)])))
step("admin.list_topics", lambda: admin.list_topics(topic, timeout=10))


def produce():
    p = Producer({**common, "enable.idempotence": True, "linger.ms": 5})
    # Records in both partitions, so offset-based admin calls have something to act on.
    for i in range(3):
        p.produce(topic, key=f"k{i}", value=f"v{i}", partition=i % 2)
    if p.flush(15) != 0:
        raise RuntimeError("records not delivered")


step("producer.produce (idempotent)", produce)


def consume():
    c = Consumer(
        {
            **common,
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "session.timeout.ms": 10000,
            "heartbeat.interval.ms": 300,
        }
    )
    c.subscribe([topic])
    seen = 0
    deadline = time.time() + 20
    while seen < 3 and time.time() < deadline:
        m = c.poll(0.5)
        if m is not None and not m.error():
            seen += 1
    c.commit(asynchronous=False)
    c.committed([TopicPartition(topic, 0), TopicPartition(topic, 1)], timeout=10)
    c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
    c.offsets_for_times([TopicPartition(topic, 0, int(time.time() * 1000))], timeout=10)
    time.sleep(0.7)  # a heartbeat or two
    c.close()
    if seen < 3:
        raise RuntimeError(f"consumed {seen} of 3 records")


step("consumer (join, sync, fetch, heartbeat, commit, committed, leave)", consume)

step(
    "admin.describe_configs",
    lambda: wait(admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, topic)])),
)
step(
    "admin.alter_configs",
    lambda: wait(admin.alter_configs([ConfigResource(ConfigResource.Type.TOPIC, topic, set_config={"retention.ms": "600000"})])),
)
step("admin.create_partitions", lambda: wait(admin.create_partitions([NewPartitions(topic, 3)])))
step("admin.list_groups", lambda: admin.list_groups(timeout=10))

# The rest of librdkafka's admin API, through ctypes (this binding predates it).
rd = ctypes.CDLL("librdkafka.so.1")
P = ctypes.c_void_p
rd.rd_kafka_conf_new.restype = P
rd.rd_kafka_conf_set.argtypes = [P, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
rd.rd_kafka_new.restype = P
rd.rd_kafka_new.argtypes = [ctypes.c_int, P, ctypes.c_char_p, ctypes.c_size_t]
rd.rd_kafka_queue_new.restype = P
rd.rd_kafka_queue_new.argtypes = [P]
rd.rd_kafka_queue_poll.restype = P
rd.rd_kafka_queue_poll.argtypes = [P, ctypes.c_int]
rd.rd_kafka_event_error.argtypes = [P]
rd.rd_kafka_event_error_string.restype = ctypes.c_char_p
rd.rd_kafka_event_error_string.argtypes = [P]
rd.rd_kafka_event_destroy.argtypes = [P]
rd.rd_kafka_topic_partition_list_new.restype = P
rd.rd_kafka_topic_partition_list_new.argtypes = [ctypes.c_int]
rd.rd_kafka_topic_partition_list_add.restype = P
rd.rd_kafka_topic_partition_list_add.argtypes = [P, ctypes.c_char_p, ctypes.c_int32]
rd.rd_kafka_topic_partition_list_set_offset.argtypes = [P, ctypes.c_char_p, ctypes.c_int32, ctypes.c_int64]
for name in [
    "DeleteRecords",
    "DeleteGroup",
    "DeleteConsumerGroupOffsets",
    "ListConsumerGroupOffsets",
    "AlterConsumerGroupOffsets",
]:
    getattr(rd, f"rd_kafka_{name}_new").restype = P
rd.rd_kafka_DeleteRecords_new.argtypes = [P]
rd.rd_kafka_DeleteGroup_new.argtypes = [ctypes.c_char_p]
rd.rd_kafka_DeleteConsumerGroupOffsets_new.argtypes = [ctypes.c_char_p, P]
rd.rd_kafka_ListConsumerGroupOffsets_new.argtypes = [ctypes.c_char_p, P]
rd.rd_kafka_AlterConsumerGroupOffsets_new.argtypes = [ctypes.c_char_p, P]
for name in [
    "DeleteRecords",
    "DeleteGroups",
    "DeleteConsumerGroupOffsets",
    "ListConsumerGroupOffsets",
    "AlterConsumerGroupOffsets",
]:
    getattr(rd, f"rd_kafka_{name}").argtypes = [P, ctypes.POINTER(P), ctypes.c_size_t, P, P]
rd.rd_kafka_ListConsumerGroups.argtypes = [P, P, P]
rd.rd_kafka_DescribeConsumerGroups.argtypes = [P, ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t, P, P]

conf = rd.rd_kafka_conf_new()
errstr = ctypes.create_string_buffer(512)
for k, v in common.items():
    rd.rd_kafka_conf_set(conf, k.encode(), v.encode(), errstr, 512)
rk = rd.rd_kafka_new(0, conf, errstr, 512)
queue = rd.rd_kafka_queue_new(rk)


def result():
    """Waits for the admin call's result event; raises on a request-level error."""
    deadline = time.time() + 15
    while time.time() < deadline:
        ev = rd.rd_kafka_queue_poll(queue, 500)
        if ev:
            err = rd.rd_kafka_event_error(ev)
            msg = rd.rd_kafka_event_error_string(ev)
            rd.rd_kafka_event_destroy(ev)
            if err:
                raise RuntimeError(msg.decode() if msg else f"error {err}")
            return
    raise RuntimeError("no result")


def partitions(offset=None, parts=(0,)):
    lst = rd.rd_kafka_topic_partition_list_new(len(parts))
    for p in parts:
        rd.rd_kafka_topic_partition_list_add(lst, topic.encode(), p)
        if offset is not None:
            rd.rd_kafka_topic_partition_list_set_offset(lst, topic.encode(), p, offset)
    return lst


def call(name, obj):
    arr = (P * 1)(obj)
    getattr(rd, f"rd_kafka_{name}")(rk, arr, 1, None, queue)
    result()


step("admin DeleteRecords", lambda: call("DeleteRecords", rd.rd_kafka_DeleteRecords_new(partitions(1))))
step("admin ListConsumerGroups", lambda: (rd.rd_kafka_ListConsumerGroups(rk, None, queue), result()))
step(
    "admin DescribeConsumerGroups",
    lambda: (rd.rd_kafka_DescribeConsumerGroups(rk, (ctypes.c_char_p * 1)(group.encode()), 1, None, queue), result()),
)
step(
    "admin ListConsumerGroupOffsets",
    lambda: call("ListConsumerGroupOffsets", rd.rd_kafka_ListConsumerGroupOffsets_new(group.encode(), None)),
)
step(
    "admin AlterConsumerGroupOffsets",
    lambda: call(
        "AlterConsumerGroupOffsets", rd.rd_kafka_AlterConsumerGroupOffsets_new(admin_group.encode(), partitions(1))
    ),
)
step(
    "admin DeleteConsumerGroupOffsets",
    lambda: call(
        "DeleteConsumerGroupOffsets", rd.rd_kafka_DeleteConsumerGroupOffsets_new(admin_group.encode(), partitions())
    ),
)
step("admin DeleteGroups", lambda: call("DeleteGroups", rd.rd_kafka_DeleteGroup_new(admin_group.encode())))


def transactional():
    p = Producer({**common, "transactional.id": f"{topic}-txn", "transaction.timeout.ms": 10000})
    p.init_transactions(10)
    c = Consumer({**common, "group.id": admin_group})
    p.begin_transaction()
    p.produce(topic, key=b"t1", value=b"in a transaction", partition=0)
    p.send_offsets_to_transaction([TopicPartition(topic, 0, 1)], c.consumer_group_metadata(), 10)
    p.commit_transaction(10)
    p.begin_transaction()
    p.produce(topic, key=b"t2", value=b"aborted", partition=0)
    p.abort_transaction(10)
    c.close()


step("transactional producer.init_transactions", transactional)
step("admin.delete_topics", lambda: wait(admin.delete_topics([topic])))
print("DONE", flush=True)
