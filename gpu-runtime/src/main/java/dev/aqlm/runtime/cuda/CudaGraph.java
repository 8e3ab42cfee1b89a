package dev.aqlm.runtime.cuda;

import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUstream;
import jcuda.driver.CUstreamCaptureMode;
import jcuda.driver.JCudaDriver;

/** A captured and instantiated stream of work, replayed with one launch. */
final class CudaGraph implements AutoCloseable {
    private final CUgraph graph = new CUgraph();
    private final CUgraphExec executable = new CUgraphExec();
    private final String label;
    private boolean closed;

    private CudaGraph(String label) {
        this.label = label;
    }

    /** Records what {@code work} enqueues on {@code stream} (nothing runs) and instantiates it. */
    public static CudaGraph capture(CUstream stream, String label, Runnable work) {
        CudaGraph captured = new CudaGraph(label);
        CudaException.check(JCudaDriver.cuStreamBeginCapture(stream,
                CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL), "begin capture of " + label);
        try {
            work.run();
        } catch (RuntimeException e) {
            JCudaDriver.cuStreamEndCapture(stream, captured.graph);
            JCudaDriver.cuGraphDestroy(captured.graph);
            throw e;
        }
        CudaException.check(JCudaDriver.cuStreamEndCapture(stream, captured.graph), "end capture of " + label);
        int result = JCudaDriver.cuGraphInstantiate(captured.executable, captured.graph, 0);
        if (result != 0) {
            JCudaDriver.cuGraphDestroy(captured.graph);
            throw new CudaException("instantiating " + label, result);
        }
        return captured;
    }

    public void launch(CUstream stream) {
        CudaException.check(JCudaDriver.cuGraphLaunch(executable, stream), "launch of " + label);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            JCudaDriver.cuGraphExecDestroy(executable);
            JCudaDriver.cuGraphDestroy(graph);
        }
    }
}
