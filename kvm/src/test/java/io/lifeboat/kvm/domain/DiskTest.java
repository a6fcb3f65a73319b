package io.lifeboat.kvm.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DiskTest {

    @Test
    void aDiskFromItsXmlHasNoSizesUntilLibvirtGivesThem() {
        Disk disk = new Disk("vda", "disk", "file", "qcow2", "/images/a.qcow2", false);
        assertThat(disk.sizeKnown()).isFalse();
        assertThat(disk.virtualSize()).isZero();
        Disk sized = disk.withSizes(64L << 20, 1L << 20);
        assertThat(sized.sizeKnown()).isTrue();
        assertThat(sized.virtualSize()).isEqualTo(64L << 20);
        assertThat(sized.allocatedSize()).isEqualTo(1L << 20);
        assertThat(sized.target()).isEqualTo("vda");
        assertThat(sized.path()).isEqualTo("/images/a.qcow2");
    }

    @Test
    void mediumAndChangeTracking() {
        assertThat(new Disk("hdc", "cdrom", "file", "raw", null, true).hasMedium()).isFalse();
        assertThat(new Disk("vdb", "disk", "network", "raw", null, false).hasMedium()).isTrue();
        assertThat(new Disk("vda", "disk", "file", "qcow2", "/a", false).tracksChanges()).isTrue();
        assertThat(new Disk("vda", "disk", "file", "raw", "/a", false).tracksChanges()).isFalse();
    }
}
