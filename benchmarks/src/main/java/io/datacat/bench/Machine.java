package io.datacat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;

/** What the benchmark ran on, for the report. */
final class Machine {
    private Machine() {
    }

    static String cpu() {
        try {
            return Files.readAllLines(Paths.get("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(System.getProperty("os.arch"));
        } catch (IOException e) {
            return System.getProperty("os.arch");
        }
    }

    static String memory() {
        try {
            return Files.readAllLines(Paths.get("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024 / 1024 + " GiB RAM").findFirst()
                    .orElse("");
        } catch (IOException e) {
            return "";
        }
    }
}
