package io.lifeboat.appliance.cli;

import picocli.CommandLine.Option;

/** {@code --host URI}, the libvirt host a VM verb works on: the API's {@code ?host=} parameter. */
final class HostOption {
    @Option(names = "--host", paramLabel = "URI",
            description = "The libvirt host, e.g. qemu+ssh://kvm2/system (default: the appliance's first host).")
    String host;

    /** {@code path} with {@code host=} added to its query when a host was given. */
    String on(String path) {
        return host == null ? path : path + (path.contains("?") ? "&" : "?") + "host=" + ApplianceClient.segment(host);
    }
}
