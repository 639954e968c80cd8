// The error codes Kafka has past 88 (the last kafkajs 2.2.4 knows), from kafka-clients itself:
//   java -cp <kafka-clients-3.9.x.jar>:<slf4j-api.jar> vendor/kafkajs/test/golden/KafkaErrors.java \
//     > vendor/kafkajs/test/golden/errors.tsv
// code, name, whether Kafka counts it retriable (a RetriableException), message.
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.errors.RetriableException;
public class KafkaErrors {
  public static void main(String[] a) {
    for (Errors e : Errors.values()) {
      if (e.code() <= 88) continue;
      boolean retriable = e.exception() instanceof RetriableException;
      String msg = e.exception() == null ? "" : e.exception().getMessage();
      System.out.println(e.code() + "\t" + e.name() + "\t" + retriable + "\t" + msg.replace("\t"," "));
    }
  }
}
