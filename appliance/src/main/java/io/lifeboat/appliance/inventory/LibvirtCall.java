package io.lifeboat.appliance.inventory;

import org.libvirt.LibvirtException;

/** One piece of work against a libvirt object (a connection or a domain), run by {@link LibvirtHosts}. */
@FunctionalInterface
public interface LibvirtCall<S, T> {

    T apply(S subject) throws LibvirtException;
}
