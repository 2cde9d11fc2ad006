package io.tributary.deploy;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.service.Service;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.nodemanager.NodeManager;
import org.apache.hadoop.yarn.server.resourcemanager.ResourceManager;
import org.apache.hadoop.yarn.util.resource.ResourceUtils;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CountDownLatch;

/**
 * One daemon of a real YARN for the local cluster, a process of its own next to {@link LocalHdfs}:
 * the ResourceManager, or one NodeManager. Each daemon is its own JVM, as on a cluster (YARN's web
 * applications cannot share one). Everything listens on 127.0.0.1, on ports chosen at start.
 *
 * <p>The ResourceManager (one queue, allocations from 128 MB up to a node's memory) writes, once it
 * accepts clients, a client configuration directory (what {@code HADOOP_CONF_DIR} names:
 * {@code core-site.xml} with the HDFS URL, {@code yarn-site.xml} with its addresses and where logs are
 * aggregated), then its web address to its ready file.
 *
 * <p>A NodeManager reads that directory, registers with the ResourceManager and writes its ready file.
 * It enforces each container's physical memory: a container whose processes use more than it asked
 * for is killed, as on a production cluster (the virtual memory check stays off: JVMs reserve far
 * more address space than they use). Containers are child processes started with
 * {@code $JAVA_HOME/bin/java}; their logs are aggregated to HDFS when their application ends, where
 * {@code yarn logs} finds them.
 *
 * <p>Usage: {@code LocalYarn resourcemanager CONF_DIR READY_FILE HDFS_URL NODE_MEMORY_MB}
 * or {@code LocalYarn nodemanager CONF_DIR READY_FILE WORK_DIR NODE_MEMORY_MB}
 */
public final class LocalYarn {
    static final String LOOPBACK = "127.0.0.1";
    /** Where NodeManagers aggregate applications' logs, on the default filesystem (HDFS). */
    static final String LOG_DIR = "/tmp/logs";

