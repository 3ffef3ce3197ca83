package io.datacat.daemon.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32;

/**
 * The on-disk frame: {@code [magic "DCS1"][payload length][CRC32 of the payload][payload]},
 * integers big-endian. A frame whose header or checksum does not hold marks the end of the
 * usable part of a segment (a torn write).
 */
final class FrameCodec {
    static final int MAGIC = 0x44435331;
    static final int HEADER_BYTES = 12;
    /** Larger than any frame the daemon writes (bodies are bounded to 16 MiB): a bigger length is corruption. */
    static final int MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

    private FrameCodec() {
    }

    static ByteBuffer encode(byte[] payload) {
        ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + payload.length);
        buf.putInt(MAGIC).putInt(payload.length).putInt((int) crc(payload)).put(payload);
        return buf.flip();
    }

    /**
     * The payload of the frame at {@code offset}, or null when no whole, intact frame starts
     * there before {@code end}.
     */
    static byte[] read(FileChannel ch, long offset, long end) throws IOException {
        if (end - offset < HEADER_BYTES) {
            return null;
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        if (!readFully(ch, header, offset)) {
            return null;
        }
        header.flip();
        int magic = header.getInt();
        int length = header.getInt();
        int crc = header.getInt();
        if (magic != MAGIC || length < 0 || length > MAX_PAYLOAD_BYTES || offset + HEADER_BYTES + length > end) {
            return null;
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        if (!readFully(ch, payload, offset + HEADER_BYTES)) {
            return null;
        }
        byte[] bytes = payload.array();
        return (int) crc(bytes) == crc ? bytes : null;
    }

    static long frameBytes(byte[] payload) {
        return HEADER_BYTES + (long) payload.length;
    }

    private static boolean readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                return false;
            }
            pos += n;
        }
        return true;
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}
