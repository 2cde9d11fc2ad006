package io.tributary.job.shared;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.nd4j.parameterserver.distributed.util.NetworkOrganizer;

import java.io.IOException;
import java.io.Serializable;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * Runs on executors before shared-gradient training: applies the Aeron settings, checks the network
 * mask selects one of this host's interfaces, and sends UDP probes to the controller until one is
 * answered or the timeout passes. Returns one {@link Reach} per partition; never blocks longer
 * than the timeout.
 */
public final class ReachController implements FlatMapFunction<Iterator<Integer>, ReachController.Reach> {
    private static final long serialVersionUID = 1L;

    private final String controller;
    private final int port;
    private final String networkMask;
    private final int timeoutSeconds;
    private final String aeronBase;

    public ReachController(String controller, int port, String networkMask, int timeoutSeconds, String aeronBase) {
        this.controller = controller;
        this.port = port;
        this.networkMask = networkMask;
        this.timeoutSeconds = timeoutSeconds;
        this.aeronBase = aeronBase;
    }

    /** What one executor found: its host, the address it reaches the controller from, or the error. */
    public static final class Reach implements Serializable {
        private static final long serialVersionUID = 1L;
        public final String host;
        public final String address;
        public final String error;

        Reach(String host, String address, String error) {
            this.host = host;
            this.address = address;
            this.error = error;
        }
    }

    @Override
    public Iterator<Reach> call(Iterator<Integer> ignored) throws Exception {
        AeronSettings.apply(aeronBase);
        String host = InetAddress.getLocalHost().getHostName();
        if (networkMask != null) {
            try {
                new NetworkOrganizer(networkMask).getMatchingAddress();
            } catch (RuntimeException e) {
                return one(new Reach(host, null, "The network mask " + networkMask + " (shared-network-mask)"
                        + " matches no interface of executor host " + host + ", whose addresses are "
                        + localAddresses()));
            }
        }
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(new InetSocketAddress(controller, port));
            String local = socket.getLocalAddress().getHostAddress();
            socket.setSoTimeout(500);
            long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
            byte[] reply = new byte[64];
            while (System.nanoTime() < deadline) {
                try {
                    socket.send(new DatagramPacket(ControllerEcho.PROBE, ControllerEcho.PROBE.length));
                    socket.receive(new DatagramPacket(reply, reply.length));
                    return one(new Reach(host, local, null));
                } catch (SocketTimeoutException | PortUnreachableException retry) {
                    Thread.sleep(200);
                }
            }
        } catch (IOException e) {
            return one(new Reach(host, null, "Executor host " + host + " cannot send to the controller "
                    + controller + ":" + port + ": " + e.getMessage()));
        }
        return one(new Reach(host, null, "Executor host " + host + " could not reach the controller "
                + controller + ":" + port + " over UDP within " + timeoutSeconds
                + " s (shared-connect-timeout-seconds); check shared-controller-address and that UDP to that port is allowed"));
    }

    private static Iterator<Reach> one(Reach r) {
        return Collections.singletonList(r).iterator();
    }

    private static List<String> localAddresses() throws IOException {
        List<String> addresses = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp()) continue;
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (a instanceof Inet4Address) addresses.add(a.getHostAddress());
            }
        }
        return addresses;
    }
}
