package io.datacat.daemon.compat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Who this machine is, as the compatible daemon reported it: {@code machine_id} is the
 * lowercase hex MD5 of the MAC ({@code aa:bb:…}) of the first non-loopback interface that has
 * a hardware address (empty when none); {@code hostname} is the kernel's host name.
 */
public record MachineIdentity(String hostname, String machineId) {

    public static MachineIdentity detect() {
        return new MachineIdentity(kernelHostname(), firstMacDigest());
    }

    private static String kernelHostname() {
        // The kernel's name, as Go's os.Hostname gives it, without a DNS lookup.
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                return Files.readString(kernel).trim();
            }
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "";
        }
    }

    private static String firstMacDigest() {
        try {
            List<NetworkInterface> interfaces = NetworkInterface.networkInterfaces()
                    .sorted(Comparator.comparingInt(NetworkInterface::getIndex)).toList();
            for (NetworkInterface ni : interfaces) {
                byte[] mac = ni.isLoopback() ? null : ni.getHardwareAddress();
                if (mac != null && mac.length > 0) {
                    return md5Hex(HexFormat.ofDelimiter(":").formatHex(mac).toLowerCase(Locale.ROOT));
                }
            }
        } catch (SocketException e) {
            return "";
        }
        return "";
    }

    private static String md5Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has MD5", e);
        }
    }
}
