package io.lifeboat.restore.files;

import io.lifeboat.restore.RestoreException;
import io.lifeboat.store.StoreException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GuestPathTest {

    @Test
    void normalizesWithinTheRoot() throws Exception {
        assertThat(GuestPath.of("/").value()).isEqualTo("/");
        assertThat(GuestPath.of("//etc/./ssh//").value()).isEqualTo("/etc/ssh");
        assertThat(GuestPath.of("/var/log/../lib").value()).isEqualTo("/var/lib");
        assertThat(GuestPath.of("/etc/..").value()).isEqualTo("/");
        assertThat(GuestPath.of("/etc/hostname").fileName()).isEqualTo("hostname");
        assertThat(GuestPath.of("/").child("etc")).isEqualTo("/etc");
    }

    @Test
    void refusesRelativeEscapingAndControlCharacters() {
        for (String bad : new String[] {"", "etc", "../etc", "/..", "/etc/../../x", "/etc/\0x", "/a\nb"}) {
            assertThatThrownBy(() -> GuestPath.of(bad)).as(bad).isInstanceOf(RestoreException.class)
                    .extracting(e -> ((RestoreException) e).kind()).isEqualTo(StoreException.Kind.BAD_INPUT);
        }
        assertThatThrownBy(() -> GuestPath.of(null)).hasMessageContaining("path is required");
    }
}
