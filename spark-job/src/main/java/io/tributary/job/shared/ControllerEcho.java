package io.tributary.job.shared;

import io.tributary.common.InputException;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;

/**
 * Answers UDP probes on the controller's address and port during the pre-flight check, proving the
 * port is free on the driver and reachable from each executor before Aeron takes it over.
 */
final class ControllerEcho implements AutoCloseable {
    static final byte[] PROBE = "tributary-mesh-probe".getBytes(StandardCharsets.US_ASCII);

    private final DatagramSocket socket;
    private final Thread thread;

    private ControllerEcho(DatagramSocket socket) {
        this.socket = socket;
        this.thread = new Thread(this::serve, "tributary-controller-echo");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Binds {@code address:port}; a port in use is an input error naming the key to change. */
    static ControllerEcho start(String address, int port) {
        DatagramSocket socket;
        try {
            if (NetworkInterface.getByInetAddress(InetAddress.getByName(address)) == null) {
                throw new InputException("The controller address " + address + " (shared-controller-address) is not"
                        + " an address of the driver's host; give one of its own addresses");
            }
            socket = new DatagramSocket(null);
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(address, port));
        } catch (BindException e) {
            throw new InputException("UDP port " + port + " (shared-port) on the driver's address " + address
                    + " cannot be bound: " + e.getMessage() + "; choose a free port with --shared-port");
        } catch (IOException e) {
            throw new InputException("Cannot open UDP port " + port + " (shared-port) on the driver's address "
                    + address + " (shared-controller-address): " + e.getMessage());
        }
        return new ControllerEcho(socket);
    }

    private void serve() {
        byte[] buffer = new byte[64];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                socket.send(new DatagramPacket(packet.getData(), packet.getLength(), packet.getSocketAddress()));
            } catch (IOException e) {
                if (socket.isClosed()) return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(5_000);
    }
}
