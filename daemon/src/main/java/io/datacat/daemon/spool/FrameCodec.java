package io.datacat.daemon.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32;

/**
 * The on-disk frame: {@code [magic "DCS" + format][payload length][CRC32 of the payload][payload]},
 * integers big-endian. This daemon writes format 2 ({@code DCS2}, see {@link FramePayload}) and
 * reads formats 1 and 2. A frame whose header or checksum does not hold marks the end of the
 * usable part of a segment (a torn write); a frame of a later format stops the reading with an
 * error instead, so a spool written by a newer daemon is left alone rather than cut.
 */
final class FrameCodec {
    /** "DCS" followed by the format's digit. */
    private static final int MAGIC_PREFIX = 0x44435300;
    static final int VERSION = 2;
    static final int HEADER_BYTES = 12;
    /** Larger than any frame the daemon writes (bodies are bounded to 16 MiB): a bigger length is corruption. */
    static final int MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

    private FrameCodec() {
    }

    /** A payload as read, with the format it was written in. */
    record Raw(int version, byte[] payload) {
    }

    static ByteBuffer encode(byte[] payload) {
        return encode(VERSION, payload);
    }

    static ByteBuffer encode(int version, byte[] payload) {
        ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + payload.length);
        buf.putInt(MAGIC_PREFIX | ('0' + version)).putInt(payload.length).putInt((int) crc(payload)).put(payload);
        return buf.flip();
    }

    /**
     * The frame at {@code offset}, or null when no whole, intact frame starts there before
     * {@code end}.
     *
     * @throws UnknownFormatException when the frame is whole but of a format this daemon cannot read
     */
    static Raw read(FileChannel ch, long offset, long end) throws IOException {
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
        int version = (magic & 0xFF) - '0';
        if ((magic & 0xFFFFFF00) != MAGIC_PREFIX || version < 1 || version > 9 || length < 0
                || length > MAX_PAYLOAD_BYTES || offset + HEADER_BYTES + length > end) {
            return null;
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        if (!readFully(ch, payload, offset + HEADER_BYTES)) {
            return null;
        }
        byte[] bytes = payload.array();
        if ((int) crc(bytes) != crc) {
            return null;
        }
        if (version > VERSION) {
            throw new UnknownFormatException(version);
        }
        return new Raw(version, bytes);
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

    /** A whole frame of a format newer than this daemon's. */
    static final class UnknownFormatException extends IOException {
        private static final long serialVersionUID = 1L;

        UnknownFormatException(int version) {
            super("frame format DCS" + version + " was written by a newer DataCat daemon; this one reads DCS1 and DCS"
                    + VERSION + ": leaving the spool for a daemon that can read it");
        }
    }
}
