package io.datacat.it.apps;

import io.datacat.client.Datacat;
import io.datacat.client.Session;
import sun.misc.Unsafe;

import java.io.IOException;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Collections;

/**
 * An app that ends one way or another. It logs {@link #EVENTS} events, waits until the daemon
 * has them, prints {@code SESSION <id>} and {@code READY}, then, by {@code mode}:
 * <ul>
 *   <li>{@code clean}: calls {@code end()} and exits normally;</li>
 *   <li>{@code wait}: waits for its standard input to close (the test kills it meanwhile);</li>
 *   <li>{@code uncaught}: {@link #loadSaveGame()} throws out of {@code main};</li>
 *   <li>{@code worker}: a worker thread dies of an uncaught exception, then {@code main}
 *       returns normally without {@code end()};</li>
 *   <li>{@code exit}: {@link #quitWithoutEnding()} calls {@code System.exit(3)};</li>
 *   <li>{@code fatal}: {@link #crashTheJvm()} reads address 0, a JVM fatal error (SIGSEGV).</li>
 * </ul>
 * Arguments: the {@link AppOptions} ones, then {@code product mode}.
 */
public final class CrashApp {
    public static final int EVENTS = 10;
    public static final int EXIT_CODE = 3;

    private CrashApp() {
    }

    public static void main(String[] args) throws Exception {
        int a = AppOptions.COMMON_ARGS;
        String mode = args[a + 1];
        Session s = Datacat.createSession(AppOptions.fromArgs(args[a], args).asyncMode(true).build());
        System.out.println("SESSION " + s.id());
        for (int i = 0; i < EVENTS; i++) {
            s.logEvent("level_loaded", Collections.singletonMap("level", i));
        }
        if (!s.flush(Duration.ofSeconds(20))) {
            throw new IllegalStateException("the daemon did not take the first events: " + s.stats());
        }
        System.out.println("READY");
        switch (mode) {
            case "clean" -> s.end();
            case "wait" -> waitForStdinToClose();
            case "uncaught" -> loadSaveGame();
            case "worker" -> loseAWorker();
            case "exit" -> quitWithoutEnding();
            case "fatal" -> crashTheJvm();
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
    }

    private static void waitForStdinToClose() throws IOException {
        while (System.in.read() >= 0) {
            // nothing to do: the test kills this process
        }
    }

    static void loseAWorker() throws InterruptedException {
        Thread worker = new Thread(CrashApp::loadSaveGame, "asset-loader");
        worker.start();
        worker.join();
    }

    static void loadSaveGame() {
        throw new IllegalStateException("save file is corrupt");
    }

    static void quitWithoutEnding() {
        System.exit(EXIT_CODE);
    }

    static void crashTheJvm() throws ReflectiveOperationException {
        Field f = Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        Unsafe unsafe = (Unsafe) f.get(null);
        System.out.println("read " + unsafe.getInt(0L));
    }
}
