package io.datacat.daemon.spool;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/** Frames as daemons before frame format 2 wrote them, for the tests that adopt such a spool. */
public final class LegacyFrames {
    private LegacyFrames() {
    }

    /** A format 1 frame: magic "DCS1" and the whole batch as JSON. */
    public static ByteBuffer version1(String batchJson) {
        byte[] payload = batchJson.getBytes(StandardCharsets.UTF_8);
        CRC32 crc = new CRC32();
        crc.update(payload);
        ByteBuffer buf = ByteBuffer.allocate(12 + payload.length);
        buf.putInt(0x44435331).putInt(payload.length).putInt((int) crc.getValue()).put(payload);
        return buf.flip();
    }
}
