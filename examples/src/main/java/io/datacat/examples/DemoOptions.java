package io.datacat.examples;

import io.datacat.client.SessionOptions;

import java.math.BigDecimal;
import java.net.MalformedURLException;
import java.net.URL;

/** The command line of {@code ./datacat demo}: {@code --server URL}, {@code --seconds N}, {@code --help}. */
final class DemoOptions {
    /** An hour: the clean run is something to look at, not a soak test. */
    static final int MAX_SECONDS = 3_600;
    static final int DEFAULT_SECONDS = 5;

    static final String USAGE = String.join(System.lineSeparator(),
            "usage: ./datacat demo [--server URL] [--seconds N]",
            "Plays three short sessions of a 60 FPS toy game against a running DataCat server:",
            "one that ends cleanly, one that hangs and recovers, one that crashes.",
            "",
            "  --server URL   the server to send to (default: " + SessionOptions.DEFAULT_SERVER_URL + ")",
            "  --seconds N    length of the clean run in seconds, above 0 and at most " + MAX_SECONDS
                    + " (default: " + DEFAULT_SECONDS + ")",
            "  -h, --help     print this help and exit",
            "");

    /** The server's URL, without a trailing slash. */
    final String serverUrl;
    /** How long the first, clean, run plays. */
    final double cleanRunSeconds;
    final boolean helpAsked;

    private DemoOptions(String serverUrl, double cleanRunSeconds, boolean helpAsked) {
        this.serverUrl = serverUrl;
        this.cleanRunSeconds = cleanRunSeconds;
        this.helpAsked = helpAsked;
    }

    /** A command line the demo cannot run with; the message says what is wrong in one line. */
    static final class BadOptionException extends Exception {
        private static final long serialVersionUID = 1L;

        BadOptionException(String message) {
            super(message);
        }
    }

    /** Reads {@code --name value} or {@code --name=value}; {@code --help} anywhere asks for the help alone. */
    static DemoOptions parse(String... args) throws BadOptionException {
        String server = SessionOptions.DEFAULT_SERVER_URL;
        double seconds = DEFAULT_SECONDS;
        for (String arg : args) {
            if (arg.equals("-h") || arg.equals("--help")) {
                return new DemoOptions(server, seconds, true);
            }
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            int eq = arg.indexOf('=');
            boolean valueInline = arg.startsWith("--") && eq > 0;
            String name = valueInline ? arg.substring(0, eq) : arg;
            if (!name.equals("--server") && !name.equals("--seconds")) {
                throw new BadOptionException(arg.startsWith("-") ? "unknown option '" + name + "'"
                        : "unexpected argument '" + arg + "'");
            }
            String value;
            if (valueInline) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new BadOptionException(name + " needs a value");
            }
            if (name.equals("--server")) {
                server = serverUrl(value);
            } else {
                seconds = seconds(value);
            }
        }
        return new DemoOptions(server, seconds, false);
    }

    private static String serverUrl(String value) throws BadOptionException {
        String problem = "--server must be the http(s) URL of a DataCat server such as "
                + SessionOptions.DEFAULT_SERVER_URL + ", got '" + value + "'";
        try {
            URL url = new URL(value);
            if (!url.getProtocol().equals("http") && !url.getProtocol().equals("https") || url.getHost().isEmpty()) {
                throw new BadOptionException(problem);
            }
        } catch (MalformedURLException e) {
            throw new BadOptionException(problem);
        }
        // The demo appends paths such as /health to it.
        return value.replaceAll("/+$", "");
    }

    private static double seconds(String value) throws BadOptionException {
        double seconds;
        try {
            seconds = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            seconds = Double.NaN;
        }
        // Written so that NaN fails it too.
        if (!(seconds > 0 && seconds <= MAX_SECONDS)) {
            throw new BadOptionException("--seconds must be a number above 0 and at most " + MAX_SECONDS + ", got '" + value + "'");
        }
        return seconds;
    }

    /** The clean run's length as a person writes it: 5, 1.5. */
    String cleanRunSecondsText() {
        return BigDecimal.valueOf(cleanRunSeconds).stripTrailingZeros().toPlainString();
    }
}
