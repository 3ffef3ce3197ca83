package io.datacat.client.transport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A keep-alive HTTP/1.1 connection to the daemon on loopback. Small on purpose: the client
 * must not depend on anything, and it needs hard deadlines on every exchange (so a
 * {@code shutdown(timeout)} is honoured even when the daemon is frozen), which
 * {@code HttpURLConnection} does not give. {@link #close()} from another thread aborts an
 * exchange in progress.
 */
public final class HttpConnection implements Closeable {
    private static final int MAX_RESPONSE_BYTES = 1 << 20;

    private final int port;
    private volatile Socket socket;
    private InputStream in;
    private OutputStream out;

    public HttpConnection(int port) {
        this.port = port;
    }

    public int port() {
        return port;
    }

    /** The answer to one request. */
    public static final class Response {
        public final int status;
        public final String body;

        Response(int status, String body) {
            this.status = status;
            this.body = body;
        }
    }

    /**
     * Sends one request and reads the whole response within {@code timeoutMillis}.
     *
     * @throws IOException on any transport failure; the connection is closed then
     */
    public Response exchange(String method, String path, byte[] body, int length, int timeoutMillis)
            throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try {
            if (socket == null) {
                open(timeoutMillis);
            }
            socket.setSoTimeout(Math.max(1, timeoutMillis));
            StringBuilder head = new StringBuilder(160);
            head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(port).append("\r\n")
                    .append("Connection: keep-alive\r\n");
            if (body != null) {
                head.append("Content-Type: application/json\r\n")
                        .append("Content-Length: ").append(length).append("\r\n");
            }
            head.append("\r\n");
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            if (body != null) {
                out.write(body, 0, length);
            }
            out.flush();
            return readResponse(deadline);
        } catch (IOException | RuntimeException e) {
            close();
            throw e instanceof IOException ? (IOException) e : new IOException(e);
        }
    }

    private void open(int timeoutMillis) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), Math.max(1, timeoutMillis));
        } catch (IOException e) {
            s.close();
            throw e;
        }
        socket = s;
        in = new BufferedInputStream(s.getInputStream(), 8192);
        out = s.getOutputStream();
    }

    private Response readResponse(long deadline) throws IOException {
        String statusLine = readLine(deadline);
        if (!statusLine.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: " + statusLine);
        }
        int status;
        try {
            status = Integer.parseInt(statusLine.substring(9, 12));
        } catch (RuntimeException e) {
            throw new IOException("bad HTTP status line: " + statusLine);
        }
        long contentLength = -1;
        boolean chunked = false;
        boolean closeAfter = false;
        for (String line = readLine(deadline); !line.isEmpty(); line = readLine(deadline)) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                contentLength = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
                chunked = true;
            } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
                closeAfter = true;
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            for (;;) {
                String sizeLine = readLine(deadline);
                int semi = sizeLine.indexOf(';');
                long size = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
                if (size == 0) {
                    while (!readLine(deadline).isEmpty()) {
                        // trailers: ignored
                    }
                    break;
                }
                readBytes(body, size, deadline);
                readLine(deadline);
            }
        } else if (contentLength >= 0) {
            readBytes(body, contentLength, deadline);
        } else {
            closeAfter = true;
            readBytes(body, -1, deadline);
        }
        if (closeAfter) {
            close();
        }
        return new Response(status, new String(body.toByteArray(), StandardCharsets.UTF_8));
    }

    private void readBytes(ByteArrayOutputStream to, long count, long deadline) throws IOException {
        byte[] chunk = new byte[8192];
        long remaining = count;
        while (count < 0 || remaining > 0) {
            checkDeadline(deadline);
            int n = in.read(chunk, 0, (int) (count < 0 ? chunk.length : Math.min(chunk.length, remaining)));
            if (n < 0) {
                if (count < 0) {
                    return;
                }
                throw new EOFException("daemon closed the connection mid-response");
            }
            if (to.size() + n <= MAX_RESPONSE_BYTES) {
                to.write(chunk, 0, n);
            }
            remaining -= n;
        }
    }

    private String readLine(long deadline) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        for (;;) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("daemon closed the connection");
            }
            if (b == '\n') {
                int n = sb.length();
                return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
            }
            if (sb.length() > 8192) {
                throw new IOException("HTTP header line too long");
            }
            sb.append((char) b);
            if ((sb.length() & 63) == 0) {
                checkDeadline(deadline);
            }
        }
    }

    private static void checkDeadline(long deadline) throws IOException {
        if (System.nanoTime() - deadline > 0) {
            throw new IOException("daemon did not answer in time");
        }
    }

    /** Closes the socket; safe from any thread, aborts an exchange in progress. */
    @Override
    public void close() {
        Socket s = socket;
        socket = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing is best effort
            }
        }
    }
}
