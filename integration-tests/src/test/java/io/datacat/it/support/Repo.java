package io.datacat.it.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/** Where the built parts are: the tests run the real jars the build just made. */
public final class Repo {
    private Repo() {
    }

    public static Path root() {
        String prop = System.getProperty("datacat.repo");
        Path p = prop != null ? Paths.get(prop) : Paths.get("..").toAbsolutePath().normalize();
        if (!Files.isDirectory(p.resolve("server"))) {
            p = p.resolve("..").normalize();
        }
        return p;
    }

    public static Path serverJar() {
        return require(root().resolve("server/target/datacat-server.jar"));
    }

    public static Path daemonJar() {
        return require(root().resolve("daemon/target/datacat-daemon.jar"));
    }

    /** The command a client uses to start a real daemon process. */
    public static List<String> daemonCommand() {
        return List.of(java(), "-Xmx128m", "-XX:+UseSerialGC", "-jar", daemonJar().toString());
    }

    public static String java() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Path require(Path p) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p + " is missing: build first (mvn -DskipTests package)");
        }
        return p;
    }
}
