// Golden vectors for the fork's protocol additions, written by Apache Kafka's own generated
// message classes (kafka-clients), not by kafkajs. Regenerate with:
//   java -cp <kafka-clients-3.9.x.jar> vendor/kafkajs/test/golden/GenerateGolden.java \
//     > vendor/kafkajs/test/golden/vectors.json
// Each vector is a request or response body (no size, no header), hex-encoded.
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.*;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

public class GenerateGolden {
  static String hex(Message message, int version) {
    ObjectSerializationCache cache = new ObjectSerializationCache();
    int size = message.size(cache, (short) version);
    ByteBuffer buffer = ByteBuffer.allocate(size);
    message.write(new ByteBufferAccessor(buffer), cache, (short) version);
    StringBuilder out = new StringBuilder();
    for (byte b : buffer.array()) out.append(String.format("%02x", b));
    return out.toString();
  }

  public static void main(String[] args) {
    Map<String, String> v = new LinkedHashMap<>();

    v.put("offsetFetch.v7.request.requireStable", hex(new OffsetFetchRequestData()
        .setGroupId("cxone-connector")
        .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic()
            .setName("cdp.events").setPartitionIndexes(List.of(0, 5))))
        .setRequireStable(true), 7));
    v.put("offsetFetch.v7.request.allTopics", hex(new OffsetFetchRequestData()
        .setGroupId("g").setTopics(null).setRequireStable(false), 7));

    v.put("offsetFetch.v7.response.partitionErrors", hex(new OffsetFetchResponseData()
        .setThrottleTimeMs(7)
        .setTopics(List.of(new OffsetFetchResponseData.OffsetFetchResponseTopic()
            .setName("cdp.events")
            .setPartitions(List.of(
                new OffsetFetchResponseData.OffsetFetchResponsePartition()
                    .setPartitionIndex(0).setCommittedOffset(42).setCommittedLeaderEpoch(-1)
                    .setMetadata("v1:done").setErrorCode((short) 0),
                new OffsetFetchResponseData.OffsetFetchResponsePartition()
                    .setPartitionIndex(5).setCommittedOffset(-1).setCommittedLeaderEpoch(-1)
                    .setMetadata(null).setErrorCode((short) 88)))))
        .setErrorCode((short) 0), 7));
    v.put("offsetFetch.v7.response.groupError", hex(new OffsetFetchResponseData()
        .setThrottleTimeMs(0).setTopics(List.of()).setErrorCode((short) 16), 7));

    v.put("txnOffsetCommit.v3.request.withGroupMetadata", hex(new TxnOffsetCommitRequestData()
        .setTransactionalId("cxone-connector-i0").setGroupId("cxone-connector")
        .setProducerId(4242L).setProducerEpoch((short) 3)
        .setGenerationId(12).setMemberId("member-1").setGroupInstanceId(null)
        .setTopics(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic()
            .setName("cdp.events")
            .setPartitions(List.of(
                new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                    .setPartitionIndex(0).setCommittedOffset(100).setCommittedLeaderEpoch(-1)
                    .setCommittedMetadata("v1:AQ"),
                new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                    .setPartitionIndex(3).setCommittedOffset(5000000000L).setCommittedLeaderEpoch(-1)
                    .setCommittedMetadata(null))))), 3));
    v.put("txnOffsetCommit.v3.request.withoutGroupMetadata", hex(new TxnOffsetCommitRequestData()
        .setTransactionalId("t").setGroupId("g").setProducerId(1L).setProducerEpoch((short) 0)
        .setGenerationId(-1).setMemberId("").setGroupInstanceId(null)
        .setTopics(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic()
            .setName("x").setPartitions(List.of(
                new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                    .setPartitionIndex(1).setCommittedOffset(2).setCommittedLeaderEpoch(-1)
                    .setCommittedMetadata(null))))), 3));
    v.put("txnOffsetCommit.v3.request.staticMember", hex(new TxnOffsetCommitRequestData()
        .setTransactionalId("t").setGroupId("g").setProducerId(1L).setProducerEpoch((short) 0)
        .setGenerationId(4).setMemberId("m").setGroupInstanceId("pod-0")
        .setTopics(List.of()), 3));

    v.put("txnOffsetCommit.v3.response.fenced", hex(new TxnOffsetCommitResponseData()
        .setThrottleTimeMs(0)
        .setTopics(List.of(new TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic()
            .setName("cdp.events")
            .setPartitions(List.of(
                new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition()
                    .setPartitionIndex(0).setErrorCode((short) 22),
                new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition()
                    .setPartitionIndex(1).setErrorCode((short) 25))))), 3));
    v.put("txnOffsetCommit.v3.response.ok", hex(new TxnOffsetCommitResponseData()
        .setThrottleTimeMs(3)
        .setTopics(List.of(new TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic()
            .setName("cdp.events")
            .setPartitions(List.of(
                new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition()
                    .setPartitionIndex(0).setErrorCode((short) 0))))), 3));

    AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection topics =
        new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection();
    topics.add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic()
        .setName("cxone.results").setPartitions(List.of(0, 2)));
    topics.add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic()
        .setName("cxone.audit").setPartitions(List.of(1)));
    v.put("addPartitionsToTxn.v1.request", hex(new AddPartitionsToTxnRequestData()
        .setV3AndBelowTransactionalId("cxone-connector-i0").setV3AndBelowProducerId(4242L)
        .setV3AndBelowProducerEpoch((short) 3).setV3AndBelowTopics(topics), 1));

    AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResultCollection partitions =
        new AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResultCollection();
    partitions.add(new AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult()
        .setPartitionIndex(0).setPartitionErrorCode((short) 51));
    partitions.add(new AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult()
        .setPartitionIndex(2).setPartitionErrorCode((short) 47));
    AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResultCollection results =
        new AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResultCollection();
    results.add(new AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult()
        .setName("cxone.results").setResultsByPartition(partitions));
    v.put("addPartitionsToTxn.v1.response.errors", hex(new AddPartitionsToTxnResponseData()
        .setThrottleTimeMs(0).setResultsByTopicV3AndBelow(results), 1));

    StringBuilder json = new StringBuilder("{\n");
    int i = 0;
    for (Map.Entry<String, String> e : v.entrySet())
      json.append(String.format("  \"%s\": \"%s\"%s\n", e.getKey(), e.getValue(), ++i < v.size() ? "," : ""));
    System.out.print(json.append("}\n"));
  }
}
