package io.tributary.deploy;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.MiniDFSCluster;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CountDownLatch;

/**
 * A real HDFS (one NameNode and one DataNode, from Hadoop's MiniDFSCluster) as a process of its own
 * for the local cluster. It listens on 127.0.0.1 only, on PORT or else a free port, writes
 * {@code hdfs://127.0.0.1:PORT} to the ready file once it accepts clients, and runs until it is killed.
 * (Given a port, the NameNode's address is known before it starts: the local YARN's ResourceManager
 * starts at the same time.)
 *
 * <p>Usage: {@code LocalHdfs DATA_DIR READY_FILE [PORT]}
 */
public final class LocalHdfs {
    private LocalHdfs() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 && !(args.length == 3 && args[2].matches("[1-9][0-9]{0,4}") && Integer.parseInt(args[2]) < 65536)) {
            System.err.println("usage: LocalHdfs DATA_DIR READY_FILE [PORT]");
            System.exit(2);
        }
        File base = new File(args[0]);
        Path ready = Path.of(args[1]);
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.getAbsolutePath());
        conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
        conf.set("dfs.namenode.http-address", "127.0.0.1:0");
        conf.set("dfs.datanode.address", "127.0.0.1:0");
        conf.set("dfs.datanode.http.address", "127.0.0.1:0");
        conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
        conf.setBoolean("dfs.permissions.enabled", true);
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf)
                .numDataNodes(1)
                .nameNodePort(args.length == 3 ? Integer.parseInt(args[2]) : 0)
                .format(true)
                .build();
        cluster.waitActive();
        // Let every user of this single-user test cluster create top-level directories.
        cluster.getFileSystem().setPermission(new org.apache.hadoop.fs.Path("/"), new FsPermission((short) 0777));
        String url = "hdfs://127.0.0.1:" + cluster.getNameNodePort();
        Path tmp = ready.resolveSibling(ready.getFileName() + ".tmp");
        Files.writeString(tmp, url + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, ready, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("HDFS ready at " + url);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.shutdown(true);
            stop.countDown();
        }));
        stop.await();
    }
}
