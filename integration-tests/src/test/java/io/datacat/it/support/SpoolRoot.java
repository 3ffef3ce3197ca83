package io.datacat.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A test's own spool root ({@code spool_dir}), so tests never see each other's spools. Every
 * daemon keeps a directory {@code d-<start millis>-<pid>-<random>} under it until it has
 * delivered everything, which is how a test finds (and finally kills) the daemons its apps
 * started, wherever the apps are by then.
 */
public final class SpoolRoot {
    private static final Pattern DAEMON_DIR = Pattern.compile("d-\\d{13}-(\\d+)-[0-9a-f]{6}");

    private final Path path;

    public SpoolRoot(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    /** The daemon directories still here: each is a daemon alive, or a dead one's spool not yet adopted. */
    public List<Path> daemonDirs() throws IOException {
        List<Path> dirs = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> list = Files.list(path)) {
                list.filter(p -> DAEMON_DIR.matcher(p.getFileName().toString()).matches()).sorted().forEach(dirs::add);
            }
        }
        return dirs;
    }

    /** SIGKILLs the daemons that still own a directory here: no test leaves a daemon behind. */
    public void killDaemons() throws IOException {
        for (Path dir : daemonDirs()) {
            Matcher m = DAEMON_DIR.matcher(dir.getFileName().toString());
            if (m.matches()) {
                ProcessHandle.of(Long.parseLong(m.group(1)))
                        .filter(p -> p.info().commandLine().map(c -> c.contains("datacat-daemon")).orElse(false))
                        .ifPresent(SpoolRoot::kill);
            }
        }
    }

    private static void kill(ProcessHandle daemon) {
        daemon.destroyForcibly();
        // A zombie is dead too: its parent, the app, may be stopped and unable to reap it.
        await("daemon " + daemon.pid() + " dies of SIGKILL").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20)).until(() -> !daemon.isAlive() || isZombie(daemon.pid()));
    }

    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