    private LocalYarn() {
    }

    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (Exception | Error e) {
            // The daemons' threads would keep a half-started JVM alive.
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        if (args.length != 5 || !(args[0].equals("resourcemanager") || args[0].equals("nodemanager"))) {
            System.err.println("usage: LocalYarn resourcemanager CONF_DIR READY_FILE HDFS_URL NODE_MEMORY_MB\n"
                    + "       LocalYarn nodemanager CONF_DIR READY_FILE WORK_DIR NODE_MEMORY_MB");
            System.exit(2);
        }
        Path confDir = Path.of(args[1]);
        Path ready = Path.of(args[2]);
        int nodeMemoryMb = Integer.parseInt(args[4]);
        Started started = args[0].equals("resourcemanager") ? startResourceManager(confDir, args[3], nodeMemoryMb)
                : startNodeManager(confDir, Path.of(args[3]), nodeMemoryMb);
        Service daemon = started.daemon();
        if (daemon.getServiceState() != Service.STATE.STARTED) {
            throw new IllegalStateException(args[0] + " did not start: " + daemon.getFailureCause());
        }
        Path tmp = ready.resolveSibling(ready.getFileName() + ".tmp");
        Files.writeString(tmp, started.readyText() + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, ready, StandardCopyOption.ATOMIC_MOVE);
        System.out.println(args[0] + " ready: " + started.readyText());
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // A NodeManager that stops kills its containers.
            daemon.stop();
            stop.countDown();
        }));
        stop.await();
    }

    /** A daemon that started, and what its ready file says of it. */
    private record Started(Service daemon, String readyText) {
    }

    /** The ResourceManager, then the client configuration (its addresses are known once it has started). */
    private static Started startResourceManager(Path confDir, String hdfsUrl, int nodeMemoryMb) throws IOException {
        Configuration conf = resourceManagerConf(hdfsUrl, nodeMemoryMb);
        // The scheduler's allocation sizes come from a JVM-wide table that Hadoop otherwise fills from
        // yarn-site.xml on the classpath (there is none): 1024 MB steps, not 128.
        ResourceUtils.resetResourceTypes(conf);
        ResourceManager rm = new ResourceManager();
        rm.init(conf);
        rm.start();
        writeClientConf(confDir, hdfsUrl, rm.getConfig());
        return new Started(rm, "http://" + rm.getConfig().get(YarnConfiguration.RM_WEBAPP_ADDRESS));
    }

    /** A NodeManager, registered with the ResourceManager of the client configuration in {@code confDir}. */
    private static Started startNodeManager(Path confDir, Path workDir, int nodeMemoryMb) throws IOException {
        NodeManager nm = new NodeManager();
        nm.init(nodeManagerConf(confDir, workDir, nodeMemoryMb));
        nm.start();
        return new Started(nm, nm.getNMContext().getNodeId().toString());
    }

    /** One queue (Spark's own YARN tests set it so), small allocations, every address on the loopback. */
    static Configuration resourceManagerConf(String hdfsUrl, int nodeMemoryMb) throws IOException {
        Configuration conf = new YarnConfiguration();
        conf.set("fs.defaultFS", hdfsUrl);
        for (String key : new String[] {YarnConfiguration.RM_ADDRESS, YarnConfiguration.RM_SCHEDULER_ADDRESS,
                YarnConfiguration.RM_ADMIN_ADDRESS, YarnConfiguration.RM_RESOURCE_TRACKER_ADDRESS}) {
            conf.set(key, LOOPBACK + ":0");
        }
        // The RPC servers publish the ports they got in the configuration; the web server does not.
        conf.set(YarnConfiguration.RM_WEBAPP_ADDRESS, LOOPBACK + ":" + freePort());
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 128);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB, nodeMemoryMb);
        // Hadoop's jars carry no capacity-scheduler.xml.
        conf.set("yarn.scheduler.capacity.root.queues", "default");
        conf.setInt("yarn.scheduler.capacity.root.default.capacity", 100);
        conf.setFloat("yarn.scheduler.capacity.root.default.user-limit-factor", 1);
        conf.setInt("yarn.scheduler.capacity.root.default.maximum-capacity", 100);
        conf.set("yarn.scheduler.capacity.root.default.state", "RUNNING");
        conf.set("yarn.scheduler.capacity.root.default.acl_submit_applications", "*");
        conf.set("yarn.scheduler.capacity.root.default.acl_administer_queue", "*");
        conf.setInt("yarn.scheduler.capacity.node-locality-delay", -1);
        // Two applications' masters may hold the whole cluster's memory between them.
        conf.setFloat("yarn.scheduler.capacity.maximum-am-resource-percent", 0.5f);
        return conf;
    }

    /** The client configuration plus this node's memory, directories and enforcement. */
    static Configuration nodeManagerConf(Path confDir, Path workDir, int nodeMemoryMb) throws IOException {
        Configuration conf = new YarnConfiguration();
        for (String file : new String[] {"core-site.xml", "hdfs-site.xml", "yarn-site.xml"}) {
            conf.addResource(confDir.resolve(file).toUri().toURL());
        }
        conf.set(YarnConfiguration.NM_ADDRESS, LOOPBACK + ":0");
        conf.set(YarnConfiguration.NM_LOCALIZER_ADDRESS, LOOPBACK + ":0");
        conf.set(YarnConfiguration.NM_WEBAPP_ADDRESS, LOOPBACK + ":0");
        conf.set(YarnConfiguration.NM_COLLECTOR_SERVICE_ADDRESS, LOOPBACK + ":0");
        conf.set(YarnConfiguration.NM_LOCAL_DIRS, Files.createDirectories(workDir.resolve("local")).toString());
        conf.set(YarnConfiguration.NM_LOG_DIRS, Files.createDirectories(workDir.resolve("logs")).toString());
        conf.setInt(YarnConfiguration.NM_PMEM_MB, nodeMemoryMb);
        conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, true);
        // "Strict" enforcement leaves memory to cgroups' OOM killer and skips the check; without cgroups
        // the NodeManager itself measures each container's process tree and kills it when over its size.
        conf.setBoolean(YarnConfiguration.NM_MEMORY_RESOURCE_ENFORCED, false);
        conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        conf.setLong(YarnConfiguration.NM_CONTAINER_MON_INTERVAL_MS, 1000);
        // A nearly full disk must not mark the node unhealthy on a development machine.
        conf.set(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, "100.0");
        return conf;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return socket.getLocalPort();
        }
    }

    /** What a client needs: where HDFS is, where the ResourceManager is, where the logs are aggregated. */
    private static void writeClientConf(Path dir, String hdfsUrl, Configuration started) throws IOException {
        Files.createDirectories(dir);
        Configuration core = new Configuration(false);
        core.set("fs.defaultFS", hdfsUrl);
        core.set("ipc.client.connect.max.retries", "1");
        write(core, dir.resolve("core-site.xml"));
        Configuration hdfs = new Configuration(false);
        hdfs.set("dfs.replication", "1");
        write(hdfs, dir.resolve("hdfs-site.xml"));
        Configuration yarn = new Configuration(false);
        for (String key : new String[] {YarnConfiguration.RM_ADDRESS, YarnConfiguration.RM_SCHEDULER_ADDRESS,
                YarnConfiguration.RM_ADMIN_ADDRESS, YarnConfiguration.RM_RESOURCE_TRACKER_ADDRESS,
                YarnConfiguration.RM_WEBAPP_ADDRESS}) {
            String address = started.get(key);
            if (address.endsWith(":0")) {
                throw new IllegalStateException(key + " has no port after the ResourceManager started: " + address);
            }
            yarn.set(key, address);
        }
        yarn.setBoolean(YarnConfiguration.LOG_AGGREGATION_ENABLED, true);
        yarn.set(YarnConfiguration.NM_REMOTE_APP_LOG_DIR, LOG_DIR);
        write(yarn, dir.resolve("yarn-site.xml"));
    }

    private static void write(Configuration conf, Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            conf.writeXml(out);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }
}
