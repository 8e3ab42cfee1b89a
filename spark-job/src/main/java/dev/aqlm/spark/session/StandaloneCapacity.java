package dev.aqlm.spark.session;

import dev.aqlm.runtime.errors.AqlmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.deploy.DeployMessages;
import org.apache.spark.deploy.master.Master$;
import org.apache.spark.deploy.master.WorkerInfo;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.rpc.RpcAddress;
import org.apache.spark.rpc.RpcTimeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.duration.FiniteDuration;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;

/**
 * On a standalone master, an application whose executors ask for more than any worker has is never scheduled: Spark
 * only repeats "Initial job has not accepted any resources" forever. This asks the master for its workers (the
 * state its web UI shows) and fails at once, naming the resource that is short and the setting to lower.
 */
final class StandaloneCapacity {
    private static final Logger LOG = LoggerFactory.getLogger(StandaloneCapacity.class);
    private static final RpcTimeout ASK_TIMEOUT = new RpcTimeout(FiniteDuration.apply(10, TimeUnit.SECONDS),
            "aqlm-spark's worker capacity check");
    /** Workers register with a master within seconds of starting; a cluster started just now gets that long. */
    private static final long NO_WORKER_GRACE_MS = 30_000;

    private StandaloneCapacity() {
    }

    static void requireAWorkerThatFits(SparkContext context) {
        String master = context.master();
        if (!master.startsWith("spark://")) {
            return;
        }
        ExecutorResources request = ExecutorResources.requestedBy(context.getConf());
        Optional<List<ExecutorResources>> known = workers(master);
        for (long deadline = System.currentTimeMillis() + NO_WORKER_GRACE_MS;
             known.isPresent() && known.get().isEmpty() && System.currentTimeMillis() < deadline; known = workers(master)) {
            sleep();
        }
        if (known.isEmpty()) {
            LOG.warn("{} did not say which workers it has; starting without checking that one can host an executor",
                    master);
            return;
        }
        List<ExecutorResources> workers = known.get();
        if (workers.isEmpty()) {
            throw new AqlmException(master + " has no worker after " + NO_WORKER_GRACE_MS / 1000 + " s, so no executor"
                    + " can start: start a worker (start-worker.sh " + master + ")");
        }
        if (workers.stream().noneMatch(request::fitsIn)) {
            throw new AqlmException("no worker of " + master + " can ever start an executor of this application (Spark"
                    + " would wait forever): each executor asks for " + String.join("; ", request.shortfallsOn(workers))
                    + ". Lower the setting or give the workers more.");
        }
    }

    /**
     * Every worker the master knows, at its total size; empty when no master answers. Spark has no public API for
     * worker sizes; RequestMasterState is the message the master's web UI and REST status are built from.
     */
    private static Optional<List<ExecutorResources>> workers(String masterUrl) {
        for (String hostPort : masterUrl.substring("spark://".length()).split(",")) {
            try {
                DeployMessages.MasterStateResponse state = SparkEnv.get().rpcEnv()
                        .setupEndpointRef(RpcAddress.fromUrlString("spark://" + hostPort), Master$.MODULE$.ENDPOINT_NAME())
                        .askSync(DeployMessages.RequestMasterState$.MODULE$, ASK_TIMEOUT,
                                ClassTag$.MODULE$.apply(DeployMessages.MasterStateResponse.class));
                List<ExecutorResources> workers = new ArrayList<>();
                for (WorkerInfo worker : state.workers()) {
                    workers.add(offeredBy(worker));
                }
                return Optional.of(workers);
            } catch (RuntimeException e) { // a standby master of an HA pair, or one that does not answer
                LOG.debug("cannot ask {} for its workers: {}", hostPort, e.toString());
            }
        }
        return Optional.empty();
    }

    private static ExecutorResources offeredBy(WorkerInfo worker) {
        Map<String, Long> custom = new TreeMap<>();
        Map<String, ResourceInformation> resources = CollectionConverters.asJava(worker.resourcesInfo());
        resources.forEach((name, info) -> custom.put(name, (long) info.addresses().length));
        return new ExecutorResources(worker.cores(), worker.memory(), custom);
    }

    private static void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AqlmException("interrupted while waiting for a standalone worker", e);
        }
    }
}
