package dev.aqlm.spark.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/** Requests and scores travel through Spark: registered Kryo and bean encoders must take them as they are. */
class RequestBeansTest {
    private static <T> T kryoRoundTrip(T value, Class<T> type) {
        SparkConf conf = new SparkConf().set("spark.kryo.registrationRequired", "true")
                .registerKryoClasses(new Class<?>[] {EvalRequest.class, ScoredRequest.class});
        SerializerInstance kryo = new KryoSerializer(conf).newInstance();
        ClassTag<T> tag = ClassTag$.MODULE$.apply(type);
        ByteBuffer bytes = kryo.serialize(value, tag);
        return kryo.deserialize(bytes, tag);
    }

    @Test
    void beansSurviveRegisteredKryo() {
        EvalRequest request = EvalRequest.loglikelihood("piqa", 3, 1, "Question: q\nAnswer:", " b");
        assertEquals(request, kryoRoundTrip(request, EvalRequest.class));
        ScoredRequest score = ScoredRequest.of(request, -12.5, true);
        assertEquals(score, kryoRoundTrip(score, ScoredRequest.class));
    }

    @Test
    void beanEncodersSeeEveryField() {
        assertEquals(List.of("context", "continuation", "docId", "index", "task", "type"),
                List.of(Encoders.bean(EvalRequest.class).schema().fields()).stream().map(StructField::name).sorted()
                        .toList());
        assertEquals(List.of("docId", "greedy", "index", "logLikelihood", "task"),
                List.of(Encoders.bean(ScoredRequest.class).schema().fields()).stream().map(StructField::name).sorted()
                        .toList());
    }
}
