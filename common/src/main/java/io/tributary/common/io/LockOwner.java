package io.tributary.common.io;

import io.tributary.common.InputException;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * The content of an {@link FsLock} file: the holder's host, process, user and start time, whether it
 * was taken with {@code --force-unlock}, and a token that makes each lock's content unique (a lock is
 * removed only while it holds the content its remover read). Every field may be absent: locks of early
 * releases held the host alone.
 *
 * @param pid     the holder's process id, or {@code null}
 * @param started when the lock was taken (an ISO-8601 instant), or {@code null}
 */
public record LockOwner(String host, Long pid, String user, String started, boolean forced, String token) {
    /** The schema this build writes; it reads this one and older ones. */
    public static final int SCHEMA_VERSION = 1;

    /** This process, taking a lock now. */
    public static LockOwner current(boolean forced) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown";
        }
        return new LockOwner(host, ProcessHandle.current().pid(), System.getProperty("user.name"),
                Instant.now().toString(), forced, UUID.randomUUID().toString());
    }

    /** The file's content, with {@code schema_version} first. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = JsonFields.versioned(SCHEMA_VERSION);
        m.put("host", host);
        m.put("pid", pid);
        m.put("user", user);
        m.put("started", started);
        m.put("forced", forced);
        m.put("token", token);
        return m;
    }

    /** Reads what {@link #toMap} wrote, in this schema version or an older one. */
    public static LockOwner from(JsonFields f) {
        f.schemaVersion(SCHEMA_VERSION);
        Object forced = f.raw("forced");
        if (forced != null && !(forced instanceof Boolean)) {
            throw new InputException(f.where() + ": field \"forced\" is " + forced
                    + ", not true or false");
        }
        return new LockOwner(f.string("host"), f.whole("pid"), f.string("user"), f.string("started"),
                Boolean.TRUE.equals(forced), f.string("token"));
    }

    /** Whether the lock was taken less than {@code seconds} ago, or in the future (another host's clock). */
    boolean startedWithin(long seconds) {
        try {
            return Duration.between(Instant.parse(String.valueOf(started)), Instant.now()).getSeconds() < seconds;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The holder in words: "host h, pid 12, user u, since ...". */
    public String describe() {
        return "host " + host + ", pid " + pid + ", user " + user + ", since " + started;
    }
}
