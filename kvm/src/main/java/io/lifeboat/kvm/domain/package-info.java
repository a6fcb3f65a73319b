/**
 * libvirt's XML documents: reading and editing domain definitions ({@link io.lifeboat.kvm.domain.DomainXml},
 * its {@link io.lifeboat.kvm.domain.Disk}s), new MAC addresses, and the one safe parser and writer
 * ({@link io.lifeboat.kvm.domain.XmlDocuments}) every other libvirt document (snapshot, backup,
 * checkpoint, block copy target) is built with.
 */
package io.lifeboat.kvm.domain;
