package io.datacat.daemon.watch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.daemon.session.SessionSnapshot;
import io.datacat.protocol.CrashReason;
import io.datacat.protocol.Json;

import java.util.Optional;

/**
 * The {@code crash} record the daemon writes when a session's app died without ending it:
 * {@code fatal_error} with the head of the JVM's hs_err log when one exists, else
 * {@code killed} for a Java client (its shutdown hook would have reported an ordinary exit,
 * so nothing ran: kill -9, the OOM killer) and {@code process_exited} for other clients.
 */
public final class CrashReport {
    private CrashReport() {
    }

    /** The crash record's kind and fields. */
    public static ObjectNode fields(SessionSnapshot session, long pid) {
        ObjectNode f = Json.mapper().createObjectNode();
        f.put("kind", "crash");
        ObjectNode detail = Json.mapper().createObjectNode();
        detail.put("pid", pid);
        detail.put("detected_by", "daemon");
        Optional<HsErrLog> hsErr = HsErrLog.find(pid, session);
        if (hsErr.isPresent()) {
            f.put("reason", CrashReason.FATAL_ERROR);
            f.put("message", "The JVM (pid " + pid + ") died of a fatal error: " + hsErr.get().summary());
            detail.put("hs_err_file", hsErr.get().file().toString());
            detail.put("hs_err_head", hsErr.get().head());
        } else if (session.jvm()) {
            f.put("reason", CrashReason.KILLED);
            f.put("message", "The JVM (pid " + pid + ") vanished without ending the session and without running "
                    + "its shutdown hooks: killed (kill -9, the OOM killer) or a crash that left no hs_err log");
        } else {
            f.put("reason", CrashReason.PROCESS_EXITED);
            f.put("message", "The app's process (pid " + pid + ") exited without ending the session");
        }
        f.set("detail", detail);
        return f;
    }
}
