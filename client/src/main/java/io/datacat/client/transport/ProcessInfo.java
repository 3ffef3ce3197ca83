package io.datacat.client.transport;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Enumeration;

/** Facts about this process and machine, in a way that works on Java 8. */
public final class ProcessInfo {
    private ProcessInfo() {
    }

    /** This JVM's process id ({@code ProcessHandle} is Java 9+). */
    public static long pid() {
        String name = ManagementFactory.getRuntimeMXBean().getName();
        int at = name.indexOf('@');
        try {
            return Long.parseLong(at > 0 ? name.substring(0, at) : name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The host name, or null. May be slow (DNS): call it off the game's threads. */
    public static String hostname() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isEmpty()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * A stable machine id: the lowercase hex MD5 of the MAC address of the first
     * non-loopback interface that has one (the same id existing DataCat clients send), or
     * null.
     */
    public static String machineId() {
        try {
            Enumeration<NetworkInterface> all = NetworkInterface.getNetworkInterfaces();
            while (all != null && all.hasMoreElements()) {
                NetworkInterface ni = all.nextElement();
                byte[] mac = ni.isLoopback() ? null : ni.getHardwareAddress();
                if (mac == null || mac.length == 0) {
                    continue;
                }
                StringBuilder text = new StringBuilder();
                for (int i = 0; i < mac.length; i++) {
                    if (i > 0) {
                        text.append(':');
                    }
                    text.append(String.format("%02x", mac[i] & 0xff));
                }
                byte[] md5 = MessageDigest.getInstance("MD5").digest(text.toString().getBytes(StandardCharsets.UTF_8));
                StringBuilder hex = new StringBuilder();
                for (byte b : md5) {
                    hex.append(String.format("%02x", b & 0xff));
                }
                return hex.toString();
            }
        } catch (Exception e) {
            return null;
        }
        return null;
    }
}
