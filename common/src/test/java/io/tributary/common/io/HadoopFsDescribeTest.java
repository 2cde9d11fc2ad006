package io.tributary.common.io;

import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;

import static org.junit.jupiter.api.Assertions.*;

/** Filesystem failures in one sentence that keeps what the cause chain knows, never "null". */
class HadoopFsDescribeTest {
    @Test
    void aRefusedConnectionNamesTheHost() {
        // As Hadoop's NetUtils.wrapException builds it: the outer message names both ends, the root only "refused".
        ConnectException wrapped = new ConnectException("Call From worker/10.0.0.5 to 127.0.0.1:41717 failed on "
                + "connection exception: java.net.ConnectException: Connection refused; For more details see:  "
                + "http://wiki.apache.org/hadoop/ConnectionRefused");
        wrapped.initCause(new ConnectException("Connection refused"));
        String d = HadoopFs.describe(new IOException(wrapped));
        assertTrue(d.contains("unreachable") && d.contains("Connection refused") && d.contains("127.0.0.1:41717"), d);
        assertFalse(d.contains("For more details"), d);
    }

    @Test
    void aRootWithoutAMessageTakesTheNearestOneAndItsClass() {
        EOFException wrapped = new EOFException("End of File Exception between local host is: \"worker/10.0.0.5\"; "
                + "destination host is: \"127.0.0.1\":41717; : java.io.EOFException");
        wrapped.initCause(new EOFException());
        String d = HadoopFs.describe(new IOException(wrapped));
        assertFalse(d.contains("null"), d);
        assertTrue(d.startsWith("EOFException: End of File Exception") && d.contains("\"127.0.0.1\":41717"), d);
    }

    @Test
    void aChainWithNoMessageAtAllNamesItsClasses() {
        String d = HadoopFs.describe(new IOException(new ClosedChannelException()));
        assertFalse(d.contains("null"), d);
        assertTrue(d.contains("ClosedChannelException"), d);
        assertEquals("ClosedChannelException", HadoopFs.describe(new ClosedChannelException()));
    }

    @Test
    void anOrdinaryMessageIsKeptAsItWas() {
        assertEquals("Permission denied: user=x, access=WRITE",
                HadoopFs.describe(new IOException("outer", new IOException("Permission denied: user=x, access=WRITE\nat ..."))));
    }
}
