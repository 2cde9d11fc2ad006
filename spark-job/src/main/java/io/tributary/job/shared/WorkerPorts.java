package io.tributary.job.shared;

import io.tributary.common.config.PortRange;
import org.apache.spark.SparkEnv;
import org.nd4j.parameterserver.distributed.v2.transport.PortSupplier;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;

/**
 * The UDP port each JVM binds for the gradient mesh. DL4J asks the same supplier on the driver
 * (and makes the answer the controller's port) and on every executor, so the answer depends on
 * where it is asked: the controller port on the driver; on an executor a free port of the workers'
 * range, kept for the JVM's life, so several executors on one host do not collide and firewalls can
 * be opened for a known range. The search starts at an offset given by the executor's id: executors
 * starting at the same moment on one host would otherwise all find the same port free, since
 * Aeron binds it only later.
 */
public final class WorkerPorts implements PortSupplier {
    private static final long serialVersionUID = 1L;
    private static volatile int executorPort = -1;

    private final int controllerPort;
    private final int first;
    private final int last;

    public WorkerPorts(int controllerPort, PortRange workers) {
        this.controllerPort = controllerPort;
        this.first = workers.first();
        this.last = workers.last();
    }

    @Override
    public int getPort() {
        SparkEnv env = SparkEnv.get();
        if (env == null || "driver".equals(env.executorId())) {
            return controllerPort;
        }
        synchronized (WorkerPorts.class) {
            if (executorPort < 0) {
                executorPort = freeFrom(offset(env.executorId()));
            }
            return executorPort;
        }
    }

    private int offset(String executorId) {
        try {
            return (int) (Long.parseLong(executorId) % (last - first + 1));
        } catch (NumberFormatException e) {
            return Math.floorMod(executorId.hashCode(), last - first + 1);
        }
    }

    private int freeFrom(int offset) {
        int size = last - first + 1;
        for (int i = 0; i < size; i++) {
            int port = first + (offset + i) % size;
            try (DatagramSocket probe = new DatagramSocket(null)) {
                probe.setReuseAddress(false);
                probe.bind(new InetSocketAddress(port));
                return port;
            } catch (IOException inUse) {
                // try the next one
            }
        }
        throw new IllegalStateException("No free UDP port in shared-worker-ports " + first + "-" + last
                + " on this host; widen the range");
    }
}
