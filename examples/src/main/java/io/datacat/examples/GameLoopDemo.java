package io.datacat.examples;

import io.datacat.client.Datacat;
import io.datacat.client.Session;
import io.datacat.client.SessionOptions;
import io.datacat.client.Stats;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.time.Duration;

/**
 * {@code ./datacat demo}: plays three short sessions of a 60 FPS toy game against a running
 * DataCat server, so there is something worth looking at:
 * <ol>
 *   <li>a clean run that ends normally ({@code ended});</li>
 *   <li>a run whose frame loop stalls for 2.5 s ({@code hung}, then {@code recovered});</li>
 *   <li>a run in a child JVM that dies of an uncaught exception ({@code crashed}).</li>
 * </ol>
 * Options: see {@link DemoOptions}.
 */
public final class GameLoopDemo {
    private GameLoopDemo() {
    }

    public static void main(String[] args) throws Exception {
        DemoOptions commandLine;
        try {
            commandLine = DemoOptions.parse(args);
        } catch (DemoOptions.BadOptionException e) {
            System.err.println("datacat demo: " + e.getMessage());
            System.err.print(DemoOptions.USAGE);
            System.exit(2);
            return;
        }
        if (commandLine.helpAsked) {
            System.out.print(DemoOptions.USAGE);
            return;
        }
        String server = commandLine.serverUrl;
        if (!serverAnswers(server)) {
            System.err.println("No DataCat server answers at " + server + ". Start one with: ./datacat server, "
                    + "or give the demo yours with: ./datacat demo --server URL");
            System.exit(1);
        }

        System.out.println("1/3 a clean " + commandLine.cleanRunSecondsText() + " s run at 60 FPS...");
        Session clean = Datacat.createSession(options(server).build());
        new GameLoop(clean).run(commandLine.cleanRunSeconds, -1, 0);
        report(server, clean, clean.shutdown(Duration.ofSeconds(5)));

        System.out.println("2/3 a run whose frame loop stalls for 2.5 s (hang timeout 1 s)...");
        Session hang = Datacat.createSession(options(server).hangTimeoutMs(1_000).build());
        new GameLoop(hang).run(4, 60, 2_500);
        report(server, hang, hang.shutdown(Duration.ofSeconds(5)));

        System.out.println("3/3 a run that dies of an uncaught exception (in a child JVM)...");
        int code = runCrashingGame(server);
        System.out.println("    the child JVM exited with code " + code + " (it crashed on purpose)");

        System.out.println();
        System.out.println("Sessions:  " + server + "/api/sessions?product=DataCat%20Demo");
        System.out.println("Web UI:    " + server + "/");
    }

    static SessionOptions.Builder options(String server) {
        return SessionOptions.builder("DataCat Demo", "1.0.0").serverUrl(server).asyncMode(true)
                .attribute("platform", System.getProperty("os.name"));
    }

    private static void report(String server, Session s, boolean delivered) {
        Stats st = s.stats();
        System.out.println("    session " + s.id() + ": sent=" + st.sent() + " dropped=" + st.dropped()
                + (delivered ? "" : " (not everything reached the daemon: " + st.lastError() + ")"));
        System.out.println("    " + server + "/api/sessions/" + s.id());
    }

    private static int runCrashingGame(String server) throws IOException, InterruptedException {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashingGame.class.getName(), server);
        pb.inheritIO();
        return pb.start().waitFor();
    }

    private static boolean serverAnswers(String server) {
        try {
            HttpURLConnection c = (HttpURLConnection) new URL(server + "/health").openConnection();
            c.setConnectTimeout(2_000);
            c.setReadTimeout(2_000);
            int status = c.getResponseCode();
            InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream();
            if (in != null) {
                in.close();
            }
            return status == 200;
        } catch (IOException e) {
            return false;
        }
    }
}
