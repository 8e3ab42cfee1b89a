package dev.aqlm.spark.kryo;

import com.esotericsoftware.kryo.Kryo;
import dev.aqlm.spark.eval.EvalRequest;
import dev.aqlm.spark.eval.ScoredRequest;
import dev.aqlm.spark.eval.ScoringFacts;
import dev.aqlm.spark.eval.ScoringThroughput;
import dev.aqlm.spark.executor.FaultInjection;
import dev.aqlm.spark.executor.ModelDescriptor;
import dev.aqlm.spark.generate.GenerationDefaults;
import dev.aqlm.spark.sweep.PlannedRequest;
import dev.aqlm.spark.sweep.ScoredChunk;
import org.apache.spark.serializer.KryoRegistrator;
import org.apache.spark.sql.types.DataTypes;

/**
 * Registers aqlm-spark's serializable classes with Spark's Kryo (spark.kryo.registrationRequired=true makes an
 * unregistered class an error instead of a silent slow path). Java records cannot be registered: Kryo 4 fails on them,
 * which is why everything Spark may serialize is a plain class.
 */
public final class AqlmKryoRegistrator implements KryoRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        kryo.register(ModelDescriptor.class);
        kryo.register(GenerationDefaults.class);
        kryo.register(FaultInjection.class);
        kryo.register(String[].class);
        kryo.register(EvalRequest.class);
        kryo.register(ScoredRequest.class);
        kryo.register(ScoredRequest[].class);
        kryo.register(ScoringFacts.class);
        kryo.register(ScoringThroughput.class);
        kryo.register(PlannedRequest.class);
        kryo.register(PlannedRequest[].class);
        kryo.register(ScoredChunk.class);
        // A JSON input column whose every value is null (a prompt or override column) is read as NullType, which
        // Spark's own registrations lack: without it such an input fails every task with a Kryo error.
        kryo.register(DataTypes.NullType.getClass());
    }
}
