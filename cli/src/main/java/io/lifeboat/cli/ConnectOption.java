package io.lifeboat.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.util.Collections;
import java.util.Enumeration;
import java.util.ResourceBundle;

/**
 * {@code -c, --connect URI}: the libvirt host a verb works on, named as {@code virsh -c} names it
 * ({@code qemu:///system}, {@code qemu+ssh://kvm2/system}). Every Lifeboat CLI that reaches a
 * libvirt host takes it as this mixin; what it defaults to is each CLI's, said in its
 * {@code --help} by {@link #defaultIs}.
 */
public final class ConnectOption {
    private static final String KEY = "connect";

    @Option(names = {"-c", "--connect"}, paramLabel = "URI", descriptionKey = KEY,
            description = "The libvirt host's URI, as virsh -c takes it.")
    String uri;

    /** The URI given, or null. */
    public String uri() {
        return uri;
    }

    /** The URI given, else {@code fallback}. */
    public String uriOr(String fallback) {
        return uri == null ? fallback : uri;
    }

    /**
     * Makes {@code --help} of {@code cl} and its subcommands end the option's description with
     * "(default: {@code what})", e.g. "qemu:///system" or "the appliance's first host".
     */
    public static void defaultIs(CommandLine cl, String what) {
        String text = "The libvirt host's URI, as virsh -c takes it (default: " + what + ").";
        cl.setResourceBundle(new ResourceBundle() {
            @Override
            protected Object handleGetObject(String key) {
                return KEY.equals(key) ? text : null;
            }

            @Override
            public Enumeration<String> getKeys() {
                return Collections.enumeration(java.util.List.of(KEY));
            }
        });
    }
}
